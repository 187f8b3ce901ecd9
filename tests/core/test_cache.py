"""The one cache: shared by every worker through Redis, per process without it, never stale, never a 500."""
import json
from datetime import UTC, datetime, timedelta

import pytest

from app import cache, clock
from app.accounts.models import Role, User
from app.events import services as events
from app.extensions import db
from tests.conftest import free_port, require_redis
from tests.factories import make_calendar_event, make_user

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
LISTING = ("/events", "/api/v1/events")


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen_at(NOW):
        yield NOW


def _get(flask_app, url: str) -> str:
    with flask_app.app_context():
        response = flask_app.test_client().get(url)
        assert response.status_code == 200, url
        if response.is_json:
            return json.dumps(response.get_json(), ensure_ascii=False)
        return response.get_data(as_text=True)


def _stats(flask_app) -> tuple[int, int, int]:
    with flask_app.app_context():
        stats = cache.pages.stats
        return stats.hits, stats.misses, stats.stores


def test_a_worker_that_never_built_the_listing_serves_it_from_redis(shared_cache_apps):
    first, second = shared_cache_apps(2, redis_url=require_redis())
    with first.app_context():
        organiser = make_user(roles=(Role.ORGANISER,))
        event = make_calendar_event(title="Школа пациентских лидеров", actor=organiser)
        event_id, organiser_id = event.id, organiser.id

    built = {url: _get(first, url) for url in LISTING}
    assert _stats(first) == (0, 2, 2)
    served = {url: _get(second, url) for url in LISTING}
    assert _stats(second) == (2, 0, 0)  # both bodies came from the other worker's entries
    assert served["/api/v1/events"] == built["/api/v1/events"]
    assert all("Школа пациентских лидеров" in body for body in (*built.values(), *served.values()))

    # A change made through either worker moves the data version: both miss at once, the first to
    # ask rebuilds, and the other takes the new entry.
    clock.advance(timedelta(seconds=10))
    with second.app_context():
        events.update_event(events.get_event(event_id), db.session.get(User, organiser_id), {"title": "Школа лидеров НКО"})
    for url in LISTING:
        assert "Школа лидеров НКО" in _get(first, url)
        assert "Школа лидеров НКО" in _get(second, url)
    assert _stats(first) == (0, 4, 4)
    assert _stats(second) == (4, 0, 0)


def test_without_redis_each_worker_keeps_its_own_entries(shared_cache_apps):
    first, second = shared_cache_apps(2)
    with first.app_context():
        make_calendar_event(title="Школа пациентских лидеров")
    for url in LISTING:
        assert "Школа пациентских лидеров" in _get(first, url) and "Школа пациентских лидеров" in _get(second, url)
        _get(first, url)
    assert _stats(first) == (2, 2, 2)
    assert _stats(second) == (0, 2, 2)  # built for itself: memory is not shared


def test_deployments_sharing_one_redis_never_read_each_others_entries(tmp_path, shared_cache_apps):
    redis_url = require_redis()
    ours = shared_cache_apps(1, redis_url=redis_url, CACHE_KEY_PREFIX=None)[0]
    (tmp_path / "other").mkdir()
    theirs = shared_cache_apps(1, redis_url=redis_url, CACHE_KEY_PREFIX=None,
                               SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'other' / 'other.sqlite3'}",
                               INSTANCE_PATH=str(tmp_path / "other" / "instance"))[0]
    for flask_app, title in ((ours, "Семинар в Самаре"), (theirs, "Выезд в Кошки")):
        with flask_app.app_context():
            db.create_all()
            make_calendar_event(title=title)
    # Same clock, same ids, same versions: only the deployment's key prefix tells the entries apart.
    assert "Семинар в Самаре" in _get(ours, "/events")
    theirs_html = _get(theirs, "/events")
    assert "Выезд в Кошки" in theirs_html and "Семинар в Самаре" not in theirs_html


def test_an_unreachable_redis_is_a_miss_not_a_500(shared_cache_apps, caplog):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    worker = shared_cache_apps(1, redis_url=dead)[0]
    with worker.app_context():
        make_calendar_event(title="Школа пациентских лидеров")
    for url in (*LISTING, "/calendar.ics"):
        assert "Школа пациентских лидеров" in _get(worker, url)
    assert _stats(worker) == (0, 2, 0)
    assert "treated as a miss" in caplog.text


def test_stale_entries_are_replaced_in_their_slot(app):
    """A new version overwrites its slot: one entry per slot, however many versions went by."""
    for version in range(5):
        assert cache.pages.get(("slot",), version) is None
        cache.pages.put(("slot",), version, f"body {version}")
        assert cache.pages.get(("slot",), version) == f"body {version}"
    backend = app.extensions["cache"][cache.pages._cache]
    assert len(backend._cache) == 1
    long_slot = ("events.index", "ru", (("q", "семинар " * 40),))
    cache.pages.put(long_slot, 1, "long")
    assert cache.pages.get(long_slot, 1) == "long" and len(cache.slot_key(long_slot)) == 64


def test_with_redis_a_worker_reads_its_own_copy_first(shared_cache_apps):
    """A worker keeps what it built: its repeats cost no Redis round trip (here Redis has lost the entry)."""
    first, second = shared_cache_apps(2, redis_url=require_redis())
    with first.app_context():
        make_calendar_event(title="Школа пациентских лидеров")
    _get(first, "/api/v1/events")
    with first.app_context():
        cache.pages._cache.clear()  # only the shared entries: as if Redis had evicted them
    _get(first, "/api/v1/events")
    _get(second, "/api/v1/events")
    assert _stats(first) == (1, 1, 1)  # its own copy, still of the current version
    assert _stats(second) == (0, 1, 1)  # nothing in Redis any more: built again


def test_many_entries_stored_in_redis_at_once_read_back_with_the_regions_time_to_live(shared_cache_apps):
    """put_many writes in batches by a script (not one SET per entry): what cachelib reads, with the TTL."""
    in_memory = shared_cache_apps(1)[0]  # another app of the same process, without Redis
    writer, reader = shared_cache_apps(2, redis_url=require_redis())
    entries = [((n, "ru"), ("v", n), f"VEVENT {n}".encode()) for n in range(2500)]
    for flask_app in (writer, in_memory):
        with flask_app.app_context():
            cache.feed_pieces.put_many(entries)
            assert cache.feed_pieces.stats.stores == len(entries)
    with reader.app_context():
        assert cache.feed_pieces.get_many([(slot, version) for slot, version, _value in entries]) == [
            value for _slot, _version, value in entries]
        assert cache.feed_pieces.get((7, "ru"), ("v", 8)) is None  # another version is a miss
        backend = cache.feed_pieces._cache.cache
        ttl = backend._read_client.ttl(backend._get_prefix() + cache.slot_key((2499, "ru")))
        assert cache.feed_pieces.timeout - 5 <= ttl <= cache.feed_pieces.timeout

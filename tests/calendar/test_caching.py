"""ETag / Last-Modified on every feed; a matching conditional GET builds nothing; pieces are cached."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

from app import cache, clock
from app.accounts import services as accounts
from app.accounts.models import User
from app.calendar import builders
from app.calendar import services as calendar
from app.events import services as events
from app.extensions import db
from tests.conftest import require_redis
from tests.factories import make_calendar_event, make_calendar_registration, make_user


@pytest.fixture
def queries(app):
    """Count the SQL statements a request runs."""
    seen = []

    def count(*_args):
        seen.append(1)

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    yield seen
    sa_event.remove(engine, "before_cursor_execute", count)


def _feed_stats() -> tuple:
    """(piece hits, piece misses, piece stores, body hits, body misses, body stores) of this app."""
    pieces, bodies = cache.feed_pieces.stats, cache.feed_bodies.stats
    return pieces.hits, pieces.misses, pieces.stores, bodies.hits, bodies.misses, bodies.stores


def _urls(user, event):
    return [f"/events/{event.id}/event.ics", "/calendar.ics", "/calendar.ics?kind=seminar",
            f"/calendar/{accounts.calendar_token(user)}.ics"]


def test_every_feed_answers_304_to_its_etag_without_building(client, queries):
    user = make_user(password=None)
    event = make_calendar_event()
    make_calendar_registration(user, event)
    for url in _urls(user, event):
        first = client.get(url)
        assert first.status_code == 200
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        stats = _feed_stats()
        queries.clear()

        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert _feed_stats() == stats
        assert len(queries) <= 3, url  # the validator's queries only: nothing is built

        by_date = client.get(url, headers={"If-Modified-Since": modified})
        assert by_date.status_code == 304, url
        assert _feed_stats() == stats

        assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_change_gives_a_new_etag_and_a_new_piece(client):
    organiser = make_user(roles=("organiser",), password=None)
    event = make_calendar_event(actor=organiser)
    first = client.get("/calendar.ics")
    pieces = cache.feed_pieces.stats
    misses = pieces.misses

    warm = client.get("/calendar.ics", headers={"If-None-Match": '"stale"'})
    assert warm.data == first.data
    assert pieces.misses == misses

    clock.advance(timedelta(minutes=5))
    events.update_event(event, organiser, {"venue": "Дом общественных организаций"})
    changed = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert "Дом общественных организаций" in changed.get_data(as_text=True)
    assert pieces.misses == misses + 1  # the changed event's VEVENTs
    assert client.get("/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 200


def test_unchanged_feed_is_served_whole_and_a_change_rebuilds_only_its_pieces(client):
    organiser = make_user(roles=("organiser",), password=None)
    seminars = [make_calendar_event(title=f"Семинар {day}", actor=organiser, sessions=[
        (datetime(2027, 3, day, 9), datetime(2027, 3, day, 18), ""),
        (datetime(2027, 3, day + 10, 9), datetime(2027, 3, day + 10, 18), "")]) for day in range(1, 6)]
    cold = client.get("/calendar.ics").data
    # 5 events looked up, none found: each built once (with its two sessions), the feed stored once.
    assert _feed_stats() == (0, 5, 5, 0, 1, 1)

    assert client.get("/calendar.ics", headers={"Accept-Language": "ru"}).data == cold
    assert _feed_stats() == (0, 5, 5, 1, 1, 1)  # the whole feed from the body cache

    clock.advance(timedelta(minutes=1))
    events.update_event(seminars[2], organiser, {"venue": "Самарский дом молодёжи"})
    changed = client.get("/calendar.ics").data
    assert "Самарский дом молодёжи".encode() in changed
    assert changed.count(b"BEGIN:VEVENT") == 10
    # Four events come whole from the cache; only the changed one is built again.
    assert _feed_stats() == (4, 6, 6, 1, 2, 2)

    client.get("/calendar.ics?locale=en")
    assert cache.feed_pieces.stats.misses == 11  # another language: each event built again, in English


def test_event_leaving_the_window_changes_the_validators(client):
    make_calendar_event(sessions=[(datetime(2027, 1, 20, 9), datetime(2027, 1, 20, 18), "")])
    first = client.get("/calendar.ics")
    with clock.frozen_at(clock.now() + timedelta(weeks=4)):
        later = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
        assert later.status_code == 200
        assert b"BEGIN:VEVENT" not in later.data
        by_date = client.get("/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert by_date.status_code == 200


def test_personal_feed_changes_when_a_registration_does(client):
    user = make_user(password=None)
    event = make_calendar_event(kind="webinar")
    registration = make_calendar_registration(user, event, "pending")
    url = f"/calendar/{accounts.calendar_token(user)}.ics"
    first = client.get(url)
    assert b"secret-room" not in first.data

    clock.advance(timedelta(minutes=1))
    registration.status = registration.status.CONFIRMED
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert b"secret-room" in changed.data


def test_a_worker_that_never_served_the_feed_answers_it_warm_from_redis(shared_cache_apps):
    """Two workers sharing Redis: the second takes the first one's feed whole, and a change is seen by both."""
    first, second = shared_cache_apps(2, redis_url=require_redis())
    with first.app_context():
        organiser = make_user(roles=("organiser",), password=None)
        seminars = [make_calendar_event(title=f"Семинар {day}", actor=organiser, sessions=[
            (datetime(2027, 3, day, 9), datetime(2027, 3, day, 18), "")]) for day in range(1, 4)]
        edited_id, organiser_id = seminars[1].id, organiser.id

    def fetch(worker) -> tuple[bytes, tuple]:
        with worker.app_context():
            response = worker.test_client().get("/calendar.ics")
            assert response.status_code == 200
            return response.data, _feed_stats()

    built, stats = fetch(first)
    assert stats == (0, 3, 3, 0, 1, 1)
    served, stats = fetch(second)
    assert served == built
    assert stats == (0, 0, 0, 1, 0, 0)  # never served it, built nothing: the whole body from Redis

    clock.advance(timedelta(minutes=1))
    with second.app_context():
        events.update_event(events.get_event(edited_id), db.session.get(User, organiser_id),
                            {"venue": "Самарский дом молодёжи"})
    changed, stats = fetch(first)  # the change moved the validator for every worker at once
    assert "Самарский дом молодёжи".encode() in changed and changed.count(b"BEGIN:VEVENT") == 3
    assert stats == (2, 4, 4, 0, 2, 2)  # two events from the pieces, the edited one built again
    again, stats = fetch(second)
    assert again == changed
    assert stats == (0, 0, 0, 2, 0, 0)


def test_warming_a_worker_reads_only_and_makes_the_timezones_the_first_feed_needs(client):
    make_calendar_event(timezone="Asia/Vladivostok")
    make_calendar_event(timezone="Europe/Sofia", status="draft")  # not in the public feed
    builders.vtimezone.cache_clear()
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        calendar.warm_up()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert set(statements) <= {"SELECT", "PRAGMA"}
    assert _feed_stats() == (0, 0, 0, 0, 0, 0)  # nothing built, nothing stored
    assert builders.vtimezone.cache_info().currsize == 1

    assert b"TZID:Asia/Vladivostok" in client.get("/calendar.ics").data
    assert builders.vtimezone.cache_info().misses == 1  # the feed took the warmed VTIMEZONE

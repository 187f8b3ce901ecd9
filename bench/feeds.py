"""Benchmark of the public calendar feed: plain icalendar vs the cached feed vs 304, same run.

    .venv/bin/python bench/feeds.py [--events 5000] [--database-url URL] [--requests 30]

Makes a fresh database (a temporary SQLite file unless --database-url names an empty
PostgreSQL database), fills it with published and cancelled events in mixed timezones with one
to three sessions each (plus some drafts, which the feed leaves out), then prints:

- cold: the whole feed built with plain icalendar objects, no cache (in this process);
- cold Praktika: the public feed as the app builds it after a start or a cache flush (in this
  process, empty caches: every event's VEVENT pieces written and stored, then assembled), and its
  ratio to the plain build above;

then serves the app with gunicorn on 127.0.0.1 as four workers in two servers on one database,
worker A (1 worker) and B (3 workers), once with each worker caching in its own memory and once
sharing the cache in Redis (--redis-url; skipped when Redis is not reachable), and prints:

- A first: the first request through the app (builds the VEVENT pieces and the body);
- B firsts: B's three workers, which never served the feed, asked at once (in memory: each builds
  it again; in Redis: each takes A's body, warm);
- A warm: repeated requests, nothing changed (the assembled body from the body cache);
- change→A, change→B: one event is edited through update_event before each pair of requests; A
  assembles the feed again from the cached pieces, rebuilding only that event; then B (in memory:
  B rebuilds too; in Redis: B takes A's new body);
- 304: conditional requests with the feed's ETag;

with p50/p95 over several requests and the ratios. Targets: warm ≤ 100 ms, 304 ≤ 10 ms.
Figures are printed, never asserted. Bounded: stops by itself, stops the server it started.
"""
import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from flask_babel import force_locale  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from app import cache, clock, create_app  # noqa: E402
from app.calendar import builders  # noqa: E402
from app.calendar import services as calendar_services  # noqa: E402
from app.calendar.items import event_items  # noqa: E402
from app.calendar.services import FEED_WINDOW, PUBLIC_STATUSES  # noqa: E402
from app.events import services as events_service  # noqa: E402
from app.events.models import (  # noqa: E402
    Event,
    EventKind,
    EventStatus,
    Session,
    TripDetails,
)
from app.extensions import db  # noqa: E402

TIMEZONES = ("Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok",
             "Europe/Sofia", "Europe/Warsaw", "Europe/Vilnius")
REGIONS = ("RU-SAM", "RU-PNZ", "RU-MOW", "RU-PRI", "BG-02", "PL-20", "LT-25")
TITLES = ("Школа пациентских лидеров", "Права пациентов: практикум", "Вебинар для волонтёров-медиков",
          "Круглый стол: лекарственное обеспечение", "#ДоброВСело: выезд в район", "Семинар по консультированию")
SECRET = "https://meet.example.org/join/bench-secret-"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fill(app, count: int, seed: int = 6) -> int:
    """`count` public events (plus 2 % drafts) around now; returns the number of public sessions."""
    rng = random.Random(seed)
    now = clock.now()
    public_sessions = 0
    with app.app_context():
        db.create_all()
        batch = []
        for n in range(count + count // 50):
            tzname = TIMEZONES[n % len(TIMEZONES)]
            tz = ZoneInfo(tzname)
            kind = list(EventKind)[n % 4]
            first_day = (now + timedelta(days=rng.randint(-20, 365))).astimezone(tz).date()
            days = rng.choice((1, 1, 2, 3, 3))
            sessions = []
            for d in range(days):
                start = datetime.combine(first_day + timedelta(days=d), dtime(9 + rng.randint(0, 2)), tz)
                sessions.append(Session(starts_at=start.astimezone(UTC), ends_at=(start + timedelta(hours=8)).astimezone(UTC),
                                        title=f"День {d + 1}" if days > 1 and rng.random() < 0.5 else ""))
            status = EventStatus.DRAFT if n >= count else (EventStatus.CANCELLED if n % 25 == 0 else EventStatus.PUBLISHED)
            if status != EventStatus.DRAFT:
                public_sessions += days
            event = Event(
                kind=kind, title=f"{TITLES[n % len(TITLES)]} №{n + 1}", description="Описание мероприятия. " * 8,
                language="ru" if n % 7 else "bg", timezone=tzname, status=status, sequence=rng.randint(0, 3),
                region_code=REGIONS[n % len(REGIONS)], is_online=kind == EventKind.WEBINAR,
                venue="" if kind == EventKind.WEBINAR else "Областная библиотека",
                address="" if kind == EventKind.WEBINAR else "ул. Ленина, 1",
                online_url=f"{SECRET}{n}" if kind == EventKind.WEBINAR else None,
                latitude=53.2 if n % 3 == 0 else None, longitude=50.1 if n % 3 == 0 else None,
                sessions=sessions, starts_at=sessions[0].starts_at, ends_at=sessions[-1].ends_at,
                starts_on=first_day, ends_on=first_day + timedelta(days=days - 1),
            )
            if kind == EventKind.OUTREACH_TRIP:
                event.trip = TripDetails(settlement="с. Кошки", district="Кошкинский район")
            batch.append(event)
            if len(batch) == 500:
                db.session.add_all(batch)
                db.session.commit()
                batch = []
        db.session.add_all(batch)
        db.session.commit()
    return public_sessions


def plain_build(app) -> tuple[float, bytes]:
    """The public feed with icalendar objects only: load, make items, build, serialise."""
    with app.test_request_context("/calendar.ics"), force_locale("ru"):
        started = time.perf_counter()
        events = db.session.execute(
            select(Event).where(Event.status.in_(PUBLIC_STATUSES), Event.ends_at >= clock.now() - FEED_WINDOW)
            .options(selectinload(Event.sessions), selectinload(Event.trip))
            .order_by(Event.starts_at)
        ).scalars().all()
        base_url = app.config["BASE_URL"]
        items = [item for event in events for item in event_items(event, base_url=base_url)]
        body = builders.plain_calendar("Praktika: мероприятия", items, "127.0.0.1")
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed, body


def praktika_build(app) -> tuple[float, bytes]:
    """The public feed through app.calendar.services with every cache region emptied first."""
    with app.test_request_context("/calendar.ics"):
        for region in cache.REGIONS:
            region.clear()
        started = time.perf_counter()
        body = calendar_services.public_feed(MultiDict(), "ru").body()
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed, body


def get(port: int, path: str, headers: dict | None = None) -> tuple[float, int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, response.status, body, dict(response.getheaders())


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def wait_until_up(port: int, server: subprocess.Popen, log: Path, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{tail}")
        try:
            if get(port, "/healthz")[1] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer within a minute")


def start_gunicorn(workers: int, port: int, settings: dict, log_file) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "600", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **settings}, stdout=subprocess.DEVNULL, stderr=log_file)
    return server


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def concurrent_firsts(port: int, count: int) -> list[float]:
    """`count` simultaneous requests: with `count` idle sync workers, each takes one, its first."""
    results: list = [None] * count

    def one(index: int) -> None:
        try:
            elapsed, status, _body, _headers = get(port, "/calendar.ics")
            results[index] = elapsed if status == 200 else f"HTTP {status}"
        except OSError as error:
            results[index] = repr(error)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [result for result in results if not isinstance(result, float)]
    if failed:
        raise SystemExit(f"concurrent first requests failed: {failed}")
    return results


def redis_reachable(url: str) -> bool:
    if not url:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def run_mode(app, settings: dict, workdir: Path, sessions: int, options, label: str) -> dict:
    """Four gunicorn workers in two servers: A (1 worker) serves the feed first, B (3 workers) never had.

    Returns p50s in ms: first (A builds), others (B's three workers' first requests, at once), warm (A),
    changed_a / changed_b (an event edited before each pair of requests: A first, then B), 304 (A).
    """
    port_a, port_b = _free_port(), _free_port()
    log_file = (workdir / f"gunicorn-{label}.log").open("wb")
    servers = []
    try:
        servers = [start_gunicorn(1, port_a, settings, log_file), start_gunicorn(3, port_b, settings, log_file)]
        wait_until_up(port_a, servers[0], workdir / f"gunicorn-{label}.log")
        wait_until_up(port_b, servers[1], workdir / f"gunicorn-{label}.log")

        first, status, body, headers = get(port_a, "/calendar.ics")
        assert status == 200 and body.count(b"BEGIN:VEVENT") == sessions and SECRET.encode() not in body
        others = concurrent_firsts(port_b, 3)

        warm = []
        for _ in range(options.requests):
            elapsed, status, warm_body, _headers = get(port_a, "/calendar.ics")
            assert status == 200 and warm_body == body
            warm.append(elapsed)

        changed_a, changed_b = [], []
        with app.app_context():
            edited = db.session.execute(select(Event.id).where(Event.status == EventStatus.PUBLISHED)
                                        .order_by(Event.id).limit(1)).scalar_one()
        for n in range(max(5, options.requests // 3)):
            title = f"Изменённый семинар {label} {n}"
            with app.app_context():
                events_service.update_event(db.session.get(Event, edited), None, {"title": title})
            for port, samples in ((port_a, changed_a), (port_b, changed_b)):
                elapsed, status, changed_body, _headers = get(port, "/calendar.ics")
                assert status == 200 and title.encode() in changed_body
                samples.append(elapsed)

        _elapsed, status, body, headers = get(port_a, "/calendar.ics")
        not_modified = []
        for _ in range(options.requests * 3):
            elapsed, status, empty, _headers = get(port_a, "/calendar.ics", {"If-None-Match": headers["ETag"]})
            assert status == 304 and empty == b""
            not_modified.append(elapsed)
    finally:
        for server in servers:
            stop(server)
        log_file.close()
    return {
        "first": first * 1000, "others": [o * 1000 for o in others], "warm": percentiles(warm),
        "changed_a": percentiles(changed_a), "changed_b": percentiles(changed_b),
        "304": percentiles(not_modified), "size": len(body),
    }


def median_build(build, app, count: int) -> tuple[float, bytes]:
    """The median of `count` builds in ms, and the last body built."""
    times = []
    for _ in range(count):
        elapsed, body = build(app)
        times.append(elapsed)
    return statistics.median(times) * 1000, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--cold-builds", type=int, default=3, help="plain icalendar builds for the cold baseline")
    parser.add_argument("--database-url", default=None, help="an empty database (default: temporary SQLite)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14",
                        help="Redis for the shared-cache run ('' to skip it)")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="praktika-feeds-"))
    database_url = options.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    settings = {
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(workdir / "instance"), "SECRET_KEY": "bench-feeds",
        "BASE_URL": "http://127.0.0.1:5000", "RATELIMIT_ENABLED": "0", "REDIS_URL": "",
    }
    os.environ.update(settings)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    shared = redis_reachable(options.redis_url)
    redis_app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": options.redis_url}) if shared else None
    try:
        started = time.perf_counter()
        sessions = fill(app, options.events)
        print(f"database: {database_url.split('://')[0]}, {options.events} public events "
              f"({sessions} sessions, {len(TIMEZONES)} timezones) + {options.events // 50} drafts, "
              f"filled in {time.perf_counter() - started:.1f} s")

        cold_p50, plain_body = median_build(plain_build, app, options.cold_builds)
        print(f"cold  plain icalendar, no cache: p50 {cold_p50:8.1f} ms  ({options.cold_builds} builds, {len(plain_body) / 1e6:.1f} MB, "
              f"{plain_body.count(b'BEGIN:VEVENT')} VEVENTs)")

        built_p50, body = median_build(praktika_build, app, options.cold_builds)
        print(f"cold  Praktika, empty caches:    p50 {built_p50:8.1f} ms  ({options.cold_builds} builds, "
              f"{body.count(b'BEGIN:VEVENT')} VEVENTs; plain icalendar / Praktika = {cold_p50 / built_p50:.1f}×)")

        modes = [("memory", "")] + ([("redis", options.redis_url)] if shared else [])
        if not shared:
            print(f"Redis not reachable at {options.redis_url!r}: the shared-cache run is skipped")
        results = {}
        for label, redis_url in modes:
            if redis_app is not None and redis_url:
                with redis_app.app_context():
                    for region in cache.REGIONS:
                        region.clear()
            results[label] = run_mode(app, {**settings, "REDIS_URL": redis_url}, workdir, sessions, options, label)

        print("gunicorn: worker A (1 worker) serves the feed first; B (3 workers) never served it; 4 workers in all")
        print(f"{'caches':<8} {'A first':>9} {'B firsts (3 at once)':>26} {'A warm p50/p95':>17} "
              f"{'change→A p50':>13} {'change→B p50':>13} {'304 p50':>8}")
        for label, r in results.items():
            firsts = " ".join(f"{o:7.0f}" for o in r["others"])
            print(f"{label:<8} {r['first']:9.0f} {firsts:>26} {r['warm'][0]:8.1f}/{r['warm'][1]:<8.1f} "
                  f"{r['changed_a'][0]:13.1f} {r['changed_b'][0]:13.1f} {r['304'][0]:8.1f}   (ms)")
        for label, r in results.items():
            other_p50 = statistics.median(r["others"])
            print(f"{label}: other-worker first / A warm = {other_p50 / r['warm'][0]:.1f}×, "
                  f"cold / other-worker first = {cold_p50 / other_p50:.1f}×, cold / warm = {cold_p50 / r['warm'][0]:.0f}×, "
                  f"cold / 304 = {cold_p50 / r['304'][0]:.0f}×  ({r['size'] / 1e6:.1f} MB feed)")
        print("targets: warm ≤ 100 ms, 304 ≤ 10 ms; with Redis a worker that never served the feed answers "
              "it about as fast as a warm one, and after a change only one worker rebuilds")
    finally:
        if redis_app is not None:
            with redis_app.app_context():
                for region in cache.REGIONS:
                    region.clear()
                db.engine.dispose()
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

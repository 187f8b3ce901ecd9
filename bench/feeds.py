"""Benchmark of the public calendar feed: plain icalendar vs the cached feed vs 304, same run.

    .venv/bin/python bench/feeds.py [--events 5000] [--database-url URL] [--requests 30]

Makes a fresh database (a temporary SQLite file unless --database-url names an empty
PostgreSQL database), fills it with published and cancelled events in mixed timezones with one
to three sessions each (plus some drafts, which the feed leaves out), then prints:

- cold: the whole feed built with plain icalendar objects, no cache (in this process);
- first: the first request through the app (fills the VEVENT cache);
- warm: repeated requests through the app served by gunicorn on 127.0.0.1 (nothing changed: the
  assembled body is served from the body cache);
- after a change: one event is edited through update_event before each request, so the feed is
  assembled again from the cached VEVENT pieces, rebuilding only that event's sessions;
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
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_babel import force_locale  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.calendar import builders  # noqa: E402
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


def get(port: int, path: str, headers: dict | None = None) -> tuple[float, int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default=None, help="an empty database (default: temporary SQLite)")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="praktika-feeds-"))
    database_url = options.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    port = _free_port()
    settings = {
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(workdir / "instance"), "SECRET_KEY": "bench-feeds",
        "BASE_URL": f"http://127.0.0.1:{port}", "RATELIMIT_ENABLED": "0", "REDIS_URL": "",
    }
    os.environ.update(settings)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    server = None
    log_file = None
    try:
        started = time.perf_counter()
        sessions = fill(app, options.events)
        print(f"database: {database_url.split('://')[0]}, {options.events} public events "
              f"({sessions} sessions, {len(TIMEZONES)} timezones) + {options.events // 50} drafts, "
              f"filled in {time.perf_counter() - started:.1f} s")

        cold = []
        for _ in range(3):
            elapsed, plain_body = plain_build(app)
            cold.append(elapsed)
        cold_p50 = statistics.median(cold) * 1000
        print(f"cold  plain icalendar, no cache: p50 {cold_p50:8.1f} ms  (3 builds, {len(plain_body) / 1e6:.1f} MB, "
              f"{plain_body.count(b'BEGIN:VEVENT')} VEVENTs)")

        log = workdir / "gunicorn.log"
        log_file = log.open("wb")
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
             "--timeout", "120", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env={**os.environ, **settings}, stdout=subprocess.DEVNULL, stderr=log_file)
        wait_until_up(port, server, log)

        first, status, body, headers = get(port, "/calendar.ics")
        assert status == 200 and body.count(b"BEGIN:VEVENT") == sessions and SECRET.encode() not in body
        print(f"first through gunicorn (fills the VEVENT cache): {first * 1000:8.1f} ms")

        changed = []
        with app.app_context():
            edited = db.session.execute(select(Event.id).where(Event.status == EventStatus.PUBLISHED)
                                        .order_by(Event.id).limit(1)).scalar_one()
        for n in range(max(5, options.requests // 3)):
            with app.app_context():
                events_service.update_event(db.session.get(Event, edited), None, {"title": f"Изменённый семинар {n}"})
            elapsed, status, changed_body, _headers = get(port, "/calendar.ics")
            assert status == 200 and f"Изменённый семинар {n}".encode() in changed_body
            changed.append(elapsed)
        _first, status, body, headers = get(port, "/calendar.ics")

        warm = []
        for _ in range(options.requests):
            elapsed, status, warm_body, _headers = get(port, "/calendar.ics")
            assert status == 200 and warm_body == body
            warm.append(elapsed)
        not_modified = []
        for _ in range(options.requests * 3):
            elapsed, status, empty, _headers = get(port, "/calendar.ics", {"If-None-Match": headers["ETag"]})
            assert status == 304 and empty == b""
            not_modified.append(elapsed)

        warm_p50, warm_p95 = percentiles(warm)
        changed_p50, changed_p95 = percentiles(changed)
        nm_p50, nm_p95 = percentiles(not_modified)
        print(f"warm  gunicorn, unchanged feed:  p50 {warm_p50:8.1f} ms  p95 {warm_p95:8.1f} ms  "
              f"({len(warm)} requests, {len(body) / 1e6:.1f} MB)  target ≤ 100 ms: "
              f"{'met' if warm_p50 <= 100 else 'NOT met'}")
        print(f"after a change, from pieces:     p50 {changed_p50:8.1f} ms  p95 {changed_p95:8.1f} ms  "
              f"({len(changed)} requests, one event edited before each)  target ≤ 100 ms: "
              f"{'met' if changed_p50 <= 100 else 'NOT met'}")
        print(f"304   gunicorn, If-None-Match:   p50 {nm_p50:8.1f} ms  p95 {nm_p95:8.1f} ms  "
              f"({len(not_modified)} requests)  target ≤ 10 ms: {'met' if nm_p50 <= 10 else 'NOT met'}")
        print(f"ratios (p50): cold / warm = {cold_p50 / warm_p50:.0f}×, cold / after-change = "
              f"{cold_p50 / changed_p50:.0f}×, cold / 304 = {cold_p50 / nm_p50:.0f}×, warm / 304 = {warm_p50 / nm_p50:.1f}×")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if log_file is not None:
            log_file.close()
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

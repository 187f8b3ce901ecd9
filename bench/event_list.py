"""Benchmark of the public event listing against a bare Flask "hello", same server, same run.

    .venv/bin/python bench/event_list.py [--events 10000] [--database-url URL] [--requests 300]
                                         [--concurrency 4] [--workers N]

Makes a fresh database (a temporary SQLite file unless --database-url names a PostgreSQL
database, whose tables are dropped and recreated), loads --events published events with one to
three sessions each (bulk insert), serves bench/event_list_wsgi.py with gunicorn on 127.0.0.1
(2–4 sync workers), and measures with concurrent client threads:

- /events                                         the first page of upcoming events;
- /events?kind=seminar&region=RU-SAM&q=семинар   a filtered page (kind, region, free text);
- /api/v1/events                                  the same first page as JSON (20 events, as NGO sites poll it);
- /api/v1/events?kind=seminar&region=RU-SAM&q=…  the filtered page as JSON;
- /healthz                                        one database round trip, no template;
- /hello                                          a bare Flask app mounted on the same server.

Prints requests/s, p50 and p95 of each and the throughput ratio to hello, and the JSON listing's
p50 against the HTML one. Targets: listing p95 ≤ 50 ms and ≥ 25 % of hello's throughput; the JSON
listing no slower than the HTML one. With --redis-url the workers share their caches in Redis
(as in production with REDIS_URL); without it each worker caches in its own memory. Figures are printed, never asserted. Bounded: a fixed
number of requests per URL and a time limit; it stops the server it started.
"""
import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.events.models import (  # noqa: E402
    Event,
    EventKind,
    EventStatus,
    Session,
    search_key,
)
from app.extensions import db  # noqa: E402

TIMEZONES = ("Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Europe/Sofia",
             "Europe/Warsaw")
REGIONS = ("RU-SAM", "RU-PNZ", "RU-SMO", "RU-ROS", "RU-KDA", "RU-TA", "BG-02", "PL-20")
TITLES = {
    EventKind.SEMINAR: ("Семинар-тренинг «Поддерживающее консультирование»", "Выездной семинар: построение комьюнити",
                        "Школа пациентских лидеров"),
    EventKind.WEBINAR: ("Вебинар: личные границы консультанта", "Вебинар для волонтёров-медиков"),
    EventKind.ROUND_TABLE: ("Круглый стол: лекарственное обеспечение", "Онлайн круглый стол по итогам этапа"),
    EventKind.OUTREACH_TRIP: ("#ДоброВСело: выезд в район", "Профилактический выезд волонтёров-медиков"),
}
FILTERED = "/events?kind=seminar&region=RU-SAM&q=" + quote("семинар")
API = "/api/v1/events"
API_FILTERED = "/api/v1/events?kind=seminar&region=RU-SAM&q=" + quote("семинар")
PATHS = ("/hello", "/healthz", "/events", FILTERED, API, API_FILTERED)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fill(database_url: str, instance: Path, count: int, seed: int = 4) -> int:
    """`count` published events around now with 1–3 sessions each; returns the session count."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    rng = random.Random(seed)
    now = clock.now()
    with app.app_context():
        db.drop_all()
        db.create_all()
        event_rows, session_rows = [], []
        for event_id in range(1, count + 1):
            kind = list(EventKind)[event_id % 4]
            tzname = TIMEZONES[event_id % len(TIMEZONES)]
            tz = ZoneInfo(tzname)
            first_day = (now + timedelta(days=rng.randint(-30, 400))).astimezone(tz).date()
            days = rng.choice((1, 1, 2, 3)) if kind == EventKind.SEMINAR else 1
            starts = [datetime.combine(first_day + timedelta(days=d), dtime(9 + rng.randint(0, 3)), tz)
                      for d in range(days)]
            sessions = [(s, s + timedelta(hours=rng.choice((2, 6, 8)))) for s in starts]
            title = f"{rng.choice(TITLES[kind])} №{event_id}"
            description = "Для руководителей и лидеров пациентских НКО и волонтёров-медиков."
            online = kind == EventKind.WEBINAR
            event_rows.append({
                "id": event_id, "kind": kind, "title": title, "description": description, "language": "ru",
                "timezone": tzname, "status": EventStatus.PUBLISHED, "sequence": 0,
                "region_code": None if online else REGIONS[event_id % len(REGIONS)], "is_online": online,
                "venue": "" if online else "Учебный центр", "address": "" if online else "ул. Ленинская, 1",
                "online_url": f"https://meet.example.org/{event_id}" if online else None,
                "capacity": rng.choice((None, 20, 30, 60)),
                "starts_at": sessions[0][0], "ends_at": sessions[-1][1],
                "starts_on": sessions[0][0].date(), "ends_on": sessions[-1][1].date(),
                "search_text": search_key(f"{title}\n{description}"),
            })
            session_rows.extend({"event_id": event_id, "starts_at": s, "ends_at": e, "title": f"День {n + 1}"}
                                for n, (s, e) in enumerate(sessions))
        db.session.execute(insert(Event), event_rows)
        db.session.execute(insert(Session), session_rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()
    return len(session_rows)


def start_server(database_url: str, instance: Path, workers: int, redis_url: str = "") -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
           "RATELIMIT_ENABLED": "0", "REDIS_URL": redis_url,
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")])}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "event_list_wsgi:application"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            status, _ = get(port, "/healthz")
            if status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": "ru"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def measure(port: int, path: str, requests: int, concurrency: int, time_limit: float) -> dict:
    """`requests` GETs of `path` from `concurrency` threads (or fewer if `time_limit` runs out)."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + time_limit

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline:
                    return
                remaining[0] -= 1
            began = time.perf_counter()
            status, _body = get(port, path)
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    failures.append(status)

    for _ in range(5):  # warm the workers' caches and connections
        get(port, path)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "path": path, "count": len(latencies), "failures": len(failures), "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--database-url", help="PostgreSQL URL of a scratch database (its tables are replaced)")
    parser.add_argument("--requests", type=int, default=300, help="requests per URL")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=min(4, max(2, os.cpu_count() or 2)))
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per URL at most")
    parser.add_argument("--redis-url", default="", help="share the workers' caches in this Redis (e.g. "
                        "redis://127.0.0.1:6379/14); default: each worker caches in its own memory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="praktika-bench-") as scratch:
        instance = Path(scratch) / "instance"
        database_url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        began = time.perf_counter()
        sessions = fill(database_url, instance, args.events)
        engine = database_url.split(":", 1)[0]
        print(f"loaded {args.events} events with {sessions} sessions into {engine} "
              f"in {time.perf_counter() - began:.1f} s")
        server, port = start_server(database_url, instance, args.workers, args.redis_url)
        try:
            results = [measure(port, path, args.requests, args.concurrency, args.time_limit) for path in PATHS]
        finally:
            stop_server(server)

    hello = results[0]
    print(f"gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
          f"{args.requests} requests per URL, caches {'in Redis' if args.redis_url else 'in each worker'}")
    print(f"{'URL':<56} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs hello':>9} {'errors':>7}")
    for row in results:
        ratio = row["rps"] / hello["rps"] if hello["rps"] else 0.0
        print(f"{unquote(row['path']):<56} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} "
              f"{ratio:>8.0%} {row['failures']:>7}")
    by_path = {row["path"]: row for row in results}
    for html, json_path in (("/events", API), (FILTERED, API_FILTERED)):
        print(f"{unquote(json_path)} p50 / {unquote(html)} p50 = {by_path[json_path]['p50'] / by_path[html]['p50']:.2f}×")
    print("targets: listing p95 ≤ 50 ms and ≥ 25 % of hello's throughput; JSON listing ≤ 1× the HTML one")


if __name__ == "__main__":
    main()

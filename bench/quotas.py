"""Benchmark of the organiser's cohort page and the curator's pages beside /healthz, same server, same run.

    .venv/bin/python bench/quotas.py [--trainees 1000] [--consultations 20000] [--curators 10]
                                     [--database-url URL] [--requests 200] [--concurrency 2] [--workers N]

Makes a fresh database (a temporary SQLite file, or the PostgreSQL database named by
--database-url, whose tables are dropped and recreated), loads one seminar with a quota plan,
--trainees trainees with quotas spread over --curators curators and --consultations consultations
(accepted, waiting and returned, dated across the window; bulk insert), serves the real app
(wsgi:app) with gunicorn on 127.0.0.1, logs in as the organiser and as one curator, and measures:

- /healthz                                   one SELECT 1 (the baseline);
- /manage/events/<id>/quotas                 the cohort page (every trainee's status and pace, totals);
- /manage/events/<id>/quotas?show=behind&sort=progress   a filtered, re-sorted cohort;
- /manage/curator                            one curator's trainees by urgency, tasks, waiting count;
- /manage/curator/review                     the next consultation to review;
- /api/v1/events/<id>/quotas                 the cohort as JSON (organiser token).

Prints p50/p95 and requests/s of each and p95 against /healthz. Target: p95 ≤ 100 ms for the pages.
Figures are printed, never asserted. Bounded: fixed request counts and a time limit per URL.
"""
import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts import services as accounts  # noqa: E402
from app.accounts.models import Role, User, UserRole  # noqa: E402
from app.events.models import Event, EventKind, EventStatus, Session  # noqa: E402
from app.extensions import db  # noqa: E402
from app.quotas.models import (  # noqa: E402
    ClientType,
    Consultation,
    ConsultationFormat,
    ConsultationQuota,
    QuotaPlan,
    ReviewState,
    quota_plan_curators,
)
from app.registrations.models import Registration, RegistrationStatus  # noqa: E402

PASSWORD = "bench-password-1"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REGIONS = ("RU-SAM", "RU-PNZ", "RU-SAR", "RU-ULY", "RU-ORE", "RU-VGG", "RU-ROS", "RU-KDA", "RU-TA", "RU-BA")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fill(database_url: str, instance: Path, trainees: int, consultations: int, curators: int, seed: int = 12):
    """The cohort, in bulk; returns (event id, organiser email, a curator's email, an organiser API token)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    starts_on, deadline = today - timedelta(days=45), today + timedelta(days=45)
    with app.app_context():
        db.drop_all()
        db.create_all()
        password_hash = accounts.password_hasher().hash(PASSWORD)
        staff = [{"id": 1, "email": "organiser@example.org", "full_name": "Ольга Организатор",
                  "password_hash": password_hash, "locale": "ru", "active": True}]
        staff += [{"id": 2 + n, "email": f"curator{n}@example.org", "full_name": f"Куратор {n:02d}",
                   "password_hash": password_hash, "locale": "ru", "active": True} for n in range(curators)]
        first = 2 + curators
        people = [{"id": first + n, "email": f"trainee{n}@example.org", "full_name": f"Слушатель {n:04d}",
                   "password_hash": None, "region_code": REGIONS[n % len(REGIONS)], "locale": "ru", "active": True}
                  for n in range(trainees)]
        db.session.execute(insert(User), staff + people)
        roles = [{"user_id": 1, "role": Role.ORGANISER}] + [{"user_id": 2 + n, "role": Role.CURATOR}
                                                            for n in range(curators)]
        roles += [{"user_id": row["id"], "role": Role.TRAINEE} for row in staff + people]
        db.session.execute(insert(UserRole), roles)
        seminar_day = datetime.combine(starts_on - timedelta(days=10), datetime.min.time(), UTC)
        db.session.execute(insert(Event), [{
            "id": 1, "kind": EventKind.SEMINAR, "title": "Поддерживающее консультирование", "language": "ru",
            "timezone": "Europe/Samara", "status": EventStatus.PUBLISHED, "sequence": 0, "created_by_id": 1,
            "starts_at": seminar_day, "ends_at": seminar_day + timedelta(hours=8), "starts_on": seminar_day.date(),
            "ends_on": seminar_day.date(), "search_text": "", "attendance_threshold": 0}])
        db.session.execute(insert(Session), [{"event_id": 1, "starts_at": seminar_day,
                                              "ends_at": seminar_day + timedelta(hours=8), "title": ""}])
        db.session.execute(insert(Registration), [
            {"event_id": 1, "user_id": p["id"], "status": RegistrationStatus.CONFIRMED, "region_code": p["region_code"]}
            for p in people])
        db.session.execute(insert(QuotaPlan), [{
            "id": 1, "event_id": 1, "target": 20, "starts_on": starts_on, "deadline": deadline,
            "formats": [f.value for f in ConsultationFormat], "topics": [{"code": "rights", "name": "Права"}],
            "behind_percent": 70, "created_by_id": 1}])
        db.session.execute(insert(quota_plan_curators), [{"plan_id": 1, "user_id": 2 + n} for n in range(curators)])
        db.session.execute(insert(ConsultationQuota), [
            {"id": n + 1, "plan_id": 1, "user_id": p["id"], "curator_id": 2 + n % curators, "target": 20,
             "deadline": deadline} for n, p in enumerate(people)])
        states = (ReviewState.ACCEPTED,) * 7 + (ReviewState.SUBMITTED,) * 2 + (ReviewState.RETURNED,)
        span = (today - starts_on).days
        rows = []
        for n in range(consultations):
            quota_id = rng.randrange(trainees) + 1
            rows.append({"quota_id": quota_id, "held_on": starts_on + timedelta(days=rng.randrange(span + 1)),
                         "format": rng.choice(list(ConsultationFormat)), "topic": "rights",
                         "duration_minutes": rng.choice((30, 45, 60)), "client_type": rng.choice(list(ClientType)),
                         "is_repeat": n % 3 == 0, "note": "", "review_state": states[n % len(states)],
                         "review_comment": ""})
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Consultation), rows[start:start + 5000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Rows were inserted with explicit ids: move the id sequences past them.
            for table in ("users", "events", "quota_plans", "consultation_quotas"):
                db.session.execute(db.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        token = accounts.create_api_token(db.session.get(User, 1), name="bench")
        db.session.remove()
        db.engine.dispose()
    return 1, "organiser@example.org", "curator0@example.org", token


def start_server(database_url: str, instance: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
           "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if Client(port).request("GET", "/healthz")[0] == 200:
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


class Client:
    """A browser-like client with its own session cookie (or a bearer token)."""

    def __init__(self, port: int, token: str | None = None):
        self.port = port
        self.cookie = ""
        self.token = token

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Accept-Language": "ru"}
            if self.cookie:
                headers["Cookie"] = self.cookie
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            body = None
            if form is not None:
                body = urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
            return response.status, data.decode("utf-8", "replace")
        finally:
            connection.close()

    def log_in(self, email: str) -> "Client":
        _status, page = self.request("GET", "/auth/login")
        status, _page = self.request("POST", "/auth/login", {"csrf_token": TOKEN_RE.search(page).group(1),
                                                             "email": email, "password": PASSWORD})
        if status != 302:
            raise SystemExit(f"login of {email} answered {status}")
        return self


def measure(client: Client, path: str, requests: int, concurrency: int, time_limit: float) -> dict:
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
            status, _body = client.request("GET", path)
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    failures.append(status)

    for _ in range(3):
        client.request("GET", path)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"path": path, "count": len(latencies), "failures": len(failures), "rps": len(latencies) / wall,
            "p50": statistics.median(latencies) * 1000,
            "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--consultations", type=int, default=20_000)
    parser.add_argument("--curators", type=int, default=10)
    parser.add_argument("--database-url", help="PostgreSQL URL of a scratch database (its tables are replaced)")
    parser.add_argument("--requests", type=int, default=200, help="requests per URL")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads")
    parser.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1))
    parser.add_argument("--time-limit", type=float, default=90.0, help="seconds per URL at most")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="praktika-bench-") as scratch:
        instance = Path(scratch) / "instance"
        database_url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        began = time.perf_counter()
        event_id, organiser, curator, token = fill(database_url, instance, args.trainees, args.consultations,
                                                   args.curators)
        print(f"loaded {args.trainees} trainees, {args.consultations} consultations, {args.curators} curators into "
              f"{database_url.split(':', 1)[0]} in {time.perf_counter() - began:.1f} s")
        server, port = start_server(database_url, instance, args.workers)
        try:
            anonymous = Client(port)
            organiser_client = Client(port).log_in(organiser)
            curator_client = Client(port).log_in(curator)
            api_client = Client(port, token=token)
            plan = [
                (anonymous, "/healthz"),
                (organiser_client, f"/manage/events/{event_id}/quotas"),
                (organiser_client, f"/manage/events/{event_id}/quotas?show=behind&sort=progress"),
                (curator_client, "/manage/curator"),
                (curator_client, "/manage/curator/review"),
                (api_client, f"/api/v1/events/{event_id}/quotas"),
            ]
            results = [measure(client, path, args.requests, args.concurrency, args.time_limit)
                       for client, path in plan]
        finally:
            stop_server(server)

    health = results[0]
    print(f"gunicorn {args.workers} sync worker(s), {args.concurrency} client threads, "
          f"{args.requests} requests per URL; {args.trainees // args.curators} trainees per curator")
    print(f"{'URL':<58} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p95/healthz':>11} {'errors':>6}")
    for row in results:
        ratio = row["p95"] / health["p95"] if health["p95"] else 0.0
        print(f"{row['path']:<58} {row['rps']:>7.1f} {row['p50']:>7.1f} {row['p95']:>7.1f} {ratio:>10.1f}x "
              f"{row['failures']:>6}")
    print("target: p95 ≤ 100 ms for the cohort page and the curator's pages")


if __name__ == "__main__":
    main()

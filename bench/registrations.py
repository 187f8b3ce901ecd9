"""Benchmark of concurrent registration on PostgreSQL through gunicorn, with a baseline in the same run.

    .venv/bin/python bench/registrations.py [--clients 64] [--events 20] [--capacity 30] [--workers N (default: one per CPU)]
                                            [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                            [--database bench_registrations] [--redis-url redis://127.0.0.1:6379/14]

Creates a fresh PostgreSQL database --database (dropped first), builds the schema, adds
an organiser, --events published events of --capacity seats and --clients trainees, and serves the
real app (wsgi:app) with gunicorn on 127.0.0.1 (RATELIMIT_ENABLED=0; mail is queued to --redis-url
when Redis answers, else to the SQLite job queue, and delivered by nobody). Then:

1. every client logs in as its own user (GET /auth/login for the CSRF token, POST the form) and
   reads its CSRF token from an event page, exactly as a browser would;
2. baseline: every client sends --events GET /healthz (one SELECT 1 per request);
3. registration: every client POSTs /events/<id>/register for each event, all clients walking the
   events in the same order, so 64 requests contend for the same event row lock at once.

Prints registrations/s, p50/p95 latency, the /healthz baseline and the ratio, and the overbooking
count read back from the database (seats taken above capacity, summed over events: must be 0).
Bounded: fixed request counts, 30 s timeouts, a 10-minute limit; it stops the server it started.
Figures are printed, never asserted.
"""
import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.accounts.models import Role, User, UserRole  # noqa: E402
from app.accounts.services import password_hasher  # noqa: E402
from app.events import services as events  # noqa: E402
from app.extensions import db, queues  # noqa: E402
from app.registrations.models import Registration, RegistrationStatus  # noqa: E402

PASSWORD = "bench-password-1"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DEADLINE = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create the bench database; return its SQLAlchemy URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"--database {name!r}: lower-case letters, digits and underscores only")
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name


def seed(database_url: str, instance: Path, clients: int, event_count: int, capacity: int) -> tuple[list, list]:
    """Schema, one organiser, the events, and one trainee per client (one shared password hash)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        password_hash = password_hasher().hash(PASSWORD)
        organiser = User(email="organiser@bench.example.org", password_hash=password_hash, full_name="Организатор",
                         region_code="RU-SAM")
        organiser.role_rows = [UserRole(role=Role.TRAINEE), UserRole(role=Role.ORGANISER)]
        users = []
        for n in range(clients):
            user = User(email=f"trainee{n}@bench.example.org", password_hash=password_hash, full_name=f"Слушатель {n}",
                        region_code="RU-SAM", locale="ru")
            user.role_rows = [UserRole(role=Role.TRAINEE)]
            users.append(user)
        db.session.add_all([organiser, *users])
        db.session.commit()
        start = clock.now().replace(microsecond=0) + timedelta(days=30)
        event_ids = []
        for n in range(event_count):
            day = start + timedelta(days=n)
            event = events.create_event(organiser, {
                "kind": "seminar", "title": f"Семинар-тренинг № {n + 1}", "timezone": "Europe/Samara",
                "status": "published", "capacity": capacity, "venue": "Гостиница «Волга»", "language": "ru",
                "address": "Самара, ул. Молодогвардейская, 204",
                "sessions": [{"start": day.isoformat(), "end": (day + timedelta(hours=8)).isoformat(), "title": ""}],
            })
            event_ids.append(event.id)
        emails = [u.email for u in users]
        db.session.remove()
        db.engine.dispose()
    return event_ids, emails


class Client:
    """One browser-like client: its own connection and session cookie."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None, keep_cookie: bool = True):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if keep_cookie:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
        return response.status, data.decode("utf-8", "replace")

    def log_in(self, email: str, event_id: int) -> None:
        _status, page = self.request("GET", "/auth/login")
        status, _page = self.request("POST", "/auth/login", {"csrf_token": TOKEN_RE.search(page).group(1),
                                                             "email": email, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login of {email} answered {status}")
        _status, page = self.request("GET", f"/events/{event_id}")
        self.token = TOKEN_RE.search(page).group(1)


def run_clients(clients: list[Client], work) -> tuple[float, list[float], int]:
    """Run work(client) in one thread per client, released together; returns (seconds, latencies, failures)."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)

    def worker(client):
        barrier.wait(timeout=60)
        mine, failed = work(client)
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=DEADLINE)
    return time.perf_counter() - started, latencies, failures[0]


def timed_requests(requests_of):
    def work(client):
        latencies, failed = [], 0
        for method, path, form, expected in requests_of(client):
            begun = time.perf_counter()
            try:
                status, _body = client.request(method, path, form, keep_cookie=False)
            except (OSError, http.client.HTTPException):
                status = 0
            latencies.append(time.perf_counter() - begun)
            failed += status != expected
        return latencies, failed

    return work


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] if len(values) > 1 else (values or [0])[0]


def overbooking(database_url: str, instance: Path, capacity: int) -> tuple[int, dict]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        taken = db.session.execute(
            select(Registration.event_id, func.count(Registration.id)).where(Registration.takes_seat)
            .group_by(Registration.event_id)
        ).all()
        counts = dict(db.session.execute(
            select(Registration.status, func.count(Registration.id)).group_by(Registration.status)
        ).all())
        db.session.remove()
        db.engine.dispose()
    return sum(max(n - capacity, 0) for _event, n in taken), {s.value: counts.get(s, 0) for s in RegistrationStatus
                                                              if counts.get(s)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn sync workers; one per CPU measured best here (loopback database waits are "
                             "short, so extra workers only add context switches)")
    parser.add_argument("--order", choices=("same", "shuffled"), default="same",
                        help="same: all clients hit one event at a time (worst case); shuffled: each its own order")
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="bench_registrations", help="the database to drop and create")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="the mail queue's Redis")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    instance = Path(tempfile.mkdtemp(prefix="bench-registrations-"))
    database_url = fresh_database(args.admin_url, args.database)
    event_ids, emails = seed(database_url, instance, args.clients, args.events, args.capacity)
    redis = port_open("127.0.0.1", 6379)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": "0",
           "INSTANCE_PATH": str(instance), "BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("MAIL_SERVER", None)
    if redis:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(300):
            if port_open("127.0.0.1", port):
                break
            time.sleep(0.1)  # waiting for our own server to bind: a bound loop, not a measurement
        clients = [Client(port) for _ in emails]
        login_threads = [threading.Thread(target=c.log_in, args=(e, event_ids[0])) for c, e in zip(clients, emails)]
        for thread in login_threads:
            thread.start()
        for thread in login_threads:
            thread.join(timeout=120)
        if not all(c.token for c in clients):
            raise RuntimeError("some clients could not log in")

        base_seconds, base_latencies, base_failed = run_clients(clients, timed_requests(
            lambda client: [("GET", "/healthz", None, 200)] * len(event_ids)))
        orders = {id(c): list(event_ids) for c in clients}
        if args.order == "shuffled":
            for n, client in enumerate(clients):
                random.Random(n).shuffle(orders[id(client)])
        reg_seconds, reg_latencies, reg_failed = run_clients(clients, timed_requests(
            lambda client: [("POST", f"/events/{event_id}/register", {"csrf_token": client.token}, 302)
                            for event_id in orders[id(client)]]))
    finally:
        server.terminate()
        server.wait(timeout=30)
    excess, counts = overbooking(database_url, instance, args.capacity)
    if redis:
        from huey import RedisHuey

        for queue in queues.values():
            RedisHuey(queue.name, url=args.redis_url).flush()

    base_rate = len(base_latencies) / base_seconds
    reg_rate = (len(reg_latencies) - reg_failed) / reg_seconds
    print(f"registrations bench: PostgreSQL, gunicorn {args.workers} sync workers on 127.0.0.1, "
          f"{args.clients} clients, {args.events} events × {args.capacity} seats, "
          f"event order: {args.order}, mail queue: {'Redis' if redis else 'SQLite'}, CPUs: {os.cpu_count()}, "
          f"load average before: {load_before:.1f}")
    print(f"  baseline GET /healthz         {base_rate:8.1f} req/s   p50 {1000 * percentile(base_latencies, .5):6.1f} ms"
          f"   p95 {1000 * percentile(base_latencies, .95):6.1f} ms   failed {base_failed}")
    print(f"  POST /events/<id>/register    {reg_rate:8.1f} reg/s   p50 {1000 * percentile(reg_latencies, .5):6.1f} ms"
          f"   p95 {1000 * percentile(reg_latencies, .95):6.1f} ms   failed {reg_failed}")
    print(f"  ratio registrations / healthz {reg_rate / base_rate:8.2f}")
    print(f"  registrations by status       {counts}")
    print(f"  overbooking (seats above capacity, all events): {excess}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the report page and the dashboard on PostgreSQL through gunicorn, beside /healthz.

    .venv/bin/python bench/reports.py [--clients 4] [--requests 40] [--workers N (default: one per CPU)]
                                      [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                      [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/<scratch>]

Creates a fresh PostgreSQL database `bench_reports` (dropped first; or empties the scratch database named
by --database-url, for runs beside others on one server) and builds the issue's programme:
two stages, 30 seminars and webinars (2 sessions each, all held), 1,000 confirmed registrations with
check-ins, 50 outreach trips with results, 20,000 consultations in quotas of the seminars' trainees, and
one indicator per computed source plus a hand-entered one. Then gunicorn serves the real app
(wsgi:app) on 127.0.0.1 and --clients logged-in organisers each send --requests GETs of:

1. /healthz (baseline: one SELECT 1),
2. /manage/programmes/<id>/report (the live report: every indicator computed from the data),
3. /manage (the dashboard: progress of the programme and every "needs attention" count).

Prints requests/s, p50/p95 per URL, the ratio to /healthz, and the query count of one report build.
Figures are printed, never asserted. Bounded: fixed request counts, 30 s timeouts.
"""
import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.accounts.models import Organisation, OrganisationKind, Role, User, UserRole  # noqa: E402
from app.accounts.services import password_hasher  # noqa: E402
from app.events.models import Event, EventKind, EventStatus, Session, TripDetails, TripResult, TripService  # noqa: E402
from app.extensions import db  # noqa: E402
from app.programmes.models import Programme, Stage  # noqa: E402
from app.quotas.models import (  # noqa: E402
    ClientType,
    Consultation,
    ConsultationFormat,
    ConsultationQuota,
    QuotaPlan,
    ReviewState,
)
from app.registrations.models import CheckIn, Registration, RegistrationStatus  # noqa: E402
from app.reports import indicators, report, sources  # noqa: E402

DATABASE = "bench_reports"
PASSWORD = "bench-password-1"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REGIONS = ["RU-SAM", "RU-PNZ", "RU-SAR", "RU-ULY", "RU-ORE", "RU-SMO", "RU-TUL", "RU-KLU", "RU-MOS", "RU-TA"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def fresh_database(admin_url: str) -> str:
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return admin_url.rsplit("/", 1)[0] + "/" + DATABASE


def _event(programme, kind, title, day: date, sessions: int, region: str) -> Event:
    start = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
    event = Event(programme_id=programme.id, kind=kind, title=title, status=EventStatus.PUBLISHED,
                  timezone="Europe/Samara", region_code=region, starts_at=start,
                  ends_at=start + timedelta(days=sessions - 1, hours=8), starts_on=day,
                  ends_on=day + timedelta(days=sessions - 1))
    event.sessions = [Session(starts_at=start + timedelta(days=n), ends_at=start + timedelta(days=n, hours=8))
                      for n in range(sessions)]
    if kind == EventKind.OUTREACH_TRIP:
        event.trip = TripDetails(settlement=f"с. {title}", services=["checkups", "career_guidance"])
    db.session.add(event)
    return event


def seed_consultations(seminars, count: int) -> str:
    """A quota plan per seminar, a quota per confirmed participant, `count` consultations in all states."""
    plans = []
    for event in seminars:
        if event.kind != EventKind.SEMINAR:
            continue
        plan = QuotaPlan(event_id=event.id, target=20, starts_on=event.ends_on + timedelta(days=1),
                         deadline=event.ends_on + timedelta(days=120))
        db.session.add(plan)
        plans.append((plan, event))
    db.session.flush()
    quota_rows = []
    for plan, event in plans:
        for user_id in db.session.execute(select(Registration.user_id).where(Registration.event_id == event.id)).scalars():
            quota_rows.append(ConsultationQuota(plan_id=plan.id, user_id=user_id, target=20, deadline=plan.deadline))
    db.session.add_all(quota_rows)
    db.session.flush()
    states = [ReviewState.ACCEPTED] * 6 + [ReviewState.SUBMITTED, ReviewState.RETURNED]
    db.session.execute(insert(Consultation), [
        {"quota_id": quota_rows[n % len(quota_rows)].id,
         "held_on": quota_rows[n % len(quota_rows)].deadline - timedelta(days=1 + n % 110),
         "format": ConsultationFormat.PHONE, "duration_minutes": 40, "client_type": ClientType.PATIENT,
         "is_repeat": n % 3 == 0, "note": "", "review_state": states[n % len(states)], "review_comment": ""}
        for n in range(count)])
    db.session.commit()
    return f"{count} in {len(quota_rows)} quotas"


def seed(database_url: str, instance: Path, consultations: int) -> tuple[int, str, str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        organiser = User(email="organiser@bench.example.org", password_hash=password_hasher().hash(PASSWORD),
                         full_name="Организатор", region_code="RU-SAM")
        organiser.role_rows = [UserRole(role=Role.TRAINEE), UserRole(role=Role.ORGANISER)]
        db.session.add(organiser)
        organisations = [Organisation(name=f"НКО {n}", kind=OrganisationKind.PATIENT_NGO,
                                      region_code=REGIONS[n % len(REGIONS)], approved=True) for n in range(45)]
        db.session.add_all(organisations)
        db.session.flush()
        today = clock.now().date()
        start = date(today.year - 1, today.month, 1)
        programme = Programme(title="Бенчмарк: программа с 30 мероприятиями", starts_on=start,
                              ends_on=start + timedelta(days=700), region_codes=REGIONS, organisers=[organiser])
        db.session.add(programme)
        db.session.flush()
        middle = start + timedelta(days=250)
        db.session.add_all([
            Stage(programme_id=programme.id, number=1, title="Этап 1", starts_on=start, ends_on=middle),
            Stage(programme_id=programme.id, number=2, title="Этап 2", starts_on=middle + timedelta(days=1),
                  ends_on=programme.ends_on),
        ])
        users = []
        for n in range(200):
            organisation = organisations[n % len(organisations)]
            user = User(email=f"t{n}@bench.example.org", full_name=f"Слушатель {n}",
                        region_code=organisation.region_code, organisation_id=organisation.id, locale="ru")
            user.role_rows = [UserRole(role=Role.TRAINEE)]
            users.append(user)
        db.session.add_all(users)
        seminars = [_event(programme, EventKind.SEMINAR if n % 2 == 0 else EventKind.WEBINAR, f"Занятие {n}",
                           start + timedelta(days=10 * n), 2, REGIONS[n % len(REGIONS)]) for n in range(30)]
        trips = [_event(programme, EventKind.OUTREACH_TRIP, f"Выезд {n}", start + timedelta(days=5 + 7 * n), 1,
                        "RU-SMO") for n in range(50)]
        db.session.flush()
        registrations = []
        for n in range(1000):
            event, user = seminars[n % 30], users[(n * 7) % 200]
            registrations.append(Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED,
                                              region_code=user.region_code, organisation_id=user.organisation_id))
        unique = {(r.event_id, r.user_id): r for r in registrations}
        db.session.add_all(unique.values())
        db.session.flush()
        sessions = {e.id: e.sessions for e in seminars}
        db.session.add_all([CheckIn(registration_id=r.id, session_id=s.id)
                            for n, r in enumerate(unique.values()) for s in sessions[r.event_id][: 1 + n % 2]])
        db.session.add_all([TripResult(event_id=t.id, service=service, people_served=20 + n % 30)
                            for n, t in enumerate(trips) for service in (TripService.CHECKUPS,
                                                                         TripService.CAREER_GUIDANCE)])
        db.session.commit()
        consultations_note = seed_consultations(seminars, consultations)
        for key, source in sources.SOURCES.items():
            indicators.create_indicator(programme, organiser, {"name": str(source.label), "plan": 500, "source": key})
        manual = indicators.create_indicator(programme, organiser, {"name": "Посетители сайта", "plan": 500})
        indicators.record_manual_fact(manual, organiser, {"value": 320})
        programme_id = programme.id
        db.session.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would have by now in production
        db.session.commit()
        statements = []
        sa_event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        db.session.expunge_all()
        report.build(programme_id)
        db.session.remove()
        db.engine.dispose()
    return programme_id, consultations_note, f"{len(statements)} queries for {len(sources.SOURCES) + 1} indicators"


class Client:
    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data.decode("utf-8", "replace")

    def log_in(self) -> None:
        _status, page = self.request("GET", "/auth/login")
        status, _page = self.request("POST", "/auth/login", {"csrf_token": TOKEN_RE.search(page).group(1),
                                                             "email": "organiser@bench.example.org",
                                                             "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login answered {status}")


def measure(clients: list[Client], path: str, count: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)

    def work(client):
        barrier.wait(timeout=60)
        mine, failed = [], 0
        for _ in range(count):
            begun = time.perf_counter()
            try:
                status, _body = client.request("GET", path)
            except (OSError, http.client.HTTPException):
                status = 0
            mine.append(time.perf_counter() - begun)
            failed += status != 200
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    return time.perf_counter() - started, latencies, failures[0]


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] if len(values) > 1 else (values or [0])[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--consultations", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database to use instead of a fresh "
                                               f"`{DATABASE}` (its tables are replaced)")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    instance = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    database_url = args.database_url or fresh_database(args.admin_url)
    programme_id, consultations_note, queries = seed(database_url, instance, args.consultations)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": "0",
           "INSTANCE_PATH": str(instance), "BASE_URL": f"http://127.0.0.1:{port}"}
    for name in ("MAIL_SERVER", "REDIS_URL"):
        env.pop(name, None)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    results = {}
    try:
        for _ in range(300):
            if port_open(port):
                break
            time.sleep(0.1)  # waiting for our own server to bind: a bound loop, not a measurement
        clients = [Client(port) for _ in range(args.clients)]
        for client in clients:
            client.log_in()
        paths = {"GET /healthz": "/healthz",
                 "GET report page": f"/manage/programmes/{programme_id}/report",
                 "GET /manage dashboard": "/manage"}
        for client in clients:  # warm every worker's caches (templates, translations) once
            for path in paths.values():
                client.request("GET", path)
        for label, path in paths.items():
            results[label] = measure(clients, path, args.requests)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"reports bench: PostgreSQL, gunicorn {args.workers} sync workers on 127.0.0.1, {args.clients} clients × "
          f"{args.requests} requests, CPUs: {os.cpu_count()}, load average before: {load_before:.1f}")
    print("  data: 30 events (2 sessions each), 1,000 registrations with check-ins, 50 trips with results; "
          f"consultations: {consultations_note}; one report build: {queries}")
    base_rate = None
    for label, (seconds, latencies, failed) in results.items():
        rate = len(latencies) / seconds
        base_rate = base_rate or rate
        print(f"  {label:<24} {rate:8.1f} req/s   p50 {1000 * percentile(latencies, .5):6.1f} ms   "
              f"p95 {1000 * percentile(latencies, .95):6.1f} ms   failed {failed}   ratio to /healthz "
              f"{rate / base_rate:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

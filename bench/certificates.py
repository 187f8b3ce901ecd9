"""Benchmark of certificate issuance against two baselines on the same layout and data, same run.

    .venv/bin/python bench/certificates.py [--count 200] [--batch 50] [--layout classic]
                                           [--database-url URL] [--no-scaling]

Makes a fresh database (a temporary SQLite file unless --database-url names a PostgreSQL database,
whose tables are dropped and recreated) with a seminar that ended and --count eligible trainees
(bulk rows), warms WeasyPrint up (fonts, stylesheet), then measures:

- naive:       one `HTML(...).write_pdf()` per certificate (render_one), nothing else;
- bare batch:  `render_batch` per --batch certificates (the event's background laid out once, each
               holder's own parts laid over it, one PDF each), nothing else;
- end to end:  an IssuanceJob run by the service: eligibility, serials, batch render and split,
               files stored, SHA-256, signed Open Badges credential, certificate rows, job progress
               and one outbox row (the holder's mail) per certificate;
- two workers: the same end to end split over two jobs run by two processes at once.

Prints certificates/s for each and the ratios (targets on one worker: end to end ≥ 50/s,
≥ 2× naive, ≥ 80 % of the bare batch). Figures are printed, never asserted.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.accounts.models import Role, User, UserRole  # noqa: E402
from app.certificates import issuance, jobs, rendering  # noqa: E402
from app.certificates.hours import hours_for  # noqa: E402
from app.certificates.models import Certificate, CertificateKind, IssuanceJob  # noqa: E402
from app.events import services as events  # noqa: E402
from app.events.models import Event  # noqa: E402
from app.extensions import db  # noqa: E402
from app.registrations.models import CheckIn, Registration, RegistrationStatus  # noqa: E402

KIND = CertificateKind.PARTICIPATION
SURNAMES = ("Иванова", "Петров", "Смирнова", "Кузнецов", "Попова", "Волков", "Щукина", "Ёлкин")
NAMES = ("Мария", "Алексей", "Жанна", "Дмитрий", "Ольга", "Сергей", "Юлия", "Пётр")


def _config(database_url: str, instance: str, batch: int) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench",
            "BASE_URL": "https://praktika.example.org", "HUEY_IMMEDIATE": False, "REDIS_URL": None,
            "MAIL_SERVER": None, "RATELIMIT_ENABLED": False, "CERTIFICATE_BATCH_SIZE": batch}


def _fresh_schema(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    db.create_all()


def _seed(count: int) -> tuple[int, list[int], int]:
    """A two-day seminar ten days ago and `count` trainees who attended both days."""
    organiser = User(email="organiser@bench.example", full_name="Петрова Анна Сергеевна", locale="ru")
    organiser.role_rows = [UserRole(role=Role.ORGANISER)]
    db.session.add(organiser)
    db.session.commit()
    start = (clock.now() - timedelta(days=10)).replace(hour=6, minute=0, second=0, microsecond=0)
    event = events.create_event(organiser, {
        "kind": "seminar", "title": "Школа пациентских лидеров: поддерживающее консультирование",
        "timezone": "Europe/Samara", "status": "published", "language": "ru", "venue": "Гостиница «Волга»", "address": "Самара, ул. Молодогвардейская, 204",
        "description": "Двухдневный семинар-тренинг для лидеров пациентских организаций.",
        "sessions": [{"start": (start + timedelta(days=n)).isoformat(),
                      "end": (start + timedelta(days=n, hours=8)).isoformat(), "title": f"День {n + 1}"}
                     for n in range(2)]})
    db.session.execute(insert(User), [
        {"email": f"t{n}@bench.example", "full_name": f"{SURNAMES[n % 8]} {NAMES[(n // 8) % 8]} {n}",
         "locale": "ru", "active": True} for n in range(count)])
    user_ids = list(db.session.scalars(select(User.id).where(User.email.like("t%@bench.example"))
                                       .order_by(User.id)))
    db.session.execute(insert(Registration), [
        {"event_id": event.id, "user_id": uid, "status": RegistrationStatus.CONFIRMED} for uid in user_ids])
    registrations = dict(db.session.execute(select(Registration.user_id, Registration.id)
                                            .where(Registration.event_id == event.id)).all())
    db.session.execute(insert(CheckIn), [{"registration_id": registrations[uid], "session_id": s.id}
                                         for uid in user_ids for s in event.sessions])
    db.session.commit()
    return event.id, user_ids, organiser.id


def _views(event: Event, user_ids: list[int]) -> list[rendering.CertificateView]:
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    now = clock.now()
    return [issuance.view_for(event, serial=issuance.format_serial(2099, n), check_code="BENCH1", kind=KIND,
                              holder_name=users[uid].name_on_certificate, language="ru", issued_at=now,
                              signatories=[{"name": "Петрова А. С.", "role": "Организатор"}],
                              hours=hours_for(event))
            for n, uid in enumerate(user_ids, start=1)]


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def _child(args) -> None:
    """One of the two workers: warm up, wait for the start signal, run its job."""
    app = create_app(_config(args.database_url, args.instance, args.batch))
    with app.app_context():
        layout = rendering.get_layout(args.layout)
        rendering.render_batch(layout, _views(db.session.get(Event, args.event), [args.warm_user]),
                               rendering.logo_uri())
        Path(args.ready).touch()
        while not Path(args.go).exists():
            time.sleep(0.01)
        jobs.run_job(args.job)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--layout", default="classic")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for name in ("instance", "ready", "go"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    for name in ("job", "event", "warm-user"):
        parser.add_argument(f"--{name}", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    workdir = Path(tempfile.mkdtemp(prefix="praktika-bench-certificates-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app(_config(url, str(workdir / "instance"), args.batch))
    with app.app_context():
        _fresh_schema(url)
        event_id, user_ids, organiser_id = _seed(args.count * 2 if not args.no_scaling else args.count)
        event = db.session.get(Event, event_id)
        layout = rendering.get_layout(args.layout)
        logo = rendering.logo_uri()
        first, second = user_ids[:args.count], user_ids[args.count:]
        views = _views(event, first)
        print(f"{args.count} certificates, layout {layout.name} ({layout.page_size}), batches of {args.batch}, "
              f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}; WeasyPrint warm-up…", flush=True)
        rendering.render_batch(layout, views[:2], logo)
        rendering.render_naive(layout, views[0], logo)

        started = time.perf_counter()
        for view in views:
            rendering.render_naive(layout, view, logo)
        naive = _rate(len(views), time.perf_counter() - started)
        print(f"naive (one write_pdf each):        {naive:7.1f} certificates/s", flush=True)

        started = time.perf_counter()
        pages = 0
        for offset in range(0, len(views), args.batch):
            pages += len(rendering.render_batch(layout, views[offset:offset + args.batch], logo))
        bare = _rate(pages, time.perf_counter() - started)
        print(f"bare batch (render_batch only):    {bare:7.1f} certificates/s", flush=True)

        organiser = db.session.get(User, organiser_id)
        started = time.perf_counter()
        job = jobs.create_job(event, KIND, first, organiser, layout_name=layout.name, start=False)
        jobs.run_job(job.id)
        end_to_end = _rate(len(first), time.perf_counter() - started)
        job = db.session.get(IssuanceJob, job.id, populate_existing=True)
        issued = db.session.scalar(select(func.count(Certificate.id)))
        print(f"end to end (job, {job.done} issued, {job.failed} failed): {end_to_end:7.1f} certificates/s "
              f"[{issued} rows]", flush=True)
        print(f"end to end / naive:      {end_to_end / naive:5.2f}×   (target ≥ 2×)")
        print(f"end to end / bare batch: {100 * end_to_end / bare:5.1f} %  (target ≥ 80 %)")
        print(f"end to end, one worker:  {end_to_end:5.1f}/s (target ≥ 50/s)")

        if not args.no_scaling:
            halves = [second[: len(second) // 2], second[len(second) // 2:]]
            job_ids = [jobs.create_job(event, KIND, half, organiser, layout_name=layout.name, start=False).id
                       for half in halves]
            db.session.remove()
            go = workdir / "go"
            children = []
            for n, job_id in enumerate(job_ids):
                ready = workdir / f"ready{n}"
                children.append((ready, subprocess.Popen(
                    [sys.executable, __file__, "--child", "--database-url", url, "--instance", str(workdir / "instance"),
                     "--batch", str(args.batch), "--layout", layout.name, "--job", str(job_id), "--event",
                     str(event_id), "--warm-user", str(first[0]), "--ready", str(ready), "--go", str(go)],
                    cwd=ROOT)))
            while not all(ready.exists() for ready, _ in children):
                time.sleep(0.05)
            started = time.perf_counter()
            go.touch()
            codes = [process.wait() for _, process in children]
            two = _rate(len(second), time.perf_counter() - started)
            print(f"end to end, two workers: {two:5.1f}/s = {two / end_to_end:4.2f}× one worker "
                  f"(exit codes {codes}; {os.cpu_count()} CPUs)")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()

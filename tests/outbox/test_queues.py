"""Issue 26: queues by kind. Interactive mail (an offer, a password reset, an approval) and bulk work
(issuance, fan-out, digests) each have their own queue and consumers; one scheduler enqueues the
periodic tasks, each on its own queue.

The last test runs real workers (`flask worker --queue bulk` and `--queue interactive`, as production
runs them on several machines) on shared Redis and database: while the bulk worker issues 1,000
certificates, a participant cancels on a full event and the offer to the next person on the waitlist
reaches SMTP within 10 s, past the certificate mails waiting in the outbox."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

from sqlalchemy import func, insert, select

from app import clock, worker
from app.accounts import mail as account_mail
from app.accounts.models import Role, User
from app.certificates import jobs
from app.certificates.models import CertificateKind, IssuanceJob, JobState
from app.database import unit_of_work
from app.events.models import Event
from app.extensions import BULK, INTERACTIVE, db, queues
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage, OutboxState
from app.registrations import services as registrations
from app.registrations.models import CheckIn, Registration, RegistrationStatus
from tests.conftest import make_app, require_redis
from tests.factories import make_event, make_user

ROOT = Path(__file__).resolve().parents[2]
HOLDERS = 1000
OFFER_BOUND_SECONDS = 10


def _queued(queue: str) -> list[str]:
    return sorted(task.name for task in queues[queue].pending())


def test_each_queue_is_woken_for_and_delivers_only_its_own_rows(tmp_path, smtp_server):
    app = make_app(tmp_path, HUEY_IMMEDIATE=False, MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    with app.app_context():
        for queue in queues.values():
            queue.flush()
        anna, boris = make_user("anna@example.org", password=None), make_user("boris@example.org", password=None)
        with unit_of_work():
            account_mail.queue("welcome", anna)
            outbox.emit(account_mail.MAIL_TOPIC, queue=BULK, kind="welcome", user_id=boris.id, values={})
        assert _queued(INTERACTIVE) == ["drain_interactive_outbox"]
        assert _queued(BULK) == ["drain_bulk_outbox"]

        assert outbox.deliver_due(BULK) == 1
        assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == ["boris@example.org"]
        assert outbox.deliver_due(INTERACTIVE) == 1
        assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages][1:] == ["anna@example.org"]
        assert outbox.deliver_due() == 0


def test_the_scheduler_enqueues_each_periodic_task_on_its_own_queue_once_a_minute(tmp_path):
    app = make_app(tmp_path, HUEY_IMMEDIATE=False)
    with app.app_context():
        for queue in queues.values():
            queue.flush()
        assert worker.enqueue_periodic(datetime(2027, 3, 1, 6, 0)) == 6  # 09:00 in Moscow
        assert _queued(INTERACTIVE) == ["drain_interactive_outbox_periodically", "expire_registration_offers"]
        assert _queued(BULK) == ["drain_bulk_outbox_periodically", "send_organiser_digests",
                                 "send_registration_reminders", "sweep_temporary_pdfs"]
        for queue in queues.values():
            queue.flush()
        assert worker.enqueue_periodic(datetime(2027, 3, 1, 6, 1)) == 2  # the outbox sweeps, every minute


def _seed_past_seminar(organiser) -> tuple[int, list[int]]:
    """A two-day seminar that ended ten days ago and HOLDERS trainees who attended both days (bulk rows,
    as bench/certificates.py makes them)."""
    start = (clock.now() - timedelta(days=10)).replace(microsecond=0)
    event = make_event(actor=organiser, days=2, start=start, capacity=None)
    db.session.execute(insert(User), [
        {"email": f"holder{n}@example.org", "full_name": f"Слушатель {n}", "locale": "ru", "active": True}
        for n in range(HOLDERS)])
    user_ids = list(db.session.scalars(select(User.id).where(User.email.like("holder%@example.org"))
                                       .order_by(User.id)))
    db.session.execute(insert(Registration), [
        {"event_id": event.id, "user_id": uid, "status": RegistrationStatus.CONFIRMED} for uid in user_ids])
    registration_ids = dict(db.session.execute(select(Registration.user_id, Registration.id)
                                               .where(Registration.event_id == event.id)).all())
    db.session.execute(insert(CheckIn), [{"registration_id": registration_ids[uid], "session_id": s.id}
                                         for uid in user_ids for s in event.sessions])
    db.session.commit()
    return event.id, user_ids


def _start_worker(queue: str, workers: int, env: dict, log_path: Path) -> subprocess.Popen:
    with open(log_path, "w") as log:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--queue", queue,
                                 "--workers", str(workers)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait(condition, timeout: float, what: str, processes: dict[str, tuple[subprocess.Popen, Path]]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for name, (process, log_path) in processes.items():
            if process.poll() is not None:
                raise AssertionError(f"the {name} worker exited: {log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    logs = "\n".join(f"--- {name}\n{log_path.read_text()[-2000:]}" for name, (_p, log_path) in processes.items())
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _job(job_id: int) -> IssuanceJob:
    db.session.expire_all()
    return db.session.get(IssuanceJob, job_id)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_an_offer_mail_leaves_within_ten_seconds_while_a_thousand_certificates_are_issued(tmp_path, smtp_server):
    redis_url = require_redis()
    prefix = f"praktika-test-{uuid4().hex[:12]}"  # this test's own queues in a Redis other runs share
    app = make_app(tmp_path, HUEY_IMMEDIATE=False, REDIS_URL=redis_url, QUEUE_NAME_PREFIX=prefix,
                   MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_url,
           "INSTANCE_PATH": app.instance_path, "SECRET_KEY": app.config["SECRET_KEY"],
           "BASE_URL": app.config["BASE_URL"], "MAIL_SERVER": smtp_server.host, "MAIL_PORT": str(smtp_server.port),
           "QUEUE_NAME_PREFIX": prefix, "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(ROOT)}
    processes: dict[str, tuple[subprocess.Popen, Path]] = {}
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,), password=None)
        past_event_id, holder_ids = _seed_past_seminar(organiser)
        full_event = make_event(actor=organiser, capacity=1, title="Круглый стол: права пациентов")
        seated = registrations.register(full_event.id, make_user("seated@example.org", password=None))
        waiting_user = make_user("waiting@example.org", password=None)
        waiting = registrations.register(full_event.id, waiting_user)
        assert (seated.status, waiting.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        outbox.deliver_due()  # their confirmation and waitlist mails: the measurement starts clean
        delivered_before = len(smtp_server.messages)
        try:
            # One bulk thread: it runs the job, so every certificate mail the job writes waits in the outbox.
            processes[BULK] = (_start_worker(BULK, 1, env, tmp_path / "bulk.log"), tmp_path / "bulk.log")
            processes[INTERACTIVE] = (_start_worker(INTERACTIVE, 2, env, tmp_path / "interactive.log"),
                                      tmp_path / "interactive.log")
            _wait(lambda: all("Huey worker on RedisStorage" in log.read_text() for _p, log in processes.values()),
                  240, "both workers to start", processes)

            job = jobs.create_job(db.session.get(Event, past_event_id), CertificateKind.PARTICIPATION, holder_ids,
                                  organiser)
            _wait(lambda: _job(job.id).done >= app.config["CERTIFICATE_BATCH_SIZE"], 300,
                  "the job's first batch", processes)

            started = time.monotonic()
            registrations.cancel(seated, seated.user)
            _wait(lambda: any(m["To"].addresses[0].addr_spec == "waiting@example.org"
                              for m in smtp_server.messages[delivered_before:]),
                  OFFER_BOUND_SECONDS, "the offer mail", processes)
            elapsed = time.monotonic() - started
            running = _job(job.id)
            _stop(processes[BULK][0])

            offer_row = db.session.scalars(select(OutboxMessage).where(
                OutboxMessage.payload["kind"].as_string() == "offered")).one()
            waiting_bulk_mail = db.session.scalar(select(func.count(OutboxMessage.id)).where(
                OutboxMessage.topic == "certificates.issued", OutboxMessage.id < offer_row.id,
                OutboxMessage.state == OutboxState.PENDING))
            print(f"\noffer mail at SMTP {elapsed:.2f} s after the cancellation; the bulk job had issued "
                  f"{running.done} of {running.total}; {waiting_bulk_mail} older certificate mails still waiting")
            assert elapsed <= OFFER_BOUND_SECONDS
            assert running.state != JobState.DONE and running.done < HOLDERS
            assert offer_row.state == OutboxState.SENT and offer_row.payload["queue"] == INTERACTIVE
            assert waiting_bulk_mail > 0  # the offer went past them
            db.session.refresh(waiting)
            assert waiting.status == RegistrationStatus.OFFERED
        finally:
            for process, _log in processes.values():
                _stop(process)
            for queue in queues.values():
                queue.flush()
            db.session.remove()
            db.engine.dispose()

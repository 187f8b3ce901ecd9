"""Kill the real worker (`flask worker` in a subprocess) in the middle of a bulk job and start it again:
the job resumes, no serial is given twice, nobody gets two certificates, nobody is left out."""
import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app import clock
from app.accounts.models import Role
from app.certificates import files, jobs
from app.certificates.models import Certificate, CertificateKind, IssuanceJob, JobState, SerialCounter
from app.extensions import db
from app.registrations.models import CheckIn, Registration, RegistrationStatus
from tests.conftest import make_app
from tests.factories import make_event, make_trainees, make_user

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 40


def _worker(env, log):
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _job(job_id) -> IssuanceJob:
    db.session.expire_all()
    return db.session.get(IssuanceJob, job_id)


def _wait(condition, timeout: float, what: str, worker=None, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"worker exited: {Path(log_path).read_text()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}: {Path(log_path).read_text()[-3000:] if log_path else ''}")


def test_killed_worker_resumes_without_duplicates_or_losses(tmp_path):
    database = tmp_path / "test.sqlite3"  # the file make_app() gives a SQLite app in tmp_path
    app = make_app(tmp_path, database_url=f"sqlite:///{database}", HUEY_IMMEDIATE=False,
                   CERTIFICATE_BATCH_SIZE=4, CERTIFICATE_JOB_LEASE_SECONDS=3)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "INSTANCE_PATH": app.instance_path,
           "SECRET_KEY": "test-secret", "BASE_URL": "http://praktika.test", "CERTIFICATE_BATCH_SIZE": "4",
           "CERTIFICATE_JOB_LEASE_SECONDS": "3", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    env.pop("MAIL_SERVER", None)
    log_path = tmp_path / "worker.log"
    with app.app_context(), open(log_path, "w") as log:
        organiser = make_user(roles=(Role.ORGANISER,), password=None)
        start = (clock.now() - timedelta(days=10)).replace(microsecond=0)
        event = make_event(actor=organiser, days=2, start=start, capacity=None)
        users = make_trainees(PEOPLE)
        for user in users:  # a past seminar: rows as the registrations area leaves them
            registration = Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED)
            db.session.add(registration)
            db.session.flush()
            db.session.add_all(CheckIn(registration_id=registration.id, session_id=s.id) for s in event.sessions)
        db.session.commit()
        job = jobs.create_job(event, CertificateKind.PARTICIPATION, [u.id for u in users], organiser)

        worker = _worker(env, log)
        try:
            _wait(lambda: _job(job.id).done >= 8, 300, "the first batches", worker, log_path)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
            interrupted = _job(job.id)
            assert interrupted.state != JobState.DONE and interrupted.done < PEOPLE, "killed too late to prove a resume"

            worker = _worker(env, log)
            _wait(lambda: _job(job.id).state == JobState.DONE, 600, "the resumed job", worker, log_path)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)

        finished = _job(job.id)
        assert (finished.total, finished.done, finished.failed) == (PEOPLE, PEOPLE, 0)
        certificates = db.session.scalars(select(Certificate).where(Certificate.event_id == event.id)).all()
        assert len(certificates) == PEOPLE
        assert len({c.user_id for c in certificates}) == PEOPLE
        assert len({c.serial for c in certificates}) == PEOPLE
        assert db.session.get(SerialCounter, certificates[0].issued_at.year).last >= PEOPLE
        for certificate in certificates:
            assert hashlib.sha256(files.read(certificate.pdf_path)).hexdigest() == certificate.pdf_sha256
        assert db.session.scalar(select(func.count(Certificate.id)).where(Certificate.revoked_at.isnot(None))) == 0
        db.session.remove()
        db.engine.dispose()

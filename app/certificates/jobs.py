"""Bulk issuance as a resumable job (DESIGN §3 IssuanceJob).

A job holds the chosen people. It starts one way: its service writes a `certificates.run_job`
outbox row, and the worker delivering that row runs the job (app/certificates/tasks.py); a worker
killed meanwhile leaves the row "sending", due again once the job's lease has run out, and the next
delivery resumes the job. A runner leases the job (lease_until, lease_owner), issues in batches of
CERTIFICATE_BATCH_SIZE and, in each batch's own unit of work, records the batch's certificates, its
progress and its renewed lease together. What is still to do is always worked out from the database
(chosen people without a live certificate and without a recorded failure), so a runner killed at any
point is resumed by the next one without duplicates or losses. A bad record fails alone, with its
reason. Running a finished job again issues only what is missing.
"""
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.accounts.models import User
from app.certificates import eligibility, files, issuance, rendering
from app.certificates.models import Certificate, CertificateKind, IssuanceJob, JobState
from app.database import lock_row, row_or_not_found, unit_of_work
from app.errors import ValidationFailed
from app.events.models import Event
from app.extensions import db
from app.outbox import services as outbox


class LeaseLost(Exception):
    """Another runner took the job over (ours had run out); stop without writing."""


@dataclass(frozen=True)
class Progress:
    state: str
    state_label: str
    total: int
    done: int
    failed: int
    percent: int
    seconds_left: int | None
    errors: list[dict]

    @property
    def summary(self) -> str:
        return _("%(done)d of %(total)d issued, %(failed)d failed", done=self.done, total=self.total,
                 failed=self.failed)

    @property
    def time_left(self) -> str:
        if self.seconds_left is None:
            return ""
        return _("about %(seconds)d s left", seconds=self.seconds_left)

    def as_dict(self) -> dict:
        return {"state": self.state, "state_label": str(self.state_label), "total": self.total, "done": self.done,
                "failed": self.failed, "percent": self.percent, "seconds_left": self.seconds_left,
                "errors": self.errors, "summary": self.summary, "time_left": self.time_left}


def lease() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("CERTIFICATE_JOB_LEASE_SECONDS") or 60))


def _batch_size() -> int:
    return int(current_app.config.get("CERTIFICATE_BATCH_SIZE") or 25)


def create_job(event: Event, kind: CertificateKind, user_ids: list[int], actor: User | None, *,
               layout_name: str = issuance.DEFAULT_LAYOUT, signatories: list[dict] | None = None,
               start: bool = True) -> IssuanceJob:
    """A job for the chosen confirmed participants; the worker runs it from its outbox row (unless
    `start` is False: the CLI and the demo run it themselves, the CLI showing its progress)."""
    rendering.get_layout(layout_name)
    chosen = list(dict.fromkeys(int(i) for i in user_ids))
    if not chosen:
        raise ValidationFailed(_l("Choose at least one person."), field="user_ids")
    known = {c.user.id for c in eligibility.candidates(event, kind, chosen)}
    if set(chosen) - known:
        raise ValidationFailed(_l("Some of the chosen people are not confirmed participants."), field="user_ids")
    with unit_of_work():
        job = IssuanceJob(event_id=event.id, kind=kind, layout=layout_name, user_ids=chosen, total=len(chosen),
                          signatories=issuance.default_signatories(actor) if signatories is None else signatories,
                          requested_by_id=actor.id if actor else None, created_at=clock.now())
        db.session.add(job)
        db.session.flush()
        if start:
            outbox.emit("certificates.run_job", job_id=job.id)
    return job


def eligible_user_ids(event: Event, kind: CertificateKind) -> list[int]:
    """Everyone eligible who holds no live certificate of this kind yet."""
    return [c.user.id for c in eligibility.candidates(event, kind) if c.eligible and not c.has_certificate]


def restart_job(job: IssuanceJob, actor: User) -> IssuanceJob:
    """Run a finished job again: failures are retried, what was issued stays as it is."""
    with unit_of_work():
        job = lock_row(IssuanceJob, job.id)
        if job.state != JobState.DONE:
            return job
        job.state = JobState.QUEUED
        job.errors = []
        job.failed = 0
        job.finished_at = None
        outbox.emit("certificates.run_job", job_id=job.id)
    return job


def _holders(job: IssuanceJob) -> set[int]:
    return set(db.session.execute(
        select(Certificate.user_id).where(Certificate.event_id == job.event_id, Certificate.kind == job.kind,
                                          Certificate.revoked_at.is_(None), Certificate.user_id.in_(job.user_ids))
    ).scalars())


def _claim(job_id: int, owner: str) -> tuple[IssuanceJob | None, float]:
    """Take the job's lease: (job, 0) if ours now; (None, seconds) if another runner holds it."""
    now = clock.now()
    with unit_of_work():
        job = lock_row(IssuanceJob, job_id)
        if job is None or job.state == JobState.DONE:
            return None, 0
        if job.lease_until is not None and job.lease_until > now and job.lease_owner != owner:
            return None, max(1.0, (job.lease_until - now).total_seconds())
        job.lease_owner = owner
        job.lease_until = now + lease()
        job.state = JobState.RUNNING
        job.started_at = job.started_at or now
    return job, 0


def _record(job_id: int, owner: str, result: issuance.BatchResult, missing: list[int]) -> None:
    """Inside the batch's unit: progress, failures and a renewed lease, or LeaseLost (rolls the batch back)."""
    job = lock_row(IssuanceJob, job_id)
    if job.lease_owner != owner:
        raise LeaseLost()
    errors = {e["user_id"]: e for e in job.errors}
    for failure in result.failed:
        errors[failure.user_id] = failure.as_dict()
    for user_id in missing:
        errors[user_id] = issuance.Failure(user_id, "", str(_l("This account no longer exists."))).as_dict()
    db.session.flush()
    holders = _holders(job)
    for user_id in holders:
        errors.pop(user_id, None)
    job.errors = list(errors.values())
    job.done = len(holders)
    job.failed = len(job.errors)
    job.lease_until = clock.now() + lease()


def run_job(job_id: int, progress: Callable[[IssuanceJob], None] | None = None) -> float:
    """Run (or resume) a job to its end. Returns 0 when finished, or seconds to wait while another runs it."""
    owner = uuid.uuid4().hex
    job, wait = _claim(job_id, owner)
    if job is None:
        return wait
    files.recover_lost_moves()  # a runner killed between a batch's commit and its PDFs' move
    event = db.session.get(Event, job.event_id)
    while True:
        settled = _holders(job) | {e["user_id"] for e in job.errors}
        pending = [uid for uid in job.user_ids if uid not in settled]
        if not pending:
            break
        chunk = pending[:_batch_size()]
        users = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(chunk))).scalars()}
        requests = [issuance.Request(users[uid]) for uid in chunk if uid in users]
        missing = [uid for uid in chunk if uid not in users]
        batch = issuance.prepare_batch(event, job.kind, requests, job.requested_by, layout_name=job.layout,
                                       signatories=job.signatories, job_id=job.id)
        try:
            with unit_of_work():
                _record(job_id, owner, issuance.record_batch(batch), missing)
        except LeaseLost:
            return 0
        finally:
            batch.discard_unrecorded()
        job = db.session.get(IssuanceJob, job_id, populate_existing=True)
        if progress is not None:
            progress(job)
    with unit_of_work():
        job = lock_row(IssuanceJob, job_id)
        if job.lease_owner == owner:
            job.done = len(_holders(job))
            job.failed = len(job.errors)
            job.state = JobState.DONE
            job.finished_at = clock.now()
            job.lease_until = None
            job.lease_owner = None
    if progress is not None:
        progress(job)
    return 0


def job_in_scope(job_id: int) -> IssuanceJob:
    return row_or_not_found(IssuanceJob, job_id)


def progress_of(job: IssuanceJob) -> Progress:
    seconds_left = None
    processed = job.done + job.failed
    if job.state == JobState.RUNNING and job.started_at is not None and 0 < processed < job.total:
        elapsed = (clock.now() - job.started_at).total_seconds()
        seconds_left = round(elapsed / processed * (job.total - processed))
    return Progress(state=job.state.value, state_label=job.state.label, total=job.total, done=job.done,
                    failed=job.failed, percent=job.percent, seconds_left=seconds_left, errors=list(job.errors))


def jobs_of_event(event: Event) -> list[IssuanceJob]:
    return list(db.session.execute(select(IssuanceJob).where(IssuanceJob.event_id == event.id)
                                   .order_by(IssuanceJob.id.desc())).scalars())


def count_issued(event_id: int) -> int:
    return db.session.execute(select(func.count(Certificate.id)).where(Certificate.event_id == event_id,
                                                                       Certificate.revoked_at.is_(None))).scalar_one()

"""Certificates' background work: thin wrappers that call the services (ids only).

- `certificates.run_job` (outbox) → the `run_issuance_job` task runs or resumes a bulk issuance job;
  a job another runner holds is tried again when that runner's lease would run out.
- When the worker starts, and every minute, jobs left unfinished by a killed worker are resumed.
- `certificates.issued` / `certificates.revoked` (outbox) → the holder's mail, the PDF attached.
"""
import functools

from flask_babel import lazy_gettext as _l
from huey import crontab

from app.certificates import issuance, jobs
from app.certificates.models import Certificate
from app.database import current_unit
from app.extensions import app_periodic_task, app_task, db, huey
from app.notifications.services import Attachment, Mail, mail_handler
from app.outbox import services as outbox


@app_task()
def run_issuance_job(job_id: int) -> None:
    wait = jobs.run_job(job_id)
    if wait:
        run_issuance_job.schedule((job_id,), delay=wait)


@app_periodic_task(crontab(minute="*"))
def resume_issuance_jobs() -> int:
    stalled = jobs.stalled_job_ids()
    for job_id in stalled:
        run_issuance_job(job_id)
    return len(stalled)


@huey.on_startup()
def _resume_after_restart() -> None:
    """A restarted worker picks up the jobs its predecessor left (each waits out a live lease)."""
    if getattr(huey, "flask_app", None) is None:
        return
    with huey.flask_app.app_context():
        for job_id in jobs.unfinished_job_ids():
            run_issuance_job(job_id)


@outbox.handler("certificates.run_job")
def start_job(payload: dict) -> None:
    """Queue the job once this delivery has committed (in immediate mode it then runs outside any unit)."""
    job_id = payload["job_id"]
    current_unit().after_commit(functools.partial(run_issuance_job, job_id))


def _mail_locale(certificate: Certificate) -> str:
    """The event's language when the interface speaks it, else the holder's own."""
    return certificate.language if certificate.language in ("ru", "en") else (certificate.user.locale or "ru")


@mail_handler("certificates.issued")
def issued_mail(payload: dict) -> Mail | None:
    certificate = db.session.get(Certificate, payload["certificate_id"])
    if certificate is None or certificate.revoked_at is not None:
        return None
    attachment = Attachment(filename=f"{certificate.serial}.pdf", content=issuance.pdf_bytes(certificate),
                            mimetype="application/pdf")
    return Mail(
        to=certificate.user, template="certificates_issued", locale=_mail_locale(certificate),
        subject=_l("Your certificate: %(title)s", title=certificate.event.title),
        context={"certificate": certificate, "event": certificate.event,
                 "verify_url": issuance.verify_url(certificate.serial, certificate.check_code)},
        attachments=(attachment,))


@mail_handler("certificates.revoked")
def revoked_mail(payload: dict) -> Mail | None:
    certificate = db.session.get(Certificate, payload["certificate_id"])
    if certificate is None or certificate.revoked_at is None or certificate.superseded_by_id is not None:
        return None
    return Mail(
        to=certificate.user, template="certificates_revoked", locale=_mail_locale(certificate),
        subject=_l("Your certificate %(serial)s was revoked", serial=certificate.serial),
        context={"certificate": certificate, "event": certificate.event,
                 "verify_url": issuance.verify_url(certificate.serial, certificate.check_code)})

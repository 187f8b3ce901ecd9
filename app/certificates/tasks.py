"""Certificates' background work: thin wrappers that call the services (ids only).

All of it is bulk work (the bulk queue), except a revocation's mail, which one person is waiting for.

- `certificates.run_job` (outbox) → the worker delivering the row runs or resumes a bulk issuance job:
  the one way a job starts. A worker killed meanwhile leaves the row "sending"; it is due again once
  the job's lease has run out, and that delivery resumes the job. A job another runner holds is
  tried again when that runner's lease would run out.
- Every quarter of an hour, temporary PDF files left by a killed process are swept.
- `certificates.issued` / `certificates.revoked` (outbox) → the holder's mail, the PDF attached.
"""

from flask_babel import lazy_gettext as _l
from huey import crontab

from app.certificates import files, issuance, jobs
from app.certificates.models import Certificate
from app.core.i18n import supported
from app.extensions import BULK, INTERACTIVE, app_periodic_task, db
from app.notifications.services import Attachment, Mail, mail_handler
from app.outbox import services as outbox


@outbox.handler("certificates.run_job", queue=BULK, own_units=True, lease=jobs.lease)
def run_issuance_job(payload: dict) -> None:
    wait = jobs.run_job(payload["job_id"])
    if wait:
        raise outbox.RetryLater(wait)


@app_periodic_task(crontab(minute="*/15"), queue=BULK)
def sweep_temporary_pdfs() -> int:
    return files.sweep()


def _mail_locale(certificate: Certificate) -> str:
    """The event's language when the interface speaks it, else the holder's own."""
    return supported(certificate.language) or supported(certificate.user.locale) or "ru"


@mail_handler("certificates.issued", queue=BULK)
def issued_mail(payload: dict) -> Mail | None:
    certificate = db.session.get(Certificate, payload["certificate_id"])
    if certificate is None or certificate.revoked_at is not None:
        return None
    attachment = Attachment(filename=f"{certificate.serial}.pdf", content=issuance.pdf_bytes(certificate),
                            mimetype="application/pdf")
    return Mail(
        to=certificate.user, template="certificates_issued", locale=_mail_locale(certificate),
        subject=_l("Your certificate: %(title)s", title=certificate.event.text_in(_mail_locale(certificate))["title"]),
        context={"certificate": certificate, "event": certificate.event,
                 "verify_url": issuance.verify_url(certificate.serial, certificate.check_code)},
        attachments=(attachment,))


@mail_handler("certificates.revoked", queue=INTERACTIVE)
def revoked_mail(payload: dict) -> Mail | None:
    certificate = db.session.get(Certificate, payload["certificate_id"])
    if certificate is None or certificate.revoked_at is None or certificate.superseded_by_id is not None:
        return None
    return Mail(
        to=certificate.user, template="certificates_revoked", locale=_mail_locale(certificate),
        subject=_l("Your certificate %(serial)s was revoked", serial=certificate.serial),
        context={"certificate": certificate, "event": certificate.event,
                 "verify_url": issuance.verify_url(certificate.serial, certificate.check_code)})

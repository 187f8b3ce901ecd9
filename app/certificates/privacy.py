"""The certificates area's part of a person's data export and anonymisation (app/privacy/registry.py).

Certificates in force keep the holder's name as printed, because the holder may still show the PDF
and /verify must confirm it; revoked and superseded ones show (and their signed credential carries)
the anonymous name, and their PDFs, which print the name, are erased from the store once the
deletion has committed (/verify still checks an uploaded copy against the recorded hash). Who
issued, revoked or requested what stays, pointing at the anonymous account.
"""
from functools import partial

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.privacy import anonymous_name
from app.certificates import files
from app.certificates.models import Certificate
from app.core.rows import columns
from app.database import current_unit
from app.extensions import db


def export(user: User) -> dict:
    return {"certificates": [columns(c, skip=("user_id",)) for c in db.session.execute(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id)).scalars()]}


def anonymise(user: User) -> None:
    unit = current_unit()
    for certificate in db.session.execute(select(Certificate).where(  # superseded ones are revoked too
            Certificate.user_id == user.id, Certificate.revoked_at.is_not(None))).scalars():
        certificate.holder_name = anonymous_name(user)
        unit.after_commit(partial(files.erase, certificate.pdf_path))


def register_privacy_hooks(registry) -> None:
    registry.register(
        "certificates", export=export, anonymise=anonymise,
        columns=("certificates.user_id", "certificates.issued_by_id", "certificates.revoked_by_id",
                 "certificate_issuance_jobs.requested_by_id"))

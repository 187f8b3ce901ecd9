"""The accounts area's mail: written to the outbox by the service, composed by the worker at delivery.

`queue(kind, user, **values)` runs inside the caller's unit of work. `values` holds only what cannot be
read again when the mail is composed: a reset token (only its hash is stored), or the name of a person
whose account is anonymised in the same change (the organisers are told who withdrew consent).
"""
from flask_babel import lazy_gettext as _l

from app.accounts import verification
from app.accounts.models import User
from app.extensions import db
from app.notifications.services import Mail
from app.outbox import services as outbox

MAIL_TOPIC = "accounts.mail"
# Mails that carry the link confirming the address (app/accounts/verification.py).
CONFIRMATION_LINK_KINDS = {"welcome", "verify_email"}

SUBJECTS = {
    "welcome": _l("Welcome to Praktika"),
    "verify_email": _l("Confirm your address for Praktika"),
    "signup_existing": _l("Someone tried to sign up with your address"),
    "password_reset": _l("Set a new Praktika password"),
    "consent_withdrawn": _l("A participant withdrew consent to data processing"),
}


def queue(kind: str, user: User, **values) -> None:
    """Mail `user` about `kind` once the current change commits (templates/notifications/accounts_<kind>.*)."""
    if kind not in SUBJECTS:
        raise ValueError(f"unknown account mail {kind!r}")
    if user.id is None:
        db.session.flush()
    outbox.emit(MAIL_TOPIC, kind=kind, user_id=user.id, values=values, summary=f"{user.email} — {kind}")


def build(payload: dict) -> Mail | None:
    """The mail of one outbox row, from the account as it is now."""
    user = db.session.get(User, payload["user_id"])
    if user is None:
        return None
    kind = payload["kind"]
    context = dict(payload["values"])
    if kind in CONFIRMATION_LINK_KINDS:  # made at delivery, so the link's days count from the mail
        context.update(verify_token=verification.verification_token(user), valid_days=verification.VERIFY_VALID_FOR.days)
    return Mail(to=user, template=f"accounts_{kind}", subject=SUBJECTS[kind], context=context)

"""Double opt-in: a self-made account shows that its address is its own, by a mailed link, before it
may register for events (as pretix and Indico do). Accounts an organiser or administrator makes
count as verified when they are made (`User.email_verified_at`).

The link is signed with SECRET_KEY (itsdangerous) and names the account, a digest of its address and
when it was made; nothing is stored. It works for VERIFY_VALID_FOR and once: when the address is confirmed,
every link of the account is dead, and a link for an address the account no longer has never works.
"""
import hashlib
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from app import clock
from app.accounts.models import User
from app.database import unit_of_work
from app.errors import Conflict
from app.extensions import db

VERIFY_VALID_FOR = timedelta(days=3)
_SALT = "praktika-email-verification"


class EmailNotVerified(Conflict):
    """A rule that needs a confirmed address (registering for events) met an unconfirmed one."""

    code = "email_unverified"
    default_message = _l("Confirm your email address first: open the link we mailed you when you signed up, "
                         "or have it sent again. Until then you cannot register for events.")

# What an event's registration box says instead of its button (the confirmation prompt follows it).
EVENT_BOX_NOTE = _l("Confirm your email address to register for this event.")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _address_digest(email: str) -> str:
    """Names the address in the link without showing it (links end up in proxy and server logs)."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def verification_token(user: User) -> str:
    """A link token for `user` (needs its id: call after the account is flushed)."""
    return _serializer().dumps({"user": user.id, "address": _address_digest(user.email),
                                "at": int(clock.now().timestamp())})


def user_for_token(token: str) -> User | None:
    """The unconfirmed, active account a live token names, or None (forged, expired, used, stale)."""
    if not token or len(token) > 400:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int) or not isinstance(data.get("at"), int):
        return None
    if clock.now() - datetime.fromtimestamp(data["at"], UTC) > VERIFY_VALID_FOR:
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.active or user.email_verified or _address_digest(user.email) != data.get("address"):
        return None
    return user


def confirm(token: str) -> User:
    """Mark the address of the account the link names as confirmed; the link (and its siblings) are used up."""
    with unit_of_work():
        user = user_for_token(token)
        if user is None:
            raise Conflict(_l("This link has expired or was already used."))
        user.email_verified_at = clock.now()
    return user


def require_verified(user: User) -> None:
    """Refuse, with a message that says why and what to do, an account whose address is not confirmed."""
    if not user.email_verified:
        raise EmailNotVerified()

"""A person's rights over their own data (GDPR art. 15, 17, 20; 152-FZ art. 9 and 14): download it,
delete the account, withdraw consent.

What is exported and what is forgotten is each area's own business, asked through the registry
(app/privacy/registry.py; each area's `privacy.py` says what it keeps and why). Deleting (or
withdrawing consent, which also tells the organisers of the person's events) anonymises the account
instead of removing the row, so that what others rely on stays true: past registrations, check-ins,
consultations and certificates in force stay counted under the anonymous row, and the account can
never sign in or be enabled again.
"""
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from app import clock
from app.accounts import mail
from app.accounts.models import User
from app.accounts.services import password_hasher
from app.database import unit_of_work
from app.errors import ValidationFailed
from app.privacy.registry import registry


def export_data(user: User) -> dict:
    """Everything Praktika holds about the person, as JSON-ready data, each area adding its sections. Reads only."""
    data = {"exported_at": clock.now().isoformat()}
    for hook in registry().hooks():
        if hook.export is None:
            continue
        sections = hook.export(user)
        if set(sections) & set(data):
            raise RuntimeError(f"area {hook.area!r} exports a section another area already gave")
        data.update(sections)
    return data


def _check_password(user: User, password: str) -> None:
    try:
        password_hasher().verify(user.password_hash or "", password or "")
    except (VerificationError, InvalidHashError):
        raise ValidationFailed(_l("Wrong password."), field="password") from None


def _anonymise(user: User) -> None:
    """Inside the caller's unit of work: the highest area forgets first, accounts (the name itself) last."""
    for hook in reversed(registry().hooks()):
        if hook.anonymise is not None:
            hook.anonymise(user)


def _people_to_tell(user: User) -> list[User]:
    people: dict[int, User] = {}
    for hook in registry().hooks():
        if hook.to_tell is not None:
            people.update((person.id, person) for person in hook.to_tell(user))
    return [people[key] for key in sorted(people)]


def delete_account(user: User, password: str) -> None:
    """The person deletes their own account (password confirms it). One transaction."""
    with unit_of_work():
        _check_password(user, password)
        _anonymise(user)


def withdraw_consent(user: User, password: str) -> int:
    """The person withdraws consent: the organisers of their events are mailed first (with the name
    they knew), then the account is anonymised like a deletion. One transaction. Returns how many
    organisers were told."""
    with unit_of_work():
        _check_password(user, password)
        organisers = _people_to_tell(user)
        for organiser in organisers:
            mail.queue("consent_withdrawn", organiser, person_name=user.full_name, person_email=user.email,
                       person_id=user.id)
        _anonymise(user)
    return len(organisers)

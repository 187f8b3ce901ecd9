"""The accounts area's part of a person's data export and anonymisation (app/privacy/registry.py).

Anonymising the account itself comes last (the areas above forget first): name → "Deleted user
#<id>", email → a unique address under the reserved `.invalid` domain, no password, organisation
link, printed name, feed or API tokens; every session ends; the account can never sign in or be
enabled again. Roles other than trainee go. The region code stays (a coarse statistic that reports
break down by). Consent records stay, marked withdrawn (the record that processing was lawful until now).
"""
from sqlalchemy import delete, select, update

from app import clock
from app.accounts import consent
from app.accounts.models import ApiToken, Organisation, PasswordResetToken, Role, User, UserRole
from app.core.rows import columns
from app.extensions import db

DELETED_DOMAIN = "deleted.invalid"  # RFC 2606: never routable, so no mail can reach anyone


def anonymous_name(user: User) -> str:
    """What every area shows instead of the person's name once the account is deleted."""
    return f"Deleted user #{user.id}"


def export(user: User) -> dict:
    return {
        "profile": {**columns(user), "organisation": user.organisation.name if user.organisation else None,
                    "roles": sorted(role.value for role in user.roles)},
        "consents": [{**columns(record, skip=("user_id",)),
                      "text": consent.CONSENT_TEXTS.get(record.version, {}).get(user.locale or "ru")}
                     for record in consent.consent_records(user)],
        "api_tokens": [columns(t, skip=("user_id",)) for t in db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).scalars()],
    }


def anonymise(user: User) -> None:
    consent.withdraw_all(user)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    db.session.execute(update(Organisation).where(Organisation.proposed_by_id == user.id)
                       .values(proposed_by_id=None).execution_options(synchronize_session=False))
    for row in list(user.role_rows):
        if row.role != Role.TRAINEE:
            user.role_rows.remove(row)
    if not user.role_rows:
        user.role_rows.append(UserRole(role=Role.TRAINEE))
    user.full_name = anonymous_name(user)
    user.print_name = None
    user.email = f"deleted-{user.id}@{DELETED_DOMAIN}"
    user.password_hash = None
    user.organisation_id = None
    user.calendar_token = None
    user.active = False
    user.deleted_at = clock.now()
    user.session_version = (user.session_version or 1) + 1


def register_privacy_hooks(registry) -> None:
    registry.register(
        "accounts", export=export, anonymise=anonymise,
        columns=("organisations.proposed_by_id", "user_roles.user_id", "api_tokens.user_id",
                 "password_reset_tokens.user_id", "consent_records.user_id", "consent_records.recorded_by_id"))

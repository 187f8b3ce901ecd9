"""Account rules: sign-up, authentication, profile, roles, organisations, tokens, CSV import.

Every public function that changes something is one transaction: it commits once, or rolls
back and raises a DomainError (message beside the named field).
"""
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts import consent, mail
from app.accounts.models import (
    ApiToken,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserRole,
    new_calendar_token,
    organisation_key,
)
from app.accounts.regions import is_region
from app.core.signals import locale_chosen
from app.database import row_or_not_found, unit_of_work
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.pagination import checked_page


@lru_cache(maxsize=4)
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def password_hasher() -> PasswordHasher:
    """argon2id with the configured cost (ARGON2_PROFILE: RFC 9106 by default, CHEAPEST in tests)."""
    return _hasher_for(current_app.config.get("ARGON2_PROFILE", "RFC_9106_LOW_MEMORY"))

MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 200
MAX_ORGANISATION_LENGTH = 300
# Shape only: web forms check addresses strictly (WTForms Email); the CLI and imports also accept
# reserved domains such as .test and .local used by demo and training accounts.
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def get_user(user_id: int) -> User:
    return row_or_not_found(User, user_id)


def _hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            lazy_ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_PASSWORD_LENGTH), field="password"
        )
    return password_hasher().hash(password)


def _checked_email(email: str, *, must_be_new: bool = True) -> str:
    email = normalise_email(email)
    if len(email) > 254 or not EMAIL_SHAPE.fullmatch(email):
        raise ValidationFailed(_l("Enter a valid email address."), field="email")
    if must_be_new and find_user_by_email(email) is not None:
        raise AddressTaken(_l("An account with this email already exists."), field="email")
    return email


class AddressTaken(ValidationFailed):
    """The address has an account already (public sign-up answers this without revealing it)."""


def _checked_name(value: str | None, field: str, required: bool = True) -> str | None:
    value = " ".join((value or "").split())
    if not value:
        if required:
            raise ValidationFailed(_l("This field is required."), field=field)
        return None
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationFailed(lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", MAX_NAME_LENGTH), field=field)
    return value


def _checked_region(region_code: str | None, required: bool = True) -> str | None:
    if not region_code and not required:
        return None
    if not is_region(region_code):
        raise ValidationFailed(_l("Choose a region from the list."), field="region")
    return region_code


def _checked_locale(locale: str | None) -> str:
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_l("Choose a language from the list."), field="locale")
    return locale


def build_user(*, email: str, password: str | None, full_name: str, organisation_id: int | None = None,
               region_code: str | None = None, locale: str = "ru", roles=(Role.TRAINEE,)) -> User:
    """Validate and add a user to the session without committing (callers own the transaction)."""
    email = _checked_email(email)
    full_name = _checked_name(full_name, "full_name")
    region_code = _checked_region(region_code, required=False)
    user = User(
        email=email,
        password_hash=_hash_password(password) if password is not None else None,
        full_name=full_name,
        organisation_id=organisation_id,
        region_code=region_code,
        locale=_checked_locale(locale),
    )
    wanted = set(roles) | {Role.TRAINEE}
    user.role_rows = [UserRole(role=role) for role in sorted(wanted)]
    db.session.add(user)
    db.session.flush()
    return user


def create_user(**fields) -> User:
    """An account made by an administrator (CLI): one transaction. Consent is recorded as collected
    by the organiser; the person confirms it on their first visit to /me."""
    with unit_of_work():
        user = build_user(**fields)
        consent.record_collected_by_organiser(user, None)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.password_hash or not user.active:
        password_hasher().hash(password or "x")  # same cost whether or not the account exists
        return None
    try:
        password_hasher().verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if password_hasher().check_needs_rehash(user.password_hash):
        with unit_of_work():
            user.password_hash = password_hasher().hash(password)
    return user


def set_locale(user: User, locale: str) -> None:
    with unit_of_work():
        user.locale = _checked_locale(locale)


@locale_chosen.connect
def _save_chosen_locale(user: User, locale: str) -> None:
    """The language picked in the header (app/core/routes.py) becomes the profile's language."""
    set_locale(user, locale)


# --- organisations --------------------------------------------------------------------------

def approved_organisations() -> list[Organisation]:
    """Organisations people may pick from (sign-up and profile), by name."""
    return list(db.session.execute(
        select(Organisation).where(Organisation.approved.is_(True)).order_by(Organisation.name_key, Organisation.id)
    ).scalars())


def find_or_propose_organisation(name: str | None, region_code: str | None,
                                 kind: OrganisationKind = OrganisationKind.PATIENT_NGO,
                                 approved: bool = False) -> Organisation | None:
    """The organisation with this name (same `organisation_key`: case folded, spaces collapsed): in the
    region, else an approved one elsewhere (a national NGO); otherwise a new one, proposed (not yet
    approved) unless `approved`."""
    name = " ".join((name or "").split())
    if not name:
        return None
    if len(name) > MAX_ORGANISATION_LENGTH:
        raise ValidationFailed(lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", MAX_ORGANISATION_LENGTH),
                               field="organisation")
    candidates = db.session.execute(
        select(Organisation)
        .where(Organisation.name_key == organisation_key(name))
        .order_by(case((Organisation.region_code == (region_code or None), 0), else_=1),
                  Organisation.approved.desc(), Organisation.id)
    ).scalars().all()
    for candidate in candidates:
        if candidate.region_code == (region_code or None) or candidate.approved:
            return candidate
    organisation = Organisation(name=name, kind=kind, region_code=region_code or None, approved=approved)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _organisation_kind(value) -> OrganisationKind:
    try:
        return OrganisationKind(value or OrganisationKind.PATIENT_NGO)
    except ValueError as error:
        raise ValidationFailed(_l("Choose a kind from the list."), field="organisation_kind") from error


def list_organisations() -> list[Organisation]:
    """Proposed ones first (they wait for a decision), then by name."""
    query = select(Organisation).order_by(Organisation.approved, Organisation.name_key, Organisation.id)
    return list(db.session.execute(query).scalars())


def approve_organisation(organisation_id: int) -> Organisation:
    with unit_of_work():
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise NotFound()
        organisation.approved = True
    return organisation


def reject_organisation(organisation_id: int) -> str:
    """Remove a proposed organisation; its members keep their accounts without an organisation."""
    with unit_of_work():
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise NotFound()
        if organisation.approved:
            raise Conflict(_l("An approved organisation cannot be rejected."))
        name = organisation.name
        for member in db.session.execute(select(User).where(User.organisation_id == organisation.id)).scalars():
            member.organisation_id = None
        db.session.delete(organisation)
    return name


# --- sign-up and profile --------------------------------------------------------------------

def sign_up(*, email: str, password: str, full_name: str, organisation_name: str | None,
            region_code: str | None, locale: str, consent_given: bool,
            organisation_kind: str | OrganisationKind | None = None) -> User | None:
    """Public sign-up: a trainee in a region, with an existing or newly proposed organisation, who
    agreed to the current consent text (`consent_given`; recorded with its version and time).

    One transaction. The account starts unverified: the welcome mail, written to the outbox with it,
    carries the link that confirms the address (app/accounts/verification.py). An address that
    already has an account is not revealed: its owner is mailed ("someone tried to sign up; reset
    your password if it was you") and None is returned, also when a concurrent sign-up took the
    address first. Both ways hash the password once, so neither answers sooner.
    """
    email = _checked_email(email, must_be_new=False)
    try:
        with unit_of_work():
            region_code = _checked_region(region_code)
            organisation = find_or_propose_organisation(organisation_name, region_code,
                                                        _organisation_kind(organisation_kind))
            _checked_name(full_name, "full_name")
            _checked_locale(locale)
            password_hash = _hash_password(password)  # raises beside the field; before the address is looked up
            consent.check_agreed(consent_given)
            user = build_user(  # every other field is valid: only now decide whether the address is taken
                email=email, password=None, full_name=full_name,
                organisation_id=organisation.id if organisation else None, region_code=region_code, locale=locale)
            user.password_hash = password_hash
            user.email_verified_at = None  # made by nobody else: unverified until the mailed link is used
            consent.record_sign_up_consent(user)
            if organisation is not None and not organisation.approved and organisation.proposed_by_id is None:
                organisation.proposed_by_id = user.id
            mail.queue("welcome", user)
    except (AddressTaken, IntegrityError) as error:
        owner = find_user_by_email(email)
        if owner is None:  # an IntegrityError about something else: a real bug
            raise error
        with unit_of_work():
            mail.queue("signup_existing", owner)
        return None
    return user


def update_profile(user: User, *, full_name: str, print_name: str | None, organisation_name: str | None,
                   organisation_kind: str | OrganisationKind | None, region_code: str | None,
                   locale: str) -> User:
    """Change one's own profile; a new organisation name is proposed for approval. One transaction."""
    with unit_of_work():
        user.full_name = _checked_name(full_name, "full_name")
        user.print_name = _checked_name(print_name, "print_name", required=False)
        user.region_code = _checked_region(region_code)
        user.locale = _checked_locale(locale)
        organisation = find_or_propose_organisation(organisation_name, user.region_code,
                                                    _organisation_kind(organisation_kind))
        if organisation is not None and not organisation.approved and organisation.proposed_by_id is None:
            organisation.proposed_by_id = user.id
        user.organisation_id = organisation.id if organisation else None
    return user


# --- administration of users ----------------------------------------------------------------

def search_users(*, q: str | None = None, role: str | None = None, region_code: str | None = None,
                 page: int = 1, per_page: int = 25):
    """A page of users matching name/email text, a role and a region (Flask-SQLAlchemy Pagination)."""
    query = select(User).options(selectinload(User.role_rows)).order_by(func.lower(User.full_name), User.id)
    text = " ".join((q or "").split()).lower()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(or_(func.lower(User.full_name).like(pattern, escape="\\"),
                                func.lower(User.email).like(pattern, escape="\\")))
    if role:
        try:
            wanted = Role(role)
        except ValueError as error:
            raise ValidationFailed(_l("Choose a role from the list."), field="role") from error
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == wanted)))
    if region_code:
        query = query.where(User.region_code == region_code)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return db.paginate(query, page=checked_page(page, per_page, total), per_page=per_page, error_out=False)


def set_roles(user: User, roles, *, actor: User) -> User:
    """Replace a user's roles (trainee is always kept). Admins cannot take their own admin role away.

    `roles` may be None: a form posted with every box unticked sends no value at all."""
    try:
        wanted = {Role(r) for r in roles or ()} | {Role.TRAINEE}
    except ValueError as error:
        raise ValidationFailed(_l("Choose a role from the list."), field="roles") from error
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in wanted:
        raise Conflict(_l("You cannot remove your own administrator role."), field="roles")
    with unit_of_work():
        current = {row.role: row for row in user.role_rows}
        for role, row in current.items():
            if role not in wanted:
                user.role_rows.remove(row)
        for role in sorted(wanted - set(current)):
            user.role_rows.append(UserRole(role=role))
    return user


# --- CSV import -----------------------------------------------------------------------------

IMPORT_COLUMNS = ("email", "full_name", "organisation", "region", "roles", "password")


@dataclass(frozen=True)
class ImportedUser:
    user: User
    generated_password: str | None


def _parse_roles(value: str | None) -> list[Role]:
    names = [part for part in (value or "").replace("|", ";").replace(",", ";").replace(" ", ";").split(";") if part]
    roles = []
    for name in names:
        try:
            roles.append(Role(name.strip().lower()))
        except ValueError as error:
            raise ValidationFailed(_l("Unknown role %(role)s.", role=name), field="roles") from error
    return roles


def import_user(row: dict, actor: User | None = None) -> ImportedUser:
    """Create one account from a CSV row (one transaction). An empty password gets a generated one.

    The importer collected consent outside Praktika: it is recorded as "collected by the organiser"
    (`actor`, None on the command line); the person confirms it on their first visit to /me."""
    with unit_of_work():
        region_code = (row.get("region") or "").strip().upper() or None
        region_code = _checked_region(region_code, required=False)
        roles = _parse_roles(row.get("roles"))
        password = (row.get("password") or "").strip()
        generated = None
        if not password:
            generated = password = secrets.token_urlsafe(12)
        email = _checked_email(row.get("email") or "")
        full_name = _checked_name(row.get("full_name"), "full_name")
        organisation = find_or_propose_organisation(row.get("organisation"), region_code, approved=True)
        user = build_user(email=email, password=password, full_name=full_name,
                          organisation_id=organisation.id if organisation else None,
                          region_code=region_code, roles=roles or (Role.TRAINEE,))
        consent.record_collected_by_organiser(user, actor)
    return ImportedUser(user=user, generated_password=generated)


# --- tokens ---------------------------------------------------------------------------------

def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str = "") -> str:
    """Create a bearer token; return the plaintext once (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token), name=name[:100]))
    return token


LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_api_token(token: str) -> User | None:
    """The active owner of a bearer token. `last_used_at` is written at most once a minute per
    token (one conditional UPDATE), so a busy client does not turn every read into a write."""
    if not token:
        return None
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(token))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    now = clock.now()
    if row.last_used_at is None or row.last_used_at <= now - LAST_USED_RESOLUTION:
        with unit_of_work():
            db.session.execute(
                update(ApiToken)
                .where(ApiToken.id == row.id,
                       or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_RESOLUTION))
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
        db.session.refresh(row)
    return row.user


def api_tokens(user: User) -> list[ApiToken]:
    """The user's API tokens, newest first (name, created, last used; never the token itself)."""
    return list(db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars())


def create_named_api_token(user: User, name: str) -> str:
    """A token made by its owner on /me: a name is required (to tell tokens apart later)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_l("This field is required."), field="name")
    if len(name) > 100:
        raise ValidationFailed(lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", 100), field="name")
    return create_api_token(user, name)


def get_api_token(token_id: int) -> ApiToken:
    return row_or_not_found(ApiToken, token_id)


def revoke_api_token(token: ApiToken) -> str:
    """Delete a token: it stops working at once. Returns its name."""
    with unit_of_work():
        name = token.name
        db.session.delete(token)
    return name


def calendar_token(user: User) -> str | None:
    """The user's personal feed token (made at sign-up; reading it never writes)."""
    return user.calendar_token


def reset_calendar_token(user: User) -> str:
    """A new token; the old URL stops working at once."""
    with unit_of_work():
        user.calendar_token = new_calendar_token()
    return user.calendar_token


def user_for_calendar_token(token: str) -> User | None:
    if not token:
        return None
    return db.session.execute(
        select(User).where(User.calendar_token == token, User.active.is_(True))
    ).scalar_one_or_none()


def resend_confirmation(user: User) -> bool:
    """Mail a fresh confirmation link to an unconfirmed account; False (nothing sent) when it is confirmed."""
    if user.email_verified:
        return False
    with unit_of_work():
        mail.queue("verify_email", user)
    return True

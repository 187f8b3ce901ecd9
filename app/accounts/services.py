"""Account rules: sign-up, authentication, profile, roles, tokens."""
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.accounts.models import ApiToken, Organisation, OrganisationKind, Role, User, UserRole
from app.accounts.regions import is_region
from app.errors import ValidationFailed
from app.extensions import db

password_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def _hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field="password"
        )
    return password_hasher.hash(password)


def build_user(*, email: str, password: str | None, full_name: str, organisation_id: int | None = None,
               region_code: str | None = None, locale: str = "ru", roles=(Role.TRAINEE,)) -> User:
    """Validate and add a user to the session without committing (callers own the transaction)."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise ValidationFailed(_l("An account with this email already exists."), field="email")
    user = User(
        email=email,
        password_hash=_hash_password(password) if password is not None else None,
        full_name=full_name.strip(),
        organisation_id=organisation_id,
        region_code=region_code or None,
        locale=locale,
    )
    wanted = set(roles) | {Role.TRAINEE}
    user.role_rows = [UserRole(role=role) for role in sorted(wanted)]
    db.session.add(user)
    db.session.flush()
    return user


def register_user(**fields) -> User:
    """Sign-up: every new user is a trainee. One transaction."""
    user = build_user(**fields)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.password_hash or not user.active:
        password_hasher.hash(password or "x")  # same cost whether or not the account exists
        return None
    try:
        password_hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
        db.session.commit()
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str = "") -> str:
    """Create a bearer token; return the plaintext once (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token), name=name))
    db.session.commit()
    return token


def user_for_api_token(token: str) -> User | None:
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(token))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    row.last_used_at = clock.now()
    db.session.commit()
    return row.user


def calendar_token(user: User) -> str:
    """The user's personal feed token, created on first use."""
    if not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(24)
        db.session.commit()
    return user.calendar_token


def reset_calendar_token(user: User) -> str:
    """A new token; the old URL stops working at once."""
    user.calendar_token = secrets.token_urlsafe(24)
    db.session.commit()
    return user.calendar_token


def user_for_calendar_token(token: str) -> User | None:
    if not token:
        return None
    return db.session.execute(
        select(User).where(User.calendar_token == token, User.active.is_(True))
    ).scalar_one_or_none()


def find_or_propose_organisation(name: str | None, region_code: str | None,
                                 kind: OrganisationKind = OrganisationKind.PATIENT_NGO) -> Organisation | None:
    """An existing organisation with this name (case-insensitive) in the region, or a new proposed one."""
    name = (name or "").strip()
    if not name:
        return None
    existing = db.session.execute(
        select(Organisation).where(func.lower(Organisation.name) == name.lower(),
                                   Organisation.region_code == (region_code or None))
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    organisation = Organisation(name=name, kind=kind, region_code=region_code or None, approved=False)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def sign_up(*, email: str, password: str, full_name: str, organisation_name: str | None,
            region_code: str | None, locale: str) -> User:
    """Public sign-up: validates the region, finds or proposes the organisation, one transaction."""
    if not is_region(region_code):
        raise ValidationFailed(_l("Choose a region from the list."), field="region")
    try:
        organisation = find_or_propose_organisation(organisation_name, region_code)
        user = build_user(email=email, password=password, full_name=full_name,
                          organisation_id=organisation.id if organisation else None,
                          region_code=region_code, locale=locale)
        if organisation is not None and not organisation.approved:
            organisation.proposed_by_id = user.id
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return user

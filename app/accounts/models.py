"""Users, roles, organisations, API and calendar tokens."""
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, func, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from app.extensions import db


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    ORGANISER = "organiser", _l("Organiser")
    CURATOR = "curator", _l("Curator")
    TRAINEE = "trainee", _l("Trainee")


class OrganisationKind(LabelledEnum):
    PATIENT_NGO = "patient_ngo", _l("Patient NGO")
    VOLUNTEER_BRANCH = "volunteer_branch", _l("Volunteer branch")
    MINISTRY = "ministry", _l("Ministry")
    UNIVERSITY = "university", _l("University")
    HOSPITAL = "hospital", _l("Hospital")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


def organisation_key(name: str | None) -> str:
    """What makes two organisation names the same: case folded in Python (never the database's
    collation, which on a `--no-locale` PostgreSQL cluster leaves Cyrillic unfolded) and spaces collapsed."""
    return " ".join((name or "").split()).casefold()


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        Index("uq_organisations_name_key_region", "name_key", "region_code", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # organisation_key(name), kept by the services; matched and made unique in Python's terms
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind)
    )
    region_code: Mapped[str | None] = mapped_column(String(10), index=True)
    approved: Mapped[bool] = mapped_column(default=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("name")
    def _keep_name_key(self, _key, name: str) -> str:
        self.name_key = organisation_key(name)
        return name

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        enum_column(Role, 16),
        primary_key=True,
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower(literal_column("email")), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    print_name: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(10), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    active: Mapped[bool] = mapped_column(default=True)
    # Made with the account (and for older accounts by migration 0003), never while showing /me.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=new_calendar_token)
    # Part of the id kept in the session cookie (Flask-Login's alternative id): bumping it (password
    # reset or change, account disabled) signs out every session made before.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the address was shown to be the person's. An account an organiser or administrator makes
    # (CLI, import, "add participant", demo) counts as verified when made; a public sign-up starts
    # unverified and may not register for events until its mailed link is used (double opt-in).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the person deleted their account or withdrew consent: the row stays, anonymised, so
    # counts in reports, attendance and certificates stay right; it can never sign in again.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id], lazy="joined")
    # Loaded on first use (navigation, permissions), not with every user: a request that never asks
    # (a registration POST) saves a query. Lists of users ask for them with selectinload.
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def name_on_certificate(self) -> str:
        return self.print_name or self.full_name

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class PasswordResetToken(db.Model):
    """A mailed single-use link to set a new password; only the token's SHA-256 is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")




class ConsentSource(LabelledEnum):
    # ticked on the sign-up form
    SIGN_UP = "sign_up", _l("Given at sign-up")
    # confirmed by the person on /me after someone else collected it
    CONFIRMED = "confirmed", _l("Confirmed by the person")
    # collected on paper or by mail by an organiser (import, account made for them)
    ORGANISER = "organiser", _l("Collected by the organiser")


class ConsentRecord(db.Model):
    """Consent to the processing of personal data (152-FZ, GDPR): which text version, when, how, who recorded it."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    source: Mapped[ConsentSource] = mapped_column(enum_column(ConsentSource, 16))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

"""A person's rights over their own data (GDPR art. 15, 17, 20; 152-FZ art. 9 and 14): download it,
delete the account, withdraw consent.

Deleting (or withdrawing consent, which also tells the organisers of the person's events) anonymises
the account instead of removing the row, so that what others rely on stays true:
- name → "Deleted user #<id>", email → a unique address under the reserved `.invalid` domain, no
  password, organisation link, printed name, feed or API tokens; every session ends; the account can
  never sign in or be enabled again;
- registrations for events that have not started are cancelled through the registrations service,
  so freed seats go to the waitlist; past registrations, check-ins, consultations and quotas stay,
  counted under the anonymous row (registration rows keep the region and organisation they were
  made with, and the user keeps the region code: a coarse statistic that reports break down by);
- answers to registration questions are deleted, except agreements to consent questions (the
  record that processing was lawful until now);
- certificates in force keep the holder's name as printed, because the holder may still show the
  PDF and /verify must confirm it; revoked and superseded ones show (and their signed credential
  carries) the anonymous name;
- consent records stay, marked withdrawn.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, inspect, select, update

from app import clock
from app.accounts import consent, mail
from app.accounts.models import ApiToken, Organisation, PasswordResetToken, Role, User, UserRole
from app.accounts.services import password_hasher
from app.certificates import issuance
from app.certificates.models import Certificate
from app.database import unit_of_work
from app.errors import ValidationFailed
from app.events.models import Event
from app.extensions import db
from app.programmes.models import programme_organisers
from app.quotas.models import Consultation, ConsultationQuota
from app.registrations import services as registrations
from app.registrations.models import Answer, CheckIn, QuestionKind, Registration

DELETED_DOMAIN = "deleted.invalid"  # RFC 2606: never routable, so no mail can reach anyone
SECRET_COLUMNS = {"password_hash", "calendar_token", "session_version", "token_hash"}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def _columns(row, skip=()) -> dict:
    """Every column of a row as JSON values, secrets left out."""
    return {attr.key: _plain(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs
            if attr.key not in SECRET_COLUMNS and attr.key not in skip}


def export_data(user: User) -> dict:
    """Everything Praktika holds about the person, as JSON-ready data. Reads only."""
    regs = db.session.execute(
        select(Registration).where(Registration.user_id == user.id).order_by(Registration.created_at, Registration.id)
    ).scalars().all()
    quotas = db.session.execute(
        select(ConsultationQuota).where(ConsultationQuota.user_id == user.id).order_by(ConsultationQuota.id)
    ).scalars().all()
    return {
        "exported_at": clock.now().isoformat(),
        "profile": {**_columns(user), "organisation": user.organisation.name if user.organisation else None,
                    "roles": sorted(role.value for role in user.roles)},
        "consents": [{**_columns(record, skip=("user_id",)),
                      "text": consent.CONSENT_TEXTS.get(record.version, {}).get(user.locale or "ru")}
                     for record in consent.consent_records(user)],
        "registrations": [{
            **_columns(r, skip=("user_id",)),
            "event": r.event.title,
            "history": [_columns(h, skip=("registration_id",)) for h in r.history],
            "answers": [{"question": a.question.label, "kind": a.question.kind.value, "value": a.value,
                         "answered_at": _plain(a.answered_at)} for a in r.answers],
            "check_ins": [{"session_id": c.session_id, "checked_in_at": _plain(c.checked_in_at)}
                          for c in db.session.execute(select(CheckIn).where(CheckIn.registration_id == r.id)
                                                      .order_by(CheckIn.checked_in_at)).scalars()],
        } for r in regs],
        "quotas": [{
            **_columns(q, skip=("user_id",)),
            "consultations": [_columns(c, skip=("quota_id",)) for c in db.session.execute(
                select(Consultation).where(Consultation.quota_id == q.id).order_by(Consultation.id)).scalars()],
        } for q in quotas],
        "certificates": [_columns(c, skip=("user_id",)) for c in db.session.execute(
            select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id)).scalars()],
        "api_tokens": [_columns(t, skip=("user_id",)) for t in db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).scalars()],
    }


def _check_password(user: User, password: str) -> None:
    try:
        password_hasher().verify(user.password_hash or "", password or "")
    except (VerificationError, InvalidHashError):
        raise ValidationFailed(_l("Wrong password."), field="password") from None


def _organisers_of_events(user: User) -> list[User]:
    """Who organises the events the person registered for: each event's creator and its programme's organisers."""
    event_ids = select(Registration.event_id).where(Registration.user_id == user.id)
    creators = select(Event.created_by_id).where(Event.id.in_(event_ids))
    programme_people = select(programme_organisers.c.user_id).where(
        programme_organisers.c.programme_id.in_(select(Event.programme_id).where(Event.id.in_(event_ids))))
    return list(db.session.execute(
        select(User).where(User.id.in_(creators.union(programme_people)), User.id != user.id,
                           User.active.is_(True)).order_by(User.id)
    ).scalars())


def _anonymise(user: User) -> None:
    """Inside the caller's unit of work: see the module's docstring for what changes and what stays."""
    now = clock.now()
    upcoming = db.session.execute(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id, Registration.is_live, Event.starts_at > now)
        .order_by(Registration.event_id)
    ).scalars().all()
    for registration in upcoming:
        registrations.cancel(registration, user)
    db.session.execute(delete(Answer).where(
        Answer.registration_id.in_(select(Registration.id).where(Registration.user_id == user.id)),
        ~Answer.question.has(kind=QuestionKind.CONSENT),
    ).execution_options(synchronize_session=False))
    consent.withdraw_all(user)
    anonymous_name = f"Deleted user #{user.id}"
    for certificate in db.session.execute(select(Certificate).where(  # superseded ones are revoked too
            Certificate.user_id == user.id, Certificate.revoked_at.is_not(None))).scalars():
        certificate.holder_name = anonymous_name
        certificate.credential_jwt = issuance.credential_for(certificate, certificate.event)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    db.session.execute(update(Organisation).where(Organisation.proposed_by_id == user.id)
                       .values(proposed_by_id=None).execution_options(synchronize_session=False))
    for row in list(user.role_rows):
        if row.role != Role.TRAINEE:
            user.role_rows.remove(row)
    if not user.role_rows:
        user.role_rows.append(UserRole(role=Role.TRAINEE))
    user.full_name = anonymous_name
    user.print_name = None
    user.email = f"deleted-{user.id}@{DELETED_DOMAIN}"
    user.password_hash = None
    user.organisation_id = None
    user.calendar_token = None
    user.active = False
    user.deleted_at = now
    user.session_version = (user.session_version or 1) + 1


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
        organisers = _organisers_of_events(user)
        for organiser in organisers:
            mail.queue("consent_withdrawn", organiser, person_name=user.full_name, person_email=user.email,
                       person_id=user.id)
        _anonymise(user)
    return len(organisers)

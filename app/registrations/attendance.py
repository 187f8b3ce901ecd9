"""Check-in per session and attendance (sessions checked in / sessions held)."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts.models import User
from app.database import unit_of_work
from app.errors import NotFound
from app.events.models import (
    EventStatus,
    Session,
)
from app.events.signals import members_present_wanted
from app.extensions import db
from app.registrations.models import (
    CheckIn,
    Registration,
)
from app.registrations.seats import lock_registration
from app.registrations.signals import participation_changed
from app.registrations.states import MESSAGES, RegistrationConflict, S

# --- check-in and attendance ----------------------------------------------------------------

@dataclass(frozen=True)
class CheckInOutcome:
    """A check-in asked for: the row that stands, and whether this call made it (False: it was there)."""

    entry: CheckIn
    created: bool


def check_in_opens_at(session: Session) -> datetime:
    """Check-in opens on the session's day: CHECKIN_OPEN_MARGIN_HOURS before it starts, for every kind of
    event. It stays open afterwards, so that attendance can be completed from the paper sheet."""
    return session.starts_at - timedelta(hours=current_app.config["CHECKIN_OPEN_MARGIN_HOURS"])


def check_in_is_open(session: Session) -> bool:
    return clock.now() >= check_in_opens_at(session)


def _check_in_row(registration_id: int, session_id: int) -> CheckIn | None:
    return db.session.execute(
        select(CheckIn).where(CheckIn.registration_id == registration_id, CheckIn.session_id == session_id)
    ).scalar_one_or_none()


def keyed_check_in(session_id: int, client_key: str) -> CheckIn | None:
    return db.session.execute(
        select(CheckIn).where(CheckIn.session_id == session_id, CheckIn.client_key == client_key)
    ).scalar_one_or_none()


def record_check_in(registration: Registration, session: Session, actor: User, *, at: datetime | None = None,
                    client_key: str | None = None, offline: bool = False) -> CheckInOutcome:
    """Mark a confirmed participant present at one session; a second tick or scan changes nothing and
    says so (`created` False: the first one stands, with its time and who made it).

    `at` is when it happened on the device (an offline tick sent later; never later than now) and must fall
    after check-in opened. Under the event lock, with the registration read afresh: a check-in racing a
    cancellation (of the registration or the event) cannot record attendance for it."""
    now = clock.now()
    at = min(at or now, now)
    if at < check_in_opens_at(session):
        raise RegistrationConflict(MESSAGES["checkin_not_open"], code="checkin_not_open")
    return _record(registration, session, actor, at, client_key, offline)


def _record(registration: Registration, session: Session, actor: User, at: datetime, client_key: str | None,
            offline: bool) -> CheckInOutcome:
    if session.event_id != registration.event_id:
        raise NotFound(MESSAGES["wrong_session"])
    try:
        with unit_of_work():
            event, registration = lock_registration(registration)
            if event.status == EventStatus.CANCELLED:
                raise RegistrationConflict(MESSAGES["event_cancelled"], code="event_cancelled")
            if registration.status != S.CONFIRMED:
                raise RegistrationConflict(MESSAGES["not_confirmed"], code="not_confirmed")
            existing = _check_in_row(registration.id, session.id)
            if existing is not None:
                return CheckInOutcome(existing, created=False)
            entry = CheckIn(registration_id=registration.id, session_id=session.id, checked_in_at=at,
                            checked_in_by_id=actor.id, client_key=client_key, offline=offline)
            db.session.add(entry)
            participation_changed.send(registration)
    except IntegrityError:  # the same tick from another device a moment earlier: that one stands
        entry = _check_in_row(registration.id, session.id) or keyed_check_in(session.id, client_key)
        return CheckInOutcome(entry, created=False)
    return CheckInOutcome(entry, created=True)


def check_in(registration: Registration, session: Session, actor: User) -> CheckIn:
    """Attendance written by demo data and fixtures, whatever the day; pages and phones go through
    record_check_in, which keeps the opening rule. Ticking twice changes nothing."""
    return _record(registration, session, actor, clock.now(), None, False).entry


def undo_check_in(registration: Registration, session: Session, actor: User) -> None:
    """Remove a check-in (a wrong tick); undoing one that is not there changes nothing."""
    if session.event_id != registration.event_id:
        raise NotFound(MESSAGES["wrong_session"])
    with unit_of_work():
        db.session.execute(delete(CheckIn).where(CheckIn.registration_id == registration.id,
                                                 CheckIn.session_id == session.id))
        participation_changed.send(registration)


def session_to_check_in(sessions: list[Session]) -> Session | None:
    """The meeting a check-in starts on: the one running or next to start today, else the next one,
    else the last one held (a group with ten meetings opens on today's, not on a list of tabs)."""
    live = [s for s in sessions if s.cancelled_at is None] or list(sessions)
    now = clock.now()
    upcoming = [s for s in live if s.ends_at >= now]
    if upcoming:
        return min(upcoming, key=lambda s: s.starts_at)
    return max(live, key=lambda s: s.starts_at) if live else None


def check_ins_of(session: Session) -> dict[int, CheckIn]:
    """One session's check-ins by registration id, with who made each."""
    rows = db.session.execute(select(CheckIn).where(CheckIn.session_id == session.id)
                              .options(selectinload(CheckIn.checked_in_by))).scalars()
    return {row.registration_id: row for row in rows}


def checked_in_ids(session: Session) -> set[int]:
    """Registration ids checked in at one session."""
    return set(db.session.execute(select(CheckIn.registration_id).where(CheckIn.session_id == session.id)).scalars())


@dataclass(frozen=True)
class Attendance:
    attended: int
    held: int

    @property
    def percent(self) -> int | None:
        """Sessions checked in / sessions held, rounded; None before the first session."""
        return round(100 * self.attended / self.held) if self.held else None


def held_sessions(event_id: int) -> list[Session]:
    return db.session.execute(
        select(Session).where(Session.event_id == event_id, Session.starts_at <= clock.now(),
                              Session.cancelled_at.is_(None))
        .order_by(Session.starts_at)
    ).scalars().all()


def attendance_for(registrations: list[Registration]) -> dict[int, Attendance]:
    """Attendance per registration id, for registrations of any events, in two queries."""
    if not registrations:
        return {}
    event_ids = {r.event_id for r in registrations}
    held = db.session.execute(
        select(Session.id, Session.event_id).where(Session.event_id.in_(event_ids), Session.starts_at <= clock.now(),
                                                   Session.cancelled_at.is_(None))
    ).all()
    held_ids = {session_id for session_id, _event in held}
    held_per_event: dict[int, int] = {}
    for _session, event_id in held:
        held_per_event[event_id] = held_per_event.get(event_id, 0) + 1
    attended = dict(db.session.execute(
        select(CheckIn.registration_id, func.count(CheckIn.id))
        .where(CheckIn.registration_id.in_([r.id for r in registrations]), CheckIn.session_id.in_(held_ids or {0}))
        .group_by(CheckIn.registration_id)
    ).all())
    return {r.id: Attendance(attended.get(r.id, 0), held_per_event.get(r.event_id, 0)) for r in registrations}


@members_present_wanted.connect
def members_present(event) -> dict[int, int]:
    """Members checked in per session of one event (the group page's attendance), in one query."""
    return dict(db.session.execute(
        select(CheckIn.session_id, func.count(CheckIn.id)).join(Session, Session.id == CheckIn.session_id)
        .where(Session.event_id == event.id).group_by(CheckIn.session_id)
    ).all())


def attendance(registration: Registration) -> Attendance:
    return attendance_for([registration])[registration.id]



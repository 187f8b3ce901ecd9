"""Check-in per session and attendance (sessions checked in / sessions held)."""
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

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

def check_in(registration: Registration, session: Session, actor: User) -> CheckIn:
    """Mark a confirmed participant present at one session; ticking twice changes nothing.

    Under the event lock, with the registration read afresh: a check-in racing a cancellation (of
    the registration or the event) cannot record attendance for it."""
    if session.event_id != registration.event_id:
        raise NotFound(MESSAGES["wrong_session"])
    try:
        with unit_of_work():
            event, registration = lock_registration(registration)
            if event.status == EventStatus.CANCELLED:
                raise RegistrationConflict(MESSAGES["event_cancelled"], code="event_cancelled")
            if registration.status != S.CONFIRMED:
                raise RegistrationConflict(MESSAGES["not_confirmed"], code="not_confirmed")
            existing = db.session.execute(
                select(CheckIn).where(CheckIn.registration_id == registration.id, CheckIn.session_id == session.id)
            ).scalar_one_or_none()
            if existing is not None:
                return existing
            entry = CheckIn(registration_id=registration.id, session_id=session.id, checked_in_at=clock.now(),
                            checked_in_by_id=actor.id)
            db.session.add(entry)
            participation_changed.send(registration)
    except IntegrityError:  # the same tick from another device a moment earlier: that one stands
        return db.session.execute(
            select(CheckIn).where(CheckIn.registration_id == registration.id, CheckIn.session_id == session.id)
        ).scalar_one()
    return entry


def undo_check_in(registration: Registration, session: Session, actor: User) -> None:
    """Remove a check-in (a wrong tick); undoing one that is not there changes nothing."""
    if session.event_id != registration.event_id:
        raise NotFound(MESSAGES["wrong_session"])
    with unit_of_work():
        db.session.execute(delete(CheckIn).where(CheckIn.registration_id == registration.id,
                                                 CheckIn.session_id == session.id))
        participation_changed.send(registration)


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



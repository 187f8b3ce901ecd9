"""Registration rules: capacity without overbooking, approval rules, waitlist and offers, check-in.

Every public function that changes state is one transaction with one shape (DESIGN §4, STYLE 5):
lock the event row, settle it (expire stale offers, offer free seats to the waitlist), count,
decide, write; `_unit()` commits. Mail is written to the outbox in the same transaction and
delivered by the worker after the commit (app/registrations/tasks.py re-checks that it is still true).

Decisions worth knowing:
- Seats taken = confirmed + offered (`Registration.takes_seat`); capacity None means unlimited.
- Approval rules ("at most N per region / per organisation") count confirmed, offered and
  waitlisted registrations (`RULE_COUNTED`): everyone already let in or queued for a seat.
  Pending applications are not counted, so several applicants from one region can wait for the
  organiser's choice; the rule is checked at registration and again at approval, both under the
  event lock, so two approvals can never exceed it.
- An approved applicant takes a free seat, or joins the end of the waitlist (queued now).
- The waitlist is FIFO by (queued_at, id). Only `waitlisted` rows are ever offered a seat, so a
  cancelled, confirmed, rejected or expired person is never offered again. Re-registering after
  a cancellation or an expired offer reuses the row (unique event × user) with a new queue time.
- Declining an offer is a cancellation (note "declined offer") and passes the seat on.
"""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, delete, func, or_, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from app import clock
from app.accounts.models import User
from app.database import lock_row, unit_of_work
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.models import (
    Event,
    EventKind,
    EventStatus,
    Session,
    TeamRole,
    TripTeamRole,
)
from app.events.signals import event_changed
from app.extensions import db
from app.outbox import services as outbox
from app.registrations.models import (
    RULE_COUNTED,
    CheckIn,
    Registration,
    RegistrationHistory,
    RegistrationStatus,
)
from app.registrations.signals import participation_changed

S = RegistrationStatus

# The state machine: which status may follow which. None is "no registration yet".
# Re-registration after a cancellation or an expired offer starts again like a new one.
_START = frozenset({S.PENDING, S.CONFIRMED, S.WAITLISTED})
ALLOWED_TRANSITIONS: dict[RegistrationStatus | None, frozenset[RegistrationStatus]] = {
    None: _START,
    S.CANCELLED: _START,
    S.EXPIRED: _START,
    S.PENDING: frozenset({S.CONFIRMED, S.WAITLISTED, S.REJECTED, S.CANCELLED}),
    S.WAITLISTED: frozenset({S.OFFERED, S.REJECTED, S.CANCELLED}),
    S.OFFERED: frozenset({S.CONFIRMED, S.EXPIRED, S.REJECTED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.REJECTED, S.CANCELLED}),
    S.REJECTED: frozenset(),
}

# Changes of these event fields move the event in time or space: registrants are told.
TIME_PLACE_FIELDS = frozenset({
    "sessions", "starts_at", "ends_at", "timezone", "venue", "address", "is_online", "online_url",
    "trip", "settlement", "departure_point", "departure_at",
})

TICKET_SALT = "praktika.registrations.ticket"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class RegistrationConflict(Conflict):
    code = "registration"


MESSAGES = {
    "not_open": _l("This event is not open for registration."),
    "not_yet": _l("Registration for this event has not opened yet."),
    "closed": _l("Registration for this event is closed."),
    "already": _l("You are already registered for this event."),
    "rejected_before": _l("Your application for this event was declined; you cannot apply again."),
    "role_required": _l("Choose your role in the team."),
    "role_unknown": _l("This trip does not need that role."),
    "role_full": _l("There are no places left for this role."),
    "not_offered": _l("There is no seat offered to you for this event."),
    "offer_expired": _l("Your offer has expired; the seat went to the next person on the waitlist."),
    "not_pending": _l("Only applications awaiting approval can be approved."),
    "reason_required": _l("Give a reason: it is sent to the applicant."),
    "not_confirmed": _l("Only confirmed participants can be checked in."),
    "wrong_session": _l("This session belongs to another event."),
    "bad_ticket": _l("This ticket is not valid for this event."),
    "not_live": _l("This registration is no longer active."),
}


# --- the state machine ----------------------------------------------------------------

def check_transition(from_status: RegistrationStatus | None, to_status: RegistrationStatus) -> None:
    """Raise IllegalTransition unless the table allows from_status → to_status."""
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        if from_status is None:
            message = _l("A registration cannot start as “%(to)s”.", to=to_status.label)
        else:
            message = _l("A registration cannot go from “%(from_)s” to “%(to)s”.",
                         from_=from_status.label, to=to_status.label)
        raise IllegalTransition(message)


def _move(registration: Registration, to_status: RegistrationStatus, actor_id: int | None, note: str = "") -> None:
    from_status = registration.status
    check_transition(from_status, to_status)
    registration.status = to_status
    registration.history.append(RegistrationHistory(from_status=from_status, to_status=to_status,
                                                    actor_id=actor_id, note=note, changed_at=clock.now()))
    if to_status == S.CONFIRMED:
        participation_changed.send(registration)


# --- the unit of work and the mail it causes ---------------------------------------------

MAIL_TOPIC = "registrations.mail"


@contextmanager
def _unit():
    """The registrations' unit of work: a lost race on the unique (event, user) row reads as "already"."""
    try:
        with unit_of_work() as unit:
            yield unit
    except IntegrityError as exc:
        raise RegistrationConflict(MESSAGES["already"], code="already") from exc


def _announce(kind: str, registration: Registration, **extra) -> None:
    """Mail the registrant about `kind` after the commit; the handler re-checks that it is still true."""
    outbox.emit(MAIL_TOPIC, kind=kind, registration_id=registration.id, extra=extra,
                summary=f"{kind} #{registration.id}")


# --- counting ------------------------------------------------------------------------

def seats_taken(event_ids: list[int]) -> dict[int, int]:
    """Seats taken (confirmed + offered) per event, in one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, func.count(Registration.id))
        .where(Registration.event_id.in_(event_ids), Registration.takes_seat)
        .group_by(Registration.event_id)
    ).all()
    return {event_id: count for event_id, count in rows}


def free_seats_by_event(events: list[Event]) -> dict[int, int | None]:
    """Seats still free per event (None = no capacity limit), counted in one query."""
    taken = seats_taken([e.id for e in events if e.capacity is not None])
    return {e.id: None if e.capacity is None else max(e.capacity - taken.get(e.id, 0), 0) for e in events}


def free_seats(event: Event) -> int | None:
    """Seats still free, or None when the event has no capacity limit."""
    return free_seats_by_event([event])[event.id]


def role_places(event: Event) -> dict[TeamRole, int]:
    """Places left per team role of a trip: needed minus confirmed and offered with that role."""
    taken = dict(db.session.execute(
        select(Registration.team_role, func.count(Registration.id))
        .where(Registration.event_id == event.id, Registration.takes_seat, Registration.team_role.is_not(None))
        .group_by(Registration.team_role)
    ).all())
    roles = db.session.execute(select(TripTeamRole).where(TripTeamRole.event_id == event.id)).scalars()
    return {r.role: max(r.needed - taken.get(r.role, 0), 0) for r in roles}


def rule_counts(event: Event) -> tuple[dict[str, int], dict[int, int]]:
    """Registrations counted by the approval rules, per region and per organisation."""
    counted = (Registration.event_id == event.id, Registration.status.in_(RULE_COUNTED))
    by_region = dict(db.session.execute(
        select(Registration.region_code, func.count(Registration.id))
        .where(*counted, Registration.region_code.is_not(None)).group_by(Registration.region_code)
    ).all())
    by_organisation = dict(db.session.execute(
        select(Registration.organisation_id, func.count(Registration.id))
        .where(*counted, Registration.organisation_id.is_not(None)).group_by(Registration.organisation_id)
    ).all())
    return by_region, by_organisation


def _check_rules(event: Event, region_code: str | None, organisation_id: int | None, field_name: str | None) -> None:
    if event.max_per_region is None and event.max_per_organisation is None:
        return
    by_region, by_organisation = rule_counts(event)
    if event.max_per_region is not None and region_code:
        count = by_region.get(region_code, 0)
        if count >= event.max_per_region:
            from app.accounts.regions import region_name

            raise RegistrationConflict(
                _l("The region %(region)s already has %(count)d of %(limit)d places at this event.",
                   region=region_name(region_code), count=count, limit=event.max_per_region),
                field=field_name, code="region_full")
    if event.max_per_organisation is not None and organisation_id:
        count = by_organisation.get(organisation_id, 0)
        if count >= event.max_per_organisation:
            raise RegistrationConflict(
                _l("Your organisation already has %(count)d of %(limit)d places at this event.",
                   count=count, limit=event.max_per_organisation),
                field=field_name, code="organisation_full")


def waitlist_position(registration: Registration) -> int | None:
    """1-based place in the FIFO queue, or None when not waitlisted."""
    if registration.status != S.WAITLISTED:
        return None
    ahead = db.session.execute(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == S.WAITLISTED,
            or_(Registration.queued_at < registration.queued_at,
                and_(Registration.queued_at == registration.queued_at, Registration.id < registration.id)),
        )
    ).scalar_one()
    return ahead + 1


# --- locking and settling -------------------------------------------------------------

def _lock_event(event_id: int) -> Event:
    event = lock_row(Event, event_id)
    if event is None:
        raise NotFound()
    return event


def _lock_registration(registration: Registration) -> tuple[Event, Registration]:
    """Lock the registration's event, then re-read the registration under that lock."""
    event = _lock_event(registration.event_id)
    fresh = db.session.get(Registration, registration.id, populate_existing=True)
    if fresh is None:
        raise NotFound()
    return event, fresh


def _offer_deadline(event: Event, now: datetime) -> datetime:
    deadline = now + timedelta(hours=event.offer_hours)
    if event.starts_at is not None and now < event.starts_at < deadline:
        return event.starts_at
    return deadline


def _event_counts(event_id: int, now: datetime, user_id: int | None = None) -> tuple[int, int, int, int | None]:
    """(seats taken, offers past their deadline, people waiting, id of `user_id`'s registration)
    of one event, in one query: the locked part of a registration stays short."""
    row = db.session.execute(
        select(
            func.count(Registration.id).filter(Registration.takes_seat),
            func.count(Registration.id).filter(Registration.status == S.OFFERED,
                                               Registration.offer_expires_at <= now),
            func.count(Registration.id).filter(Registration.status == S.WAITLISTED),
            func.max(Registration.id).filter(Registration.user_id == user_id),
        ).where(Registration.event_id == event_id)
    ).one()
    return row[0], row[1], row[2], row[3]


class Settled(NamedTuple):
    free: int | None  # seats still free (None: unlimited)
    own_id: int | None  # the asking user's registration, if any
    expired: int  # offers that ran out just now


def _settle(event: Event, user_id: int | None = None) -> Settled:
    """Expire stale offers, then offer free seats to the waitlist in FIFO order.

    Runs under the event lock at the start of every registration transaction ("on touch") and from
    the periodic job, so a stopped worker never leaves a seat stuck. One aggregate query when there
    is nothing to do.
    """
    now = clock.now()
    taken, stale_count, waiting, own_id = _event_counts(event.id, now, user_id)
    stale = []
    if stale_count:
        stale = db.session.execute(
            select(Registration).where(Registration.event_id == event.id, Registration.status == S.OFFERED,
                                       Registration.offer_expires_at <= now)
            .order_by(Registration.offer_expires_at, Registration.id)
        ).scalars().all()
        for registration in stale:
            _move(registration, S.EXPIRED, None, note="offer expired")
            _announce("offer_expired", registration)
        db.session.flush()
        taken -= len(stale)
    free = None if event.capacity is None else max(event.capacity - taken, 0)
    if waiting and free != 0:
        free = _promote(event, now, free)
    return Settled(free, own_id, len(stale))


_UNKNOWN = object()


def _promote(event: Event, now: datetime, free=_UNKNOWN) -> int | None:
    """Offer free seats to waitlisted people, oldest first (confirm at once when capacity is unlimited)."""
    if free is _UNKNOWN:
        free = free_seats(event)
    if free == 0 or event.status != EventStatus.PUBLISHED:
        return free
    queue = select(Registration).where(Registration.event_id == event.id, Registration.status == S.WAITLISTED) \
        .order_by(Registration.queued_at, Registration.id)
    if free is None:
        candidates = db.session.execute(queue).scalars().all()
    else:
        candidates = db.session.execute(queue.limit(free + 50)).scalars().all()
    if not candidates:
        return free
    places = role_places(event) if event.kind == EventKind.OUTREACH_TRIP else {}
    for registration in candidates:
        if free is not None and free == 0:
            break
        if registration.team_role is not None and places.get(registration.team_role, 0) <= 0:
            continue
        if free is None:
            _move(registration, S.CONFIRMED, None, note="capacity allows")
            _announce("confirmed", registration)
        else:
            _move(registration, S.OFFERED, None)
            registration.offered_at = now
            registration.offer_expires_at = _offer_deadline(event, now)
            _announce("offered", registration)
            free -= 1
        if registration.team_role is not None:
            places[registration.team_role] -= 1
    db.session.flush()
    return free


def _check_open(event: Event, now: datetime) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationConflict(MESSAGES["not_open"], code="not_open")
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        raise RegistrationConflict(MESSAGES["not_yet"], code="not_yet")
    closes = event.registration_closes_at or event.starts_at
    if closes is not None and now >= closes:
        raise RegistrationConflict(MESSAGES["closed"], code="closed")


def closed_reason(event: Event):
    """Why registration is not possible now, or None when it is open."""
    try:
        _check_open(event, clock.now())
    except RegistrationConflict as error:
        return error.message
    return None


def _check_role(event: Event, team_role) -> TeamRole | None:
    """Trips with team roles need a role that still has places; other events take none."""
    if event.kind != EventKind.OUTREACH_TRIP:
        return None
    places = role_places(event)
    if not places:
        return None
    if not team_role:
        raise ValidationFailed(MESSAGES["role_required"], field="role")
    try:
        role = TeamRole(team_role)
    except ValueError:
        raise ValidationFailed(MESSAGES["role_unknown"], field="role") from None
    if role not in places:
        raise ValidationFailed(MESSAGES["role_unknown"], field="role")
    if places[role] <= 0:
        raise RegistrationConflict(MESSAGES["role_full"], field="role", code="role_full")
    return role


# --- the trainee's actions --------------------------------------------------------------

def join_link_for(registration: Registration | None) -> str | None:
    """The webinar link a registrant may see: only a confirmed one (DESIGN §3). Page, mail and feed ask here."""
    if registration is not None and registration.status == S.CONFIRMED:
        return registration.event.online_url or None
    return None


def blocks_registering(registration: Registration | None) -> bool:
    """A live registration, or a rejection, stands in the way of registering (again)."""
    return registration is not None and (registration.is_live or registration.status == S.REJECTED)


def register(event_id: int, user: User, team_role=None) -> Registration:
    """Register `user`: confirmed, pending approval, or waitlisted — decided under the event lock."""
    user_id, region_code, organisation_id = user.id, user.region_code, user.organisation_id
    with _unit():
        now = clock.now()
        event = _lock_event(event_id)
        free, own_id, _expired = _settle(event, user_id)
        _check_open(event, now)
        registration = db.session.get(Registration, own_id, populate_existing=True) if own_id else None
        if registration is not None and registration.status == S.REJECTED:
            raise RegistrationConflict(MESSAGES["rejected_before"], code="rejected_before")
        if registration is not None and registration.is_live:
            raise RegistrationConflict(MESSAGES["already"], code="already")
        role = _check_role(event, team_role)
        _check_rules(event, region_code, organisation_id, None)
        if registration is None:
            registration = Registration(event_id=event.id, user_id=user_id, created_at=now)
            db.session.add(registration)
        registration.team_role = role
        registration.region_code = region_code
        registration.organisation_id = organisation_id
        registration.queued_at = now
        registration.offered_at = registration.offer_expires_at = None
        registration.decided_at = registration.decided_by_id = registration.reminder_sent_at = None
        registration.decision_reason = ""
        if event.requires_approval:
            _move(registration, S.PENDING, user_id)
            kind = "pending"
        elif free is None or free > 0:
            _move(registration, S.CONFIRMED, user_id)
            kind = "confirmed"
        else:
            _move(registration, S.WAITLISTED, user_id)
            kind = "waitlisted"
        db.session.flush()
        _announce(kind, registration)
    return registration


def cancel(registration: Registration, actor: User) -> Registration:
    """Cancel a live registration (the registrant, or the organiser); a freed seat goes on at once."""
    with _unit():
        event, registration = _lock_registration(registration)
        _settle(event)
        if not registration.is_live:
            raise RegistrationConflict(MESSAGES["not_live"], code="not_live")
        note = "" if actor.id == registration.user_id else "cancelled by organiser"
        _move(registration, S.CANCELLED, actor.id, note=note)
        registration.offered_at = registration.offer_expires_at = None
        db.session.flush()
        _promote(event, clock.now())
        if actor.id != registration.user_id:
            _announce("cancelled_by_organiser", registration)
    return registration


leave_waitlist = cancel


def accept_offer(registration: Registration, actor: User) -> Registration:
    """Take the offered seat; an offer that ran out is expired (and that committed) before saying no."""
    refusal = None
    with _unit():
        event, registration = _lock_registration(registration)
        _settle(event)
        if registration.status != S.OFFERED:
            refusal = "offer_expired" if registration.status == S.EXPIRED else "not_offered"
        else:
            _move(registration, S.CONFIRMED, actor.id, note="accepted offer")
            registration.offer_expires_at = None
            _announce("confirmed", registration)
    if refusal:
        raise RegistrationConflict(MESSAGES[refusal], code=refusal)
    return registration


def decline_offer(registration: Registration, actor: User) -> Registration:
    """Give the offered seat back: it goes to the next person on the waitlist."""
    offered = True
    with _unit():
        event, registration = _lock_registration(registration)
        _settle(event)
        offered = registration.status == S.OFFERED
        if offered:
            _move(registration, S.CANCELLED, actor.id, note="declined offer")
            registration.offer_expires_at = None
            db.session.flush()
            _promote(event, clock.now())
    if not offered:
        raise RegistrationConflict(MESSAGES["not_offered"], code="not_offered")
    return registration


# --- the organiser's decisions ------------------------------------------------------------

def approve(registration: Registration, actor: User) -> Registration:
    """Approve a pending application: a free seat if there is one, else the end of the waitlist."""
    with _unit():
        event, registration = _lock_registration(registration)
        free, _own, _expired = _settle(event)
        if registration.status != S.PENDING:
            raise RegistrationConflict(MESSAGES["not_pending"], code="not_pending")
        _check_rules(event, registration.region_code, registration.organisation_id, None)
        if registration.team_role is not None and role_places(event).get(registration.team_role, 0) <= 0:
            raise RegistrationConflict(MESSAGES["role_full"], code="role_full")
        now = clock.now()
        registration.decided_at = now
        registration.decided_by_id = actor.id
        if free is None or free > 0:
            _move(registration, S.CONFIRMED, actor.id, note="approved")
            _announce("confirmed", registration, approved=True)
        else:
            _move(registration, S.WAITLISTED, actor.id, note="approved")
            registration.queued_at = now
            db.session.flush()
            _announce("waitlisted", registration, approved=True)
    return registration


def reject(registration: Registration, actor: User, reason: str) -> Registration:
    """Reject an application (or remove a participant) with a reason that is mailed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MESSAGES["reason_required"], field="reason")
    with _unit():
        event, registration = _lock_registration(registration)
        _settle(event)
        freed = registration.takes_seat
        _move(registration, S.REJECTED, actor.id, note=reason)
        registration.decided_at = clock.now()
        registration.decided_by_id = actor.id
        registration.decision_reason = reason
        registration.offer_expires_at = None
        db.session.flush()
        if freed:
            _promote(event, clock.now())
        _announce("rejected", registration)
    return registration


def expire_offers(event_id: int | None = None) -> int:
    """Expire offers past their deadline and pass the seats on; safe to run twice (periodic job).

    Each event is its own unit of work, so one event's trouble never holds back the others.
    """
    if event_id is None:
        with _unit():
            event_ids = db.session.execute(
                select(Registration.event_id).where(Registration.status == S.OFFERED,
                                                    Registration.offer_expires_at <= clock.now()).distinct()
            ).scalars().all()
    else:
        event_ids = [event_id]
    expired = 0
    for one_id in event_ids:
        with _unit():
            event = _lock_event(one_id)
            expired += _settle(event).expired
    return expired


@event_changed.connect
def _on_event_change(event: Event, *, moved: bool, cancelled: bool, **_details) -> None:
    """Inside the events area's unit of work: the change and its consequences commit together.

    Capacity raised → the waitlist gets offers. Time or place moved → every live registrant is
    mailed the new details and .ics. Event cancelled → everyone registered is told.
    """
    locked = _lock_event(event.id)
    _settle(locked)
    if cancelled or moved:
        live = db.session.execute(
            select(Registration).where(Registration.event_id == locked.id, Registration.is_live)
            .order_by(Registration.id)
        ).scalars().all()
        for registration in live:
            _announce("event_cancelled" if cancelled else "event_changed", registration)


# --- check-in and attendance ----------------------------------------------------------------

def check_in(registration: Registration, session: Session, actor: User) -> CheckIn:
    """Mark a confirmed participant present at one session; ticking twice changes nothing."""
    if session.event_id != registration.event_id:
        raise NotFound(MESSAGES["wrong_session"])
    if registration.status != S.CONFIRMED:
        raise RegistrationConflict(MESSAGES["not_confirmed"], code="not_confirmed")
    existing = db.session.execute(
        select(CheckIn).where(CheckIn.registration_id == registration.id, CheckIn.session_id == session.id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    try:
        with unit_of_work():
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
        select(Session).where(Session.event_id == event_id, Session.starts_at <= clock.now())
        .order_by(Session.starts_at)
    ).scalars().all()


def attendance_for(registrations: list[Registration]) -> dict[int, Attendance]:
    """Attendance per registration id, for registrations of any events, in two queries."""
    if not registrations:
        return {}
    event_ids = {r.event_id for r in registrations}
    held = db.session.execute(
        select(Session.id, Session.event_id).where(Session.event_id.in_(event_ids), Session.starts_at <= clock.now())
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


def attendance(registration: Registration) -> Attendance:
    return attendance_for([registration])[registration.id]


# --- lists for organisers and trainees -------------------------------------------------------

@dataclass
class ParticipantList:
    rows: list[Registration]
    attendance: dict[int, Attendance]
    by_status: dict[RegistrationStatus, int]
    by_region: dict[str, int]
    positions: dict[int, int]


def participants(event: Event, filters: dict | None = None) -> ParticipantList:
    """The event's registrations, filtered by status / region / organisation, with counts."""
    filters = filters or {}
    query = select(Registration).where(Registration.event_id == event.id) \
        .options(selectinload(Registration.user), selectinload(Registration.organisation)) \
        .join(User, User.id == Registration.user_id).order_by(User.full_name, Registration.id)
    if filters.get("status"):
        query = query.where(Registration.status == S(filters["status"]))
    if filters.get("region"):
        query = query.where(Registration.region_code == filters["region"])
    if filters.get("organisation"):
        query = query.where(Registration.organisation_id == int(filters["organisation"]))
    if filters.get("q"):
        query = query.where(func.lower(User.full_name).contains(filters["q"].strip().lower()))
    rows = db.session.execute(query).scalars().all()
    by_status = dict(db.session.execute(
        select(Registration.status, func.count(Registration.id)).where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all())
    by_region = dict(db.session.execute(
        select(Registration.region_code, func.count(Registration.id))
        .where(Registration.event_id == event.id, Registration.is_live)
        .group_by(Registration.region_code).order_by(Registration.region_code)
    ).all())
    return ParticipantList(rows=rows, attendance=attendance_for(rows), by_status=by_status,
                           by_region={k or "": v for k, v in by_region.items()}, positions=waitlist_positions(event))


def waitlist_positions(event: Event) -> dict[int, int]:
    ids = db.session.execute(
        select(Registration.id).where(Registration.event_id == event.id, Registration.status == S.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id)
    ).scalars().all()
    return {registration_id: n for n, registration_id in enumerate(ids, start=1)}


@dataclass
class QueueEntry:
    registration: Registration
    region_count: int
    organisation_count: int


def approval_queue(event: Event) -> list[QueueEntry]:
    """Pending applications, oldest first, each with the rule counts of its region and organisation."""
    pending = db.session.execute(
        select(Registration).where(Registration.event_id == event.id, Registration.status == S.PENDING)
        .options(selectinload(Registration.user), selectinload(Registration.organisation))
        .order_by(Registration.queued_at, Registration.id)
    ).scalars().all()
    by_region, by_organisation = rule_counts(event)
    return [QueueEntry(r, by_region.get(r.region_code, 0), by_organisation.get(r.organisation_id, 0)) for r in pending]


def registration_of(event: Event, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    ).scalar_one_or_none()


def registration_in_event(event: Event, registration_id: int) -> Registration:
    """Load a registration through its event: an id from another event is a 404."""
    registration = db.session.execute(
        select(Registration).where(Registration.id == registration_id, Registration.event_id == event.id)
    ).scalar_one_or_none()
    if registration is None:
        raise NotFound()
    return registration


def session_in_event(event: Event, session_id: int) -> Session:
    session = db.session.execute(
        select(Session).where(Session.id == session_id, Session.event_id == event.id)
    ).scalar_one_or_none()
    if session is None:
        raise NotFound()
    return session


@dataclass
class MyRegistration:
    registration: Registration
    position: int | None
    next_session: Session | None


def waitlist_positions_of(registrations: list[Registration]) -> dict[int, int]:
    """Queue positions of several waitlisted registrations (of any events) in one query."""
    ids = [r.id for r in registrations if r.status == S.WAITLISTED]
    if not ids:
        return {}
    mine, other = aliased(Registration), aliased(Registration)
    rows = db.session.execute(
        select(mine.id, func.count(other.id)).join(other, and_(
            other.event_id == mine.event_id, other.status == S.WAITLISTED,
            or_(other.queued_at < mine.queued_at, and_(other.queued_at == mine.queued_at, other.id <= mine.id)),
        )).where(mine.id.in_(ids)).group_by(mine.id)
    ).all()
    return dict(rows)


def my_registrations(user: User) -> list[MyRegistration]:
    """The user's registrations, newest first, with queue position and next session (three queries)."""
    rows = db.session.execute(
        select(Registration).where(Registration.user_id == user.id)
        .options(selectinload(Registration.event).selectinload(Event.sessions))
        .order_by(Registration.queued_at.desc(), Registration.id.desc())
    ).scalars().all()
    positions = waitlist_positions_of(rows)
    now = clock.now()
    result = []
    for registration in rows:
        upcoming = [s for s in registration.event.sessions if s.ends_at > now]
        result.append(MyRegistration(registration, positions.get(registration.id), upcoming[0] if upcoming else None))
    return result


# --- tickets -------------------------------------------------------------------------------

def _ticket_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TICKET_SALT)


def ticket_token(registration: Registration) -> str:
    """A signed token naming the registration and its event (shown as a QR code)."""
    return _ticket_serializer().dumps([registration.event_id, registration.id])


def registration_for_ticket(event: Event, token: str) -> Registration:
    """Resolve a scanned ticket for this event, or raise a field error on `token`."""
    try:
        event_id, registration_id = _ticket_serializer().loads((token or "").strip())
    except (BadSignature, ValueError, TypeError):
        raise ValidationFailed(MESSAGES["bad_ticket"], field="token") from None
    if event_id != event.id:
        raise ValidationFailed(MESSAGES["bad_ticket"], field="token")
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise ValidationFailed(MESSAGES["bad_ticket"], field="token")
    return registration


# --- reminders ------------------------------------------------------------------------------

def send_reminders() -> int:
    """Mail confirmed participants the day before the first session; each one once (idempotent).

    The claim is a conditional UPDATE (reminder_sent_at IS NULL) in the same unit of work as the
    mail's outbox row, so two runs at once never send twice and a claimed reminder is never lost.
    """
    now = clock.now()
    with _unit():
        candidates = db.session.execute(
        select(Registration.id).join(Event, Event.id == Registration.event_id).where(
            Registration.status == S.CONFIRMED, Registration.reminder_sent_at.is_(None),
            Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=1),
        )
        ).scalars().all()
    sent = 0
    for registration_id in candidates:
        with _unit():
            claimed = db.session.execute(
                update(Registration).where(Registration.id == registration_id,
                                           Registration.reminder_sent_at.is_(None),
                                           Registration.status == S.CONFIRMED)
                .values(reminder_sent_at=now).execution_options(synchronize_session=False)
            ).rowcount
            if claimed:
                outbox.emit(MAIL_TOPIC, kind="reminder", registration_id=registration_id, extra={},
                            summary=f"reminder #{registration_id}")
                sent += 1
    return sent


# --- the personal calendar feed (read by app.calendar) -----------------------------------------

CALENDAR_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def live_registrations_for_user(user: User, ended_after: datetime) -> list[Registration]:
    """Pending, confirmed, waitlisted and offered registrations of public events not over before `ended_after`."""
    return list(db.session.execute(
        select(Registration).join(Event, Event.id == Registration.event_id).where(
            Registration.user_id == user.id, Registration.is_live,
            Event.status.in_(CALENDAR_EVENT_STATUSES), Event.ends_at >= ended_after,
        )
        .options(selectinload(Registration.event).selectinload(Event.sessions),
                 selectinload(Registration.event).selectinload(Event.trip))
        .order_by(Event.starts_at, Registration.id)
    ).scalars())


@dataclass(frozen=True)
class CalendarState:
    """Cheap aggregates that change whenever the user's feed entries change (its cache validator)."""

    registrations: int
    registration_id_sum: int
    event_sequence_sum: int
    last_registration_change: datetime | None
    last_event_change: datetime | None
    last_dropped_end: datetime | None

    def __iter__(self):
        return iter((self.registrations, self.registration_id_sum, self.event_sequence_sum,
                     self.last_registration_change, self.last_event_change, self.last_dropped_end))


def registration_changes_for_user(user: User, ended_after: datetime) -> CalendarState:
    """One aggregate query over what live_registrations_for_user() would return, plus the last drop-out."""
    shown = (Registration.user_id == user.id, Registration.is_live, Event.status.in_(CALENDAR_EVENT_STATUSES))
    dropped = select(func.max(Event.ends_at)).join(Registration, Registration.event_id == Event.id) \
        .where(*shown, Event.ends_at < ended_after).scalar_subquery()
    # Over all the user's registrations: a cancelled one leaves the feed, and that is a change too.
    any_change = select(func.max(Registration.updated_at)).where(Registration.user_id == user.id).scalar_subquery()
    row = db.session.execute(
        select(func.count(Registration.id), func.coalesce(func.sum(Registration.id), 0),
               func.coalesce(func.sum(Event.sequence), 0), type_coerce(any_change, Registration.updated_at.type),
               func.max(Event.updated_at), type_coerce(dropped, Event.ends_at.type))
        .join(Event, Event.id == Registration.event_id)
        .where(*shown, Event.ends_at >= ended_after)
    ).one()
    return CalendarState(row[0], int(row[1]), int(row[2]), row[3], row[4], row[5])


def last_change() -> int | None:
    """The newest registration transition: part of the event listing's cache version (seats left).

    Every transition writes a history row, so its id moves even when two happen in the same instant.
    """
    return db.session.execute(select(func.max(RegistrationHistory.id))).scalar()

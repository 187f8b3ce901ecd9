"""What organisers and trainees read: participant lists, queues, one's registrations, tickets, feed rows."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select, type_coerce
from sqlalchemy.orm import aliased, selectinload

from app import clock
from app.accounts.models import Organisation, User
from app.database import INTEGER_MAX
from app.errors import NotFound, ValidationFailed
from app.events.models import (
    Event,
    EventStatus,
    Session,
)
from app.events.signals import listing_version_wanted
from app.extensions import db
from app.permissions import registration_wanted
from app.registrations.attendance import Attendance, attendance_for
from app.registrations.models import (
    Registration,
    RegistrationHistory,
    RegistrationStatus,
)
from app.registrations.seats import rule_counts
from app.registrations.states import MESSAGES, TICKET_SALT, S

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
        .options(selectinload(Registration.user), selectinload(Registration.organisation),
                 selectinload(Registration.answers)) \
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
    """One application with what approving it would do to the event's rules."""

    registration: Registration
    region_count: int  # counted by the rule now (confirmed, offered, waitlisted)
    organisation_count: int
    region_rivals: int = 0  # other applicants of the same region while fewer places are left than applicants
    organisation_rivals: int = 0
    region_left: int | None = None  # places left under the limit (None: no limit or no region)
    organisation_left: int | None = None

    @property
    def region_after(self) -> int:
        return self.region_count + 1

    @property
    def organisation_after(self) -> int:
        return self.organisation_count + 1

    @property
    def refused(self) -> bool:
        """Approving it now would be refused: its region or organisation has no place left."""
        return self.region_left == 0 or self.organisation_left == 0

    @property
    def competing(self) -> bool:
        return bool(self.region_rivals or self.organisation_rivals)

    @property
    def rule(self) -> str:
        """free | competing | refused: what the rules say about approving it (a filter and a sort key)."""
        return "refused" if self.refused else "competing" if self.competing else "free"


def approval_queue(event: Event) -> list[QueueEntry]:
    """Pending applications, oldest first, each with the rule counts of its region and organisation and
    the applicants it competes with for the places left (two applicants, one regional place)."""
    pending = db.session.execute(
        select(Registration).where(Registration.event_id == event.id, Registration.status == S.PENDING)
        .options(selectinload(Registration.user), selectinload(Registration.organisation),
                 selectinload(Registration.answers))
        .order_by(Registration.queued_at, Registration.id)
    ).scalars().all()
    by_region, by_organisation = rule_counts(event)
    pending_regions = Counter(r.region_code for r in pending if r.region_code)
    pending_organisations = Counter(r.organisation_id for r in pending if r.organisation_id)
    entries = []
    for r in pending:
        entry = QueueEntry(r, by_region.get(r.region_code, 0), by_organisation.get(r.organisation_id, 0))
        if event.max_per_region is not None and r.region_code:
            entry.region_left = max(event.max_per_region - entry.region_count, 0)
            if 0 < entry.region_left < pending_regions[r.region_code]:
                entry.region_rivals = pending_regions[r.region_code] - 1
        if event.max_per_organisation is not None and r.organisation_id:
            entry.organisation_left = max(event.max_per_organisation - entry.organisation_count, 0)
            if 0 < entry.organisation_left < pending_organisations[r.organisation_id]:
                entry.organisation_rivals = pending_organisations[r.organisation_id] - 1
        entries.append(entry)
    return entries


QUEUE_SORTS = {
    "applied": lambda e: (e.registration.queued_at, e.registration.id),
    "name": lambda e: (e.registration.user.full_name.casefold(), e.registration.id),
    "region": lambda e: (e.registration.region_code or "~", e.registration.id),
    "organisation": lambda e: ((e.registration.organisation.name.casefold() if e.registration.organisation
                                else "~"), e.registration.id),
    "rule": lambda e: (("free", "competing", "refused").index(e.rule), e.registration.queued_at, e.registration.id),
}


def approval_table(event: Event, *, region: str | None = None, organisation: int | None = None,
                   rule: str | None = None, q: str | None = None, sort: str = "applied",
                   descending: bool = False) -> tuple[list[QueueEntry], int]:
    """The approval queue filtered and sorted as the organiser asked (GET parameters), and how many
    applications wait in all. The counts of every entry are those of the whole queue."""
    entries = approval_queue(event)
    shown = [e for e in entries
             if (not region or e.registration.region_code == region)
             and (not organisation or e.registration.organisation_id == organisation)
             and (not rule or e.rule == rule)
             and (not q or q.casefold() in f"{e.registration.user.full_name} {e.registration.user.email}".casefold())]
    shown.sort(key=QUEUE_SORTS.get(sort, QUEUE_SORTS["applied"]), reverse=descending)
    return shown, len(entries)


def registration_of(event: Event, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    ).scalar_one_or_none()


@registration_wanted.connect
def _registration_for_permissions(event: Event, user) -> Registration | None:
    """The fact app/permissions asks for ("is a confirmed participant"), answered here: the policy sits below."""
    return registration_of(event, user)


def in_event(model, event: Event, object_id: int):
    """Load a row of `model` through its event: an id from another event (or one no row can have) is a 404."""
    if not isinstance(object_id, int) or not 1 <= object_id <= INTEGER_MAX:
        raise NotFound()
    row = db.session.execute(
        select(model).where(model.id == object_id, model.event_id == event.id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound()
    return row


def registration_in_event(event: Event, registration_id: int) -> Registration:
    return in_event(Registration, event, registration_id)


def session_in_event(event: Event, session_id: int) -> Session:
    return in_event(Session, event, session_id)


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


@listing_version_wanted.connect
def last_change(_sender=None) -> int | None:
    """The newest registration transition: part of the event listing's cache version (seats left).

    Every transition writes a history row, so its id moves even when two happen in the same instant.
    """
    return db.session.execute(select(func.max(RegistrationHistory.id))).scalar()


def filter_options(event: Event) -> tuple[list[str], list[Organisation]]:
    """The regions and organisations the event's registrations come from: the participant filter's choices."""
    rows = db.session.execute(
        select(Registration.region_code, Registration.organisation_id).where(Registration.event_id == event.id)
        .distinct()
    ).all()
    organisation_ids = {org for _code, org in rows if org}
    organisations = db.session.execute(
        select(Organisation).where(Organisation.id.in_(organisation_ids)).order_by(Organisation.name)
    ).scalars().all() if organisation_ids else []
    return sorted({code for code, _org in rows if code}), list(organisations)

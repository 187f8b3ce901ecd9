"""Reading events: the public listing and its filters, the organiser's list, one event as API data."""
import math
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app import clock, permissions
from app.accounts.regions import is_region
from app.errors import FieldErrors
from app.events.changes import SCALAR_FIELDS, shown
from app.events.models import (
    Event,
    EventChange,
    EventKind,
    EventStatus,
    GroupMembership,
    TeamRole,
    search_key,
)
from app.events.parsing import error_message, to_int
from app.events.signals import (
    answers,
    free_seats_wanted,
    listing_version_wanted,
    members_present_wanted,
    registration_counts_wanted,
    role_places_wanted,
)
from app.extensions import db
from app.pagination import checked_page

# --- listing -------------------------------------------------------------------------------

UPCOMING, PAST = "upcoming", "past"


@dataclass
class EventFilters:
    kind: EventKind | None = None
    region: str | None = None
    programme: int | None = None
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    tab: str = UPCOMING

    def as_args(self) -> dict:
        """The GET parameters that reproduce these filters (for links and feeds)."""
        args = {"kind": self.kind.value if self.kind else None, "region": self.region,
                "programme": self.programme, "q": self.q or None,
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
                "tab": self.tab if self.tab != UPCOMING else None}
        return {k: v for k, v in args.items() if v is not None}


def listing_version() -> tuple:
    """Changes whenever anything the public listing shows changes: events, their sessions, seats taken."""
    # One scalar subquery per max(), so each is an index lookup (several max() in one SELECT scan).
    latest, newest, last_logged = db.session.execute(
        select(*(select(func.max(column)).scalar_subquery() for column in (Event.updated_at, Event.id, EventChange.id)))
    ).one()
    return (latest, newest, last_logged, *answers(listing_version_wanted))


def parse_filters(args) -> EventFilters:
    """Filters from GET parameters (`kind`, `region`, `programme`, `q`, `from`, `to`, `tab`).

    Raises ValidationFailed naming each bad parameter; empty values mean "any".
    """
    errors = FieldErrors()
    filters = EventFilters()
    kind = (args.get("kind") or "").strip()
    if kind:
        try:
            filters.kind = EventKind(kind)
        except ValueError:
            errors.add("kind", error_message("kind"))
    region = (args.get("region") or "").strip()
    if region:
        if is_region(region):
            filters.region = region
        else:
            errors.add("region", error_message("region"))
    programme = (args.get("programme") or "").strip() if isinstance(args.get("programme"), str) else args.get("programme")
    if programme not in (None, ""):
        try:
            filters.programme = to_int(programme)
        except ValueError:
            errors.add("programme", error_message("programme"))
        else:
            if not 0 < filters.programme < 2**31:
                filters.programme = None
                errors.add("programme", error_message("programme"))
    q = args.get("q") or ""
    if any(ord(character) < 32 for character in q):
        errors.add("q", error_message("search_text"))
    if len(q) > 200:
        errors.add("q", lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", 200))
    filters.q = q.strip()[:200]
    for key, attr in (("from", "date_from"), ("to", "date_to")):
        raw = args.get(key)
        if isinstance(raw, date):
            setattr(filters, attr, raw)
        elif raw:
            try:
                setattr(filters, attr, date.fromisoformat(str(raw).strip()))
            except ValueError:
                errors.add(key, _l("Enter a date as YYYY-MM-DD."))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.add("to", _l("The end of the range must not be before its start."))
    tab = (args.get("tab") or UPCOMING).strip()
    filters.tab = PAST if tab == PAST else UPCOMING
    errors.raise_if_any()
    return filters


@dataclass
class Page:
    items: list[Event]
    total: int
    page: int
    per_page: int
    seats_left: dict[int, int | None] = field(default_factory=dict)
    counts: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, *, left_edge=2, left_current=2, right_current=4, right_edge=2):
        """Page numbers to link, None for a gap (Flask-SQLAlchemy's Pagination contract)."""
        pages_end = self.pages + 1
        left_end = min(1 + left_edge, pages_end)
        yield from range(1, left_end)
        if left_end == pages_end:
            return
        mid_start = max(left_end, self.page - left_current)
        mid_end = min(self.page + right_current + 1, pages_end)
        if mid_start - left_end > 0:
            yield None
        yield from range(mid_start, mid_end)
        if mid_end == pages_end:
            return
        right_start = max(mid_end, pages_end - right_edge)
        if right_start - mid_end > 0:
            yield None
        yield from range(right_start, pages_end)


def _filter_clauses(filters: EventFilters) -> list:
    clauses = []
    if filters.kind:
        clauses.append(Event.kind == filters.kind)
    if filters.region:
        clauses.append(Event.region_code == filters.region)
    if filters.programme is not None:
        clauses.append(Event.programme_id == filters.programme)
    for word in search_key(filters.q).split(" "):
        if word:
            clauses.append(Event.search_text.contains(word, autoescape=True))
    if filters.date_from:
        clauses.append(Event.ends_on >= filters.date_from)
    if filters.date_to:
        clauses.append(Event.starts_on <= filters.date_to)
    return clauses


def filter_clauses(filters: EventFilters) -> list:
    """The listing's WHERE clauses for `filters`, for unpaginated queries elsewhere (calendar feeds)."""
    return _filter_clauses(filters)


def list_events(filters: EventFilters | dict | None = None, page: int = 1, per_page: int = 20) -> Page:
    """The public listing: published events (and cancelled ones not yet over), newest last.

    Upcoming = not yet ended, by start; past = ended, most recent first (published only).
    A fixed number of queries whatever the page size: count, page (programme joined), trips,
    seats taken.
    """
    if not isinstance(filters, EventFilters):
        filters = parse_filters(filters or {})
    per_page = max(1, min(int(per_page or 20), 100))
    now = clock.now()
    if filters.tab == PAST:
        visible = and_(Event.status == EventStatus.PUBLISHED, Event.ends_at < now)
        order = (Event.starts_at.desc(), Event.id.desc())
    else:
        visible = and_(Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)), Event.ends_at >= now)
        order = (Event.starts_at, Event.id)
    where = [visible, *_filter_clauses(filters)]
    total = db.session.execute(select(func.count(Event.id)).where(*where)).scalar_one()
    page = checked_page(page, per_page, total)
    items = list(
        db.session.execute(
            select(Event)
            .where(*where)
            .options(selectinload(Event.trip), joinedload(Event.programme).options(lazyload("*")))
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).unique().scalars()
    )
    return Page(items=items, total=total, page=page, per_page=per_page, seats_left=seats_left(items))


def seats_left(events: list[Event]) -> dict[int, int | None]:
    """Free seats per event (None = unlimited), counted by the area that owns seats, in one query."""
    seats: dict[int, int | None] = {}
    for answer in answers(free_seats_wanted, events):
        seats.update(answer)
    return seats


def registration_counts(event_ids) -> dict[int, dict[str, int]]:
    """{event id: {registration status: count}} for a list or a SELECT of event ids, in one query
    (counted by the area that owns registrations)."""
    counts: dict[int, dict[str, int]] = {}
    for answer in answers(registration_counts_wanted, event_ids):
        counts.update(answer)
    return counts


# Registrants the registrations area mails when an event moves, is cancelled or reinstated.
MAILED_STATUSES = ("pending", "confirmed", "waitlisted", "offered")


def people_to_mail(event: Event) -> int:
    """How many people a change of the event's time, place or status mails."""
    counts = registration_counts([event.id]).get(event.id, {})
    return sum(counts.get(status, 0) for status in MAILED_STATUSES)


def pending_approvals(actor) -> int:
    """Applications awaiting the actor's approval across every published event they manage that has
    not ended: the badge on the organiser's list and in the header."""
    if not permissions.can("manage.area", user=actor):
        return 0
    open_events = select(Event.id).where(permissions.editable_events_clause(actor, Event),
                                         Event.status == EventStatus.PUBLISHED,
                                         or_(Event.ends_at.is_(None), Event.ends_at >= clock.now()))
    return sum(c.get("pending", 0) for c in registration_counts(open_events).values())


def list_manageable_events(actor, page: int = 1, per_page: int = 50, status: EventStatus | None = None) -> Page:
    """Events the actor may edit (permissions.editable_events_clause), soonest first, with each one's
    registrations by status and free seats: a fixed number of queries whatever the page size."""
    where = [permissions.editable_events_clause(actor, Event)]
    if status is not None:
        where.append(Event.status == status)
    total = db.session.execute(select(func.count(Event.id)).where(*where)).scalar_one()
    page = checked_page(page, per_page, total)
    items = list(
        db.session.execute(
            select(Event).where(*where)
            .options(selectinload(Event.trip), joinedload(Event.programme).options(lazyload("*")))
            .order_by(Event.starts_at.desc().nulls_last(), Event.id.desc())
            .limit(per_page).offset((page - 1) * per_page)
        ).unique().scalars()
    )
    counts = registration_counts([e.id for e in items]) if items else {}
    free = {}
    for e in items:
        held = counts.get(e.id, {}).get("confirmed", 0) + counts.get(e.id, {}).get("offered", 0)
        free[e.id] = None if e.capacity is None else max(e.capacity - held, 0)
    return Page(items=items, total=total, page=page, per_page=per_page, seats_left=free, counts=counts)


def get_event(event_id: int) -> Event | None:
    """One event with what its page shows, loaded up front."""
    return db.session.execute(
        select(Event).where(Event.id == event_id).options(
            selectinload(Event.sessions), selectinload(Event.trip), selectinload(Event.team_roles),
            selectinload(Event.results), selectinload(Event.group), selectinload(Event.series),
        )
    ).unique().scalar_one_or_none()


def event_as_data(event: Event) -> dict:
    """The event in the API JSON shape of DESIGN §5 (plus the extra keys), times as ISO strings.

    Includes `online_url`: callers that show it publicly must drop it (the join link is secret).
    """
    tz = ZoneInfo(event.timezone)
    data = {name: shown(getattr(event, name)) for name in SCALAR_FIELDS}
    data.update({
        "kind": event.kind.value, "status": event.status.value,
        "registration_opens_at": event.registration_opens_at.astimezone(tz).isoformat()
        if event.registration_opens_at else None,
        "registration_closes_at": event.registration_closes_at.astimezone(tz).isoformat()
        if event.registration_closes_at else None,
        "sessions": [{"id": s.id, "start": s.starts_at.astimezone(tz).isoformat(),
                      "end": s.ends_at.astimezone(tz).isoformat(), "title": s.title} for s in event.sessions],
        "trip": None,
        "group": None,
        "team_roles": [{"role": r.role.value, "needed": r.needed} for r in event.team_roles],
    })
    if event.group is not None:
        g = event.group
        data["group"] = {"community": g.community, "facilitator_id": g.facilitator_id,
                         "membership": (g.membership or GroupMembership.OPEN).value}
    if event.trip is not None:
        t = event.trip
        data["trip"] = {"settlement": t.settlement, "district": t.district, "departure_point": t.departure_point,
                        "departure_at": t.departure_at.astimezone(tz).isoformat() if t.departure_at else None,
                        "seats": t.seats, "services": list(t.services or []), "media_invited": t.media_invited}
    return data




@dataclass(frozen=True)
class MeetingAttendance:
    members: int
    guests: int

    @property
    def total(self) -> int:
        return self.members + self.guests


def meeting_attendance(event: Event) -> dict[int, MeetingAttendance]:
    """Per held, not cancelled session: members checked in (counted by the registrations area) and guests."""
    members: dict[int, int] = {}
    for answer in answers(members_present_wanted, event):
        members.update(answer)
    now = clock.now()
    return {s.id: MeetingAttendance(members.get(s.id, 0), s.guests or 0)
            for s in event.sessions if s.starts_at <= now and not s.is_cancelled}


def team_places(event: Event) -> list[tuple[TeamRole, int, int]]:
    """(role, needed, places left) for a trip's team; places are counted by the registrations area."""
    if not event.team_roles:
        return []
    left: dict[TeamRole, int] = {}
    for answer in answers(role_places_wanted, event):
        left.update(answer)
    return [(r.role, r.needed, left.get(r.role, r.needed)) for r in event.team_roles]

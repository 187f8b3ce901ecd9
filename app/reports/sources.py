"""Computed sources of indicator facts: one function per source, each one SQL query.

Every source answers for a Scope (a programme, optionally narrowed by date range, event kind,
one event and a source option such as a trip service) and optionally grouped by one dimension
(stage, region, organisation, event kind, month, event, service). The answer is a dict
{bucket: number}; without grouping the only bucket is TOTAL. Distinct counts (regions,
organisations, people) are counted by the database per bucket, so buckets never add up to more
than the truth: the total is always its own query.

An event belongs to a stage (and to a date range) by the local date of its first session.
"Now" is app.clock.now(). Only published events count: drafts and cancelled events never do; an event
counts as held, and its people as participants or trained, only once it has ended.

A Scope here is raw: nothing bounds it unless its dates do. Reports and other areas ask
app/reports/figures.py, which bounds every figure by the programme's period (and stage) and counts what
lies outside apart (a Scope with `outside=True`: the rows dated outside [date_from, date_to]).
"""
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, case, cast, distinct, exists, func, literal, null, or_, select, union_all

from app import clock
from app.events.models import Event, EventKind, EventStatus, Session, TripResult, TripService
from app.extensions import db
from app.registrations.models import CheckIn, Registration, RegistrationHistory, RegistrationStatus

TOTAL = "total"

DIMENSION_LABELS = {
    "stage": _l("Stage"),
    "region": _l("Region"),
    "organisation": _l("Organisation"),
    "kind": _l("Event kind"),
    "month": _l("Month"),
    "event": _l("Event"),
    "service": _l("Service"),
}

BY_LABELS = {
    "stage": _l("By stage"),
    "region": _l("By region"),
    "organisation": _l("By organisation"),
    "kind": _l("By event kind"),
    "month": _l("By month"),
    "event": _l("By event"),
    "service": _l("By service"),
}


@dataclass(frozen=True)
class Scope:
    programme_id: int
    date_from: date | None = None
    date_to: date | None = None
    event_kind: str | None = None
    event_id: int | None = None
    option: str | None = None
    # True: the rows dated outside [date_from, date_to] (before the one or after the other) instead of inside.
    outside: bool = False

    def narrowed(self, date_from: date | None, date_to: date | None) -> "Scope":
        """The same scope within [date_from, date_to] as well (a stage inside a filter)."""
        lower = max(d for d in (self.date_from, date_from) if d) if (self.date_from or date_from) else None
        upper = min(d for d in (self.date_to, date_to) if d) if (self.date_to or date_to) else None
        return replace(self, date_from=lower, date_to=upper)

    def beyond(self, date_from: date, date_to: date) -> "Scope":
        """The same filters, but only what is dated outside [date_from, date_to] (its own dates dropped)."""
        return replace(self, date_from=date_from, date_to=date_to, outside=True)

    def dated(self, day) -> list:
        """SQL conditions putting the `day` column inside the scope's dates (or outside them)."""
        if self.outside:
            return [or_(day < self.date_from, day > self.date_to)]
        return [condition for condition in (day >= self.date_from if self.date_from else None,
                                            day <= self.date_to if self.date_to else None) if condition is not None]


@dataclass(frozen=True)
class StageSpan:
    id: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Columns:
    """Where a source's rows keep each dimension (None: the source cannot be grouped by it)."""

    day: object
    region: object = None
    organisation: object = None
    kind: object = None
    event: object = None
    service: object = None


@dataclass(frozen=True)
class Query:
    """What a source counts: `build(*selected)` gives the FROM/WHERE, `measure` the aggregate."""

    build: Callable
    measure: object
    columns: Columns


@dataclass(frozen=True)
class Source:
    key: str
    label: object
    unit: object
    query: Callable  # Scope -> Query
    dimensions: tuple[str, ...]
    options: tuple[tuple[str, object], ...] = ()
    description: object = ""
    # The measure counts or adds up rows, each in one bucket: the buckets of a grouping add up to the total
    # (false for distinct counts: one person in two stages is one participant, not two).
    additive: bool = False

    def compute(self, scope: Scope, by: str | None = None, stages=()) -> dict:
        return _collect(self.query(scope), by, tuple(stages))


SOURCES: dict[str, Source] = {}


def source(key: str, label, unit, *, dimensions: tuple[str, ...], options=(), description="", additive=False):
    """Register a source; the decorated name becomes `compute(scope, by=None, stages=())`."""
    def register(make_query):
        if key in SOURCES:
            raise RuntimeError(f"indicator source {key!r} defined twice")
        registered = Source(key, label, unit, make_query, dimensions, tuple(options), description, additive)
        SOURCES[key] = registered
        return registered.compute

    return register


# --- shared pieces ------------------------------------------------------------------------------

def _month(column):
    """'YYYY-MM' of a date column, on SQLite (ISO text) and PostgreSQL alike."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.substr(column, 1, 7)
    return func.to_char(column, "YYYY-MM")


def _stage_of(column, stages: tuple[StageSpan, ...]):
    if not stages:
        return literal(None)
    return case(*[(and_(column >= s.starts_on, column <= s.ends_on), s.id) for s in stages], else_=None)


def _key(columns: Columns, by: str | None, stages: tuple[StageSpan, ...]):
    if by is None:
        return None
    if by == "stage":
        return _stage_of(columns.day, stages)
    if by == "month":
        return _month(columns.day)
    column = getattr(columns, by, None)
    if column is None:
        raise ValueError(f"cannot group this source by {by!r}")
    return column


def _event_where(scope: Scope) -> list:
    where = [Event.programme_id == scope.programme_id, Event.status == EventStatus.PUBLISHED,
             *scope.dated(Event.starts_on)]
    if scope.event_kind:
        where.append(Event.kind == EventKind(scope.event_kind))
    if scope.event_id:
        where.append(Event.id == scope.event_id)
    return where


def _collect(query: Query, by: str | None, stages=()) -> dict:
    """Run the query once: the total, or one row per bucket."""
    build, measure = query.build, query.measure
    key = _key(query.columns, by, tuple(stages))
    if key is None:
        return {TOTAL: int(db.session.execute(build(measure)).scalar() or 0)}
    rows = db.session.execute(build(key.label("bucket"), measure).group_by(key)).all()
    result: dict = {}
    for bucket, value in rows:
        bucket = bucket.value if hasattr(bucket, "value") else bucket
        result[bucket] = result.get(bucket, 0) + int(value or 0)
    return result


def _registration_columns() -> Columns:
    return Columns(day=Event.starts_on, region=Registration.region_code, organisation=Registration.organisation_id,
                   kind=Event.kind, event=Event.id)


def _confirmed_at_held_events(scope: Scope):
    """select(...) builder over confirmed registrations for events that have ended."""
    now = clock.now()

    def build(*selected):
        return (select(*selected).select_from(Registration).join(Event, Event.id == Registration.event_id)
                .where(*_event_where(scope), Event.ends_at <= now, Registration.status == RegistrationStatus.CONFIRMED))
    return build


# --- the sources --------------------------------------------------------------------------------

@source("trainees_trained", _l("Trainees trained"), _l("people"),
        dimensions=("stage", "region", "organisation", "kind", "month", "event"),
        description=_l("People confirmed for an event that has ended who attended at least its attendance "
                       "threshold (sessions checked in / sessions held); each person counted once."))
def trainees_trained(scope: Scope) -> Query:
    trained = trained_registrations()
    return Query(lambda *selected: trained(*selected).where(*_event_where(scope)),
                    func.count(distinct(Registration.user_id)), _registration_columns())


def trained_registrations():
    """select(...) builder over confirmed registrations of ended events that reached the attendance threshold."""
    now = clock.now()
    held = (select(Session.event_id.label("event_id"), func.count(Session.id).label("n"))
            .where(Session.starts_at <= now, Session.cancelled_at.is_(None)).group_by(Session.event_id).subquery())
    attended = (select(CheckIn.registration_id.label("registration_id"), func.count(CheckIn.id).label("n"))
                .join(Session, Session.id == CheckIn.session_id)
                .where(Session.starts_at <= now, Session.cancelled_at.is_(None))
                .group_by(CheckIn.registration_id).subquery())

    def build(*selected):
        return (select(*selected).select_from(Registration).join(Event, Event.id == Registration.event_id)
                .join(held, held.c.event_id == Event.id)
                .outerjoin(attended, attended.c.registration_id == Registration.id)
                .where(Registration.status == RegistrationStatus.CONFIRMED, Event.ends_at <= now, held.c.n > 0,
                       func.coalesce(attended.c.n, 0) * 100 >= Event.attendance_threshold * held.c.n))

    return build


@source("participants", _l("Participants"), _l("people"),
        dimensions=("stage", "region", "organisation", "kind", "month", "event"),
        description=_l("Distinct people confirmed for the programme's events that have ended."))
def participants(scope: Scope) -> Query:
    return Query(_confirmed_at_held_events(scope), func.count(distinct(Registration.user_id)),
                    _registration_columns())


@source("regions_covered", _l("Regions covered"), _l("regions"),
        dimensions=("stage", "kind", "month", "event"),
        description=_l("Distinct regions of the people confirmed for the programme's events that have ended."))
def regions_covered(scope: Scope) -> Query:
    build = _confirmed_at_held_events(scope)
    return Query(lambda *s: build(*s).where(Registration.region_code.is_not(None)),
                    func.count(distinct(Registration.region_code)), _registration_columns())


@source("organisations_covered", _l("Organisations covered"), _l("organisations"),
        dimensions=("stage", "region", "kind", "month", "event"),
        description=_l("Distinct organisations of the people confirmed for the programme's events that have "
                       "ended."))
def organisations_covered(scope: Scope) -> Query:
    build = _confirmed_at_held_events(scope)
    return Query(lambda *s: build(*s).where(Registration.organisation_id.is_not(None)),
                    func.count(distinct(Registration.organisation_id)), _registration_columns())


def _event_columns() -> Columns:
    return Columns(day=Event.starts_on, region=Event.region_code, kind=Event.kind, event=Event.id)


@source("events_held", _l("Events held"), _l("events"),
        dimensions=("stage", "region", "kind", "month"), additive=True,
        description=_l("Published events of the programme whose last session has ended."))
def events_held(scope: Scope) -> Query:
    now = clock.now()

    def build(*selected):
        return select(*selected).select_from(Event).where(*_event_where(scope), Event.ends_at <= now)

    return Query(build, func.count(Event.id), _event_columns())


@source("sessions_held", _l("Sessions held"), _l("sessions"),
        dimensions=("stage", "region", "kind", "month", "event"), additive=True,
        description=_l("Sessions (days) of the programme's published events that have ended."))
def sessions_held(scope: Scope) -> Query:
    now = clock.now()

    def build(*selected):
        return (select(*selected).select_from(Session).join(Event, Event.id == Session.event_id)
                .where(*_event_where(scope), Session.ends_at <= now, Session.cancelled_at.is_(None)))

    return Query(build, func.count(Session.id), _event_columns())


def _group_meetings_held(scope: Scope, *joins):
    """select(...) builder over the held, not cancelled meetings of the programme's self-help groups."""
    now = clock.now()

    def build(*selected):
        query = select(*selected).select_from(Session).join(Event, Event.id == Session.event_id)
        for target, on in joins:
            query = query.outerjoin(target, on)
        return query.where(*_event_where(scope), Event.kind == EventKind.SELF_HELP_GROUP, Session.ends_at <= now,
                           Session.cancelled_at.is_(None))

    return build


@source("group_meetings_held", _l("Group meetings held"), _l("meetings"),
        dimensions=("stage", "region", "month", "event"), additive=True,
        description=_l("Meetings of the programme's self-help groups that have ended; cancelled ones do not count."))
def group_meetings_held(scope: Scope) -> Query:
    return Query(_group_meetings_held(scope), func.count(Session.id), _event_columns())


@source("group_meeting_attendance", _l("Group meeting attendance"), _l("visits"),
        dimensions=("stage", "region", "month", "event"), additive=True,
        description=_l("People at the held meetings of the programme's self-help groups: members checked in "
                       "plus guests, added up over the meetings."))
def group_meeting_attendance(scope: Scope) -> Query:
    checked = (select(CheckIn.session_id.label("session_id"), func.count(CheckIn.id).label("n"))
               .group_by(CheckIn.session_id).subquery())
    build = _group_meetings_held(scope, (checked, checked.c.session_id == Session.id))
    measure = func.coalesce(func.sum(func.coalesce(Session.guests, 0) + func.coalesce(checked.c.n, 0)), 0)
    return Query(build, measure, _event_columns())


@source("people_served", _l("People served on trips"), _l("people"),
        dimensions=("stage", "region", "month", "event", "service"), additive=True,
        options=tuple((s.value, s.label) for s in TripService),
        description=_l("People served on outreach trips that have ended, from the trip results; the option "
                       "narrows it to one service."))
def people_served(scope: Scope) -> Query:
    now = clock.now()

    def build(*selected):
        query = (select(*selected).select_from(TripResult).join(Event, Event.id == TripResult.event_id)
                 .where(*_event_where(scope), Event.kind == EventKind.OUTREACH_TRIP, Event.ends_at <= now))
        if scope.option:
            query = query.where(TripResult.service == TripService(scope.option))
        return query

    columns = Columns(day=Event.starts_on, region=Event.region_code, kind=Event.kind, event=Event.id,
                      service=TripResult.service)
    return Query(build, func.coalesce(func.sum(TripResult.people_served), 0), columns)


@source("registrations", _l("Registrations received"), _l("registrations"),
        dimensions=("stage", "region", "organisation", "kind", "month", "event"), additive=True,
        description=_l("Registrations for the programme's events in any state, cancelled ones included."))
def registrations(scope: Scope) -> Query:
    def build(*selected):
        return (select(*selected).select_from(Registration).join(Event, Event.id == Registration.event_id)
                .where(*_event_where(scope)))

    return Query(build, func.count(Registration.id), _registration_columns())


@source("waitlist_conversions", _l("Waitlist conversions"), _l("registrations"),
        dimensions=("stage", "region", "organisation", "kind", "month", "event"), additive=True,
        description=_l("Registrations that took a seat offered from the waitlist."))
def waitlist_conversions(scope: Scope) -> Query:
    converted = exists().where(RegistrationHistory.registration_id == Registration.id,
                               RegistrationHistory.from_status == RegistrationStatus.OFFERED,
                               RegistrationHistory.to_status == RegistrationStatus.CONFIRMED)

    def build(*selected):
        return (select(*selected).select_from(Registration).join(Event, Event.id == Registration.event_id)
                .where(*_event_where(scope), converted))

    return Query(build, func.count(Registration.id), _registration_columns())


# --- reading the registry -----------------------------------------------------------------------

def choices() -> list[tuple[str, object]]:
    return [(s.key, s.label) for s in SOURCES.values()]


def get(key: str) -> Source | None:
    return SOURCES.get(key)


def compute(key: str, scope: Scope, by: str | None = None, stages=()) -> dict:
    return SOURCES[key].compute(scope, by=by, stages=tuple(stages))


@dataclass(frozen=True)
class Request:
    """One figure wanted from compute_many: a tag of the caller's choosing, a source, a scope, and whether
    to split it by stage (buckets are stage ids, and None for what is dated in no stage) or not (the only
    bucket is TOTAL)."""

    tag: str
    key: str
    scope: Scope
    by_stage: bool = False
    stages: tuple[StageSpan, ...] = ()


COMPOUND_LIMIT = 200  # SQLite allows 500 terms in one compound SELECT


def compute_many(requests: list[Request]) -> dict[str, dict]:
    """Many figures in one round trip: the requests' SELECTs joined by UNION ALL (chunked)."""
    results: dict[str, dict] = {r.tag: ({} if r.by_stage else {TOTAL: 0}) for r in requests}
    staged = {r.tag for r in requests if r.by_stage}
    wanted = [r for r in requests if r.stages or not r.by_stage]
    for start in range(0, len(wanted), COMPOUND_LIMIT):
        selects = []
        for request in wanted[start:start + COMPOUND_LIMIT]:
            query = SOURCES[request.key].query(request.scope)
            tag = literal(request.tag, String).label("tag")
            value = query.measure.label("value")
            if request.by_stage:
                bucket = _stage_of(query.columns.day, request.stages)
                selects.append(query.build(tag, cast(bucket, Integer).label("bucket"), value).group_by(bucket))
            else:
                selects.append(query.build(tag, cast(null(), Integer).label("bucket"), value))
        for tag, bucket, value in db.session.execute(union_all(*selects)).all():
            if tag not in staged:
                results[tag][TOTAL] = int(value or 0)
            else:  # the None bucket: dated in no stage
                results[tag][bucket] = results[tag].get(bucket, 0) + int(value or 0)
    return results

"""When a programme's report is stale, so that the report and the dashboard can be served from the cache.

- **Writes.** Every flush that writes a row the report counts from (events and their sessions, trip
  results, registrations, their history and check-ins, quotas and consultations, certificates, the
  programme, its stages and plan items, indicators, their stage plans and typed facts, report notes) inserts
  one `programme_changes` row per programme it touched, in the writer's own transaction: no service has to
  remember to. A bulk UPDATE/DELETE/INSERT statement on those tables can't be traced to a programme, so it
  marks every programme, unless it says it changes no fact (`execution_options(facts_unchanged=True)`:
  a row lock, a verification counter). A user's region or organisation counts too (every programme).
- **Version.** A programme's version is the newest id and the number of its rows and of the rows for every
  programme. The count catches a transaction that commits after a newer one (its id is lower).
- **The clock.** What time alone changes (an event or a meeting ending, a new day) is no write: an entry
  carries the moment it goes stale by itself (`fresh_until`) and the moment it was built.

Rows are only inserted: writers to one programme never wait on each other (a counter row would serialise
every registration of a programme). `prune()` keeps the newest row of each programme.
"""
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, event, func, insert, inspect, or_, select, union_all
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.util import identity_key

from app import cache, clock
from app.accounts.models import User
from app.certificates.models import Certificate
from app.database import unit_of_work
from app.events.models import Event, Session, TripResult
from app.extensions import db
from app.programmes.models import PlanItem, Programme, Stage
from app.quotas.models import Consultation, ConsultationQuota, QuotaPlan
from app.registrations.models import CheckIn, Registration, RegistrationHistory
from app.reports.models import Indicator, IndicatorStagePlan, ManualFact, ProgrammeChange, ReportNote

# What each counted row belongs to: (the parent's kind, the attribute holding the parent's id).
BELONGS_TO: dict[type, tuple[str, str]] = {
    Programme: ("programme", "id"),
    Stage: ("programme", "programme_id"),
    PlanItem: ("programme", "programme_id"),
    Indicator: ("programme", "programme_id"),
    ReportNote: ("programme", "programme_id"),
    Event: ("programme", "programme_id"),
    Session: ("event", "event_id"),
    TripResult: ("event", "event_id"),
    Registration: ("event", "event_id"),
    QuotaPlan: ("event", "event_id"),
    Certificate: ("event", "event_id"),
    CheckIn: ("registration", "registration_id"),
    RegistrationHistory: ("registration", "registration_id"),
    ConsultationQuota: ("plan", "plan_id"),
    Consultation: ("quota", "quota_id"),
    IndicatorStagePlan: ("indicator", "indicator_id"),
    ManualFact: ("indicator", "indicator_id"),
}
# Each parent kind's own parent, walked upwards until programmes: (model, attribute, parent kind).
PARENTS = (
    ("quota", ConsultationQuota, "plan_id", "plan"),
    ("plan", QuotaPlan, "event_id", "event"),
    ("registration", Registration, "event_id", "event"),
    ("indicator", Indicator, "programme_id", "programme"),
    ("event", Event, "programme_id", "programme"),
)
# A user's columns the report groups by (region, organisation of a participant).
USER_COLUMNS = ("region_code", "organisation_id")
EVERY_PROGRAMME = None
WROTE = "praktika_programme_changes_written"
PREVIOUS = "praktika_previous_parents"
VERSIONS = "praktika_programme_versions"


def _parent_ids(obj, attribute: str, deleted: bool) -> set:
    """The parent ids an object pointed at: now, and before this flush when the pointer changed."""
    ids = {obj.__dict__.get(attribute)}
    if not deleted:
        ids.update(inspect(obj).attrs[attribute].history.deleted or ())
    return ids - {None}


def _touched(session: OrmSession) -> dict[str, set]:
    """{parent kind: ids} of what this flush wrote, with EVERY_PROGRAMME under "programme" for a user's
    region or organisation."""
    touched: dict[str, set] = {kind: set(ids) for kind, ids in session.info.pop(PREVIOUS, {}).items()}
    for objects, state in ((session.new, "new"), (session.dirty, "dirty"), (session.deleted, "deleted")):
        for obj in objects:
            if isinstance(obj, User):
                if state == "deleted" or any(inspect(obj).attrs[c].history.has_changes() for c in USER_COLUMNS):
                    touched.setdefault("programme", set()).add(EVERY_PROGRAMME)
                continue
            belongs = BELONGS_TO.get(type(obj))
            if belongs is None or (state == "dirty" and not session.is_modified(obj)):
                continue
            kind, attribute = belongs
            touched.setdefault(kind, set()).update(_parent_ids(obj, attribute, state == "deleted"))
    return touched


def _lookup(session: OrmSession, model, attribute: str, ids: set, written: dict) -> set:
    """The parents of `ids`: from objects this flush wrote or this session holds, else one SELECT for the rest."""
    found, unknown = set(), set()
    for pk in ids:
        obj = written.get((model, pk)) or session.identity_map.get(identity_key(model, pk))
        if obj is not None and attribute in obj.__dict__:
            found.add(obj.__dict__[attribute])
        else:
            unknown.add(pk)
    if unknown:
        column = getattr(model, attribute)
        found.update(session.connection().scalars(select(column).where(model.id.in_(unknown))))
    return found - {None}


def programmes_touched(session: OrmSession) -> set:
    touched = _touched(session)
    # Rows this flush inserted join the identity map only after the after_flush event.
    written = {(type(obj), obj.__dict__.get("id")): obj for obj in session.new}
    for kind, model, attribute, parent in PARENTS:
        if touched.get(kind):
            touched.setdefault(parent, set()).update(_lookup(session, model, attribute, touched[kind], written))
    return touched.get("programme", set())


def _record(session: OrmSession, programme_ids: set) -> None:
    now = clock.now()
    session.connection().execute(insert(ProgrammeChange.__table__),
                                 [{"programme_id": pid, "changed_at": now} for pid in programme_ids])
    session.info[WROTE] = True


@event.listens_for(OrmSession, "before_flush")
def _remember_parents(session: OrmSession, _context, _instances) -> None:
    """Read, while the rows are still as they were, the parent pointer of each deleted row not loaded yet and
    the previous parent of each row whose pointer was set without being loaded first (an object expired by an
    earlier commit holds no old value to compare with)."""
    previous: dict[str, set] = {}
    for obj in (*session.dirty, *session.deleted):
        belongs = BELONGS_TO.get(type(obj))
        if belongs is None:
            continue
        kind, attribute = belongs
        history = inspect(obj).attrs[attribute].history
        if obj in session.deleted or not (history.added and not history.deleted):
            getattr(obj, attribute)
            continue
        model = type(obj)
        with session.no_autoflush:
            previous.setdefault(kind, set()).update(session.connection().scalars(
                select(getattr(model, attribute)).where(model.id == obj.id)))
    session.info[PREVIOUS] = previous


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _context) -> None:
    touched = programmes_touched(session)
    if touched:
        _record(session, touched)


@event.listens_for(OrmSession, "do_orm_execute")
def _bulk_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert) or state.execution_options.get("facts_unchanged"):
        return
    mapper = state.bind_mapper
    if mapper is not None and (mapper.class_ in BELONGS_TO or mapper.class_ is User):
        _record(state.session, {EVERY_PROGRAMME})


@event.listens_for(OrmSession, "after_transaction_end")
def _transaction_ended(session: OrmSession, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)
        session.info.pop(VERSIONS, None)


def versions(programme_ids: list[int]) -> dict[int, tuple]:
    """{programme id: (oldest, newest change id, number of changes) of its own rows and of those for every
    programme}. The oldest moves when `prune()` deletes, so a pruned table never repeats a version.
    Read once per transaction and programme: the parts of one page agree on the version they show."""
    known = db.session.info.setdefault(VERSIONS, {})
    missing = [pid for pid in programme_ids if pid not in known]
    if missing:
        known.update(_read_versions(missing))
    return {pid: known[pid] for pid in programme_ids}


def _read_versions(programme_ids: list[int]) -> dict[int, tuple]:
    rows = db.session.execute(
        select(ProgrammeChange.programme_id, func.min(ProgrammeChange.id), func.max(ProgrammeChange.id),
               func.count())
        .where(or_(ProgrammeChange.programme_id.in_(programme_ids), ProgrammeChange.programme_id.is_(None)))
        .group_by(ProgrammeChange.programme_id)
    ).all()
    counted = {pid: tuple(figures) for pid, *figures in rows}
    every = counted.get(EVERY_PROGRAMME, (0, 0, 0))
    return {pid: (*counted.get(pid, (0, 0, 0)), *every) for pid in programme_ids}


def fresh_until(programme_ids: list[int], now: datetime) -> dict[int, datetime]:
    """When the clock alone changes each programme's figures: its next event end, meeting start or end,
    or the next day (UTC, the report's "today"), whichever comes first."""
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=UTC)
    ours = Event.programme_id.in_(programme_ids)
    moments = union_all(
        select(Event.programme_id.label("programme_id"), Event.ends_at.label("moment")).where(ours, Event.ends_at > now),
        select(Event.programme_id, Session.starts_at).join(Event, Event.id == Session.event_id)
        .where(ours, Session.starts_at > now),
        select(Event.programme_id, Session.ends_at).join(Event, Event.id == Session.event_id)
        .where(ours, Session.ends_at > now),
    ).subquery()
    soonest = dict(db.session.execute(
        select(moments.c.programme_id, func.min(moments.c.moment)).group_by(moments.c.programme_id)).all())
    return {pid: min(tomorrow, _aware(soonest[pid])) if soonest.get(pid) else tomorrow for pid in programme_ids}


def _aware(moment) -> datetime:
    """A moment from the aggregate (SQLite gives it back as text, without the column's type)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cached(kind: str, programme_ids: list[int], build: Callable[[list[int], datetime], dict], *,
           variant: str = "") -> dict:
    """{programme id: value} of `build(ids, now)`, taken from the cache for each programme whose version and
    clock have not moved since it was built; the rest built in one call and stored. Inside a transaction
    that has written changes (not committed yet) everything is built and nothing stored."""
    now = clock.now()
    if db.session.info.get(WROTE) or db.session.new or db.session.dirty or db.session.deleted:
        return build(programme_ids, now)
    version = versions(programme_ids)
    slots = [((kind, pid, variant), version[pid]) for pid in programme_ids]
    result, missing = {}, []
    for pid, entry in zip(programme_ids, cache.reports.get_many(slots), strict=True):
        if entry is not None and entry["built_at"] <= now < entry["fresh_until"]:
            result[pid] = entry["value"]
        else:
            missing.append(pid)
    if missing:
        built = build(missing, now)
        until = fresh_until(missing, now)
        cache.reports.put_many([((kind, pid, variant), version[pid],
                                 {"built_at": now, "fresh_until": until[pid], "value": built[pid]})
                                for pid in missing])
        result.update(built)
    return result


def prune(older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete every change row but the newest of each programme (and of "every programme"), once it is older
    than `older_than`: versions stay distinct, the table stays small. One unit of work; returns rows deleted."""
    newest = select(func.max(ProgrammeChange.id)).group_by(ProgrammeChange.programme_id)
    with unit_of_work():
        return db.session.execute(
            delete(ProgrammeChange).where(ProgrammeChange.id.not_in(newest),
                                          ProgrammeChange.changed_at < clock.now() - older_than)
            .execution_options(synchronize_session=False)).rowcount

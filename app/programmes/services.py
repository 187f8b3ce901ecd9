"""Programme rules: programmes, stages and the calendar plan, each change one transaction.

The programmes area sits below events (DEVELOPERS.md, "Layers"): it reaches a programme's events through
the ORM relationships `Programme.events` and `PlanItem.events` and reads them by their attributes.

`data` dicts carry form/JSON values already parsed to Python types (dates as `date`);
every rule that can fail raises ValidationFailed with the field it belongs to.
"""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import clock, permissions
from app.accounts.models import Role, User, UserRole
from app.accounts.regions import is_region
from app.core import bounds
from app.core.text_fields import text_field
from app.database import unit_of_work
from app.errors import FieldErrors, ValidationFailed
from app.extensions import db
from app.programmes.models import HoursUnit, PlanItem, Programme, Stage

TITLE_MAX = 300
FUNDER_MAX = 300
GRANT_MAX = 100
NUMBER_MAX = 20
ACTIVITY_MAX = 5000


def _period(data: dict, start_key: str, end_key: str, errors: FieldErrors) -> tuple[date | None, date | None]:
    start, end = data.get(start_key), data.get(end_key)
    if not isinstance(start, date):
        errors.add(start_key, _l("Enter a date."))
        start = None
    if not isinstance(end, date):
        errors.add(end_key, _l("Enter a date."))
        end = None
    if start and end and end < start:
        errors.add(end_key, _l("The end cannot be before the start."))
    return start, end


def _organisers(ids, errors: FieldErrors) -> list[User]:
    ids = {int(i) for i in ids or ()}
    if not ids:
        return []
    users = db.session.execute(_assignable_organisers().where(User.id.in_(ids))).unique().scalars().all()
    if len(users) != len(ids):
        errors.add("organisers", _l("Only organisers and administrators can be assigned."))
    return sorted(users, key=lambda u: u.full_name)


def _programme_fields(data: dict, errors: FieldErrors) -> dict:
    starts_on, ends_on = _period(data, "starts_on", "ends_on", errors)
    regions = list(dict.fromkeys(data.get("regions") or ()))
    unknown = [code for code in regions if not is_region(code)]
    if unknown:
        errors.add("regions", _l("Unknown region: %(codes)s.", codes=", ".join(unknown)))
    return {
        "title": text_field(data, "title", errors, required=True, max_length=TITLE_MAX),
        "funder": text_field(data, "funder", errors, max_length=FUNDER_MAX),
        "grant_number": text_field(data, "grant_number", errors, max_length=GRANT_MAX),
        "description": text_field(data, "description", errors),
        "target_groups": text_field(data, "target_groups", errors),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "region_codes": regions,
        "hours_unit": errors.choice("hours_unit", HoursUnit, data.get("hours_unit") or HoursUnit.CLOCK.value,
                                    _l("Choose clock or academic hours.")),
    }


def _check_children_inside(programme: Programme, errors: FieldErrors) -> None:
    """Narrowing the period must not leave stages or plan items outside it."""
    if errors.fields or programme.starts_on is None:
        return
    for stage in programme.stages:
        if stage.starts_on < programme.starts_on or stage.ends_on > programme.ends_on:
            errors.add("ends_on", _l("Stage %(number)d lies outside this period.", number=stage.number))
    for item in programme.plan_items:
        if item.planned_start < programme.starts_on or item.planned_end > programme.ends_on:
            errors.add("ends_on", _l("Plan item %(number)s lies outside this period.", number=item.number))


def _valid_fields(build, programme: Programme, data: dict, current) -> dict:
    """Run a part's field builder and refuse the whole submission if any field is wrong."""
    errors = FieldErrors()
    fields = build(programme, data, errors, current)
    errors.raise_if_any()
    return fields


NUMBER_TAKEN = {
    "Stage": _l("This programme already has a stage with this number."),
    "PlanItem": _l("The calendar plan already has an activity with this number."),
}


@contextmanager
def _number_unique(kind: str):
    """A unit of work for a stage or plan item. Numbers are unique per programme in the database
    too: when a concurrent save took the number after our check, the answer is the same message."""
    try:
        with unit_of_work():
            yield
    except IntegrityError as error:
        raise ValidationFailed(NUMBER_TAKEN[kind], field="number") from error


def _update_part(part, data: dict, build):
    """Change a stage or plan item in place: validate everything, then one commit."""
    with _number_unique(type(part).__name__):
        for key, value in _valid_fields(build, part.programme, data, part).items():
            setattr(part, key, value)
    return part


def create_programme(actor: User, data: dict) -> Programme:
    """A new programme; a non-admin creator is always among its organisers."""
    errors = FieldErrors()
    fields = _programme_fields(data, errors)
    organisers = _organisers(data.get("organisers"), errors)
    errors.raise_if_any()
    if not actor.is_admin and actor not in organisers:
        organisers.append(actor)
    with unit_of_work():
        programme = Programme(**fields, created_by_id=actor.id)
        programme.organisers = organisers
        db.session.add(programme)
    return programme


def update_programme(programme: Programme, actor: User, data: dict) -> Programme:
    errors = FieldErrors()
    fields = _programme_fields(data, errors)
    organisers = _organisers(data.get("organisers"), errors)
    errors.raise_if_any()
    if not actor.is_admin and actor not in organisers:
        organisers.append(actor)
    with unit_of_work():
        for key, value in fields.items():
            setattr(programme, key, value)
        programme.organisers = organisers
        _check_children_inside(programme, errors)
        errors.raise_if_any()
    return programme


# --- stages ---------------------------------------------------------------------------

def _stage_fields(programme: Programme, data: dict, errors: FieldErrors, stage: Stage | None) -> dict:
    number = data.get("number")
    if number not in bounds.of("programme_stages.number"):
        errors.add("number", _l("Enter a number from 1 to 99."))
    elif any(s.number == number and s is not stage for s in programme.stages):
        errors.add("number", NUMBER_TAKEN["Stage"])
    starts_on, ends_on = _period(data, "starts_on", "ends_on", errors)
    if starts_on and starts_on < programme.starts_on:
        errors.add("starts_on", _l("The stage must start within the programme period."))
    if ends_on and ends_on > programme.ends_on:
        errors.add("ends_on", _l("The stage must end within the programme period."))
    return {
        "number": number,
        "title": text_field(data, "title", errors, required=True, max_length=TITLE_MAX),
        "description": text_field(data, "description", errors),
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


def add_stage(programme: Programme, actor: User, data: dict) -> Stage:
    with _number_unique("Stage"):
        stage = Stage(programme=programme, **_valid_fields(_stage_fields, programme, data, None))
        db.session.add(stage)
    return stage


def update_stage(stage: Stage, actor: User, data: dict) -> Stage:
    return _update_part(stage, data, _stage_fields)


def delete_stage(stage: Stage, actor: User) -> None:
    """Plan items keep their place in the plan; they just lose the stage."""
    with unit_of_work():
        for item in stage.programme.plan_items:
            if item.stage_id == stage.id:
                item.stage = None
        db.session.delete(stage)


# --- calendar plan --------------------------------------------------------------------

def linkable_events(programme: Programme) -> list:
    """Events a plan item may link to: the programme's own events."""
    return list(programme.events)


def _plan_item_fields(programme: Programme, data: dict, errors: FieldErrors, item: PlanItem | None) -> dict:
    number = text_field(data, "number", errors, required=True, max_length=NUMBER_MAX)
    if number and any(other.number == number and other is not item for other in programme.plan_items):
        errors.add("number", NUMBER_TAKEN["PlanItem"])
    start, end = _period(data, "planned_start", "planned_end", errors)
    if start and start < programme.starts_on:
        errors.add("planned_start", _l("The activity must start within the programme period."))
    if end and end > programme.ends_on:
        errors.add("planned_end", _l("The activity must end within the programme period."))
    stage = None
    stage_id = data.get("stage_id")
    if stage_id:
        stage = next((s for s in programme.stages if s.id == int(stage_id)), None)
        if stage is None:
            errors.add("stage_id", _l("Choose a stage of this programme."))
    event_ids = {int(i) for i in data.get("event_ids") or ()}
    events = []
    if event_ids:
        events = [event for event in programme.events if event.id in event_ids]
        if len(events) != len(event_ids):
            errors.add("event_ids", _l("Only events of this programme can be linked."))
    return {
        "number": number,
        "activity": text_field(data, "activity", errors, required=True, max_length=ACTIVITY_MAX),
        "planned_start": start,
        "planned_end": end,
        "stage": stage,
        "events": events,
    }


def add_plan_item(programme: Programme, actor: User, data: dict) -> PlanItem:
    """Append an activity to the calendar plan (positions keep the plan's order)."""
    with _number_unique("PlanItem"):
        fields = _valid_fields(_plan_item_fields, programme, data, None)
        position = max((i.position for i in programme.plan_items), default=0) + 1
        item = PlanItem(programme=programme, position=position, **fields)
        db.session.add(item)
    return item


def update_plan_item(item: PlanItem, actor: User, data: dict) -> PlanItem:
    return _update_part(item, data, _plan_item_fields)


def delete_plan_item(item: PlanItem, actor: User) -> None:
    with unit_of_work():
        db.session.delete(item)


# --- reading --------------------------------------------------------------------------

def programmes_for(user: User) -> list[Programme]:
    """Admins see every programme, organisers the ones assigned to them."""
    return list(db.session.execute(
        select(Programme).where(permissions.managed_programmes_clause(user, Programme))
        .options(selectinload(Programme.plan_items))
        .order_by(Programme.starts_on.desc(), Programme.id.desc())
    ).scalars())


def load_programme(programme_id: int) -> Programme | None:
    """A programme with stages, plan items, linked events and their trip results in a few queries."""
    linked_event = PlanItem.events.property.mapper.class_  # the Event model, found through the relationship
    return db.session.execute(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(
            selectinload(Programme.stages),
            selectinload(Programme.plan_items).selectinload(PlanItem.events).selectinload(linked_event.results),
            selectinload(Programme.plan_items).selectinload(PlanItem.stage),
        )
    ).scalar_one_or_none()


class Outcome:
    """What became of a linked event, as shown beside a plan item."""

    RESULTS = "results"
    HELD = "held"
    CANCELLED = "cancelled"
    PLANNED = "planned"
    DRAFT = "draft"

    LABELS = {
        RESULTS: _l("Held, results recorded"),
        HELD: _l("Held"),
        CANCELLED: _l("Cancelled"),
        PLANNED: _l("Planned"),
        DRAFT: _l("Draft"),
    }


def event_outcome(event, now=None) -> str:
    """Held = ended and not cancelled; a trip whose results are recorded shows 'results'."""
    now = now or clock.now()
    if event.is_cancelled:
        return Outcome.CANCELLED
    if event.is_draft:
        return Outcome.DRAFT
    if event.ends_at is not None and event.ends_at <= now:
        if event.is_trip and event.results:
            return Outcome.RESULTS
        return Outcome.HELD
    return Outcome.PLANNED


@dataclass(frozen=True)
class Bar:
    """One row of the SVG timeline, in viewBox units (the SVG scales to its container)."""

    item: PlanItem
    x: float
    width: float
    y: float
    done: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: date


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    label_width: int
    row_height: int
    bars: list[Bar]
    ticks: list[Tick]
    stages: list[tuple[Stage, float, float]]
    today_x: float | None


TIMELINE_WIDTH = 1000
TIMELINE_LABEL = 60
TIMELINE_ROW = 28
TIMELINE_HEADER = 40


def timeline(programme: Programme, now=None) -> Timeline:
    """Bars for the plan items across the programme period, month ticks and stage bands."""
    now = now or clock.now()
    start, end = programme.starts_on, programme.ends_on
    span = max((end - start).days + 1, 1)
    chart = TIMELINE_WIDTH - TIMELINE_LABEL

    def x_of(day: date) -> float:
        offset = min(max((day - start).days, 0), span)
        return round(TIMELINE_LABEL + chart * offset / span, 1)

    def width_of(first: date, last: date) -> float:
        return max(round(x_of(last) + chart / span - x_of(first), 1), 2.0)

    bars = []
    for row, item in enumerate(programme.plan_items):
        outcomes = [event_outcome(e, now) for e in item.events]
        done = bool(outcomes) and all(o in (Outcome.HELD, Outcome.RESULTS, Outcome.CANCELLED) for o in outcomes) \
            and any(o in (Outcome.HELD, Outcome.RESULTS) for o in outcomes)
        bars.append(Bar(item=item, x=x_of(item.planned_start), width=width_of(item.planned_start, item.planned_end),
                        y=TIMELINE_HEADER + row * TIMELINE_ROW, done=done))
    ticks = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            ticks.append(Tick(x=x_of(month), label=month))
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    stages = [(s, x_of(s.starts_on), width_of(s.starts_on, s.ends_on)) for s in programme.stages]
    today = now.date()
    return Timeline(
        width=TIMELINE_WIDTH,
        height=TIMELINE_HEADER + max(len(bars), 1) * TIMELINE_ROW + 8,
        label_width=TIMELINE_LABEL,
        row_height=TIMELINE_ROW,
        bars=bars,
        ticks=ticks,
        stages=stages,
        today_x=x_of(today) if start <= today <= end else None,
    )


def _assignable_organisers():
    return select(User).join(UserRole).where(UserRole.role.in_([Role.ORGANISER, Role.ADMIN]), User.active.is_(True))


def assignable_organisers() -> list[User]:
    """Users who may be assigned to a programme: active organisers and administrators."""
    return list(db.session.execute(
        _assignable_organisers().order_by(User.full_name, User.id)
    ).unique().scalars())

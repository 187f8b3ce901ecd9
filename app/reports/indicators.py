"""Indicator definitions, hand-entered facts and the deviations text: each change one unit of work.

`data` dicts carry parsed values (ints, dates); every rule that fails names its field.
"""
from datetime import date
from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.accounts.models import User
from app.core import bounds
from app.core.text_fields import text_field
from app.database import row_or_not_found, unit_of_work
from app.errors import FieldErrors, NotFound
from app.events.models import Event, EventKind
from app.extensions import db
from app.programmes.models import Programme
from app.reports import (
    outcome_sources,  # noqa: F401  (registers the quotas' and certificates' sources)
    sources,
)
from app.reports.models import MANUAL, Indicator, IndicatorStagePlan, ManualFact, ReportNote

NAME_MAX = 300
UNIT_MAX = 50
URL_MAX = 500
PLAN_MAX = bounds.of("indicators.plan").high
MAX_ID = 2**31 - 1  # beyond PostgreSQL's INTEGER no row can exist: refuse it before asking the database

FILTER_KEYS = ("stage_id", "event_kind", "date_from", "date_to", "event_id", "option")


def _count(data: dict, key: str, errors: FieldErrors, *, required=True) -> int | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            errors.add(key, _l("Enter a whole number from 0."))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= PLAN_MAX:
        errors.add(key, _l("Enter a whole number from 0 to %(max)d.", max=PLAN_MAX))
        return None
    return value


def _filters(programme: Programme, source_key: str, data: dict, errors: FieldErrors) -> dict:
    filters: dict = {}
    stage_id = data.get("filter_stage_id")
    if stage_id:
        if not any(s.id == stage_id for s in programme.stages):
            errors.add("filter_stage_id", _l("Choose a stage of this programme."))
        filters["stage_id"] = stage_id
    kind = data.get("filter_event_kind") or None
    if kind:
        if kind not in {k.value for k in EventKind}:
            errors.add("filter_event_kind", _l("Choose an event kind from the list."))
        filters["event_kind"] = kind
    date_from, date_to = data.get("filter_date_from"), data.get("filter_date_to")
    for key, value in (("filter_date_from", date_from), ("filter_date_to", date_to)):
        if value is not None and not isinstance(value, date):
            errors.add(key, _l("Enter a date."))
    if isinstance(date_from, date) and isinstance(date_to, date) and date_to < date_from:
        errors.add("filter_date_to", _l("The end cannot be before the start."))
    if isinstance(date_from, date):
        filters["date_from"] = date_from.isoformat()
    if isinstance(date_to, date):
        filters["date_to"] = date_to.isoformat()
    event_id = data.get("filter_event_id")
    if event_id:
        found = None
        if isinstance(event_id, int) and 0 < event_id <= MAX_ID:
            found = db.session.execute(select(Event.id).where(Event.id == event_id,
                                                              Event.programme_id == programme.id)).scalar()
        if found is None:
            errors.add("filter_event_id", _l("Choose an event of this programme."))
        filters["event_id"] = event_id
    option = data.get("filter_option") or None
    if option:
        known = sources.get(source_key)
        if known is None or option not in {key for key, _label in known.options}:
            errors.add("filter_option", _l("This option does not apply to the chosen source."))
        filters["option"] = option
    if filters and source_key == MANUAL:
        errors.add("source", _l("Filters apply only to computed sources."))
    return filters


def _stage_plans(programme: Programme, data: dict, errors: FieldErrors) -> dict[int, int]:
    plans = {}
    for stage in programme.stages:
        key = f"stage_plan_{stage.id}"
        value = _count(data, key, errors, required=False)
        if value is not None:
            plans[stage.id] = value
    return plans


def _fields(programme: Programme, data: dict, errors: FieldErrors) -> dict:
    source_key = data.get("source") or MANUAL
    if source_key != MANUAL and sources.get(source_key) is None:
        errors.add("source", _l("Choose a source from the list."))
    fields = {
        "name": text_field(data, "name", errors, required=True, max_length=NAME_MAX),
        "unit": text_field(data, "unit", errors, max_length=UNIT_MAX),
        "description": text_field(data, "description", errors),
        "plan": _count(data, "plan", errors),
        "source": source_key,
        "filters": _filters(programme, source_key, data, errors),
    }
    if "deviation_note" in data:  # callers that do not know the note (the API, the demo) leave it as it is
        fields["deviation_note"] = text_field(data, "deviation_note", errors)
    return fields


def _apply_stage_plans(indicator: Indicator, plans: dict[int, int]) -> None:
    keep = []
    for stage_id, plan in plans.items():
        row = next((p for p in indicator.stage_plans if p.stage_id == stage_id), None)
        if row is None:
            row = IndicatorStagePlan(stage_id=stage_id, plan=plan)
        row.plan = plan
        keep.append(row)
    indicator.stage_plans = keep


def create_indicator(programme: Programme, actor: User, data: dict) -> Indicator:
    errors = FieldErrors()
    fields = _fields(programme, data, errors)
    plans = _stage_plans(programme, data, errors)
    errors.raise_if_any()
    with unit_of_work():
        position = max((i.position for i in indicators_of(programme)), default=0) + 1
        indicator = Indicator(programme_id=programme.id, position=position, **fields)
        _apply_stage_plans(indicator, plans)
        db.session.add(indicator)
    return indicator


def update_indicator(indicator: Indicator, actor: User, data: dict) -> Indicator:
    programme = db.session.get(Programme, indicator.programme_id)
    errors = FieldErrors()
    fields = _fields(programme, data, errors)
    plans = _stage_plans(programme, data, errors)
    errors.raise_if_any()
    with unit_of_work():
        for key, value in fields.items():
            setattr(indicator, key, value)
        _apply_stage_plans(indicator, plans)
        if not indicator.is_manual:
            indicator.manual_facts = []
    return indicator


def delete_indicator(indicator: Indicator, actor: User) -> None:
    with unit_of_work():
        db.session.delete(indicator)


def move_indicator(indicator: Indicator, actor: User, offset: int) -> None:
    """Swap with the neighbour above (offset -1) or below (+1) in the report's order."""
    programme = db.session.get(Programme, indicator.programme_id)
    with unit_of_work():
        ordered = indicators_of(programme)
        index = ordered.index(indicator)
        other = index + offset
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position


def _evidence(data: dict, errors: FieldErrors) -> str:
    url = text_field(data, "evidence_url", errors, max_length=URL_MAX)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            errors.add("evidence_url", _l("Enter a link starting with http:// or https://."))
    return url


def record_manual_fact(indicator: Indicator, actor: User, data: dict) -> ManualFact | None:
    """Set (or clear, with an empty value) the typed fact of a manual indicator, overall or for a stage."""
    errors = FieldErrors()
    if not indicator.is_manual:
        errors.add("value", _l("This indicator is computed from the data; its fact cannot be typed."))
    programme = db.session.get(Programme, indicator.programme_id)
    stage_id = data.get("stage_id") or None
    if stage_id is not None and not any(s.id == stage_id for s in programme.stages):
        errors.add("stage_id", _l("Choose a stage of this programme."))
    value = _count(data, "value", errors, required=False)
    note = text_field(data, "note", errors)
    evidence_url = _evidence(data, errors)
    errors.raise_if_any()
    with unit_of_work():
        fact = indicator.manual_fact(stage_id)
        if value is None:
            if fact is not None:
                indicator.manual_facts.remove(fact)
            return None
        if fact is None:
            fact = ManualFact(stage_id=stage_id, value=value)
            indicator.manual_facts.append(fact)
        fact.value, fact.note, fact.evidence_url = value, note, evidence_url
        fact.entered_by_id, fact.entered_at = actor.id, clock.now()
    return fact


def save_deviations(programme: Programme, actor: User, text: str, stage_id: int | None = None) -> ReportNote:
    errors = FieldErrors()
    text = text_field({"deviations": text}, "deviations", errors)
    if stage_id is not None and not any(s.id == stage_id for s in programme.stages):
        raise NotFound()
    errors.raise_if_any()
    with unit_of_work():
        note = db.session.execute(select(ReportNote).where(
            ReportNote.programme_id == programme.id,
            ReportNote.stage_id.is_(None) if stage_id is None else ReportNote.stage_id == stage_id,
        )).scalar_one_or_none()
        if note is None:
            note = ReportNote(programme_id=programme.id, stage_id=stage_id)
            db.session.add(note)
        note.deviations = text
        note.updated_by_id = actor.id
    return note


# --- reading ------------------------------------------------------------------------------------

def indicators_of(programme: Programme) -> list[Indicator]:
    return list(db.session.execute(
        select(Indicator).where(Indicator.programme_id == programme.id).order_by(Indicator.position, Indicator.id)
    ).scalars())


def indicators_of_programmes(programme_ids: list[int]) -> list[Indicator]:
    return list(db.session.execute(
        select(Indicator).where(Indicator.programme_id.in_(programme_ids or [0]))
        .order_by(Indicator.programme_id, Indicator.position, Indicator.id)
    ).scalars())


def indicator_in(programme: Programme, indicator_id: int) -> Indicator:
    """Load an indicator through its programme: an id of another programme is a 404."""
    return row_or_not_found(Indicator, indicator_id, programme_id=programme.id)


def deviations_of(programme: Programme) -> dict[int | None, str]:
    return {note.stage_id: note.deviations for note in db.session.execute(
        select(ReportNote).where(ReportNote.programme_id == programme.id)).scalars()}

"""Breakdowns of a computed indicator by region, organisation, event kind, month, stage, event or service,
within the programme's period like the indicator's fact (app/reports/figures.py)."""
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Organisation
from app.accounts.regions import region_name
from app.events.models import Event, EventKind, TripService
from app.extensions import db
from app.programmes.models import Programme
from app.reports import figures, sources
from app.reports.models import Indicator


def dimensions_for(indicator: Indicator) -> list[tuple[str, str, str]]:
    """The groupings this indicator can be shown by: (key, label, "by …" label)."""
    source = sources.get(indicator.source)
    if source is None:
        return []
    return [(key, str(sources.DIMENSION_LABELS[key]), str(sources.BY_LABELS[key])) for key in source.dimensions]


def _labels(by: str, keys: list, programme: Programme) -> dict:
    if by == "region":
        return {k: region_name(k) if k else _("Region not given") for k in keys}
    if by == "organisation":
        names = dict(db.session.execute(select(Organisation.id, Organisation.name)
                                        .where(Organisation.id.in_([k for k in keys if k] or [0]))).all())
        return {k: names.get(k, _("Organisation not given")) for k in keys}
    if by == "kind":
        return {k: str(EventKind(k).label) for k in keys}
    if by == "service":
        return {k: str(TripService(k).label) for k in keys}
    if by == "event":
        titles = dict(db.session.execute(select(Event.id, Event.title).where(Event.id.in_(keys or [0]))).all())
        return {k: titles.get(k, "") for k in keys}
    if by == "stage":
        stages = {s.id: s for s in programme.stages}
        return {k: (_("Stage %(number)d: %(title)s", number=stages[k].number, title=stages[k].title)
                    if k in stages else _("Outside the stages")) for k in keys}
    if by == "month":
        return {k: format_date(date.fromisoformat(f"{k}-01"), "LLLL yyyy") if k else "" for k in keys}
    return {k: str(k) for k in keys}


def breakdown(indicator: Indicator, programme: Programme, by: str) -> list[dict]:
    """Rows {key, label, value} in a stable order (months and stages in time, others by value)."""
    if indicator.is_manual or by not in {key for key, *_labels in dimensions_for(indicator)}:
        return []
    values = sources.compute(indicator.source, figures.indicator_scope(indicator, programme), by=by,
                             stages=figures.spans(programme))
    labels = _labels(by, list(values), programme)
    rows = [{"key": key, "label": labels[key], "value": value} for key, value in values.items()]
    if by == "month":
        rows.sort(key=lambda r: r["key"] or "")
    elif by == "stage":
        numbers = {s.id: s.number for s in programme.stages}
        rows.sort(key=lambda r: numbers.get(r["key"], 10**6))
    else:
        rows.sort(key=lambda r: (-r["value"], r["label"].casefold()))
    return rows

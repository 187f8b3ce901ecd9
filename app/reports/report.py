"""The plan-vs-fact report of a programme, built from the data as one JSON-safe dict.

The same dict is the report page, the API answer, the exports and a frozen snapshot, so a
snapshot renders and exports exactly like the live report did. Every computed fact is a figure of
app/reports/figures.py: bounded by the programme's period, with what lies outside it counted apart
(`outside_period` on the programme's rows; `between_stages` for the period's days in no stage).
Query count: a fixed number for the programme (every indicator's figures in one UNION ALL) —
nothing grows with the number of indicators, events, registrations or trips.
"""
from datetime import date, datetime, timedelta

from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.regions import region_name
from app.events.models import Event
from app.extensions import db
from app.programmes import services as programmes
from app.programmes.models import Programme
from app.reports import figures, freshness, sources
from app.reports import indicators as definitions
from app.reports.models import Indicator


def status_labels() -> dict[str, str]:
    return {
        "met": pgettext("indicator", "Met"), "on_track": pgettext("indicator", "On track"),
        "behind": pgettext("indicator", "Behind"), "missed": pgettext("indicator", "Missed"),
        "no_plan": _("No plan"), "no_fact": _("No fact yet"),
    }


def status_label(status: str) -> str:
    return status_labels().get(status, status)


def status_labeller():
    """status_label for a whole table: the labels translated once, not once per row."""
    labels = status_labels()
    return lambda status: labels.get(status, status)


def percent(fact, plan) -> int | None:
    if fact is None or not plan:
        return None
    return round(100 * fact / plan)


def status(fact, plan, starts_on: date, ends_on: date, today: date) -> str:
    """Met / on track / behind / missed against the share of the period elapsed by today."""
    if not plan:
        return "no_plan"
    if fact is None:
        return "no_fact"
    if fact >= plan:
        return "met"
    if today > ends_on:
        return "missed"
    span = max((ends_on - starts_on).days + 1, 1)
    elapsed = min(max((today - starts_on).days + 1, 0), span)
    return "on_track" if fact >= plan * elapsed / span else "behind"


def source_label(indicator: Indicator) -> str:
    if indicator.is_manual:
        return _("Entered by hand")
    return str(sources.get(indicator.source).label)


def definition(indicator: Indicator) -> str:
    """How the fact is counted: a computed source's one definition; for a fact typed by hand, the indicator's
    own description."""
    if indicator.is_manual or sources.get(indicator.source) is None:
        return indicator.description or ""
    return str(sources.get(indicator.source).description)


def _unit(indicator: Indicator) -> str:
    if indicator.unit or indicator.is_manual:
        return indicator.unit
    return str(sources.get(indicator.source).unit)


def _manual_facts(indicator: Indicator, programme: Programme) -> tuple[int | None, dict[int, int | None]]:
    per_stage = {s.id: (f.value if (f := indicator.manual_fact(s.id)) else None) for s in programme.stages}
    overall = indicator.manual_fact(None)
    if overall is not None:
        return overall.value, per_stage
    typed = [v for v in per_stage.values() if v is not None]
    return (sum(typed) if typed else None), per_stage


def facts_of(indicators: list[Indicator], programmes_by_id: dict[int, Programme], with_stages=True,
             with_outside=True) -> dict:
    """{indicator id: (overall fact, {stage id: fact}, Figure or None)} for indicators of any programmes, in one
    query; the Figure (app/reports/figures.py) of a computed indicator also holds what lies outside the period."""
    computed = figures.of_indicators(indicators, programmes_by_id, with_stages=with_stages, with_outside=with_outside)
    result = {}
    for indicator in indicators:
        programme = programmes_by_id[indicator.programme_id]
        found = computed.get(indicator.id)
        if indicator.is_manual:
            result[indicator.id] = (*_manual_facts(indicator, programme), None)
        elif found is None:
            result[indicator.id] = (None, {}, None)
        else:
            result[indicator.id] = (found.value, found.by_stage, found)
    return result


def facts(indicator: Indicator, programme: Programme, with_stages=True) -> tuple[int | None, dict[int, int | None]]:
    """(overall fact, {stage_id: fact}) of one indicator — computed or typed by hand."""
    return facts_of([indicator], {programme.id: programme}, with_stages)[indicator.id][:2]


def _row(indicator: Indicator, plan, fact, period: tuple[date, date], today: date, note: str = "",
         evidence_url: str = "", **apart) -> dict:
    """One line of the table; `apart` adds what is counted beside the fact (outside_period, between_stages)."""
    state = status(fact, plan, period[0], period[1], today)
    return {
        "id": indicator.id,
        "name": indicator.name,
        "unit": _unit(indicator),
        "plan": plan,
        "fact": fact,
        "percent": percent(fact, plan),
        "source": indicator.source,
        "source_label": source_label(indicator),
        "status": state,
        "note": note,
        "evidence_url": evidence_url,
        "definition": definition(indicator),
        **apart,
    }


def _days_outside(start: date, end: date, item) -> int:
    """How far the held dates lie outside the planned ones: days late after the planned end, days early
    (negative) before the planned start, 0 when held within the planned dates, as a funder reads it."""
    if end > item.planned_end:
        return (end - item.planned_end).days
    if start < item.planned_start:
        return (start - item.planned_start).days
    return 0


def _plan_rows(programme: Programme, now: datetime) -> list[dict]:
    today = now.date()
    rows = []
    for item in programme.plan_items:
        linked = []
        held_starts, held_ends = [], []
        for event in item.events:
            outcome = programmes.event_outcome(event, now)
            linked.append({"id": event.id, "title": event.title, "outcome": outcome,
                           "starts_on": event.starts_on.isoformat() if event.starts_on else None,
                           "ends_on": event.ends_on.isoformat() if event.ends_on else None})
            if outcome in (programmes.Outcome.HELD, programmes.Outcome.RESULTS) and event.ends_on:
                held_starts.append(event.starts_on or event.ends_on)
                held_ends.append(event.ends_on)
        if held_ends:
            state, deviation = "held", _days_outside(min(held_starts), max(held_ends), item)
        elif item.planned_end < today:
            state, deviation = "overdue", (today - item.planned_end).days
        else:
            state, deviation = "planned", None
        rows.append({
            "number": item.number, "activity": item.activity,
            "stage": item.stage.number if item.stage else None,
            "planned_start": item.planned_start.isoformat(), "planned_end": item.planned_end.isoformat(),
            "events": linked, "state": state, "deviation_days": deviation,
        })
    return rows


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = year + (month == 12), month % 12 + 1
    return months


def _consultations_pace(programme: Programme, indicators: list[Indicator], today: date) -> dict | None:
    """Accepted consultations month by month, cumulated, against a straight pace line to the plan."""
    indicator = next((i for i in indicators if i.source == "consultations_accepted" and i.plan), None)
    if indicator is None:
        return None
    scope = figures.indicator_scope(indicator, programme)
    first, last = scope.date_from or programme.starts_on, scope.date_to or programme.ends_on
    by_month = sources.compute("consultations_accepted", scope, by="month")
    months, total, rows = _months(first, last), 0, []
    span = max((last - first).days + 1, 1)
    for month in months:
        year, number = int(month[:4]), int(month[5:])
        month_end = min(date(year + (number == 12), number % 12 + 1, 1) - timedelta(days=1), last)
        total += by_month.get(month, 0)
        expected = round(indicator.plan * min(max((month_end - first).days + 1, 0), span) / span)
        started = date(year, number, 1) <= today
        rows.append({"month": month, "value": by_month.get(month, 0) if started else None,
                     "cumulative": total if started else None, "expected": expected})
    return {"name": indicator.name, "plan": indicator.plan, "months": rows}


def _charts(programme: Programme, indicators: list[Indicator], today: date) -> dict:
    scope = figures.programme_scope(programme)
    served = sources.compute("people_served", scope, by="event")
    titles = dict(db.session.execute(
        select(Event.id, Event.title).where(Event.id.in_(list(served) or [0]))).all())
    by_region = sources.compute("participants", scope, by="region")
    return {
        "trips": [{"title": titles.get(event_id, ""), "value": value}
                  for event_id, value in sorted(served.items(), key=lambda kv: titles.get(kv[0], ""))],
        "regions": sorted(({"code": code, "name": region_name(code), "value": value}
                           for code, value in by_region.items() if code), key=lambda r: (-r["value"], r["name"])),
        "consultations": _consultations_pace(programme, indicators, today),
    }


def build(programme_id: int, now: datetime | None = None) -> dict | None:
    """The live report of a programme (None when there is no such programme). At the current time it comes
    from the cache while nothing it counts has changed (app/reports/freshness.py); at a given time, built."""
    if now is not None:
        programme = programmes.load_programme(programme_id)
        return _built(programme, now) if programme is not None else None

    def built(_ids: list[int], at: datetime) -> dict:
        programme = programmes.load_programme(programme_id)
        return {programme_id: _built(programme, at) if programme is not None else None}

    return freshness.cached("report", [programme_id], built, variant=str(get_locale()))[programme_id]


def _built(programme: Programme, now: datetime) -> dict:
    today = now.date()
    indicators = definitions.indicators_of(programme)
    deviations = definitions.deviations_of(programme)
    whole = (programme.starts_on, programme.ends_on)
    overall_rows = []
    stage_rows: dict[int, list[dict]] = {s.id: [] for s in programme.stages}
    known = facts_of(indicators, {programme.id: programme})
    for indicator in indicators:
        total, per_stage, found = known[indicator.id]
        typed = indicator.manual_fact(None) if indicator.is_manual else None
        overall_rows.append(_row(indicator, indicator.plan, total, whole, today,
                                 typed.note if typed else "", typed.evidence_url if typed else "",
                                 outside_period=found.outside_period if found else None,
                                 between_stages=found.between_stages if found else None))
        for stage in programme.stages:
            stage_typed = indicator.manual_fact(stage.id) if indicator.is_manual else None
            stage_rows[stage.id].append(_row(
                indicator, indicator.stage_plan(stage.id), per_stage.get(stage.id), (stage.starts_on, stage.ends_on),
                today, stage_typed.note if stage_typed else "", stage_typed.evidence_url if stage_typed else ""))
    return {
        "programme": {
            "id": programme.id, "title": programme.title, "funder": programme.funder,
            "grant_number": programme.grant_number, "starts_on": programme.starts_on.isoformat(),
            "ends_on": programme.ends_on.isoformat(),
        },
        "generated_at": now.isoformat(),
        "indicators": overall_rows,
        "deviations": deviations.get(None, ""),
        "stages": [{
            "id": stage.id, "number": stage.number, "title": stage.title,
            "starts_on": stage.starts_on.isoformat(), "ends_on": stage.ends_on.isoformat(),
            "indicators": stage_rows[stage.id], "deviations": deviations.get(stage.id, ""),
        } for stage in programme.stages],
        "plan": _plan_rows(programme, now),
        "charts": _charts(programme, indicators, today),
    }


def progress(programmes: list[Programme], now: datetime | None = None) -> dict[int, dict]:
    """Dashboard figures per programme: indicators met, those below plan ((name, fact) pairs) and the mean % of
    plan (capped at 100). Kept per programme in the report cache while nothing they count and the day have not
    changed; the rest built with every computed indicator of them in one query."""
    by_id = {p.id: p for p in programmes}

    def built(programme_ids: list[int], at: datetime) -> dict[int, dict]:
        today = at.date()
        indicators = definitions.indicators_of_programmes(programme_ids)
        known = facts_of(indicators, {pid: by_id[pid] for pid in programme_ids}, with_stages=False,
                         with_outside=False)
        result = {}
        for pid in programme_ids:
            programme, rows = by_id[pid], []
            for indicator in (i for i in indicators if i.programme_id == pid):
                fact = known[indicator.id][0]
                rows.append((indicator, fact, status(fact, indicator.plan, programme.starts_on, programme.ends_on,
                                                     today)))
            shares = [min(percent(fact, i.plan), 100) for i, fact, _s in rows if percent(fact, i.plan) is not None]
            result[pid] = {
                "indicators": len(rows),
                "met": sum(1 for *_rest, state in rows if state == "met"),
                "below": [(i.name, fact) for i, fact, state in rows if state in ("behind", "missed")],
                "percent": round(sum(shares) / len(shares)) if shares else None,
            }
        return result

    if now is not None:
        return built(list(by_id), now)
    return freshness.cached("progress", list(by_id), built)

"""The plan-vs-fact report of a programme, built from the data as one JSON-safe dict.

The same dict is the report page, the API answer, the exports and a frozen snapshot, so a
snapshot renders and exports exactly like the live report did. Query count: a fixed number for
the programme, plus two per computed indicator (overall, per stage) — nothing grows with the
number of events, registrations or trips.
"""
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from app import clock
from app.accounts.regions import region_name
from app.events.models import Event
from app.extensions import db
from app.programmes import services as programmes
from app.programmes.models import Programme
from app.reports import indicators as definitions
from app.reports import sources
from app.reports.models import Indicator


def status_label(status: str) -> str:
    labels = {
        "met": pgettext("indicator", "Met"), "on_track": pgettext("indicator", "On track"),
        "behind": pgettext("indicator", "Behind"), "missed": pgettext("indicator", "Missed"),
        "no_plan": _("No plan"), "no_fact": _("No fact yet"),
    }
    return labels.get(status, status)


def scope_for(indicator: Indicator, programme: Programme) -> sources.Scope:
    filters = indicator.filters or {}
    scope = sources.Scope(
        programme_id=programme.id,
        date_from=date.fromisoformat(filters["date_from"]) if filters.get("date_from") else None,
        date_to=date.fromisoformat(filters["date_to"]) if filters.get("date_to") else None,
        event_kind=filters.get("event_kind"),
        event_id=filters.get("event_id"),
        option=filters.get("option"),
    )
    stage = next((s for s in programme.stages if s.id == filters.get("stage_id")), None)
    return scope.narrowed(stage.starts_on, stage.ends_on) if stage else scope


def spans(programme: Programme) -> tuple[sources.StageSpan, ...]:
    return tuple(sources.StageSpan(s.id, s.starts_on, s.ends_on) for s in programme.stages)


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


def requests_for(indicator: Indicator, programme: Programme, with_stages=True) -> list[sources.Request]:
    """The figures one computed indicator needs: its total and, optionally, its facts per stage."""
    if indicator.is_manual or sources.get(indicator.source) is None:
        return []
    scope = scope_for(indicator, programme)
    wanted = [sources.Request(f"{indicator.id}:total", indicator.source, scope)]
    if with_stages and programme.stages:
        wanted.append(sources.Request(f"{indicator.id}:stages", indicator.source, scope, by_stage=True,
                                      stages=spans(programme)))
    return wanted


def facts_of(indicators: list[Indicator], programmes_by_id: dict[int, Programme], with_stages=True) -> dict:
    """{indicator id: (overall fact, {stage id: fact})} for indicators of any programmes, in one query."""
    wanted = [r for i in indicators for r in requests_for(i, programmes_by_id[i.programme_id], with_stages)]
    computed = sources.compute_many(wanted) if wanted else {}
    result = {}
    for indicator in indicators:
        programme = programmes_by_id[indicator.programme_id]
        if indicator.is_manual:
            result[indicator.id] = _manual_facts(indicator, programme)
        elif f"{indicator.id}:total" not in computed:
            result[indicator.id] = (None, {})
        else:
            by_stage = computed.get(f"{indicator.id}:stages", {})
            result[indicator.id] = (computed[f"{indicator.id}:total"][sources.TOTAL],
                                    {s.id: by_stage.get(s.id, 0) for s in programme.stages} if with_stages else {})
    return result


def facts(indicator: Indicator, programme: Programme, with_stages=True) -> tuple[int | None, dict[int, int | None]]:
    """(overall fact, {stage_id: fact}) of one indicator — computed or typed by hand."""
    return facts_of([indicator], {programme.id: programme}, with_stages)[indicator.id]


def _row(indicator: Indicator, plan, fact, period: tuple[date, date], today: date, note: str = "",
         evidence_url: str = "") -> dict:
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
    }


def _plan_rows(programme: Programme, now: datetime) -> list[dict]:
    today = now.date()
    rows = []
    for item in programme.plan_items:
        linked = []
        held_ends = []
        for event in item.events:
            outcome = programmes.event_outcome(event, now)
            linked.append({"id": event.id, "title": event.title, "outcome": outcome,
                           "starts_on": event.starts_on.isoformat() if event.starts_on else None,
                           "ends_on": event.ends_on.isoformat() if event.ends_on else None})
            if outcome in (programmes.Outcome.HELD, programmes.Outcome.RESULTS) and event.ends_on:
                held_ends.append(event.ends_on)
        if held_ends:
            state, deviation = "held", (max(held_ends) - item.planned_end).days
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
    scope = scope_for(indicator, programme)
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
    scope = sources.Scope(programme_id=programme.id)
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
    """The live report of a programme (None when there is no such programme)."""
    programme = programmes.load_programme(programme_id)
    if programme is None:
        return None
    now = now or clock.now()
    today = now.date()
    indicators = definitions.indicators_of(programme)
    deviations = definitions.deviations_of(programme)
    whole = (programme.starts_on, programme.ends_on)
    overall_rows = []
    stage_rows: dict[int, list[dict]] = {s.id: [] for s in programme.stages}
    known = facts_of(indicators, {programme.id: programme})
    for indicator in indicators:
        total, per_stage = known[indicator.id]
        typed = indicator.manual_fact(None) if indicator.is_manual else None
        overall_rows.append(_row(indicator, indicator.plan, total, whole, today,
                                 typed.note if typed else "", typed.evidence_url if typed else ""))
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
    """Dashboard figures per programme: indicators met, those below plan, and the mean % of plan (capped at
    100). Every computed indicator of every programme in one query."""
    today = (now or clock.now()).date()
    by_id = {p.id: p for p in programmes}
    indicators = definitions.indicators_of_programmes(list(by_id))
    known = facts_of(indicators, by_id, with_stages=False)
    result = {}
    for programme in programmes:
        rows = []
        for indicator in (i for i in indicators if i.programme_id == programme.id):
            fact = known[indicator.id][0]
            rows.append((indicator, fact, status(fact, indicator.plan, programme.starts_on, programme.ends_on, today)))
        shares = [min(percent(fact, i.plan), 100) for i, fact, _s in rows if percent(fact, i.plan) is not None]
        result[programme.id] = {
            "indicators": len(rows),
            "met": sum(1 for *_rest, state in rows if state == "met"),
            "below": [(i, fact) for i, fact, state in rows if state in ("behind", "missed")],
            "percent": round(sum(shares) / len(shares)) if shares else None,
        }
    return result

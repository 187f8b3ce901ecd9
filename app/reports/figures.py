"""The computed figures of a programme: one definition each, the same on every page, export and API.

Every figure is bounded by the programme's period: an event counts by the day it starts, a consultation
by the day it was held, a met quota by the day its target-th accepted consultation was held, a
certificate by its event. What the same filters find outside the period is counted apart
(`outside_period`), never in the figure; within the period, what falls in no stage is counted apart
too (`between_stages`). An event counts as held, and its people as participants or trained, only once
it has ended (app/reports/sources.py says what each source counts; its description is the help text
shown beside the figure).

Callers: the report (app/reports/report.py) and everything built from it — the report page, its stage
pages, CSV/XLSX/PDF exports, frozen snapshots, /api/v1/programmes/<id>/report, the dashboard — and any
other report (the analytical report). Ask here, not app/reports/sources.py directly: a raw Scope there
is bounded by nothing.

`figure(programme, key, ...)` answers one figure; `participants(programme, ...)` and its siblings below
are the same call, one public function per figure. `of_indicators` answers every indicator of one or
many programmes in a single query.
"""
from dataclasses import dataclass, field
from datetime import date

from app.programmes.models import Programme
from app.reports import (
    outcome_sources,  # noqa: F401  (registers the quotas' and certificates' sources)
    sources,
)
from app.reports.models import Indicator


@dataclass(frozen=True)
class Figure:
    """One computed figure: its value in the programme period, and what lies outside it, counted apart."""

    key: str
    value: int
    outside_period: int
    by_stage: dict[int, int] = field(default_factory=dict)
    between_stages: int | None = None  # in the period but in no stage; None when the programme has no stages

    @property
    def label(self) -> str:
        return str(sources.get(self.key).label)

    @property
    def definition(self) -> str:
        return str(sources.get(self.key).description)

    @property
    def unit(self) -> str:
        return str(sources.get(self.key).unit)


def spans(programme: Programme) -> tuple[sources.StageSpan, ...]:
    return tuple(sources.StageSpan(s.id, s.starts_on, s.ends_on) for s in programme.stages)


def programme_scope(programme: Programme, *, stage_id: int | None = None, event_kind: str | None = None,
                    event_id: int | None = None, option: str | None = None, date_from: date | None = None,
                    date_to: date | None = None) -> sources.Scope:
    """The filters, bounded by the programme's period (and by the stage, when one of its stages is named)."""
    scope = sources.Scope(programme_id=programme.id, date_from=date_from, date_to=date_to, event_kind=event_kind,
                          event_id=event_id, option=option).narrowed(programme.starts_on, programme.ends_on)
    stage = next((s for s in programme.stages if s.id == stage_id), None)
    return scope.narrowed(stage.starts_on, stage.ends_on) if stage else scope


def indicator_scope(indicator: Indicator, programme: Programme) -> sources.Scope:
    """A computed indicator's filters as a scope bounded by the programme's period."""
    filters = indicator.filters or {}
    return programme_scope(
        programme, stage_id=filters.get("stage_id"), event_kind=filters.get("event_kind"),
        event_id=filters.get("event_id"), option=filters.get("option"),
        date_from=date.fromisoformat(filters["date_from"]) if filters.get("date_from") else None,
        date_to=date.fromisoformat(filters["date_to"]) if filters.get("date_to") else None)


def _requests(tag, key: str, scope: sources.Scope, programme: Programme, with_stages: bool,
              with_outside: bool) -> list[sources.Request]:
    """What to ask for one figure. The stage split of an additive source (a count or sum of rows, each row in
    one stage or in none) adds up to its total, so that total is not asked again: one scan of the rows less."""
    staged = with_stages and bool(programme.stages)
    wanted = [] if staged and sources.get(key).additive else [sources.Request(f"{tag}:total", key, scope)]
    if with_outside:
        wanted.append(sources.Request(f"{tag}:outside", key, scope.beyond(programme.starts_on, programme.ends_on)))
    if staged:
        wanted.append(sources.Request(f"{tag}:stages", key, scope, by_stage=True, stages=spans(programme)))
    return wanted


def _answer(computed: dict, tag, key: str, programme: Programme, with_stages: bool) -> Figure:
    by_stage = computed.get(f"{tag}:stages", {})
    total = computed[f"{tag}:total"][sources.TOTAL] if f"{tag}:total" in computed else sum(by_stage.values())
    return Figure(
        key=key, value=total,
        outside_period=computed.get(f"{tag}:outside", {}).get(sources.TOTAL, 0),
        by_stage={s.id: by_stage.get(s.id, 0) for s in programme.stages} if with_stages else {},
        between_stages=by_stage.get(None, 0) if with_stages and programme.stages else None)


def of_indicators(indicators: list[Indicator], programmes_by_id: dict[int, Programme], *, with_stages=True,
                  with_outside=True) -> dict[int, Figure]:
    """{indicator id: Figure} for the computed indicators among `indicators` (any programmes), in one query.
    Manual indicators and unknown sources are left out."""
    computed_ones = [i for i in indicators if not i.is_manual and sources.get(i.source) is not None]
    wanted = [r for i in computed_ones
              for r in _requests(i.id, i.source, indicator_scope(i, programmes_by_id[i.programme_id]),
                                 programmes_by_id[i.programme_id], with_stages, with_outside)]
    computed = sources.compute_many(wanted) if wanted else {}
    return {i.id: _answer(computed, i.id, i.source, programmes_by_id[i.programme_id], with_stages)
            for i in computed_ones}


def figure(programme: Programme, key: str, **filters) -> Figure:
    """One figure of the programme (`key` a source of app/reports/sources.py), in one query. Filters:
    stage_id, event_kind, event_id, option, date_from, date_to — always inside the programme's period."""
    wanted = _requests("figure", key, programme_scope(programme, **filters), programme, True, True)
    return _answer(sources.compute_many(wanted), "figure", key, programme, True)


def trainees_trained(programme: Programme, **filters) -> Figure:
    """People who reached the attendance threshold of an ended event of the programme; each once."""
    return figure(programme, "trainees_trained", **filters)


def participants(programme: Programme, **filters) -> Figure:
    """Distinct people confirmed for the programme's ended events."""
    return figure(programme, "participants", **filters)


def regions_covered(programme: Programme, **filters) -> Figure:
    """Distinct regions of the people confirmed for the programme's ended events."""
    return figure(programme, "regions_covered", **filters)


def organisations_covered(programme: Programme, **filters) -> Figure:
    """Distinct organisations of the people confirmed for the programme's ended events."""
    return figure(programme, "organisations_covered", **filters)


def events_held(programme: Programme, **filters) -> Figure:
    """Published events of the programme that have ended."""
    return figure(programme, "events_held", **filters)


def sessions_held(programme: Programme, **filters) -> Figure:
    """Ended, not cancelled sessions of the programme's published events."""
    return figure(programme, "sessions_held", **filters)


def group_meetings_held(programme: Programme, **filters) -> Figure:
    """Ended, not cancelled meetings of the programme's self-help groups."""
    return figure(programme, "group_meetings_held", **filters)


def group_meeting_attendance(programme: Programme, **filters) -> Figure:
    """Members checked in plus guests at the held meetings of the programme's self-help groups."""
    return figure(programme, "group_meeting_attendance", **filters)


def people_served(programme: Programme, **filters) -> Figure:
    """People served on the programme's ended outreach trips (option: one service)."""
    return figure(programme, "people_served", **filters)


def registrations(programme: Programme, **filters) -> Figure:
    """Registrations for the programme's events, in any state."""
    return figure(programme, "registrations", **filters)


def waitlist_conversions(programme: Programme, **filters) -> Figure:
    """Registrations that took a seat offered from the waitlist."""
    return figure(programme, "waitlist_conversions", **filters)


def consultations_accepted(programme: Programme, **filters) -> Figure:
    """All accepted consultations of the programme's quota plans, by the day held (no cap at any target)."""
    return figure(programme, "consultations_accepted", **filters)


def quotas_met(programme: Programme, **filters) -> Figure:
    """Trainees whose accepted consultations reached their own target, dated by the target-th one."""
    return figure(programme, "quotas_met", **filters)


def certificates_issued(programme: Programme, **filters) -> Figure:
    """Certificates in force for the programme's events (option: one kind)."""
    return figure(programme, "certificates_issued", **filters)

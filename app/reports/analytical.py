"""The analytical report of a programme, shaped as the Presidential Grants Fund asks it (seed 000): the calendar
plan with planned and actual dates, milestones, quantitative results (plan, fact, deviation and its reason per
indicator), qualitative results (event summaries, self-help group outcomes, trip results) and publications.

Every figure comes from `report.build`, the function behind the report page: this module only re-arranges
its dict, and adds what the report does not show (actual dates from the linked events' sessions, the
indicators' deviation notes, the events' written results). Two layouts: "pgf", in the fund's words and
in Russian (the fund's portal is Russian), and "neutral", in the reader's language.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts.regions import region_name
from app.events.models import Event, EventKind, EventStatus, Session
from app.extensions import db
from app.programmes.models import Programme
from app.reports import exports, report
from app.reports import indicators as definitions
from app.reports.models import Indicator

PGF, NEUTRAL = "pgf", "neutral"
LAYOUTS = (PGF, NEUTRAL)
PGF_LOCALE = "ru"
_URL = re.compile(r"https?://[^\s<>\"'«»]+")


@dataclass(frozen=True)
class Headings:
    title: str
    about: str
    plan: str
    milestones: str
    quantitative: str
    deviations: str
    qualitative: str
    publications: str


def headings(layout: str) -> Headings:
    if layout == PGF:
        return Headings(
            title=_("Analytical report on the implementation of the project"),
            about=_("Information about the project"),
            plan=_("Implementation of the calendar plan"),
            milestones=_("Milestones reached"),
            quantitative=_("Quantitative results"),
            deviations=_("Deviations from the plan and their reasons"),
            qualitative=_("Qualitative results"),
            publications=_("Publications and media coverage of the project"),
        )
    return Headings(
        title=_("Programme report: activities and results"),
        about=_("About the programme"),
        plan=_("Activities: planned and actual dates"),
        milestones=_("Milestones"),
        quantitative=_("Results in figures"),
        deviations=_("Deviations from the plan and their reasons"),
        qualitative=_("What the activities achieved"),
        publications=_("Publications"),
    )


@dataclass(frozen=True)
class PlanRow:
    number: str
    activity: str
    stage: int | None
    planned_start: date
    planned_end: date
    actual_start: date | None
    actual_end: date | None
    events: tuple[str, ...]
    state: str
    state_label: str
    deviation_days: int | None


@dataclass(frozen=True)
class Milestone:
    title: str
    starts_on: date
    ends_on: date
    items_held: int
    items_total: int
    indicators_met: int
    indicators_total: int
    state: str  # reached | in_progress | not_reached | empty
    state_label: str


@dataclass(frozen=True)
class IndicatorRow:
    name: str
    unit: str
    plan: int | None
    fact: int | None
    percent: int | None
    deviation: int | None  # fact − plan
    status: str
    status_label: str
    deviation_note: str
    fact_note: str
    evidence_url: str


@dataclass(frozen=True)
class EventSummary:
    title: str
    kind_label: str
    held_on: date | None
    summary: str


@dataclass(frozen=True)
class GroupOutcome:
    title: str
    community: str
    meetings_held: int
    outcomes: tuple[tuple[date, str], ...]


@dataclass(frozen=True)
class TripOutcome:
    title: str
    settlement: str
    held_on: date | None
    served: tuple[tuple[str, int], ...]
    total: int
    notes: str


@dataclass(frozen=True)
class Publication:
    title: str  # the indicator whose evidence it is
    url: str


@dataclass(frozen=True)
class AnalyticalReport:
    layout: str
    headings: Headings
    programme_id: int
    title: str
    funder: str
    grant_number: str
    starts_on: date
    ends_on: date
    organisations: tuple[str, ...]
    team: tuple[str, ...]
    regions: tuple[str, ...]
    target_groups: str
    description: str
    generated_on: date
    plan: tuple[PlanRow, ...]
    milestones: tuple[Milestone, ...]
    indicators: tuple[IndicatorRow, ...]
    deviations: tuple[tuple[str, str], ...]  # (whose: "" for the programme or "Stage 1", text)
    summaries: tuple[EventSummary, ...]
    groups: tuple[GroupOutcome, ...]
    trips: tuple[TripOutcome, ...]
    publications: tuple[Publication, ...]

    @property
    def has_qualitative(self) -> bool:
        return bool(self.summaries or self.groups or self.trips)

    @property
    def trip_services(self) -> list[str]:
        """The services any trip served people in: the columns of the trips table."""
        return sorted({label for trip in self.trips for label, _count in trip.served})


def date_text(value: date | None, layout: str) -> str:
    """dd.mm.yyyy in the fund's layout (as its portal writes dates); the reader's medium date otherwise."""
    if value is None:
        return "—"
    return format_date(value, "dd.MM.yyyy" if layout == PGF else "medium")


def slug(title: str) -> str:
    """The programme title as a file-name part: letters and digits of any script, words joined by hyphens."""
    words = re.findall(r"\w+", unicodedata.normalize("NFC", title).casefold())
    text = "-".join(w.replace("_", "") for w in words if w.replace("_", ""))
    return text[:60].rstrip("-") or "programme"


def filename(programme: Programme, layout: str, fmt: str) -> str:
    prefix = "analytical-report-pgf" if layout == PGF else "analytical-report"
    return f"{prefix}-{slug(programme.title)}.{fmt}"


def ascii_filename(programme: Programme, layout: str, fmt: str) -> str:
    """The fallback for clients that read only `filename=`: the same name with the programme's id for the title."""
    prefix = "analytical-report-pgf" if layout == PGF else "analytical-report"
    return f"{prefix}-{programme.id}.{fmt}"


# --- assembling ---------------------------------------------------------------------------------

def _local_day(moment: datetime, event: Event) -> date:
    return moment.astimezone(event.tz).date()


def _held_sessions(event_ids: list[int], now: datetime) -> dict[int, list[Session]]:
    """The sessions that took place (not cancelled, ended by now) of events neither cancelled nor drafts."""
    rows = db.session.execute(
        select(Session).join(Event, Event.id == Session.event_id).options(selectinload(Session.event))
        .where(Session.event_id.in_(event_ids or [0]), Session.cancelled_at.is_(None), Session.ends_at <= now,
               Event.status == EventStatus.PUBLISHED)
        .order_by(Session.starts_at)).scalars()
    held: dict[int, list[Session]] = {}
    for session in rows:
        held.setdefault(session.event_id, []).append(session)
    return held


def _plan(data: dict, now: datetime) -> tuple[PlanRow, ...]:
    held = _held_sessions([e["id"] for row in data["plan"] for e in row["events"]], now)
    rows = []
    for row in data["plan"]:
        sessions = [s for e in row["events"] for s in held.get(e["id"], [])]
        rows.append(PlanRow(
            number=row["number"], activity=row["activity"], stage=row["stage"],
            planned_start=date.fromisoformat(row["planned_start"]), planned_end=date.fromisoformat(row["planned_end"]),
            actual_start=min((_local_day(s.starts_at, s.event) for s in sessions), default=None),
            actual_end=max((_local_day(s.ends_at, s.event) for s in sessions), default=None),
            events=tuple(e["title"] for e in row["events"]), state=row["state"],
            state_label=exports.plan_state_label(row["state"]), deviation_days=row["deviation_days"]))
    return tuple(rows)


def milestone_label(state: str) -> str:
    return {"reached": _("Reached"), "in_progress": _("In progress"), "not_reached": _("Not reached"),
            "empty": _("Nothing planned")}.get(state, state)


def _milestone(title: str, period: tuple[date, date], plan: list[dict], indicator_rows: list[dict],
               today: date) -> Milestone:
    held = sum(1 for row in plan if row["state"] == "held")
    planned = [r for r in indicator_rows if r["status"] != "no_plan"]
    met = sum(1 for r in planned if r["status"] == "met")
    if not plan and not planned:
        state = "empty"
    elif held == len(plan) and met == len(planned):
        state = "reached"
    elif today <= period[1]:
        state = "in_progress"
    else:
        state = "not_reached"
    return Milestone(title=title, starts_on=period[0], ends_on=period[1], items_held=held, items_total=len(plan),
                     indicators_met=met, indicators_total=len(planned), state=state,
                     state_label=milestone_label(state))


def _milestones(data: dict, today: date) -> tuple[Milestone, ...]:
    """One milestone per stage (its plan items held, its indicators met), then the programme as a whole."""
    result = [_milestone(_("Stage %(number)d: %(title)s", number=s["number"], title=s["title"]),
                         (date.fromisoformat(s["starts_on"]), date.fromisoformat(s["ends_on"])),
                         [r for r in data["plan"] if r["stage"] == s["number"]], s["indicators"], today)
              for s in data["stages"]]
    whole = data["programme"]
    result.append(_milestone(_("The whole programme"),
                             (date.fromisoformat(whole["starts_on"]), date.fromisoformat(whole["ends_on"])),
                             data["plan"], data["indicators"], today))
    return tuple(result)


def _indicators(data: dict, programme: Programme) -> tuple[IndicatorRow, ...]:
    notes = {i.id: i.deviation_note for i in definitions.indicators_of(programme)}
    return tuple(IndicatorRow(
        name=row["name"], unit=row["unit"], plan=row["plan"], fact=row["fact"], percent=row["percent"],
        deviation=row["fact"] - row["plan"] if row["fact"] is not None and row["plan"] is not None else None,
        status=row["status"], status_label=report.status_label(row["status"]),
        deviation_note=notes.get(row["id"], ""), fact_note=row.get("note") or "",
        evidence_url=row.get("evidence_url") or "") for row in data["indicators"])


def _deviations(data: dict) -> tuple[tuple[str, str], ...]:
    texts = [("", data["deviations"])] + [(_("Stage %(number)d", number=s["number"]), s["deviations"])
                                          for s in data["stages"]]
    return tuple((whose, text.strip()) for whose, text in texts if text and text.strip())


def _events(programme: Programme) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.programme_id == programme.id, Event.status == EventStatus.PUBLISHED)
        .options(selectinload(Event.sessions), selectinload(Event.results), selectinload(Event.trip),
                 selectinload(Event.group))
        .order_by(Event.starts_at, Event.id)).scalars())


def _qualitative(events: list[Event], now: datetime):
    summaries, groups, trips = [], [], []
    for event in events:
        if event.outcome_summary.strip():
            summaries.append(EventSummary(event.title, str(event.kind.label), event.starts_on,
                                          event.outcome_summary.strip()))
        if event.kind == EventKind.SELF_HELP_GROUP:
            held = [s for s in event.sessions if s.cancelled_at is None and s.ends_at <= now]
            outcomes = tuple((s.series_date or _local_day(s.starts_at, event), s.outcome.strip())
                             for s in held if s.outcome.strip())
            if held:
                groups.append(GroupOutcome(event.title, event.group.community if event.group else "", len(held),
                                           outcomes))
        if event.kind == EventKind.OUTREACH_TRIP and (event.results or (event.trip and event.trip.results_notes)):
            served = tuple((str(r.service.label), r.people_served) for r in event.results)
            trips.append(TripOutcome(event.title, event.trip.settlement if event.trip else "", event.starts_on,
                                     served, sum(n for _label, n in served),
                                     (event.trip.results_notes if event.trip else "").strip()))
    return tuple(summaries), tuple(groups), tuple(trips)


def _publications(data: dict) -> tuple[Publication, ...]:
    """The indicators' evidence: each hand-entered fact's evidence link, and the links written in its note
    (a media indicator lists its publications there, as seed 000 does), for the programme and its stages."""
    found: dict[str, Publication] = {}
    rows = [(None, row) for row in data["indicators"]] + [(s, row) for s in data["stages"] for row in s["indicators"]]
    for stage, row in rows:
        title = row["name"] if stage is None else \
            _("%(indicator)s (stage %(number)d)", indicator=row["name"], number=stage["number"])
        links = ([row["evidence_url"]] if row.get("evidence_url") else []) + \
            [url.rstrip(".,;:)") for url in _URL.findall(row.get("note") or "")]
        for url in links:
            found.setdefault(url, Publication(title=title, url=url))
    return tuple(found.values())


def _people(programme: Programme) -> tuple[tuple[str, ...], tuple[str, ...]]:
    organisers = [u for u in programme.organisers if u.full_name]
    organisations = []
    for user in organisers:
        if user.organisation and user.organisation.name not in organisations:
            organisations.append(user.organisation.name)
    return tuple(organisations), tuple(u.full_name for u in organisers)


def build(programme: Programme, layout: str, now: datetime | None = None) -> AnalyticalReport:
    """The analytical report of a programme, in the current locale (the caller picks it: see `locale_for`)."""
    now = now or clock.now()
    data = report.build(programme.id, now)
    summaries, groups, trips = _qualitative(_events(programme), now)
    organisations, team = _people(programme)
    return AnalyticalReport(
        layout=layout, headings=headings(layout), programme_id=programme.id, title=programme.title,
        funder=programme.funder, grant_number=programme.grant_number, starts_on=programme.starts_on,
        ends_on=programme.ends_on, organisations=organisations, team=team,
        regions=tuple(region_name(code) for code in programme.region_codes or []),
        target_groups=programme.target_groups.strip(), description=programme.description.strip(),
        generated_on=now.date(), plan=_plan(data, now), milestones=_milestones(data, now.date()),
        indicators=_indicators(data, programme), deviations=_deviations(data),
        summaries=summaries, groups=groups, trips=trips, publications=_publications(data))


def locale_for(layout: str, wanted: str | None, languages, current: str) -> str:
    """The fund's layout is always Russian; the neutral one follows ?lang= or the reader's language."""
    if layout == PGF:
        return PGF_LOCALE
    return wanted if wanted in languages else current


def deviation_notes(programme: Programme) -> dict[int, str]:
    """{indicator id: its deviation note}, for the report page beside the figures."""
    return dict(db.session.execute(select(Indicator.id, Indicator.deviation_note).where(
        Indicator.programme_id == programme.id, Indicator.deviation_note != "")).tuples().all())

"""The organiser's dashboard (/manage): programmes with progress and what needs attention.

Each attention item is one query over every event the user may edit (permissions'
SQL twin of "event.edit"), grouped by event, whatever the number of events or registrations. Those that
only the programme's facts and the clock change (reviews waiting, check-ins and results missing, pace,
certificates due) are kept per programme in the report cache (app/reports/freshness.py); applications and
offers are read live.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from app import clock, permissions
from app.accounts.models import User
from app.certificates.models import Certificate, CertificateKind
from app.events.models import Event, EventKind, EventStatus, TripResult
from app.extensions import db
from app.programmes.models import Programme
from app.quotas import services as quotas
from app.quotas.models import Consultation, ConsultationQuota, QuotaPlan, ReviewState
from app.registrations.models import CheckIn, Registration, RegistrationStatus
from app.reports import freshness, report, sources

OFFER_WARNING = timedelta(hours=24)
NEAR_END = timedelta(days=60)
LIST_LIMIT = 10


@dataclass
class Entry:
    """One place to act: an object id (event or programme), its title and its count."""

    id: int
    title: str
    count: int
    extra: dict = field(default_factory=dict)


@dataclass
class Attention:
    key: str
    entries: list[Entry]

    @property
    def total(self) -> int:
        return sum(e.count for e in self.entries)

    @property
    def shown(self) -> list[Entry]:
        return self.entries[:LIST_LIMIT]


def _per_event(user: User, counted, *where) -> list[Entry]:
    rows = db.session.execute(
        select(Event.id, Event.title, func.count(counted)).select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(permissions.editable_events_clause(user, Event), *where)
        .group_by(Event.id, Event.title).order_by(func.min(Event.starts_at), Event.id)
    ).all()
    return [Entry(event_id, title, count) for event_id, title, count in rows]


def pending_approvals(user: User) -> Attention:
    return Attention("pending_approvals", _per_event(user, Registration.id,
                                                     Registration.status == RegistrationStatus.PENDING))


def expiring_offers(user: User, now: datetime) -> Attention:
    return Attention("expiring_offers", _per_event(
        user, Registration.id, Registration.status == RegistrationStatus.OFFERED,
        Registration.offer_expires_at <= now + OFFER_WARNING))


@dataclass
class Editable:
    """The events the user may edit (permissions' SQL twin of "event.edit"), read once per dashboard."""

    by_programme: dict[int | None, set[int]]

    @classmethod
    def of(cls, user: User) -> "Editable":
        by_programme: dict[int | None, set[int]] = {}
        for event_id, programme_id in db.session.execute(
                select(Event.id, Event.programme_id).where(permissions.editable_events_clause(user, Event))):
            by_programme.setdefault(programme_id, set()).add(event_id)
        return cls(by_programme)


def _per_event_by_programme(kind: str, editable: Editable, now: datetime, count) -> list[Entry]:
    """`count(events, now)` → [(order, event id, programme id, title, n)] for a SELECT of event ids, taken per
    programme from the report cache (app/reports/freshness.py: stale once anything it counts or the clock
    moves) and kept to the events the user may edit; events in no programme are counted at once."""
    programme_ids = sorted(pid for pid in editable.by_programme if pid is not None)

    def counted(ids: list[int], at: datetime) -> dict[int, list[tuple]]:
        rows = count(select(Event.id).where(Event.programme_id.in_(ids)), at)
        return {pid: [row for row in rows if row[2] == pid] for pid in ids}

    cached = freshness.cached(kind, programme_ids, counted) if programme_ids else {}
    rows = [row for pid in programme_ids for row in cached[pid] if row[1] in editable.by_programme[pid]]
    loose = editable.by_programme.get(None)
    if loose:
        rows += count(select(Event.id).where(Event.id.in_(loose)), now)
    return [Entry(event_id, title, n) for _order, event_id, _pid, title, n in sorted(rows)]


def _ended(events, now: datetime) -> tuple:
    return Event.id.in_(events), Event.status == EventStatus.PUBLISHED, Event.ends_at <= now


def _latest_first(rows) -> list[tuple]:
    return [(-ends_at.timestamp(), event_id, programme_id, title, 1) for event_id, programme_id, title, ends_at in rows]


def _unchecked(events, now: datetime) -> list[tuple]:
    confirmed = exists().where(Registration.event_id == Event.id,
                               Registration.status == RegistrationStatus.CONFIRMED)
    checked = exists().where(CheckIn.registration_id == Registration.id, Registration.event_id == Event.id)
    return _latest_first(db.session.execute(
        select(Event.id, Event.programme_id, Event.title, Event.ends_at)
        .where(*_ended(events, now), Event.kind != EventKind.OUTREACH_TRIP, confirmed, ~checked)))


def events_without_check_ins(editable: Editable, now: datetime) -> Attention:
    """Ended events (not trips) with confirmed participants and not one check-in, the latest first."""
    return Attention("no_check_ins", _per_event_by_programme("no_check_ins", editable, now, _unchecked))


def _without_results(events, now: datetime) -> list[tuple]:
    recorded = exists().where(TripResult.event_id == Event.id)
    return _latest_first(db.session.execute(
        select(Event.id, Event.programme_id, Event.title, Event.ends_at)
        .where(*_ended(events, now), Event.kind == EventKind.OUTREACH_TRIP, ~recorded)))


def trips_without_results(editable: Editable, now: datetime) -> Attention:
    """Ended trips with no results recorded, the latest first."""
    return Attention("no_results", _per_event_by_programme("no_results", editable, now, _without_results))


def _to_review(events, _now: datetime) -> list[tuple]:
    return [(event_id, event_id, programme_id, title, n) for event_id, programme_id, title, n in db.session.execute(
        select(Event.id, Event.programme_id, Event.title, func.count(Consultation.id)).select_from(Consultation)
        .join(ConsultationQuota, ConsultationQuota.id == Consultation.quota_id)
        .join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id).join(Event, Event.id == QuotaPlan.event_id)
        .where(Event.id.in_(events), Consultation.review_state == ReviewState.SUBMITTED)
        .group_by(Event.id, Event.programme_id, Event.title))]


def consultations_to_review(editable: Editable, now: datetime) -> Attention:
    return Attention("consultations_to_review",
                     _per_event_by_programme("consultations_to_review", editable, now, _to_review))


def _behind(events, now: datetime) -> list[tuple]:
    behind = quotas.behind_per_event(events, (now - timedelta(days=1)).date())
    return [(event.id, event.id, event.programme_id, event.title, count) for event, count in behind]


def behind_pace(editable: Editable, now: datetime) -> Attention:
    """Quotas behind pace, per event the user may edit, as the quotas area counts them (its cohort's own rule)."""
    return Attention("behind_pace", _per_event_by_programme("behind_pace", editable, now, _behind))


def _due(events, now: datetime) -> list[tuple]:
    issued = exists().where(Certificate.event_id == Registration.event_id, Certificate.user_id == Registration.user_id,
                            Certificate.kind == CertificateKind.PARTICIPATION, Certificate.revoked_at.is_(None))
    trained = sources.trained_registrations()
    return [(event_id, event_id, programme_id, title, n) for event_id, programme_id, title, n in db.session.execute(
        trained(Event.id, Event.programme_id, Event.title, func.count(Registration.id))
        .where(*_ended(events, now), Event.kind == EventKind.SEMINAR, ~issued)
        .group_by(Event.id, Event.programme_id, Event.title))]


def certificates_due(editable: Editable, now: datetime) -> Attention:
    """Ended seminars whose participants reached the attendance threshold but hold no participation certificate."""
    return Attention("certificates_due", _per_event_by_programme("certificates_due", editable, now, _due))


@dataclass
class ProgrammeProgress:
    programme: object
    progress: dict
    near_end: bool


def programme_progress(user: User, now: datetime) -> list[ProgrammeProgress]:
    today = now.date()
    managed = list(db.session.execute(
        select(Programme).where(permissions.managed_programmes_clause(user, Programme)).options(selectinload(Programme.stages))
        .order_by(Programme.starts_on.desc(), Programme.id.desc())
    ).scalars())
    figures = report.progress(managed)
    return [ProgrammeProgress(p, figures[p.id], p.ends_on - NEAR_END <= today <= p.ends_on + timedelta(days=30))
            for p in managed]


def below_plan_near_end(progress: list[ProgrammeProgress]) -> Attention:
    return Attention("below_plan", [Entry(p.programme.id, p.programme.title, len(p.progress["below"]),
                                          {"indicators": [name for name, _fact in p.progress["below"]]})
                                    for p in progress if p.near_end and p.progress["below"]])


@dataclass
class Dashboard:
    programmes: list[ProgrammeProgress]
    attention: list[Attention]

    @property
    def attention_total(self) -> int:
        return sum(a.total for a in self.attention)


def dashboard(user: User) -> Dashboard:
    now = clock.now()
    progress = programme_progress(user, now)
    editable = Editable.of(user)
    items = [
        pending_approvals(user),
        expiring_offers(user, now),
        events_without_check_ins(editable, now),
        trips_without_results(editable, now),
        consultations_to_review(editable, now),
        behind_pace(editable, now),
        certificates_due(editable, now),
        below_plan_near_end(progress),
    ]
    return Dashboard(progress, items)

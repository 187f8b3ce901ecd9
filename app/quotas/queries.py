"""Read side: quota rows with counts and pace for the cohort page, the curator, the trainee and the API.

Every list is built with a constant number of queries whatever its length: one for the quotas
(with trainee, organisation, curator and plan joined), one grouped count of consultations per
quota (by review state), one grouped count of open tasks, one for catch-up plans.
Lists that only show and count (the cohort, its exports and API, the dashboard) read each quota as
columns (`light_rows`), not as ORM quota and user objects: the same counts and pace, a fraction of the cost.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload

from app import clock
from app.accounts.models import Organisation, User
from app.events.models import Event
from app.extensions import db
from app.quotas.base import today
from app.quotas.models import (
    CatchUpPlan,
    Consultation,
    ConsultationQuota,
    CuratorTask,
    PaceStatus,
    QuotaEvent,
    QuotaPlan,
    ReviewState,
)
from app.quotas.pace import URGENCY, Pace, pace

INACTIVE_DAYS = 14
INACTIVE_SPAN = timedelta(days=INACTIVE_DAYS)


@dataclass
class QuotaRow:
    quota: "ConsultationQuota | QuotaFacts"  # QuotaFacts from light_rows, the ORM quota elsewhere
    accepted: int = 0
    submitted: int = 0
    returned: int = 0
    last_logged_at: datetime | None = None
    open_tasks: int = 0
    catch_up: CatchUpPlan | None = None
    pace: Pace | None = None
    inactive: bool = False

    @property
    def user(self) -> User:
        return self.quota.user

    @property
    def status(self) -> PaceStatus:
        return self.pace.status

    @property
    def urgency(self) -> tuple:
        rank = URGENCY[PaceStatus.BEHIND] if self.pace.is_behind else URGENCY[self.status]
        return (rank, -self.pace.behind_by, self.pace.days_left, self.user.full_name.casefold())


def _is_inactive(row: QuotaRow, starts_on: date, day: date, now: datetime) -> bool:
    """Nothing logged for INACTIVE_DAYS while the window runs (`starts_on` is the plan's first day)."""
    if row.pace.status in (PaceStatus.MET, PaceStatus.MISSED) or day < starts_on:
        return False
    last = datetime.combine(starts_on, datetime.min.time(), tzinfo=now.tzinfo)  # the window opened
    for moment in (row.last_logged_at, row.quota.created_at):
        if moment is not None and moment > last:
            last = moment
    return now - last >= INACTIVE_SPAN


def quota_rows(*where) -> list[QuotaRow]:
    """Rows for the quotas matching `where` (SQL conditions on ConsultationQuota / QuotaPlan)."""
    # The plans (with their events) once, not joined into every row: each quota's `plan` is then
    # found in the identity map without SQL.
    db.session.execute(select(QuotaPlan).where(QuotaPlan.id.in_(
        select(ConsultationQuota.plan_id).join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id).where(*where)
    ))).scalars().all()
    quotas = list(db.session.execute(
        select(ConsultationQuota).join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id).where(*where)
        .options(lazyload(ConsultationQuota.plan), joinedload(ConsultationQuota.user),
                 selectinload(ConsultationQuota.curator), selectinload(ConsultationQuota.catch_up))
    ).unique().scalars())
    if not quotas:
        return []
    ids_query = select(ConsultationQuota.id).join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id).where(*where)
    return _counted({q.id: QuotaRow(quota=q, catch_up=q.catch_up) for q in quotas}, ids_query)


def _counted(rows: dict[int, QuotaRow], ids_query, *, tasks: bool = True) -> list[QuotaRow]:
    """The rows (by quota id) with their counts, last logged time, open tasks (unless `tasks` is false: the
    cohort does not show them), pace and inactivity: one grouped count of consultations per quota, one of
    open tasks, whatever the length."""
    def in_state(state: ReviewState):
        return func.count(case((Consultation.review_state == state, Consultation.id)))

    for quota_id, accepted, submitted, returned, last in db.session.execute(
        select(Consultation.quota_id, in_state(ReviewState.ACCEPTED), in_state(ReviewState.SUBMITTED),
               in_state(ReviewState.RETURNED), type_coerce(func.max(Consultation.created_at), Consultation.created_at.type))
        .where(Consultation.quota_id.in_(ids_query)).group_by(Consultation.quota_id)
    ).tuples():
        row = rows[quota_id]
        row.accepted, row.submitted, row.returned, row.last_logged_at = accepted, submitted, returned, last
    if tasks:
        for quota_id, count in db.session.execute(
            select(CuratorTask.quota_id, func.count(CuratorTask.id))
            .where(CuratorTask.quota_id.in_(ids_query), CuratorTask.open_key.is_not(None))
            .group_by(CuratorTask.quota_id)
        ).tuples():
            rows[quota_id].open_tasks = count
    now = clock.now()
    days: dict[str, date] = {}
    plans: dict[int, tuple] = {}  # plan id → (starts_on, behind_percent, today there): read once per plan
    paces: dict[tuple, Pace] = {}  # a Pace is a value: quotas with the same inputs share one
    for row in rows.values():
        quota = row.quota
        plan_facts = plans.get(quota.plan_id)
        if plan_facts is None:
            plan = quota.plan
            timezone = plan.event.timezone
            if timezone not in days:
                days[timezone] = today(timezone)
            plan_facts = plans[quota.plan_id] = (plan.starts_on, plan.behind_percent, days[timezone])
        starts_on, behind_percent, day = plan_facts
        inputs = (starts_on, quota.deadline, quota.target, row.accepted, day, behind_percent)
        row_pace = paces.get(inputs)
        if row_pace is None:
            row_pace = paces[inputs] = pace((starts_on, quota.deadline), quota.target, row.accepted, day,
                                            behind_percent=behind_percent)
        row.pace = row_pace
        row.inactive = _is_inactive(row, starts_on, day, now)
    return list(rows.values())


@dataclass(slots=True)
class Person:
    """The columns of a trainee or curator a cohort row shows and exports."""

    id: int
    full_name: str
    email: str
    region_code: str | None = None
    organisation_name: str | None = None


@dataclass(slots=True)
class QuotaFacts:
    """A quota as the cohort reads it: its columns, its plan, its trainee and curator as plain values.
    A cohort of a thousand trainees is one row of columns each, not a thousand ORM quotas and users."""

    id: int
    plan_id: int
    user_id: int
    curator_id: int | None
    target: int
    deadline: date
    created_at: datetime
    plan: QuotaPlan
    user: Person
    curator: Person | None


def light_rows(*where, tasks: bool = True) -> list[QuotaRow]:
    """Rows for the quotas matching `where` (as in `quota_rows`) with the same counts, pace and inactivity
    (one definition, `_counted`), each quota read as columns (QuotaFacts) in one query: for the long lists
    that only show and count (the cohort, its exports and API, the dashboard), not for changing quotas."""
    plans = {plan.id: plan for plan in db.session.execute(select(QuotaPlan).where(QuotaPlan.id.in_(
        select(ConsultationQuota.plan_id).join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id).where(*where)
    ))).scalars()}
    if not plans:
        return []
    trainee, curator = aliased(User), aliased(User)
    quotas = db.session.execute(
        select(ConsultationQuota.id, ConsultationQuota.plan_id, ConsultationQuota.user_id, ConsultationQuota.curator_id,
               ConsultationQuota.target, ConsultationQuota.deadline, ConsultationQuota.created_at, trainee.full_name,
               trainee.email, trainee.region_code, Organisation.name, curator.full_name, curator.email)
        .join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id)
        .join(trainee, trainee.id == ConsultationQuota.user_id)
        .outerjoin(Organisation, Organisation.id == trainee.organisation_id)
        .outerjoin(curator, curator.id == ConsultationQuota.curator_id)
        .where(*where)
    ).tuples().all()
    curators: dict[int, Person] = {}
    rows = {}
    for (quota_id, plan_id, user_id, curator_id, target, deadline, created_at, full_name, email, region_code,
         organisation_name, curator_name, curator_email) in quotas:
        if curator_id is not None and curator_id not in curators:
            curators[curator_id] = Person(id=curator_id, full_name=curator_name, email=curator_email)
        facts = QuotaFacts(id=quota_id, plan_id=plan_id, user_id=user_id, curator_id=curator_id, target=target,
                           deadline=deadline, created_at=created_at, plan=plans[plan_id],
                           user=Person(id=user_id, full_name=full_name, email=email, region_code=region_code,
                                       organisation_name=organisation_name),
                           curator=curators.get(curator_id))
        rows[quota_id] = QuotaRow(quota=facts)
    ids_query = select(ConsultationQuota.id).join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id).where(*where)
    return _counted(rows, ids_query, tasks=tasks)


def pace_of(quota: ConsultationQuota, accepted: int, day: date | None = None) -> Pace:
    plan = quota.plan
    day = day or today(plan.event.timezone)
    return pace((plan.starts_on, quota.deadline), quota.target, accepted, day, behind_percent=plan.behind_percent)


# --- the organiser's cohort -----------------------------------------------------------------------

SORTS = {
    "status": lambda r: r.urgency,
    "name": lambda r: (r.user.full_name.casefold(), r.quota.id),
    "region": lambda r: (r.user.region_code or "", r.user.full_name.casefold()),
    "curator": lambda r: ((r.quota.curator.full_name.casefold() if r.quota.curator else "\uffff"),
                          r.user.full_name.casefold()),
    "progress": lambda r: (r.accepted / r.quota.target, r.user.full_name.casefold()),
}
FILTERS = ("behind", "not_started", "inactive")


@dataclass(frozen=True)
class Totals:
    """A cohort's figures (or one region's), each with one definition: the cohort page's help text, the
    cohort API's `totals` and the reports all read them from here (`totals_of`)."""

    trainees: int = 0            # quotas in the plan (one per trainee)
    accepted: int = 0            # all accepted consultations, a trainee above target counted in full
    accepted_to_target: int = 0  # accepted consultations, each trainee counted up to their own target
    targets: int = 0             # the sum of the individual targets (not the plan's target × trainees)
    submitted: int = 0           # waiting for the curator's review
    returned: int = 0            # returned to the trainee for a fix
    own_targets: int = 0         # trainees whose target differs from the plan's

    def as_dict(self) -> dict:
        return {"trainees": self.trainees, "accepted": self.accepted, "accepted_to_target": self.accepted_to_target,
                "targets": self.targets, "submitted": self.submitted, "returned": self.returned,
                "own_targets": self.own_targets}


def totals_of(rows: list[QuotaRow], plan_target: int | None = None) -> Totals:
    """Add up quota rows: `accepted` counts every accepted consultation; `accepted_to_target` counts each
    trainee's up to their own target (what the cohort has done of what it was asked); `targets` is the sum
    of individual targets; `own_targets` the trainees whose target is not `plan_target`."""
    return Totals(
        trainees=len(rows),
        accepted=sum(r.accepted for r in rows),
        accepted_to_target=sum(min(r.accepted, r.quota.target) for r in rows),
        targets=sum(r.quota.target for r in rows),
        submitted=sum(r.submitted for r in rows),
        returned=sum(r.returned for r in rows),
        own_targets=sum(1 for r in rows if plan_target is not None and r.quota.target != plan_target),
    )


@dataclass
class Cohort:
    plan: QuotaPlan
    rows: list[QuotaRow]
    total_rows: int
    totals: Totals = field(default_factory=Totals)
    by_status: dict[PaceStatus, int] = field(default_factory=dict)
    by_region: dict[str, Totals] = field(default_factory=dict)  # region code ("" for none) → its totals
    inactive: int = 0


def cohort(plan: QuotaPlan, *, show: str | None = None, region: str | None = None, curator_id: int | None = None,
           sort: str = "status", descending: bool = False) -> Cohort:
    """The plan's trainees with status and pace; totals over the whole cohort, rows filtered and sorted."""
    rows = light_rows(ConsultationQuota.plan_id == plan.id, tasks=False)
    result = Cohort(plan=plan, rows=[], total_rows=len(rows), totals=totals_of(rows, plan.target))
    regions: dict[str, list[QuotaRow]] = {}
    for row in rows:
        result.by_status[row.status] = result.by_status.get(row.status, 0) + 1
        regions.setdefault(row.user.region_code or "", []).append(row)
        result.inactive += row.inactive
    result.by_region = {code: totals_of(members, plan.target) for code, members in sorted(regions.items())}
    if show == "behind":
        rows = [r for r in rows if r.pace.is_behind]
    elif show == "not_started":
        rows = [r for r in rows if r.status == PaceStatus.NOT_STARTED]
    elif show == "inactive":
        rows = [r for r in rows if r.inactive]
    if region:
        rows = [r for r in rows if r.user.region_code == region]
    if curator_id:
        rows = [r for r in rows if r.quota.curator_id == curator_id]
    rows.sort(key=SORTS.get(sort, SORTS["status"]), reverse=descending)
    result.rows = rows
    return result


def quota_user_ids(plan: QuotaPlan) -> set[int]:
    return set(db.session.execute(select(ConsultationQuota.user_id)
                                  .where(ConsultationQuota.plan_id == plan.id)).scalars())


def cohort_regions(plan: QuotaPlan) -> list[str]:
    return sorted(code for code in db.session.execute(
        select(User.region_code).join(ConsultationQuota, ConsultationQuota.user_id == User.id)
        .where(ConsultationQuota.plan_id == plan.id).distinct()).scalars() if code)


# --- the curator and the trainee --------------------------------------------------------------------

def curator_rows(curator) -> list[QuotaRow]:
    """The curator's trainees across plans, most urgent first."""
    rows = quota_rows(ConsultationQuota.curator_id == curator.id)
    rows.sort(key=lambda r: r.urgency)
    return rows


def trainees_of_curator(curator) -> list[tuple[int, str]]:
    """(user id, full name) of the curator's trainees by name: the review queue's filter."""
    return sorted(set(db.session.execute(
        select(User.id, User.full_name).join(ConsultationQuota, ConsultationQuota.user_id == User.id)
        .where(ConsultationQuota.curator_id == curator.id)).tuples()), key=lambda person: person[1].casefold())


def has_quota(user) -> bool:
    """Whether the person has a consultation quota at all (the header's "My consultations")."""
    return db.session.execute(select(ConsultationQuota.id).where(ConsultationQuota.user_id == user.id)
                              .limit(1)).first() is not None


def my_rows(user) -> list[QuotaRow]:
    rows = quota_rows(ConsultationQuota.user_id == user.id)
    rows.sort(key=lambda r: (r.quota.deadline, r.quota.id))
    return rows


def row_for(quota: ConsultationQuota) -> QuotaRow:
    return quota_rows(ConsultationQuota.id == quota.id)[0]


def consultations_of(quota: ConsultationQuota) -> list[Consultation]:
    return list(db.session.execute(
        select(Consultation).where(Consultation.quota_id == quota.id)
        .order_by(Consultation.held_on.desc(), Consultation.id.desc())
    ).scalars())


def history_of(quota: ConsultationQuota) -> list[QuotaEvent]:
    return list(db.session.execute(
        select(QuotaEvent).where(QuotaEvent.quota_id == quota.id).options(selectinload(QuotaEvent.actor))
        .order_by(QuotaEvent.id.desc())
    ).scalars())


def open_tasks_of_curator(curator) -> list[CuratorTask]:
    return list(db.session.execute(
        select(CuratorTask).join(ConsultationQuota, ConsultationQuota.id == CuratorTask.quota_id)
        .where(ConsultationQuota.curator_id == curator.id, CuratorTask.open_key.is_not(None))
        .options(joinedload(CuratorTask.quota).joinedload(ConsultationQuota.user))
        .order_by(CuratorTask.opened_at, CuratorTask.id)
    ).unique().scalars())


def waiting_reviews(curator) -> int:
    return db.session.execute(
        select(func.count(Consultation.id)).join(ConsultationQuota, ConsultationQuota.id == Consultation.quota_id)
        .where(ConsultationQuota.curator_id == curator.id, Consultation.review_state == ReviewState.SUBMITTED)
    ).scalar_one()


def plans_of_curator(curator) -> list[QuotaPlan]:
    """Plans the curator has trainees in (for recording mentoring sessions)."""
    return list(db.session.execute(
        select(QuotaPlan).where(QuotaPlan.id.in_(
            select(ConsultationQuota.plan_id).where(ConsultationQuota.curator_id == curator.id)))
        .order_by(QuotaPlan.id)
    ).scalars())


# --- for other areas: certificates and reports ------------------------------------------------------

@dataclass(frozen=True)
class QuotaProgress:
    accepted: int
    target: int
    met: bool
    status: str


def progress_for_event(event_id: int) -> dict[int, QuotaProgress]:
    """Each trainee's quota progress in the event's plan, keyed by user id (empty without a plan)."""
    return {row.quota.user_id: QuotaProgress(accepted=row.accepted, target=row.quota.target,
                                             met=row.accepted >= row.quota.target, status=row.status.value)
            for row in quota_rows(QuotaPlan.event_id == event_id)}


def behind_per_event(events, live_from: date) -> list[tuple[Event, int]]:
    """For the events in `events` (a SELECT of event ids): how many quotas with a deadline on or after
    `live_from` are below the "behind" line, by the cohort page's own rows and pace; events with none are left out."""
    rows = light_rows(QuotaPlan.event_id.in_(events), ConsultationQuota.deadline >= live_from, tasks=False)
    counts = Counter(row.quota.plan.event for row in rows if row.pace.is_behind)
    return sorted(counts.items(), key=lambda item: item[0].id)


def accepted_consultations_count(programme_id: int | None = None, *, event_id: int | None = None,
                                 region: str | None = None, since: date | None = None,
                                 until: date | None = None) -> int:
    """Accepted consultations, optionally of one programme's or one event's plans, one trainee region,
    held between `since` and `until` (inclusive)."""
    query = (select(func.count(Consultation.id))
             .join(ConsultationQuota, ConsultationQuota.id == Consultation.quota_id)
             .join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id)
             .where(Consultation.review_state == ReviewState.ACCEPTED))
    if programme_id is not None:
        query = query.join(Event, Event.id == QuotaPlan.event_id).where(Event.programme_id == programme_id)
    if event_id is not None:
        query = query.where(QuotaPlan.event_id == event_id)
    if region is not None:
        query = query.join(User, User.id == ConsultationQuota.user_id).where(User.region_code == region)
    if since is not None:
        query = query.where(Consultation.held_on >= since)
    if until is not None:
        query = query.where(Consultation.held_on <= until)
    return db.session.execute(query).scalar_one()


def accepted_dates(quota: ConsultationQuota) -> list[date]:
    """Days of the accepted consultations, in order: the "done" line of the pace chart."""
    return list(db.session.execute(
        select(Consultation.held_on).where(and_(Consultation.quota_id == quota.id,
                                                Consultation.review_state == ReviewState.ACCEPTED))
        .order_by(Consultation.held_on)
    ).scalars())

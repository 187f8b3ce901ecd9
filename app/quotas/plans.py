"""Quota plans and the quotas in them: the organiser's side (plan, assignment, curators, changes).

Who gets a quota: every confirmed participant of the plan's seminar who met its attendance
threshold (sessions checked in / all sessions of the seminar ≥ the event's threshold). It happens
when the plan is saved, and later whenever a registration is confirmed or a check-in is ticked
(the registrations area's `participation_changed` signal, received inside its unit of work).
An organiser may also add a confirmed participant by hand (an exception the history records).
"""
import re
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from app.accounts.models import Role, User
from app.core import bounds
from app.database import lock_row, row_or_not_found, unit_of_work
from app.errors import FieldErrors, ValidationFailed
from app.events.models import Event
from app.extensions import db
from app.quotas.base import MESSAGES, QuotaConflict, lock_quota, mail, record, refresh_met
from app.quotas.models import ConsultationFormat, ConsultationQuota, QuotaPlan
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus
from app.registrations.signals import participation_changed

TOPIC_LINE = re.compile(r"^\s*([A-Za-z0-9_-]{1,32})\s*:\s*(\S.{0,119})\s*$")
FORMATS = [f.value for f in ConsultationFormat]


# Built once: every registration asks it. The plan's event is not joined in again: whoever asks holds it
# already, and the lazy load finds it in the session without a query.
_PLAN_OF_EVENT = select(QuotaPlan).where(QuotaPlan.event_id == bindparam("event_id")).options(lazyload(QuotaPlan.event))


def plan_for_event(event_id: int) -> QuotaPlan | None:
    return db.session.execute(_PLAN_OF_EVENT, {"event_id": event_id}).scalar_one_or_none()


def parse_topics(text: str | list | None, errors: FieldErrors) -> list[dict]:
    """"code: name" per line (or a list of {"code", "name"}) → [{"code", "name"}], codes unique."""
    if isinstance(text, list):
        lines = [f"{t.get('code', '')}: {t.get('name', '')}" for t in text if isinstance(t, dict)]
    else:
        lines = [line for line in (text or "").splitlines() if line.strip()]
    topics, seen = [], set()
    for line in lines:
        match = TOPIC_LINE.match(line)
        if not match:
            errors.add("topics", MESSAGES["topics_syntax"])
            return []
        code, name = match.group(1).lower(), match.group(2).strip()
        if code in seen:
            errors.add("topics", MESSAGES["topics_duplicate"])
            return []
        seen.add(code)
        topics.append({"code": code, "name": name})
    return topics


def _int_in(errors: FieldErrors, name: str, value, column: str, message_key: str) -> int | None:
    """A whole number (not a bool, not a fraction) within the column's bound (app.core.bounds)."""
    value = bounds.whole(value)
    if value not in bounds.of(column):
        errors.add(name, MESSAGES[message_key])
        return None
    return value


def _curators(ids, errors: FieldErrors) -> list[User]:
    ids = sorted({int(i) for i in ids or []})
    if not ids:
        return []
    users = list(db.session.execute(select(User).where(User.id.in_(ids))).scalars())
    if len(users) != len(ids) or any(not u.has_role(Role.CURATOR) for u in users):
        errors.add("curators", MESSAGES["curator_role"])
    return users


def _validate(data: dict) -> dict:
    errors = FieldErrors()
    clean = {
        "target": _int_in(errors, "target", data.get("target"), "quota_plans.target", "target"),
        "behind_percent": _int_in(errors, "behind_percent", data.get("behind_percent", 70), "quota_plans.behind_percent",
                                  "percent"),
    }
    starts_on, deadline = data.get("starts_on"), data.get("deadline")
    if not isinstance(starts_on, date):
        errors.add("starts_on", MESSAGES["required"])
    if not isinstance(deadline, date):
        errors.add("deadline", MESSAGES["required"])
    elif isinstance(starts_on, date) and deadline < starts_on:
        errors.add("deadline", MESSAGES["deadline_before_start"])
    formats = [f for f in FORMATS if f in set(data.get("formats") or [])]
    if not formats:
        errors.add("formats", MESSAGES["formats"])
    clean.update(starts_on=starts_on, deadline=deadline, formats=formats,
                 topics=parse_topics(data.get("topics"), errors), curators=_curators(data.get("curators"), errors))
    errors.raise_if_any()
    return clean


def save_plan(event: Event, data: dict, actor: User) -> QuotaPlan:
    """Create or change the event's plan. Quotas still on the plan's old target or deadline follow
    it; individually changed ones keep theirs. Saving assigns quotas to everyone now eligible."""
    clean = _validate(data)
    with unit_of_work():
        lock_row(Event, event.id)
        plan = plan_for_event(event.id)
        if plan is None:
            plan = QuotaPlan(event_id=event.id, created_by_id=actor.id)
            db.session.add(plan)
            old_target = old_deadline = None
        else:
            old_target, old_deadline = plan.target, plan.deadline
        plan.target, plan.starts_on, plan.deadline = clean["target"], clean["starts_on"], clean["deadline"]
        plan.behind_percent, plan.formats, plan.topics = clean["behind_percent"], clean["formats"], clean["topics"]
        plan.curators = clean["curators"]
        db.session.flush()
        if old_target is not None:
            for quota in db.session.execute(select(ConsultationQuota).where(ConsultationQuota.plan_id == plan.id)).scalars():
                follows = {}
                if quota.target == old_target and old_target != plan.target:
                    follows["target"] = [quota.target, plan.target]
                    quota.target = plan.target
                if quota.deadline == old_deadline and old_deadline != plan.deadline:
                    follows["deadline"] = [quota.deadline.isoformat(), plan.deadline.isoformat()]
                    quota.deadline = plan.deadline
                if follows:
                    refresh_met(quota)
                    record(quota.id, "plan_changed", actor.id, **follows)
        sync_quotas(plan)
    return plan


def _eligible(registration, attendance, total_sessions: int, threshold: int) -> bool:
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    if total_sessions == 0 or threshold <= 0:
        return True
    return 100 * attendance.attended >= threshold * total_sessions


def _create_quota(plan: QuotaPlan, user_id: int, actor_id: int | None, action: str) -> ConsultationQuota:
    quota = ConsultationQuota(plan_id=plan.id, user_id=user_id, target=plan.target, deadline=plan.deadline)
    db.session.add(quota)
    db.session.flush()
    record(quota.id, action, actor_id, target=plan.target, deadline=plan.deadline.isoformat())
    mail("assigned", quota_id=quota.id)
    return quota


def sync_quotas(plan: QuotaPlan) -> int:
    """Give a quota to every eligible participant who has none yet; returns how many were created."""
    with unit_of_work():
        event = plan.event
        listing = registrations.participants(event, {"status": RegistrationStatus.CONFIRMED.value})
        have = set(db.session.execute(select(ConsultationQuota.user_id)
                                      .where(ConsultationQuota.plan_id == plan.id)).scalars())
        total = len(event.sessions)
        created = 0
        for registration in listing.rows:
            if registration.user_id in have:
                continue
            if _eligible(registration, listing.attendance[registration.id], total, event.attendance_threshold):
                _create_quota(plan, registration.user_id, None, "assigned")
                created += 1
    return created


@participation_changed.connect
def _on_participation_changed(registration, **_details) -> None:
    """Inside the registrations' unit of work: a confirmation or check-in may make someone eligible.
    Asked on every registration: the status first, the plan only for a confirmation."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return
    plan = plan_for_event(registration.event_id)
    if plan is None:
        return
    exists = db.session.execute(select(ConsultationQuota.id).where(
        ConsultationQuota.plan_id == plan.id, ConsultationQuota.user_id == registration.user_id)).first()
    if exists:
        return
    db.session.flush()
    attendance = registrations.attendance_for([registration])[registration.id]
    event = plan.event
    if _eligible(registration, attendance, len(event.sessions), event.attendance_threshold):
        _create_quota(plan, registration.user_id, None, "assigned")


def add_trainee(plan: QuotaPlan, user: User, actor: User, reason: str = "") -> ConsultationQuota:
    """The organiser gives a confirmed participant a quota whatever their attendance (recorded)."""
    with unit_of_work():
        lock_row(QuotaPlan, plan.id)
        registration = registrations.registration_of(plan.event, user)
        if registration is None or registration.status != RegistrationStatus.CONFIRMED:
            raise QuotaConflict(MESSAGES["not_confirmed"])
        if db.session.execute(select(ConsultationQuota.id).where(ConsultationQuota.plan_id == plan.id,
                                                                 ConsultationQuota.user_id == user.id)).first():
            raise QuotaConflict(MESSAGES["already_has_quota"])
        return _create_quota(plan, user.id, actor.id, "added_by_hand")


def change_quota(quota: ConsultationQuota, actor: User, *, target=None, deadline: date | None = None,
                 reason: str = "") -> ConsultationQuota:
    """One trainee's target or deadline changed, with a reason (illness, a late start…) kept in the history."""
    errors = FieldErrors()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", MESSAGES["reason_required"])
    new_target = None
    if target not in (None, ""):
        new_target = _int_in(errors, "target", target, "consultation_quotas.target", "target")
    if deadline is not None and deadline < quota.plan.starts_on:
        errors.add("deadline", MESSAGES["deadline_before_start"])
    errors.raise_if_any()
    with unit_of_work():
        quota = lock_quota(quota.id)
        changes = {}
        if new_target is not None and new_target != quota.target:
            changes["target"] = [quota.target, new_target]
            quota.target = new_target
        if deadline is not None and deadline != quota.deadline:
            changes["deadline"] = [quota.deadline.isoformat(), deadline.isoformat()]
            quota.deadline = deadline
        if not changes:
            raise ValidationFailed(MESSAGES["nothing_changed"], field="target")
        just_met = refresh_met(quota)
        record(quota.id, "changed", actor.id, reason=reason[:2000], **changes)
        if just_met:
            mail("met", quota_id=quota.id)
    return quota


def set_curator(quota: ConsultationQuota, curator_id: int | None, actor: User) -> ConsultationQuota:
    """Assign one trainee to one of the plan's curators (or to nobody)."""
    with unit_of_work():
        quota = lock_quota(quota.id)
        if curator_id is not None and curator_id not in {c.id for c in quota.plan.curators}:
            raise ValidationFailed(MESSAGES["not_a_curator"], field="curator")
        if quota.curator_id != curator_id:
            record(quota.id, "curator", actor.id, curator=[quota.curator_id, curator_id])
            quota.curator_id = curator_id
    return quota


def spread_curators(plan: QuotaPlan, actor: User) -> int:
    """Give every trainee without a curator one, evenly, keeping a region with one curator when the
    balance allows: each trainee (by region, then name) goes to a least-loaded curator, preferring
    one who already has someone from that region. Returns how many were assigned."""
    with unit_of_work():
        lock_row(QuotaPlan, plan.id)
        curators = sorted(plan.curators, key=lambda c: (c.full_name.casefold(), c.id))
        if not curators:
            raise ValidationFailed(MESSAGES["not_a_curator"], field="curator")
        rows = db.session.execute(
            select(ConsultationQuota, User).join(User, User.id == ConsultationQuota.user_id)
            .where(ConsultationQuota.plan_id == plan.id)
        ).all()
        load = {c.id: 0 for c in curators}
        regions: dict[int, set] = {c.id: set() for c in curators}
        waiting = []
        for quota, user in rows:
            if quota.curator_id in load:
                load[quota.curator_id] += 1
                regions[quota.curator_id].add(user.region_code)
            else:
                waiting.append((quota, user))
        waiting.sort(key=lambda pair: (pair[1].region_code or "", pair[1].full_name.casefold(), pair[0].id))
        for quota, user in waiting:
            least = min(load.values())
            candidates = [c for c in curators if load[c.id] == least]
            chosen = next((c for c in candidates if user.region_code in regions[c.id]), candidates[0])
            record(quota.id, "curator", actor.id, curator=[quota.curator_id, chosen.id])
            quota.curator_id = chosen.id
            load[chosen.id] += 1
            regions[chosen.id].add(user.region_code)
    return len(waiting)


def quota_in_plan(plan: QuotaPlan, quota_id: int) -> ConsultationQuota:
    return row_or_not_found(ConsultationQuota, quota_id, plan_id=plan.id)


def find_quota(quota_id: int) -> ConsultationQuota | None:
    return db.session.get(ConsultationQuota, quota_id)


def get_quota(quota_id: int) -> ConsultationQuota:
    return row_or_not_found(ConsultationQuota, quota_id)

"""The curator's side: review consultations, reopen an accepted one, decide catch-up plans.

`waiting_for_review(curator, …)` gives the curator's waiting consultations, oldest first, filtered by
trainee or format; the queue shows one at a time (skipping on), and `accept_many` accepts several at
once as one unit of work. Every decision runs under the quota's row lock, so the accepted count and
`met_at` never race.
"""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.core import bounds
from app.database import unit_of_work
from app.errors import FieldErrors, ValidationFailed
from app.extensions import db
from app.quotas.base import (
    COMMENT_MAX,
    MESSAGES,
    QuotaConflict,
    accepted_count,
    close_tasks,
    lock_quota,
    mail,
    record,
    refresh_met,
    today,
)
from app.quotas.models import (
    CatchUpPlan,
    CatchUpState,
    Consultation,
    ConsultationQuota,
    ReviewState,
    TaskKind,
)

ACCEPT, RETURN = "accept", "return"


def review(consultation: Consultation, actor, decision: str, comment: str = "") -> Consultation:
    """Accept, or return with a comment the trainee reads. Only a submitted consultation."""
    comment = (comment or "").strip()
    errors = FieldErrors()
    if decision not in (ACCEPT, RETURN):
        errors.add("decision", MESSAGES["decision"])
    elif decision == RETURN and not comment:
        errors.add("comment", MESSAGES["comment_required"])
    if len(comment) > COMMENT_MAX:
        errors.add("comment", MESSAGES["note_long"])
    errors.raise_if_any()
    with unit_of_work():
        quota = lock_quota(consultation.quota_id)
        db.session.refresh(consultation)
        if consultation.review_state != ReviewState.SUBMITTED:
            raise QuotaConflict(MESSAGES["not_submitted"])
        consultation.review_state = ReviewState.ACCEPTED if decision == ACCEPT else ReviewState.RETURNED
        consultation.review_comment = comment
        consultation.reviewed_by_id = actor.id
        consultation.reviewed_at = clock.now()
        record(quota.id, "accepted" if decision == ACCEPT else "returned", actor.id,
               consultation_id=consultation.id, reason=comment)
        db.session.flush()
        if decision == RETURN:
            mail("returned", consultation_id=consultation.id)
        elif refresh_met(quota):
            mail("met", quota_id=quota.id)
    return consultation


def reopen(consultation: Consultation, actor, reason: str) -> Consultation:
    """An accepted consultation goes back to the trainee for a change, with a reason (history, mail)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MESSAGES["reason_required"], field="reason")
    with unit_of_work():
        quota = lock_quota(consultation.quota_id)
        db.session.refresh(consultation)
        if consultation.review_state != ReviewState.ACCEPTED:
            raise QuotaConflict(MESSAGES["not_accepted"])
        consultation.review_state = ReviewState.RETURNED
        consultation.review_comment = reason[:COMMENT_MAX]
        consultation.reviewed_by_id = actor.id
        consultation.reviewed_at = clock.now()
        record(quota.id, "reopened", actor.id, consultation_id=consultation.id, reason=reason[:COMMENT_MAX])
        db.session.flush()
        refresh_met(quota)
        mail("returned", consultation_id=consultation.id)
    return consultation


QUEUE_LIMIT = 200


def review_queue_query(curator_id: int, *, trainee_id: int | None = None, fmt: str | None = None):
    """Submitted consultations of the curator's trainees (of one trainee, in one format), oldest first."""
    query = (select(Consultation).join(ConsultationQuota, ConsultationQuota.id == Consultation.quota_id)
             .where(ConsultationQuota.curator_id == curator_id, Consultation.review_state == ReviewState.SUBMITTED)
             .order_by(Consultation.submitted_at, Consultation.id))
    if trainee_id is not None:
        query = query.where(ConsultationQuota.user_id == trainee_id)
    if fmt is not None:
        query = query.where(Consultation.format == fmt)
    return query


def waiting_for_review(curator, *, trainee_id: int | None = None, fmt: str | None = None) -> list[Consultation]:
    """The curator's waiting consultations with their trainees, oldest first (at most QUEUE_LIMIT)."""
    return list(db.session.execute(
        review_queue_query(curator.id, trainee_id=trainee_id, fmt=fmt).limit(QUEUE_LIMIT)
        .options(joinedload(Consultation.quota).joinedload(ConsultationQuota.user))
    ).unique().scalars())


def next_for_review(curator, after_id: int | None = None) -> Consultation | None:
    """The next consultation waiting for this curator (skipping `after_id`, the one just shown)."""
    query = review_queue_query(curator.id)
    if after_id is not None:
        query = query.where(Consultation.id != after_id)
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def shown_after(waiting: list[Consultation], after_id: int | None) -> Consultation | None:
    """Skipping: the one after `after_id` in the queue, round to the first; the first without `after_id`."""
    ids = [c.id for c in waiting]
    if after_id in ids and len(ids) > 1:
        return waiting[(ids.index(after_id) + 1) % len(ids)]
    return waiting[0] if waiting else None


def accept_many(consultations: list[Consultation], actor) -> int:
    """Accept several waiting consultations in one unit of work (the caller checked each may be reviewed).
    All or nothing: one already decided refuses the lot. Returns how many were accepted."""
    if not consultations:
        raise ValidationFailed(MESSAGES["choose_consultations"], field="consultation_ids")
    now = clock.now()
    with unit_of_work():
        quotas = {quota_id: lock_quota(quota_id) for quota_id in sorted({c.quota_id for c in consultations})}
        for consultation in consultations:
            db.session.refresh(consultation)
            if consultation.review_state != ReviewState.SUBMITTED:
                raise QuotaConflict(MESSAGES["not_submitted"])
            consultation.review_state = ReviewState.ACCEPTED
            consultation.review_comment = ""
            consultation.reviewed_by_id = actor.id
            consultation.reviewed_at = now
            record(consultation.quota_id, "accepted", actor.id, consultation_id=consultation.id)
        db.session.flush()
        for quota in quotas.values():
            if refresh_met(quota):
                mail("met", quota_id=quota.id)
    return len(consultations)


# --- catch-up plans ---------------------------------------------------------------------------

def request_catch_up(quota: ConsultationQuota, actor, *, automatic: bool = False) -> CatchUpPlan:
    """Ask the trainee for a catch-up plan (the pace check does it when they fall behind)."""
    with unit_of_work():
        quota = lock_quota(quota.id)
        plan = quota.catch_up
        if plan is not None and plan.state in (CatchUpState.REQUESTED, CatchUpState.SUBMITTED):
            return plan
        if plan is None:
            plan = CatchUpPlan(quota_id=quota.id)
            db.session.add(plan)
        plan.state = CatchUpState.REQUESTED
        plan.per_week = None
        plan.note = plan.comment = ""
        plan.requested_at = clock.now()
        plan.submitted_at = plan.decided_at = plan.decided_by_id = None
        record(quota.id, "catch_up_requested", None if automatic else actor.id)
        if not automatic:
            close_tasks(quota.id, (TaskKind.BEHIND,), "catch_up_requested")
        db.session.flush()
        mail("catch_up_requested", quota_id=quota.id)
    return plan


def submit_catch_up(quota: ConsultationQuota, actor, per_week, note: str = "") -> CatchUpPlan:
    """The trainee answers: this many consultations a week until the deadline."""
    errors = FieldErrors()
    per_week = bounds.whole(per_week)
    if per_week not in bounds.of("catch_up_plans.per_week"):
        errors.add("per_week", MESSAGES["per_week"])
    note = (note or "").strip()
    if len(note) > COMMENT_MAX:
        errors.add("note", MESSAGES["note_long"])
    errors.raise_if_any()
    with unit_of_work():
        quota = lock_quota(quota.id)
        plan = quota.catch_up
        if plan is None or plan.state not in (CatchUpState.REQUESTED, CatchUpState.RETURNED):
            raise QuotaConflict(MESSAGES["catch_up_not_open"])
        plan.state = CatchUpState.SUBMITTED
        plan.per_week, plan.note = per_week, note
        plan.from_count = accepted_count(quota.id)
        plan.starts_on = today(quota.plan.event.timezone)
        plan.submitted_at = clock.now()
        record(quota.id, "catch_up_submitted", actor.id, per_week=per_week)
    return plan


def decide_catch_up(quota: ConsultationQuota, actor, accept: bool, comment: str = "") -> CatchUpPlan:
    """The curator accepts the plan, or returns it with a comment for the trainee to rework."""
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationFailed(MESSAGES["comment_required"], field="comment")
    with unit_of_work():
        quota = lock_quota(quota.id)
        plan = quota.catch_up
        if plan is None or plan.state != CatchUpState.SUBMITTED:
            raise QuotaConflict(MESSAGES["catch_up_not_submitted"])
        plan.state = CatchUpState.ACCEPTED if accept else CatchUpState.RETURNED
        plan.comment = comment[:COMMENT_MAX]
        plan.decided_at = clock.now()
        plan.decided_by_id = actor.id
        record(quota.id, "catch_up_accepted" if accept else "catch_up_returned", actor.id, reason=plan.comment)
        if accept:
            close_tasks(quota.id, (TaskKind.BEHIND,), "catch_up_accepted")
        db.session.flush()
        mail("catch_up_decided", quota_id=quota.id)
    return plan

"""The quotas area's part of a person's data export (app/privacy/registry.py).

Quotas and consultations stay after a deletion, counted under the anonymous account: a consultation
holds no client's identity (DESIGN §3), and reports count accepted ones. What curators and
organisers did (reviews, plans, mentoring, tasks) stays, pointing at their anonymous accounts.
"""
from sqlalchemy import select

from app.accounts.models import User
from app.core.rows import columns
from app.extensions import db
from app.quotas.models import Consultation, ConsultationQuota


def export(user: User) -> dict:
    quotas = db.session.execute(
        select(ConsultationQuota).where(ConsultationQuota.user_id == user.id).order_by(ConsultationQuota.id)
    ).scalars().all()
    return {"quotas": [{
        **columns(q, skip=("user_id",)),
        "consultations": [columns(c, skip=("quota_id",)) for c in db.session.execute(
            select(Consultation).where(Consultation.quota_id == q.id).order_by(Consultation.id)).scalars()],
    } for q in quotas]}


def register_privacy_hooks(registry) -> None:
    registry.register(
        "quotas", export=export,
        columns=("quota_plan_curators.user_id", "quota_plans.created_by_id", "consultation_quotas.user_id",
                 "consultation_quotas.curator_id", "consultations.reviewed_by_id", "quota_history.actor_id",
                 "mentoring_sessions.curator_id", "catch_up_plans.decided_by_id", "curator_tasks.curator_id",
                 "curator_digests.curator_id"))

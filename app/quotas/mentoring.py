"""Mentoring sessions: a curator meets one trainee or a group (date, topic, notes); trainees see them.

Recording a session with a trainee is acting on them: it closes their open curator tasks.
"""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.database import unit_of_work
from app.errors import FieldErrors
from app.extensions import db
from app.quotas.base import COMMENT_MAX, MESSAGES, close_tasks, record
from app.quotas.models import (
    ConsultationQuota,
    MentoringKind,
    MentoringSession,
    QuotaPlan,
    TaskKind,
    mentoring_participants,
)


def record_session(plan: QuotaPlan, curator, data: dict) -> MentoringSession:
    """`data`: kind, held_on, topic, notes, quota_ids (the curator's own trainees in this plan)."""
    errors = FieldErrors()
    kind = errors.choice("kind", MentoringKind, data.get("kind"), MESSAGES["required"])
    held_on = data.get("held_on")
    if not isinstance(held_on, date):
        errors.add("held_on", MESSAGES["date_required"])
    topic = (data.get("topic") or "").strip()
    if not topic or len(topic) > 300:
        errors.add("topic", MESSAGES["topic_required"])
    notes = (data.get("notes") or "").strip()
    if len(notes) > COMMENT_MAX:
        errors.add("notes", MESSAGES["note_long"])
    ids = sorted({int(i) for i in data.get("quota_ids") or []})
    quotas = list(db.session.execute(select(ConsultationQuota).where(
        ConsultationQuota.id.in_(ids), ConsultationQuota.plan_id == plan.id,
        ConsultationQuota.curator_id == curator.id)).scalars()) if ids else []
    if not ids:
        errors.add("quota_ids", MESSAGES["mentoring_trainees"])
    elif len(quotas) != len(ids):
        errors.add("quota_ids", MESSAGES["mentoring_foreign"])
    elif kind == MentoringKind.INDIVIDUAL and len(ids) != 1:
        errors.add("quota_ids", MESSAGES["mentoring_individual"])
    errors.raise_if_any()
    with unit_of_work():
        session = MentoringSession(plan_id=plan.id, curator_id=curator.id, kind=kind, held_on=held_on,
                                   topic=topic, notes=notes, quotas=quotas)
        db.session.add(session)
        db.session.flush()
        for quota in quotas:
            record(quota.id, "mentoring", curator.id, session=session.id, topic=topic)
            close_tasks(quota.id, (TaskKind.BEHIND, TaskKind.INACTIVE, TaskKind.RETURNED_UNFIXED), "mentoring")
    return session


def sessions_for_quotas(quota_ids: list[int]) -> dict[int, list[MentoringSession]]:
    """Mentoring sessions per quota id, newest first, in two queries."""
    if not quota_ids:
        return {}
    rows = db.session.execute(
        select(mentoring_participants.c.quota_id, MentoringSession)
        .join(MentoringSession, MentoringSession.id == mentoring_participants.c.session_id)
        .where(mentoring_participants.c.quota_id.in_(quota_ids))
        .options(selectinload(MentoringSession.curator))
        .order_by(MentoringSession.held_on.desc(), MentoringSession.id.desc())
    ).all()
    result: dict[int, list[MentoringSession]] = {quota_id: [] for quota_id in quota_ids}
    for quota_id, session in rows:
        result[quota_id].append(session)
    return result


def sessions_of_curator(curator, limit: int = 50) -> list[MentoringSession]:
    return list(db.session.execute(
        select(MentoringSession).where(MentoringSession.curator_id == curator.id)
        .options(selectinload(MentoringSession.quotas).selectinload(ConsultationQuota.user))
        .order_by(MentoringSession.held_on.desc(), MentoringSession.id.desc()).limit(limit)
    ).scalars())

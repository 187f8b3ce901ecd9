"""Mentoring sessions: a curator meets one trainee or a group (date, time, topic, notes); trainees see them.

A session is dated within its trainees' quotas (never after one's deadline). Recording or changing a
session that has happened is acting on its trainees: it closes their open curator tasks; one planned
for later closes nothing until it is edited after it took place.
"""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import format_date
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
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


def _checked(plan: QuotaPlan, curator, data: dict) -> dict:
    """`data`: kind, held_on, starts_at (optional time), topic, notes, quota_ids (the curator's own trainees
    in this plan) → the values to store, or a FieldErrors refusal."""
    errors = FieldErrors()
    kind = errors.choice("kind", MentoringKind, data.get("kind"), MESSAGES["required"])
    held_on = data.get("held_on")
    if not isinstance(held_on, date):
        errors.add("held_on", MESSAGES["date_required"])
    starts_at = data.get("starts_at")
    if starts_at is not None and not isinstance(starts_at, time):
        errors.add("starts_at", MESSAGES["required"])
    topic = (data.get("topic") or "").strip()
    if not topic or len(topic) > 300:
        errors.add("topic", MESSAGES["topic_required"])
    notes = (data.get("notes") or "").strip()
    if len(notes) > COMMENT_MAX:
        errors.add("notes", MESSAGES["note_long"])
    ids = sorted({int(i) for i in data.get("quota_ids") or []})
    quotas = list(db.session.execute(select(ConsultationQuota).where(
        ConsultationQuota.id.in_(ids), ConsultationQuota.plan_id == plan.id,
        ConsultationQuota.curator_id == curator.id).options(selectinload(ConsultationQuota.user))).scalars()) \
        if ids else []
    if not ids:
        errors.add("quota_ids", MESSAGES["mentoring_trainees"])
    elif len(quotas) != len(ids):
        errors.add("quota_ids", MESSAGES["mentoring_foreign"])
    elif kind == MentoringKind.INDIVIDUAL and len(ids) != 1:
        errors.add("quota_ids", MESSAGES["mentoring_individual"])
    if isinstance(held_on, date):
        late = [quota for quota in quotas if held_on > quota.deadline]
        if late:
            first = min(late, key=lambda quota: quota.deadline)
            errors.add("held_on", str(MESSAGES["mentoring_after_deadline"]) % {
                "name": first.user.full_name, "deadline": format_date(first.deadline, "medium")})
    errors.raise_if_any()
    return {"kind": kind, "held_on": held_on, "starts_at": starts_at, "topic": topic, "notes": notes,
            "quotas": quotas}


def has_happened(session: MentoringSession) -> bool:
    """Whether the session lies in the past of the seminar's timezone (its day, or its day and time)."""
    zone = session.plan.event.timezone
    now = clock.now().astimezone(ZoneInfo(zone)) if zone else clock.now()
    if session.starts_at is None:
        return session.held_on <= now.date()
    return datetime.combine(session.held_on, session.starts_at, tzinfo=now.tzinfo) <= now


def _acted_on(session: MentoringSession, curator, quotas) -> None:
    """History for the trainees; their open tasks close once the session has happened."""
    happened = has_happened(session)
    for quota in quotas:
        record(quota.id, "mentoring", curator.id, session=session.id, topic=session.topic)
        if happened:
            close_tasks(quota.id, (TaskKind.BEHIND, TaskKind.INACTIVE, TaskKind.RETURNED_UNFIXED), "mentoring")


def record_session(plan: QuotaPlan, curator, data: dict) -> MentoringSession:
    values = _checked(plan, curator, data)
    with unit_of_work():
        session = MentoringSession(plan_id=plan.id, curator_id=curator.id, **values)
        session.plan = plan
        db.session.add(session)
        db.session.flush()
        _acted_on(session, curator, values["quotas"])
    return session


def update_session(session: MentoringSession, curator, data: dict) -> MentoringSession:
    """Change a session (the same checks as recording one)."""
    values = _checked(session.plan, curator, data)
    with unit_of_work():
        for name, value in values.items():
            setattr(session, name, value)
        db.session.flush()
        _acted_on(session, curator, values["quotas"])
    return session


def delete_session(session: MentoringSession) -> None:
    """Remove a session recorded by mistake (tasks it closed stay closed; the pace check reopens them)."""
    with unit_of_work():
        db.session.delete(session)


def sessions_for_quotas(quota_ids: list[int]) -> dict[int, list[MentoringSession]]:
    """Mentoring sessions per quota id, newest first, in two queries."""
    if not quota_ids:
        return {}
    rows = db.session.execute(
        select(mentoring_participants.c.quota_id, MentoringSession)
        .join(MentoringSession, MentoringSession.id == mentoring_participants.c.session_id)
        .where(mentoring_participants.c.quota_id.in_(quota_ids))
        .options(selectinload(MentoringSession.curator))
        .order_by(MentoringSession.held_on.desc(), MentoringSession.starts_at.desc(), MentoringSession.id.desc())
    ).all()
    result: dict[int, list[MentoringSession]] = {quota_id: [] for quota_id in quota_ids}
    for quota_id, session in rows:
        result[quota_id].append(session)
    return result


def sessions_of_curator(curator, limit: int = 50) -> list[MentoringSession]:
    return list(db.session.execute(
        select(MentoringSession).where(MentoringSession.curator_id == curator.id)
        .options(selectinload(MentoringSession.quotas).selectinload(ConsultationQuota.user))
        .order_by(MentoringSession.held_on.desc(), MentoringSession.starts_at.desc(), MentoringSession.id.desc())
        .limit(limit)
    ).scalars())


def get_session(session_id: int) -> MentoringSession | None:
    return db.session.get(MentoringSession, session_id)

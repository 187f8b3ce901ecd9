"""The trainee's consultation log: log one, fix one that was returned (resubmitting it).

A consultation carries date, format, topic category, duration, client type and new/repeat, and a
short note — nothing that identifies the client. Only formats the plan counts are accepted, and
only dates inside the quota's window, never in the future.
"""
from datetime import date

from sqlalchemy import select

from app import clock
from app.core import bounds
from app.core.i18n import local_date
from app.database import row_or_not_found, unit_of_work
from app.errors import FieldErrors
from app.extensions import db
from app.quotas.base import MESSAGES, NOTE_MAX, QuotaConflict, close_tasks, lock_quota, record, today
from app.quotas.identity import identity_in
from app.quotas.models import (
    ClientType,
    Consultation,
    ConsultationFormat,
    ConsultationQuota,
    ReviewState,
    TaskKind,
)

FIELDS = ("held_on", "format", "topic", "duration_minutes", "client_type", "is_repeat", "note")


def validate(quota: ConsultationQuota, data: dict) -> dict:
    """Check a consultation's fields against the quota's plan; all problems at once."""
    plan = quota.plan
    errors = FieldErrors()
    held_on = data.get("held_on")
    if not isinstance(held_on, date):
        errors.add("held_on", MESSAGES["date_required"])
    elif held_on > today(plan.event.timezone):
        errors.add("held_on", MESSAGES["date_future"])
    elif held_on < plan.starts_on:
        errors.add("held_on", str(MESSAGES["date_before_window"]) % {"start": local_date(plan.starts_on, None, "short")})
    elif held_on > quota.deadline:
        errors.add("held_on", str(MESSAGES["date_after_deadline"]) % {"deadline": local_date(quota.deadline, None, "short")})
    fmt = errors.choice("format", ConsultationFormat, data.get("format"), MESSAGES["format_not_counted"])
    if fmt is not None and fmt.value not in plan.formats:
        errors.add("format", MESSAGES["format_not_counted"])
    topic = (data.get("topic") or "").strip() or None
    if topic is not None and topic not in {t["code"] for t in plan.topics or []}:
        errors.add("topic", MESSAGES["topic_unknown"])
    duration = data.get("duration_minutes")
    if duration not in bounds.of("consultations.duration_minutes"):
        errors.add("duration_minutes", MESSAGES["duration"])
    client_type = errors.choice("client_type", ClientType, data.get("client_type"), MESSAGES["required"])
    note = (data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.add("note", MESSAGES["note_long"])
    identity = identity_in(note)
    if identity is not None:
        errors.add("note", MESSAGES[f"note_{identity}"])
    errors.raise_if_any()
    return {"held_on": held_on, "format": fmt, "topic": topic, "duration_minutes": duration,
            "client_type": client_type, "is_repeat": bool(data.get("is_repeat")), "note": note}


def log_consultation(quota: ConsultationQuota, data: dict, actor, client_key: str | None = None) -> Consultation:
    """Log one consultation; it waits for the curator's review (`submitted`)."""
    return log_keyed_consultation(quota, data, actor, client_key)[0]


def _keyed(quota_id: int, client_key: str | None) -> Consultation | None:
    if client_key is None:
        return None
    return db.session.execute(select(Consultation).where(Consultation.quota_id == quota_id,
                                                         Consultation.client_key == client_key)).scalar_one_or_none()


def log_keyed_consultation(quota: ConsultationQuota, data: dict, actor,
                           client_key: str | None = None) -> tuple[Consultation, bool]:
    """Log one consultation, exactly once per `client_key` (an entry made offline, sent again and again):
    the consultation, and whether this call created it (False: the key was logged before, nothing changes)."""
    sent_before = _keyed(quota.id, client_key)
    if sent_before is not None:
        return sent_before, False
    clean = validate(quota, data)
    with unit_of_work():
        quota = lock_quota(quota.id)
        sent_before = _keyed(quota.id, client_key)  # a send racing this one, serialised by the quota's lock
        if sent_before is not None:
            return sent_before, False
        now = clock.now()
        consultation = Consultation(quota_id=quota.id, review_state=ReviewState.SUBMITTED, submitted_at=now,
                                    created_at=now, client_key=client_key, **clean)
        db.session.add(consultation)
        db.session.flush()
        record(quota.id, "submitted", actor.id, consultation_id=consultation.id)
        close_tasks(quota.id, (TaskKind.INACTIVE,), "logged")
    return consultation, True


def edit_consultation(consultation: Consultation, data: dict, actor) -> Consultation:
    """Change a consultation not yet accepted; a returned one goes back to the curator."""
    clean = validate(consultation.quota, data)
    with unit_of_work():
        lock_quota(consultation.quota_id)
        db.session.refresh(consultation)
        if consultation.review_state == ReviewState.ACCEPTED:
            raise QuotaConflict(MESSAGES["not_editable"])
        was_returned = consultation.review_state == ReviewState.RETURNED
        for name, value in clean.items():
            setattr(consultation, name, value)
        consultation.review_state = ReviewState.SUBMITTED
        consultation.submitted_at = clock.now()
        record(consultation.quota_id, "resubmitted" if was_returned else "edited", actor.id,
               consultation_id=consultation.id)
        if was_returned:
            db.session.flush()
            still_returned = db.session.execute(select(Consultation.id).where(
                Consultation.quota_id == consultation.quota_id,
                Consultation.review_state == ReviewState.RETURNED)).first()
            if not still_returned:
                close_tasks(consultation.quota_id, (TaskKind.RETURNED_UNFIXED,), "fixed")
    return consultation


def consultation_in_quota(quota: ConsultationQuota, consultation_id: int) -> Consultation:
    return row_or_not_found(Consultation, consultation_id, quota_id=quota.id)

"""The quota part of the personal calendar feed: each quota's deadline and the mentoring sessions.

Both are whole-day entries (a deadline is a day; a mentoring session is recorded with its date).
"""
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, type_coerce

from app.calendar.items import CalendarItem
from app.calendar.personal import register_personal_source
from app.extensions import db
from app.quotas.models import ConsultationQuota, MentoringSession, QuotaPlan, mentoring_participants


def _quotas(user) -> list[ConsultationQuota]:
    return list(db.session.execute(
        select(ConsultationQuota).where(ConsultationQuota.user_id == user.id).order_by(ConsultationQuota.id)
    ).scalars())


def _mentoring(user) -> list[MentoringSession]:
    return list(db.session.execute(
        select(MentoringSession).join(mentoring_participants,
                                      mentoring_participants.c.session_id == MentoringSession.id)
        .join(ConsultationQuota, ConsultationQuota.id == mentoring_participants.c.quota_id)
        .where(ConsultationQuota.user_id == user.id).order_by(MentoringSession.id)
    ).scalars())


def quota_items(user) -> Iterable[CalendarItem]:
    base_url = current_app.config["BASE_URL"]
    for quota in _quotas(user):
        title = quota.plan.event.title
        yield CalendarItem(
            uid=f"quota-deadline-{quota.id}",
            summary=_("Consultations due: %(title)s", title=title),
            start=quota.deadline, end=quota.deadline + timedelta(days=1), timezone=None,
            last_modified=max(quota.updated_at, quota.plan.updated_at),
            description=_("Deadline of your quota: %(target)d accepted consultations.", target=quota.target)
            + "\n\n" + f"{base_url}/quotas/{quota.id}",
            url=f"{base_url}/quotas/{quota.id}", categories=(_("Consultation quota"),),
            alarm_text=_("Tomorrow is the deadline of your consultation quota."),
        )
    for session in _mentoring(user):
        yield CalendarItem(
            uid=f"mentoring-{session.id}",
            summary=_("Mentoring: %(topic)s", topic=session.topic),
            start=session.held_on, end=session.held_on + timedelta(days=1), timezone=None,
            last_modified=session.updated_at, description=session.notes,
            categories=(str(session.kind.label),),
        )


def quota_version(user):
    """Cheap aggregates that move whenever the items above change."""
    quotas = db.session.execute(
        select(func.count(ConsultationQuota.id), func.coalesce(func.sum(ConsultationQuota.id), 0),
               type_coerce(func.max(ConsultationQuota.updated_at), ConsultationQuota.updated_at.type),
               type_coerce(func.max(QuotaPlan.updated_at), QuotaPlan.updated_at.type))
        .join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id).where(ConsultationQuota.user_id == user.id)
    ).one()
    sessions = db.session.execute(
        select(func.count(MentoringSession.id), func.coalesce(func.sum(MentoringSession.id), 0),
               type_coerce(func.max(MentoringSession.updated_at), MentoringSession.updated_at.type))
        .join(mentoring_participants, mentoring_participants.c.session_id == MentoringSession.id)
        .join(ConsultationQuota, ConsultationQuota.id == mentoring_participants.c.quota_id)
        .where(ConsultationQuota.user_id == user.id)
    ).one()
    moments = [m for m in (quotas[2], quotas[3], sessions[2]) if m is not None]
    return (tuple(quotas), tuple(sessions)), max(moments) if moments else None


register_personal_source("quotas", items=quota_items, version=quota_version)

"""The quota part of the personal calendar feed: each quota's deadline and the mentoring sessions.

Both are whole-day entries (a deadline is a day; a mentoring session is recorded with its date).
The quotas blueprint registers them with the calendar's personal sources when it joins the app.
"""
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, literal, select, type_coerce

from app.calendar.items import CalendarItem
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
            description=ngettext("Deadline of your quota: %(target)d accepted consultation.",
                                 "Deadline of your quota: %(target)d accepted consultations.", quota.target,
                                 target=quota.target)
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
    """Cheap aggregates that move whenever the items above change, in one query (a 304 must stay cheap)."""
    mine = ConsultationQuota.user_id == user.id
    quotas = (select(func.count(ConsultationQuota.id), func.coalesce(func.sum(ConsultationQuota.id), 0),
                     func.max(ConsultationQuota.updated_at), func.max(QuotaPlan.updated_at))
              .join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id).where(mine).subquery())
    sessions = (select(func.count(MentoringSession.id).label("n"),
                       func.coalesce(func.sum(MentoringSession.id), 0).label("ids"),
                       func.max(MentoringSession.updated_at).label("changed"))
                .join(mentoring_participants, mentoring_participants.c.session_id == MentoringSession.id)
                .join(ConsultationQuota, ConsultationQuota.id == mentoring_participants.c.quota_id)
                .where(mine).subquery())
    stamp = ConsultationQuota.updated_at.type
    row = db.session.execute(select(
        *[quotas.c[i] for i in range(2)], type_coerce(quotas.c[2], stamp), type_coerce(quotas.c[3], stamp),
        sessions.c.n, sessions.c.ids, type_coerce(sessions.c.changed, stamp),
    ).select_from(quotas).join(sessions, literal(True))).one()
    moments = [m for m in (row[2], row[3], row[6]) if m is not None]
    return tuple(row), max(moments) if moments else None

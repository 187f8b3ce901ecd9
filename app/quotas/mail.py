"""Quota mail, built by the worker from the outbox row (`build`) and composed by app.notifications in
the recipient's language.

One template pair (templates/notifications/quotas_notice.{txt,html}) shows the paragraphs each
kind gives here (escaped there like every other value). A mail is built only while what it says is
still true: a returned consultation fixed before delivery, a task already closed, a trainee no longer
behind — nothing goes.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from app.accounts.models import User
from app.core.i18n import local_date
from app.extensions import db
from app.notifications.services import Mail
from app.quotas.base import today
from app.quotas.models import (
    CatchUpState,
    Consultation,
    ConsultationQuota,
    CuratorTask,
    ReviewState,
)
from app.quotas.queries import open_tasks_of_curator, row_for, waiting_reviews


def _day(day):
    """A date formatted when the mail is rendered, i.e. in the recipient's locale."""
    return LazyString(local_date, day, None, "medium")


def _url(path: str) -> str:
    return f"{current_app.config['BASE_URL']}{path}"


def _quota_link(quota) -> tuple[str, object]:
    return _url(f"/quotas/{quota.id}"), _l("Open my consultation log")


def _mail(user, subject, paragraphs, link) -> Mail:
    return Mail(to=user, template="quotas_notice", subject=subject,
                context={"paragraphs": paragraphs, "link_url": link[0], "link_label": link[1]})


def _quota_mail(kind: str, quota: ConsultationQuota) -> Mail | None:
    title = quota.plan.event.text_in(quota.user.locale)["title"]
    row = row_for(quota)
    pace = row.pace
    if kind == "assigned":
        return _mail(quota.user, _l("Your consultation quota: %(title)s", title=title), [
            lazy_ngettext("After the seminar “%(title)s” you hold at least %(target)d consultation by %(deadline)s.",
                          "After the seminar “%(title)s” you hold at least %(target)d consultations by %(deadline)s.",
                          quota.target, title=title, target=quota.target, deadline=_day(quota.deadline)),
            _l("Log each consultation on the site or in the app; your curator reviews it. Never write a client’s "
               "name, contacts or diagnosis."),
        ], _quota_link(quota))
    elif kind == "met" and quota.met_at is not None:
        return _mail(quota.user, _l("Quota met: %(title)s", title=title), [
            lazy_ngettext("%(accepted)d of %(target)d consultation is accepted: your quota is met. Thank you!",
                          "%(accepted)d of %(target)d consultations are accepted: your quota is met. Thank you!",
                          quota.target, accepted=row.accepted, target=quota.target),
        ], _quota_link(quota))
    elif kind == "catch_up_requested" and quota.catch_up and quota.catch_up.state == CatchUpState.REQUESTED:
        return _mail(quota.user, _l("Please make a catch-up plan: %(title)s", title=title), [
            lazy_ngettext("You have %(accepted)d of %(target)d accepted consultation; about %(expected)d were expected "
                          "by now.",
                          "You have %(accepted)d of %(target)d accepted consultations; about %(expected)d were expected "
                          "by now.", quota.target, accepted=row.accepted, target=quota.target, expected=pace.expected_count),
            _l("Tell your curator how many consultations a week you will hold until %(deadline)s.",
               deadline=_day(quota.deadline)),
        ], _quota_link(quota))
    elif kind == "catch_up_decided" and quota.catch_up and quota.catch_up.state in (CatchUpState.ACCEPTED,
                                                                                      CatchUpState.RETURNED):
        plan = quota.catch_up
        if plan.state == CatchUpState.ACCEPTED:
            paragraphs = [lazy_ngettext("Your curator accepted your catch-up plan: %(n)d consultation a week.",
                                        "Your curator accepted your catch-up plan: %(n)d consultations a week.",
                                        plan.per_week, n=plan.per_week)]
        else:
            paragraphs = [_l("Your curator returned your catch-up plan with a comment:"), plan.comment]
        return _mail(quota.user, _l("Your catch-up plan: %(title)s", title=title), paragraphs, _quota_link(quota))
    elif kind == "behind" and pace.is_behind:
        return _mail(quota.user, _l("You are behind your consultation pace: %(title)s", title=title), [
            lazy_ngettext("%(accepted)d of %(target)d consultation is accepted; about %(expected)d were expected by today.",
                          "%(accepted)d of %(target)d consultations are accepted; about %(expected)d were expected by "
                          "today.", quota.target, accepted=row.accepted, target=quota.target, expected=pace.expected_count),
            lazy_ngettext("%(num)d day is left until the deadline.", "%(num)d days are left until the deadline.",
                          pace.days_left),
        ], _quota_link(quota))
    elif kind == "last_weeks" and quota.met_at is None and pace.days_left > 0:
        return _mail(quota.user, _l("Two weeks left: %(title)s", title=title), [
            lazy_ngettext("The deadline is %(deadline)s. You have %(accepted)d of %(target)d accepted consultation.",
                          "The deadline is %(deadline)s. You have %(accepted)d of %(target)d accepted consultations.",
                          quota.target, deadline=_day(quota.deadline), accepted=row.accepted, target=quota.target),
        ], _quota_link(quota))
    return None


def _consultation_mail(consultation: Consultation) -> Mail | None:
    if consultation.review_state != ReviewState.RETURNED:
        return None
    quota = consultation.quota
    return _mail(quota.user, _l("A consultation was returned: %(title)s", title=quota.plan.event.text_in(quota.user.locale)["title"]), [
        _l("Your curator returned the consultation of %(day)s with a comment:",
           day=_day(consultation.held_on)),
        consultation.review_comment,
        _l("Fix it and submit it again."),
    ], (_url(f"/quotas/{quota.id}/consultations/{consultation.id}/edit"), _l("Fix the consultation")))


def _task_mail(task: CuratorTask) -> Mail | None:
    quota = task.quota
    if task.open_key is None or quota.curator is None:
        return None
    return _mail(quota.curator, _l("New task: %(name)s", name=quota.user.full_name), [
        _l("%(name)s (%(title)s): %(task)s.", name=quota.user.full_name,
           title=quota.plan.event.text_in(quota.curator.locale)["title"],
           task=task.kind.label),
        _l("The task closes when you act on it: a mentoring session, a catch-up plan, or the trainee catching up."),
    ], (_url(f"/manage/quotas/{quota.id}"), _l("Open the trainee’s log")))


def _digest_mail(curator: User) -> Mail | None:
    waiting = waiting_reviews(curator)
    tasks = open_tasks_of_curator(curator)
    if not waiting and not tasks:
        return None
    paragraphs = [_l("Consultations waiting for your review: %(n)d.", n=waiting),
                  _l("Open tasks: %(n)d.", n=len(tasks))]
    paragraphs += [_l("%(name)s: %(task)s", name=t.quota.user.full_name, task=t.kind.label) for t in tasks[:20]]
    return _mail(curator, _l("Your curator digest for %(day)s", day=_day(today())), paragraphs,
          (_url("/manage/curator"), _l("Open my trainees")))


def build(payload: dict) -> Mail | None:
    """The quota mail of one outbox row, or None when it is no longer true."""
    kind = payload["kind"]
    if "quota_id" in payload:
        quota = db.session.get(ConsultationQuota, payload["quota_id"])
        return _quota_mail(kind, quota) if quota is not None else None
    if "consultation_id" in payload:
        consultation = db.session.get(Consultation, payload["consultation_id"])
        return _consultation_mail(consultation) if consultation is not None else None
    if "task_id" in payload:
        task = db.session.get(CuratorTask, payload["task_id"])
        return _task_mail(task) if task is not None else None
    curator = db.session.execute(select(User).where(User.id == payload["curator_id"])).scalar_one_or_none()
    return _digest_mail(curator) if curator is not None else None

"""What every quotas service module shares: messages, history, mail topic, counting, locks."""
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.database import lock_row
from app.errors import Conflict, NotFound
from app.extensions import BULK, INTERACTIVE, db
from app.outbox import services as outbox
from app.quotas.models import Consultation, ConsultationQuota, CuratorTask, QuotaEvent, ReviewState, TaskKind

MAIL_TOPIC = "quotas.mail"
NOTE_MAX = 500
COMMENT_MAX = 2000

MESSAGES = {
    "required": _l("This field is required."),
    "target": _l("Enter a whole number from 1 to 1000."),
    "percent": _l("Enter a percentage from 1 to 100."),
    "deadline_before_start": _l("The deadline must not be before the start."),
    "formats": _l("Choose at least one format that counts."),
    "format_not_counted": _l("This format does not count for this quota."),
    "topic_unknown": _l("Choose one of the plan’s topic categories."),
    "topics_syntax": _l("Write one category per line as “code: name”; codes are latin letters, digits, - or _."),
    "topics_duplicate": _l("Each topic code may appear only once."),
    "curator_role": _l("Only users with the curator role can be curators."),
    "not_a_curator": _l("This curator is not one of the plan’s curators."),
    "date_future": _l("A consultation cannot be logged before it happens."),
    "date_before_window": _l("This date is before the quota’s window opens (%(start)s)."),
    "date_after_deadline": _l("This date is after the deadline (%(deadline)s)."),
    "duration": _l("Enter the duration in minutes, from 1 to 600."),
    "note_long": _l("Keep the note under 500 characters."),
    "note_email": _l("Remove the e-mail address: a note must not identify the client (no name, contacts or "
                     "date of birth), only what the consultation was about."),
    "note_phone": _l("Remove the phone number: a note must not identify the client (no name, contacts or "
                     "date of birth), only what the consultation was about."),
    "note_birth_date": _l("Remove the date of birth: a note must not identify the client (no name, contacts or "
                          "date of birth). The consultation’s own date has its field above."),
    "not_editable": _l("An accepted consultation can only be changed after the curator reopens it."),
    "not_submitted": _l("Only submitted consultations can be reviewed; this one was already decided."),
    "not_accepted": _l("Only accepted consultations can be reopened."),
    "comment_required": _l("Write a comment: the trainee needs to know what to fix."),
    "reason_required": _l("Give a reason: it is kept in the history."),
    "decision": _l("Choose accept or return."),
    "nothing_changed": _l("Change the target, the deadline or both."),
    "no_plan": _l("This event has no quota plan yet."),
    "not_confirmed": _l("Only confirmed participants of the seminar can get a quota."),
    "already_has_quota": _l("This trainee already has a quota in this plan."),
    "per_week": _l("Enter how many consultations a week, from 1 to 100."),
    "catch_up_not_open": _l("No catch-up plan is asked of you right now."),
    "catch_up_not_submitted": _l("There is no catch-up plan waiting for a decision."),
    "mentoring_trainees": _l("Choose the trainees who took part."),
    "mentoring_individual": _l("An individual session has exactly one trainee."),
    "mentoring_foreign": _l("You can only record sessions with your own trainees."),
    "topic_required": _l("Give the session a topic."),
    "date_required": _l("Enter a date."),
    "choose_consultations": _l("Tick the consultations to accept."),
    "mentoring_after_deadline": _l("This date is after the deadline of %(name)s (%(deadline)s)."),
    "bad_key": _l("The entry has no valid key; reload the page and enter it again."),
}


class QuotaConflict(Conflict):
    code = "quota"


def record(quota_id: int, action: str, actor_id: int | None, *, consultation_id: int | None = None,
           reason: str = "", **details) -> None:
    """One line of the quota's history (review decisions, reopenings, changes)."""
    db.session.add(QuotaEvent(quota_id=quota_id, consultation_id=consultation_id, actor_id=actor_id,
                              action=action, reason=reason, details=details, at=clock.now()))


# Mail of the morning follow-up and of quotas handed out to a whole seminar at once: the bulk queue.
# A review's outcome, which one person is waiting for, stays interactive.
BULK_KINDS = {"assigned", "behind", "last_weeks", "digest", "task"}


def mail(kind: str, **ids) -> None:
    """Mail after the commit; the handler (app/quotas/mail.py) re-reads and re-checks the state."""
    outbox.emit(MAIL_TOPIC, queue=BULK if kind in BULK_KINDS else INTERACTIVE, kind=kind,
                summary=f"quotas {kind} {ids}", **ids)


def lock_quota(quota_id: int) -> ConsultationQuota:
    quota = lock_row(ConsultationQuota, quota_id)
    if quota is None:
        raise NotFound()
    return quota


def accepted_count(quota_id: int) -> int:
    return db.session.execute(
        select(func.count(Consultation.id)).where(Consultation.quota_id == quota_id,
                                                  Consultation.review_state == ReviewState.ACCEPTED)
    ).scalar_one()


def today(timezone: str | None = None) -> date:
    """Quota windows are calendar days of the seminar's timezone (UTC when none is given)."""
    now = clock.now()
    return now.astimezone(ZoneInfo(timezone)).date() if timezone else now.date()


def refresh_met(quota: ConsultationQuota) -> bool:
    """Set or clear `met_at` from the accepted count; True when the quota has just been met."""
    met = accepted_count(quota.id) >= quota.target
    if met and quota.met_at is None:
        quota.met_at = clock.now()
        return True
    if not met and quota.met_at is not None:
        quota.met_at = None
    return False


def close_tasks(quota_id: int, kinds: tuple[TaskKind, ...], closed_by: str) -> None:
    for task in db.session.execute(select(CuratorTask).where(
            CuratorTask.quota_id == quota_id, CuratorTask.kind.in_(kinds), CuratorTask.open_key.is_not(None))).scalars():
        task.open_key = None
        task.closed_at = clock.now()
        task.closed_by = closed_by

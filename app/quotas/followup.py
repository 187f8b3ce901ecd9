"""The nightly follow-up: pace check → curator tasks and catch-up requests; reminders and digests.

Run by the worker every morning and by `flask --app wsgi send-reminders`; safe to run twice:
- a task is opened only when none of its kind is open for the quota (`open_key`, unique), and
  closed when its reason is gone or somebody acted on it (see app/quotas/base.close_tasks);
- a behind-pace reminder goes to a trainee at most once a week (`behind_reminded_at`), the
  last-two-weeks warning once per quota, a curator's digest at most once a day — each claimed by
  a conditional UPDATE in the same unit of work as its outbox row.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update

from app import clock
from app.database import unit_of_work
from app.extensions import db
from app.quotas.base import close_tasks, mail
from app.quotas.models import (
    Consultation,
    ConsultationQuota,
    CuratorDigest,
    CuratorTask,
    PaceStatus,
    ReviewState,
    TaskKind,
)
from app.quotas.queries import QuotaRow, quota_rows
from app.quotas.review import request_catch_up

RETURNED_UNFIXED_AFTER = timedelta(days=7)
BEHIND_REMINDER_EVERY = timedelta(days=7)
DIGEST_EVERY = timedelta(hours=20)
LAST_WEEKS = 14


@dataclass
class FollowUp:
    tasks_opened: int = 0
    tasks_closed: int = 0
    catch_up_requested: int = 0
    behind_reminders: int = 0
    last_weeks_warnings: int = 0
    digests: int = 0


def _open_task(quota: ConsultationQuota, kind: TaskKind) -> bool:
    key = f"{quota.id}:{kind.value}"
    if db.session.execute(select(CuratorTask.id).where(CuratorTask.open_key == key)).first():
        return False
    task = CuratorTask(quota_id=quota.id, curator_id=quota.curator_id, kind=kind, open_key=key,
                       opened_at=clock.now())
    db.session.add(task)
    db.session.flush()
    mail("task", task_id=task.id)
    return True


def _open_keys() -> set[str]:
    return set(db.session.execute(select(CuratorTask.open_key).where(CuratorTask.open_key.is_not(None))).scalars())


def check_pace() -> FollowUp:
    """Open or close the curators' tasks from today's pace; ask trainees behind pace for a plan."""
    result = FollowUp()
    rows = quota_rows(ConsultationQuota.met_at.is_(None))
    stale = set(db.session.execute(
        select(Consultation.quota_id).where(Consultation.review_state == ReviewState.RETURNED,
                                            Consultation.reviewed_at <= clock.now() - RETURNED_UNFIXED_AFTER)
    ).scalars())
    open_keys = _open_keys()
    for row in rows:
        _follow_up(row, row.quota.id in stale, open_keys, result)
    return result


def _follow_up(row: QuotaRow, returned_stale: bool, open_keys: set[str], result: FollowUp) -> None:
    quota = row.quota
    wanted = {
        TaskKind.BEHIND: row.status == PaceStatus.BEHIND,
        TaskKind.INACTIVE: row.inactive,
        TaskKind.RETURNED_UNFIXED: returned_stale,
    }
    to_open = [kind for kind, needed in wanted.items()
               if needed and quota.curator_id and f"{quota.id}:{kind.value}" not in open_keys]
    to_close = tuple(kind for kind, needed in wanted.items() if not needed and f"{quota.id}:{kind.value}" in open_keys)
    ask_plan = row.status == PaceStatus.BEHIND and row.catch_up is None
    if not (to_open or to_close or ask_plan):
        return
    with unit_of_work():
        for kind in to_open:
            result.tasks_opened += _open_task(quota, kind)
        if to_close:
            close_tasks(quota.id, to_close, "resolved")
            result.tasks_closed += len(to_close)
    if ask_plan:
        request_catch_up(quota, None, automatic=True)
        result.catch_up_requested += 1


def _claim(column, quota_id: int, older_than) -> bool:
    """Set a quota's reminder column to now unless it was set after `older_than` (None: ever)."""
    condition = column.is_(None) if older_than is None else or_(column.is_(None), column <= older_than)
    return db.session.execute(
        update(ConsultationQuota).where(ConsultationQuota.id == quota_id, condition)
        .values({column.key: clock.now()}).execution_options(synchronize_session=False)
    ).rowcount == 1


def _claim_digest(curator_id: int) -> bool:
    now = clock.now()
    digest = db.session.get(CuratorDigest, curator_id, with_for_update=True)
    if digest is None:
        db.session.add(CuratorDigest(curator_id=curator_id, last_sent_at=now))
        return True
    if digest.last_sent_at > now - DIGEST_EVERY:
        return False
    digest.last_sent_at = now
    return True


def send_reminders() -> FollowUp:
    """The whole follow-up: pace check, then reminders to trainees and digests to curators."""
    result = check_pace()
    now = clock.now()
    rows = quota_rows(ConsultationQuota.met_at.is_(None))
    for row in rows:
        quota = row.quota
        if row.status == PaceStatus.BEHIND:
            with unit_of_work():
                if _claim(ConsultationQuota.behind_reminded_at, quota.id, now - BEHIND_REMINDER_EVERY):
                    mail("behind", quota_id=quota.id)
                    result.behind_reminders += 1
        if row.status != PaceStatus.MISSED and 0 < row.pace.days_left <= LAST_WEEKS \
                and row.pace.elapsed_days > 0:
            with unit_of_work():
                if _claim(ConsultationQuota.last_weeks_warned_at, quota.id, None):
                    mail("last_weeks", quota_id=quota.id)
                    result.last_weeks_warnings += 1
    curators = set(db.session.execute(
        select(ConsultationQuota.curator_id).join(Consultation, Consultation.quota_id == ConsultationQuota.id)
        .where(Consultation.review_state == ReviewState.SUBMITTED, ConsultationQuota.curator_id.is_not(None))
    ).scalars()) | set(db.session.execute(
        select(ConsultationQuota.curator_id).join(CuratorTask, CuratorTask.quota_id == ConsultationQuota.id)
        .where(CuratorTask.open_key.is_not(None), ConsultationQuota.curator_id.is_not(None))
    ).scalars())
    for curator_id in sorted(curators):
        with unit_of_work():
            if _claim_digest(curator_id):
                mail("digest", curator_id=curator_id)
                result.digests += 1
    return result


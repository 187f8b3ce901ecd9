"""The quotas area's public services, one module per concern (re-exported here for other areas):

- plans.py — quota plans, who gets a quota, curators, one trainee's target/deadline changes;
- log.py — the trainee's consultation log;
- review.py — the curator's review queue (one at a time, or several accepted at once), reopening, catch-up plans;
- mentoring.py — mentoring sessions;
- followup.py — pace check, curator tasks, reminders and digests;
- queries.py — lists with counts and pace, progress for certificates and reports;
- pace.py — the one pure pace function.
"""
from app.quotas.base import MESSAGES
from app.quotas.followup import check_pace, send_reminders
from app.quotas.log import consultation_in_quota, edit_consultation, log_consultation, log_keyed_consultation
from app.quotas.mentoring import (
    delete_session,
    get_session,
    has_happened,
    record_session,
    sessions_for_quotas,
    sessions_of_curator,
    update_session,
)
from app.quotas.pace import Pace, pace
from app.quotas.plans import (
    add_trainee,
    change_quota,
    find_quota,
    get_quota,
    plan_for_event,
    quota_in_plan,
    save_plan,
    set_curator,
    spread_curators,
    sync_quotas,
)
from app.quotas.queries import (
    QuotaProgress,
    QuotaRow,
    Totals,
    accepted_consultations_count,
    accepted_dates,
    behind_per_event,
    cohort,
    cohort_regions,
    consultations_of,
    curator_rows,
    has_quota,
    history_of,
    my_rows,
    open_tasks_of_curator,
    plans_of_curator,
    progress_for_event,
    quota_user_ids,
    row_for,
    totals_of,
    trainees_of_curator,
    waiting_reviews,
)
from app.quotas.review import (
    accept_many,
    decide_catch_up,
    next_for_review,
    reopen,
    request_catch_up,
    review,
    shown_after,
    submit_catch_up,
    waiting_for_review,
)

__all__ = [
    "accept_many", "delete_session", "get_session", "has_happened", "has_quota", "shown_after", "trainees_of_curator", "update_session",
    "waiting_for_review",
    "Pace", "QuotaProgress", "QuotaRow", "accepted_consultations_count", "accepted_dates", "add_trainee", "behind_per_event",
    "change_quota", "check_pace", "cohort", "cohort_regions", "consultation_in_quota", "consultations_of", "curator_rows",
    "decide_catch_up", "edit_consultation", "find_quota", "get_quota", "MESSAGES", "history_of", "log_consultation", "log_keyed_consultation",
    "my_rows",
    "next_for_review", "open_tasks_of_curator", "pace", "plan_for_event", "plans_of_curator", "quota_user_ids",
    "progress_for_event", "quota_in_plan", "record_session", "reopen", "request_catch_up", "review", "row_for",
    "save_plan", "send_reminders", "sessions_for_quotas", "sessions_of_curator", "set_curator",
    "spread_curators", "submit_catch_up", "sync_quotas", "Totals", "totals_of", "waiting_reviews",
]

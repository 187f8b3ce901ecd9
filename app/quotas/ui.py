"""What the quota parts of pages show, computed here so templates hold no rules: the pace chart's
geometry, the /me section (answered through accounts' `me_page_wanted`), the organiser's link on the event page."""
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import permissions
from app.accounts.signals import me_page_wanted
from app.core.i18n import local_date
from app.core.sections import Section
from app.quotas import services
from app.quotas.models import CatchUpState, PaceStatus
from app.quotas.pace import plan_shortfall

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36


@dataclass
class ChartPoint:
    day: date
    expected: float
    done: int | None
    plan: float | None


@dataclass
class PaceChart:
    width: int = WIDTH
    height: int = HEIGHT
    expected_path: str = ""
    done_path: str = ""
    plan_path: str = ""
    today_x: float | None = None
    target_y: float = 0
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_ticks: list[tuple[float, date]] = field(default_factory=list)
    table: list[ChartPoint] = field(default_factory=list)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def pace_chart(row: services.QuotaRow, accepted_days: list[date], today: date) -> PaceChart:
    """Expected-by-date (straight line to the target), done (accepted, by the day held), the catch-up
    plan's line when there is one, and today; plus a weekly table with the same figures."""
    quota, plan = row.quota, row.quota.plan
    start, deadline = plan.starts_on, quota.deadline
    total = (deadline - start).days + 1
    catch_up = row.catch_up if row.catch_up and row.catch_up.state in (
        CatchUpState.SUBMITTED, CatchUpState.ACCEPTED) and row.catch_up.starts_on else None

    def plan_value(day: date) -> float | None:
        if catch_up is None or day < catch_up.starts_on:
            return None
        return catch_up.from_count + catch_up.per_week * (day - catch_up.starts_on).days / 7

    top_value = max(quota.target, len(accepted_days), 1)
    if catch_up is not None:
        top_value = max(top_value, plan_value(deadline) or 0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + plot_w * min(max((day - start).days + 1, 0), total) / total, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top_value), 1)

    chart = PaceChart(target_y=y(quota.target))
    chart.expected_path = f"M{x(start - timedelta(days=1))},{y(0)} L{x(deadline)},{y(quota.target)}"
    last_day = min(today, deadline)
    if last_day >= start:
        points = [f"M{x(start - timedelta(days=1))},{y(0)}"]
        count = 0
        for day in accepted_days:
            if day > last_day:
                break
            points.append(f"L{x(day - timedelta(days=1))},{y(count)}")
            count += 1
            points.append(f"L{x(day)},{y(count)}")
        points.append(f"L{x(last_day)},{y(count)}")
        chart.done_path = " ".join(points)
    if catch_up is not None:
        chart.plan_path = (f"M{x(catch_up.starts_on)},{y(catch_up.from_count)} "
                           f"L{x(deadline)},{y(plan_value(deadline))}")
    if start <= today <= deadline:
        chart.today_x = x(today)
    step = max(1, round(top_value / 4))
    chart.y_ticks = [(y(v), v) for v in range(0, int(top_value) + 1, step)]
    weeks = [start + timedelta(days=7 * n) for n in range(0, total // 7 + 1)]
    chart.x_ticks = [(x(day), day) for day in weeks[:: max(1, len(weeks) // 6)]]
    for day in [*(start + timedelta(days=7 * n - 1) for n in range(1, total // 7 + 1)), deadline]:
        if chart.table and chart.table[-1].day == day:
            continue
        done = bisect_right(accepted_days, day) if day <= today else None
        chart.table.append(ChartPoint(day=day, expected=round(quota.target * ((day - start).days + 1) / total, 1),
                                      done=done, plan=None if plan_value(day) is None else round(plan_value(day), 1)))
    return chart


STATUS_CLASSES = {
    PaceStatus.MET: "success",
    PaceStatus.AHEAD: "success",
    PaceStatus.ON_TRACK: "primary",
    PaceStatus.NOT_STARTED: "secondary",
    PaceStatus.BEHIND: "danger",
    PaceStatus.MISSED: "dark",
}


def status_class(status: PaceStatus) -> str:
    return STATUS_CLASSES[status]


def status_labels() -> dict[PaceStatus, str]:
    """Each status's text, translated once for a long list."""
    return {status: str(status.label) for status in PaceStatus}


def list_texts() -> dict[str, str]:
    """Format strings of a long list's rows, translated once per page (templates fill them with |format)."""
    return {"bar": _("%(accepted)d of %(target)d accepted; about %(expected)d expected by today"),
            "of": _("%(accepted)d of %(target)d"), "inactive": _("inactive")}


def needed_per_week(row: services.QuotaRow) -> str | None:
    """"You need about 2,9 a week to reach 20 by 30 May" (reader's locale), or None once nothing is needed."""
    needed = row.pace.needed_per_week
    if needed is None:
        return None
    return _("You need about %(needed)s a week to reach %(target)d by %(deadline)s.",
             needed=decimal(needed), target=row.quota.target,
             deadline=format_date(row.quota.deadline, "d MMMM"))


def decimal(value: float) -> str:
    """A count with at most one decimal in the reader's locale: 2,9 in Russian, 2.9 in English."""
    return format_decimal(value, "#,##0.#")


def catch_up_check(row: services.QuotaRow) -> str | None:
    """The arithmetic of a catch-up plan that falls short of the target, for both the trainee and the
    curator; None for a plan that is enough (or without a number yet)."""
    plan = row.catch_up
    if plan is None or not plan.per_week or row.pace.needed_per_week is None:
        return None
    short = plan_shortfall(row.pace, plan.per_week)
    if short < 1:
        return None
    return ngettext("Needs about %(needed)s a week to reach %(target)d by %(deadline)s; this plan gives "
                    "%(per_week)d a week → %(num)d short.",
                    "Needs about %(needed)s a week to reach %(target)d by %(deadline)s; this plan gives "
                    "%(per_week)d a week → %(num)d short.", short,
                    needed=decimal(row.pace.needed_per_week), target=row.quota.target,
                    deadline=format_date(row.quota.deadline, "d MMMM"), per_week=plan.per_week)


def event_quota_link(event) -> str | None:
    """The organiser's way from the event page to its quota plan (or to create one)."""
    if not current_user.is_authenticated or not permissions.can("quota_plan.manage", event):
        return None
    return url_for("quotas.cohort", event_id=event.id)


HISTORY_LABELS = {
    "assigned": _l("Quota given (attendance threshold met)"),
    "added_by_hand": _l("Quota given by hand"),
    "submitted": _l("Consultation logged"),
    "edited": _l("Consultation edited"),
    "resubmitted": _l("Returned consultation fixed and resubmitted"),
    "accepted": _l("Consultation accepted"),
    "returned": _l("Consultation returned"),
    "reopened": _l("Accepted consultation reopened"),
    "changed": _l("Target or deadline changed"),
    "plan_changed": _l("Target or deadline changed with the plan"),
    "curator": _l("Curator assigned"),
    "mentoring": _l("Mentoring session"),
    "catch_up_requested": _l("Catch-up plan asked for"),
    "catch_up_submitted": _l("Catch-up plan submitted"),
    "catch_up_accepted": _l("Catch-up plan accepted"),
    "catch_up_returned": _l("Catch-up plan returned"),
}


def history_label(entry) -> str:
    """The history line's action, with what changed (target 20 → 15, deadline …)."""
    label = str(HISTORY_LABELS.get(entry.action, entry.action))
    details = entry.details or {}
    parts = []
    if "target" in details:
        target = details["target"]
        parts.append(_("target %(old)s → %(new)s", old=target[0], new=target[1]) if isinstance(target, list)
                     else _("target %(n)s", n=target))
    if "deadline" in details:
        deadline = details["deadline"]
        if isinstance(deadline, list):
            old, new = (date.fromisoformat(d) for d in deadline)
            parts.append(_("deadline %(old)s → %(new)s", old=local_date(old, None, "short"),
                           new=local_date(new, None, "short")))
        else:
            parts.append(_("deadline %(day)s", day=local_date(date.fromisoformat(deadline), None, "short")))
    if "per_week" in details:
        parts.append(_("%(n)d a week", n=details["per_week"]))
    if "topic" in details:
        parts.append(details["topic"])
    return f"{label}: {', '.join(parts)}" if parts else label


@me_page_wanted.connect
def _my_quotas(user) -> Section | None:
    """The person's quotas with pace on /me (nothing for someone without a quota)."""
    rows = services.my_rows(user)
    return Section("quotas/_me.html", {"quota_rows": rows}, order=20) if rows else None


def init_app(app) -> None:
    """Helpers that format or ask permissions; they load no data (the routes pass what pages show)."""
    app.jinja_env.globals.update(quota_status_class=status_class, quota_status_labels=status_labels,
                                 quota_list_texts=list_texts, event_quota_link=event_quota_link,
                                 quota_history_label=history_label, quota_needed_per_week=needed_per_week,
                                 quota_catch_up_check=catch_up_check, quota_decimal=decimal)

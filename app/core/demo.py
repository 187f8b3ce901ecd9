"""What every area's demo seeder shares (`flask seed-demo`): when the run started, the demo programme's first
month and dates counted from it, and `note`, which records each object a run creates (a second run creates
nothing, so it notes nothing).

The timeline: the programme's first month is three months before the current one, so "today" always falls
in its fourth month (offset 3) — the seminar (offset 1) is held, consultations (offsets 2–4) are under way,
the round table (offset 5) and stage 2 lie ahead. Nothing is dated in offset 3 except what is counted from
today itself (consultations, reviews, mentoring), so the demo tells the same story on any day of the month.
What happened in the past is recorded with the clock frozen at that moment (`at_moment`)."""
import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

MONTHS_BEFORE_TODAY = 3


@dataclass
class Seeding:
    now: datetime
    first_month: date
    note: Callable[[str], None]

    def on(self, offset: int, day: int) -> date:
        """Day `day` of the month `offset` months after the first month, clamped to the month's length."""
        month = add_months(self.first_month, offset)
        return month.replace(day=min(day, calendar.monthrange(month.year, month.month)[1]))


def first_month_for(today: date) -> date:
    """The demo programme's first month: three months before today's."""
    return add_months(today.replace(day=1), -MONTHS_BEFORE_TODAY)


def at_moment(day: date, hour: int, timezone: str, minute: int = 0) -> datetime:
    """An aware moment on `day` in `timezone`, to freeze the clock at while recording the past."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(timezone))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def at(day: date, hour: int, minute: int = 0) -> str:
    """A wall-clock time in the event's timezone, as the API takes it (naive ISO)."""
    return datetime(day.year, day.month, day.day, hour, minute).isoformat()

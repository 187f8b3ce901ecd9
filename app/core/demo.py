"""What every area's demo seeder shares (`flask seed-demo`): when the run started, the demo programme's first
month and dates counted from it, and `note`, which records each object a run creates (a second run creates
nothing, so it notes nothing)."""
import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass
class Seeding:
    now: datetime
    first_month: date
    note: Callable[[str], None]

    def on(self, offset: int, day: int) -> date:
        """Day `day` of the month `offset` months after the first month, clamped to the month's length."""
        month = add_months(self.first_month, offset)
        return month.replace(day=min(day, calendar.monthrange(month.year, month.month)[1]))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def at(day: date, hour: int, minute: int = 0) -> str:
    """A wall-clock time in the event's timezone, as the API takes it (naive ISO)."""
    return datetime(day.year, day.month, day.day, hour, minute).isoformat()

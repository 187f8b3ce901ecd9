"""Pace: where a trainee stands against their target today. One pure function, no database.

expected-by-today = target × elapsed share of the window (DESIGN §3). The window is counted in
whole days, both ends included: on the first day one day of N has elapsed, on the deadline day
all N have, so by the end of the deadline the whole target is expected.

Status, in this order:
- met: accepted ≥ target (whenever that happens);
- missed: the deadline has passed without meeting it;
- not started: the window has not opened yet, or nothing is accepted yet (the cohort page's
  "not started" filter); such a trainee can still be behind the line below (`is_behind`), and
  the follow-up treats them so;
- behind: accepted < floor(behind_percent % × expected) — e.g. with 70 %, 20 over 91 days, a
  trainee is behind once the floor of 70 % of the expected count reaches one consultation more
  than they have, so the first days of a window are never "behind";
- ahead: at least 10 % of the target (and at least one consultation) above expected;
- on track: otherwise.
"""
import math
from dataclasses import dataclass
from datetime import date

from app.quotas.models import PaceStatus

AHEAD_SHARE = 0.10


@dataclass(frozen=True)
class Pace:
    status: PaceStatus
    target: int
    accepted: int
    expected: float          # by the end of today
    elapsed_days: int        # days of the window gone, today included (0 before it opens)
    total_days: int
    days_left: int           # days still to work, today and the deadline included; 0 after it
    behind_by: int           # consultations short of the "behind" line (0 when not behind)

    @property
    def is_behind(self) -> bool:
        """Below the "behind" line: status behind, or not started while the window runs on."""
        return self.behind_by > 0

    @property
    def expected_count(self) -> int:
        """Expected by today, as a whole number of consultations (rounded down)."""
        return math.floor(self.expected + 1e-9)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.accepted / self.target)) if self.target else 0

    @property
    def remaining(self) -> int:
        return max(0, self.target - self.accepted)

    @property
    def needed_per_week(self) -> float | None:
        """Consultations a week still needed to meet the target by the deadline."""
        if self.remaining == 0 or self.days_left <= 0:
            return None
        return round(self.remaining * 7 / self.days_left, 1)


def plan_shortfall(pace: Pace, per_week: int) -> int:
    """How many consultations short of the target a plan of `per_week` a week from today leaves at the
    deadline (rounded; 0 when it is enough): the catch-up check both sides read."""
    gives = per_week * max(0, pace.days_left) / 7
    return max(0, round(pace.remaining - gives))


def pace(window: tuple[date, date], target: int, accepted: int, today: date, *, behind_percent: int = 70) -> Pace:
    """The pace of one quota: `window` = (first day, deadline), both inclusive."""
    start, deadline = window
    total_days = (deadline - start).days + 1
    if total_days < 1:
        raise ValueError("the deadline is before the window opens")
    elapsed_days = min(total_days, max(0, (today - start).days + 1))
    expected = target * elapsed_days / total_days
    if today < start:
        days_left = total_days
    else:
        days_left = (deadline - today).days + 1 if today <= deadline else 0
    behind_line = math.floor(behind_percent / 100 * expected + 1e-9)
    behind_by = max(0, behind_line - accepted) if start <= today <= deadline and accepted < target else 0
    if accepted >= target:
        status = PaceStatus.MET
    elif today > deadline:
        status = PaceStatus.MISSED
    elif today < start or accepted == 0:
        status = PaceStatus.NOT_STARTED
    elif behind_by:
        status = PaceStatus.BEHIND
    elif accepted >= expected + max(1.0, AHEAD_SHARE * target):
        status = PaceStatus.AHEAD
    else:
        status = PaceStatus.ON_TRACK
    return Pace(status=status, target=target, accepted=accepted, expected=expected, elapsed_days=elapsed_days,
                total_days=total_days, days_left=days_left, behind_by=behind_by)


# Most urgent first: how a curator's list is sorted.
URGENCY = {
    PaceStatus.BEHIND: 0,
    PaceStatus.NOT_STARTED: 1,
    PaceStatus.ON_TRACK: 2,
    PaceStatus.AHEAD: 3,
    PaceStatus.MISSED: 4,
    PaceStatus.MET: 5,
}

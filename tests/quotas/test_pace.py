"""The one pace function at the window's edges (DESIGN §3: expected = target × elapsed share)."""
from datetime import date, timedelta

import pytest

from app.quotas.models import PaceStatus
from app.quotas.pace import pace

START, DEADLINE = date(2027, 4, 1), date(2027, 6, 29)   # 90 days, both ends included
WINDOW = (START, DEADLINE)
S = PaceStatus


def test_before_the_window_opens_nothing_is_expected():
    p = pace(WINDOW, 20, 0, START - timedelta(days=1))
    assert (p.status, p.expected, p.elapsed_days, p.days_left) == (S.NOT_STARTED, 0, 0, 90)


def test_first_day_expects_one_ninetieth_and_is_not_behind():
    p = pace(WINDOW, 20, 0, START)
    assert p.elapsed_days == 1 and p.expected == pytest.approx(20 / 90)
    assert p.status == S.NOT_STARTED and p.days_left == 90


def test_ahead_means_ten_percent_of_the_target_above_expected():
    assert pace(WINDOW, 20, 3, START).status == S.AHEAD     # 0.22 expected + 2
    assert pace(WINDOW, 20, 2, START).status == S.ON_TRACK
    assert pace(WINDOW, 20, 1, START + timedelta(days=9)).status == S.ON_TRACK


def test_behind_when_below_the_threshold_share_of_expected():
    day = START + timedelta(days=44)                       # 45 of 90 days: 10 expected, the 70 % line is 7
    assert pace(WINDOW, 20, 7, day).status == S.ON_TRACK
    behind = pace(WINDOW, 20, 6, day)
    assert behind.status == S.BEHIND and behind.behind_by == 1 and behind.expected_count == 10
    assert pace(WINDOW, 20, 6, day, behind_percent=60).status == S.ON_TRACK


def test_nothing_accepted_after_weeks_is_behind_not_not_started():
    assert pace(WINDOW, 20, 0, START + timedelta(days=20)).status == S.BEHIND


def test_deadline_day_expects_the_whole_target():
    p = pace(WINDOW, 20, 19, DEADLINE)
    assert p.expected == 20 and p.days_left == 1 and p.status == S.ON_TRACK
    assert p.needed_per_week == 7.0


def test_after_the_deadline_it_is_missed_or_met():
    after = DEADLINE + timedelta(days=1)
    assert pace(WINDOW, 20, 19, after).status == S.MISSED
    assert pace(WINDOW, 20, 19, after).days_left == 0
    assert pace(WINDOW, 20, 20, after).status == S.MET


def test_target_already_met_is_met_whenever():
    assert pace(WINDOW, 20, 20, START).status == S.MET
    assert pace(WINDOW, 20, 25, START - timedelta(days=3)).status == S.MET
    assert pace(WINDOW, 20, 20, START).needed_per_week is None


def test_target_changed_midway_recomputes_expected_from_the_new_target():
    day = START + timedelta(days=44)
    assert pace(WINDOW, 20, 6, day).status == S.BEHIND
    lowered = pace(WINDOW, 12, 6, day)                      # illness: target 20 → 12, expected 6
    assert lowered.expected == pytest.approx(6) and lowered.status == S.ON_TRACK
    assert pace(WINDOW, 6, 6, day).status == S.MET


def test_a_window_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        pace((DEADLINE, START), 20, 0, START)

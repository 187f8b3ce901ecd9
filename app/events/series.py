"""Recurring meetings: a series rule stored on the event, the meetings it generates, and the changes
made to one meeting (move, cancel) or to this and all following meetings.

The rule is expanded with python-dateutil's rrule on naive wall-clock times in the event's timezone,
and each occurrence is then localised with zoneinfo: a weekly 18:00 meeting stays at 18:00 local on
both sides of a daylight-saving change. A meeting changed on its own bumps its own `sequence` (its
calendar entry's SEQUENCE is the event's plus the meeting's), is written to the change log and
mails the registrants through `signals.event_changed`, like any other change of time.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import MONTHLY, WEEKLY, rrule, rruleset, weekday
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app import clock
from app.core import bounds
from app.database import lock_row, unit_of_work
from app.errors import Conflict, FieldErrors, ValidationFailed
from app.events.changes import denormalise_dates, record_change
from app.events.models import Event, EventStatus, SeriesFrequency, SeriesRule, Session
from app.events.parsing import localize, to_int

MAX_MEETINGS = bounds.of("event_series.count").high
POSITIONS = (1, 2, 3, 4, -1)
YEAR_MIN, YEAR_MAX = 1970, 2100

MESSAGES = {
    "frequency": _l("Choose weekly or monthly."),
    "every": _l("Enter a whole number from 1 to %(n)d."),
    "weekdays": _l("Choose at least one weekday."),
    "month_position": _l("Choose first, second, third, fourth or last."),
    "date": _l("Enter a date."),
    "year": _l("Enter a date between the years %(low)d and %(high)d."),
    "time": _l("Enter a time such as 18:00."),
    "duration": _l("Enter the length in minutes, from 1 to %(n)d."),
    "count": _l("Enter a number of meetings from 1 to %(n)d."),
    "end_missing": _l("Choose an end date or a number of meetings."),
    "end_both": _l("Give an end date or a number of meetings, not both."),
    "until_before_start": _l("The end date must be on or after the first date."),
    "none": _l("The rule gives no meetings: check the first date, the weekdays and the end."),
    "excluded": _l("Enter dates as YYYY-MM-DD, separated by commas or new lines."),
    "not_a_meeting": _l("This meeting is not part of the event."),
    "cancelled": _l("This meeting is cancelled."),
    "already_cancelled": _l("This meeting is already cancelled."),
    "not_cancelled": _l("This meeting is not cancelled."),
    "event_cancelled": _l("The event is cancelled: its meetings cannot be changed."),
    "end_after_start": _l("The end must be after the start."),
    "not_held_yet": _l("The outcome can be recorded once the meeting has started."),
    "guests": _l("Enter a count of zero or more."),
}


@dataclass(frozen=True)
class Rule:
    """A clean recurrence rule (what the form and the stored SeriesRule both say)."""

    frequency: SeriesFrequency
    every: int
    weekdays: tuple[int, ...]
    month_position: int | None
    starts_on: date
    until: date | None
    count: int | None
    start_time: time
    duration_minutes: int
    excluded_dates: tuple[date, ...] = ()

    def as_stored(self) -> dict:
        return {"frequency": self.frequency, "every": self.every, "weekdays": list(self.weekdays),
                "month_position": self.month_position, "starts_on": self.starts_on, "until": self.until,
                "count": self.count, "start_time": self.start_time, "duration_minutes": self.duration_minutes,
                "excluded_dates": [d.isoformat() for d in self.excluded_dates]}

    def summary(self) -> str:
        """A plain description for the change log (not translated: it records what was asked)."""
        weekdays = ",".join(str(d) for d in self.weekdays)
        end = f"until {self.until.isoformat()}" if self.until else f"count {self.count}"
        position = f" position {self.month_position}" if self.frequency == SeriesFrequency.MONTHLY else ""
        return (f"{self.frequency.value} every {self.every}{position} weekdays {weekdays} from "
                f"{self.starts_on.isoformat()} {end} at {self.start_time.strftime('%H:%M')} for "
                f"{self.duration_minutes} min")


@dataclass(frozen=True)
class Occurrence:
    day: date
    start: datetime
    end: datetime


def rule_of(event: Event) -> Rule | None:
    """The event's stored rule as a Rule (None when its meetings were not generated from one)."""
    stored = event.series
    if stored is None:
        return None
    return Rule(stored.frequency, stored.every, tuple(stored.weekdays or ()), stored.month_position,
                stored.starts_on, stored.until, stored.count, stored.start_time, stored.duration_minutes,
                tuple(date.fromisoformat(d) for d in stored.excluded_dates or ()))


# --- parsing ------------------------------------------------------------------------------------

def _date(errors: FieldErrors, name: str, value, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            errors.add(name, MESSAGES["date"])
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            errors.add(name, MESSAGES["date"])
            return None
    if not YEAR_MIN <= value.year <= YEAR_MAX:  # far-off years overflow the conversion to UTC
        errors.add(name, MESSAGES["year"] % {"low": YEAR_MIN, "high": YEAR_MAX})
        return None
    return value


def _time(errors: FieldErrors, name: str, value) -> time | None:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return time.fromisoformat(str(value).strip()).replace(second=0, microsecond=0, tzinfo=None)
    except (TypeError, ValueError):
        errors.add(name, MESSAGES["time"])
        return None


def _bounded_int(errors: FieldErrors, name: str, value, column: str, message_key: str):
    """A whole number within the column's bound (app.core.bounds), or the field's message naming the bound."""
    bound = bounds.of(column)
    try:
        number = to_int(value)
    except (TypeError, ValueError):
        number = None
    if number not in bound:
        errors.add(name, MESSAGES[message_key] % {"n": bound.high})
        return None
    return number


def _excluded(errors: FieldErrors, value) -> tuple[date, ...]:
    if value in (None, ""):
        return ()
    parts = re.split(r"[\s,;]+", value.strip()) if isinstance(value, str) else value
    days = set()
    try:
        for part in parts:
            if part in ("", None):
                continue
            days.add(part if isinstance(part, date) else date.fromisoformat(str(part)))
    except (TypeError, ValueError):
        errors.add("excluded_dates", MESSAGES["excluded"])
        return ()
    return tuple(sorted(days))


def parse_rule(data: dict) -> Rule:
    """A Rule from form or JSON data; raises ValidationFailed with every field's message at once."""
    errors = FieldErrors()
    frequency = errors.choice("frequency", SeriesFrequency, data.get("frequency") or "", MESSAGES["frequency"])
    every = _bounded_int(errors, "every", data.get("every", 1), "event_series.every", "every")
    weekdays: set[int] = set()
    raw_weekdays = data.get("weekdays") or []
    if not isinstance(raw_weekdays, list | tuple | set):
        raw_weekdays = [raw_weekdays]
    for value in raw_weekdays:
        try:
            day = to_int(value)
        except (TypeError, ValueError):
            day = -1
        if not 0 <= day <= 6:
            errors.add("weekdays", MESSAGES["weekdays"])
            break
        weekdays.add(day)
    if not weekdays and "weekdays" not in errors.fields:
        errors.add("weekdays", MESSAGES["weekdays"])
    month_position = None
    if frequency == SeriesFrequency.MONTHLY:
        try:
            month_position = to_int(data.get("month_position"))
        except (TypeError, ValueError):
            month_position = None
        if month_position not in POSITIONS:
            errors.add("month_position", MESSAGES["month_position"])
    starts_on = _date(errors, "starts_on", data.get("starts_on"), required=True)
    until = _date(errors, "until", data.get("until"), required=False)
    count = None
    if data.get("count") not in (None, ""):
        count = _bounded_int(errors, "count", data["count"], "event_series.count", "count")
    elif until is None and "until" not in errors.fields:
        errors.add("until", MESSAGES["end_missing"])
    if until is not None and data.get("count") not in (None, ""):
        errors.add("count", MESSAGES["end_both"])
    if until is not None and starts_on is not None and until < starts_on:
        errors.add("until", MESSAGES["until_before_start"])
    start_time = _time(errors, "start_time", data.get("start_time"))
    duration = _bounded_int(errors, "duration_minutes", data.get("duration_minutes"), "event_series.duration_minutes",
                            "duration")
    excluded = _excluded(errors, data.get("excluded_dates"))
    errors.raise_if_any()
    return Rule(frequency, every, tuple(sorted(weekdays)), month_position, starts_on, until, count, start_time,
                duration, excluded)


# --- expansion ----------------------------------------------------------------------------------

def _local_starts(rule: Rule) -> list[datetime]:
    """The naive local start of every meeting (excluded dates left out), at most MAX_MEETINGS + 1.

    A count is of meetings held: an excluded date is skipped and the series runs on until `count`
    meetings are given (the rrule itself is unbounded then, and the loop stops at the count).
    """
    first = datetime.combine(rule.starts_on, rule.start_time)
    if rule.frequency == SeriesFrequency.WEEKLY:
        byweekday = [weekday(d) for d in rule.weekdays]
        frequency = WEEKLY
    else:
        byweekday = [weekday(d)(rule.month_position) for d in rule.weekdays]
        frequency = MONTHLY
    until = datetime.combine(rule.until, rule.start_time) if rule.until else None
    recurrence = rrule(frequency, dtstart=first, interval=rule.every, byweekday=byweekday, wkst=0,
                       until=until)
    dates = rruleset()
    dates.rrule(recurrence)
    for day in rule.excluded_dates:
        dates.exdate(datetime.combine(day, rule.start_time))
    limit = rule.count if rule.count is not None else MAX_MEETINGS + 1
    starts = []
    for start in dates:
        starts.append(start)
        if len(starts) >= limit:
            break
    return starts


def expand(rule: Rule, tz) -> list[Occurrence]:
    """The meetings a rule gives in timezone `tz`; raises ValidationFailed when there are none, too
    many, or one falls into a daylight-saving gap or fold."""
    errors = FieldErrors()
    starts = _local_starts(rule)
    if not starts:
        errors.add("starts_on", MESSAGES["none"])
    elif len(starts) > MAX_MEETINGS:
        errors.add("until", lazy_ngettext("The rule gives more than %(n)d meeting: choose an earlier end date.",
                                           "The rule gives more than %(n)d meetings: choose an earlier end date.",
                                           MAX_MEETINGS, n=MAX_MEETINGS))
    errors.raise_if_any()
    length = timedelta(minutes=rule.duration_minutes)
    occurrences = []
    for naive in starts:
        try:
            start = localize(naive, tz)
            end = localize(naive + length, tz)
        except ValueError as error:
            errors.add("start_time", str(error))
            continue
        occurrences.append(Occurrence(naive.date(), start, end))
    errors.raise_if_any()
    return occurrences


def preview(event: Event, data: dict) -> list[Occurrence]:
    """What "Create meetings" would make, without saving anything."""
    return expand(parse_rule(data), event.tz)


# --- creating the meetings ----------------------------------------------------------------------

def _signature(sessions) -> list[str]:
    return [f"{s.starts_at.isoformat()}/{s.ends_at.isoformat()}"
            for s in sorted(sessions, key=lambda s: s.starts_at)]


def create_meetings(event: Event, actor, data: dict) -> Event:
    """Store the rule on the event and make its meetings, in one transaction.

    Sessions before the rule's first date stay. From that date on, a session already on a date the
    rule gives is kept (its id, topic, check-ins, and a cancellation made on its own) and set to the
    rule's time, unless it was moved by hand (`moved_by_hand`) and `reset_moved` is not given; sessions
    on other dates that have not started are removed; new dates become new meetings. Registrants are
    mailed once about the new dates.
    """
    rule = parse_rule(data)
    reset_moved = bool(data.get("reset_moved"))
    with unit_of_work():
        locked = lock_row(Event, event.id)
        if locked.status == EventStatus.CANCELLED:
            raise Conflict(MESSAGES["event_cancelled"])
        occurrences = expand(rule, locked.tz)
        old_rule = rule_of(locked)
        keep = set() if reset_moved else moved_by_hand(locked, old_rule)
        old_signature = _signature(locked.sessions)
        if locked.series is None:
            locked.series = SeriesRule(**rule.as_stored())
        else:
            for name, value in rule.as_stored().items():
                setattr(locked.series, name, value)
        _apply(locked, rule, occurrences, keep)
        denormalise_dates(locked)
        changes: dict[str, list] = {}
        if old_rule != rule:
            changes["series"] = [old_rule.summary() if old_rule else None, rule.summary()]
        new_signature = _signature(locked.sessions)
        if new_signature != old_signature:
            changes["sessions"] = [old_signature, new_signature]
        record_change(locked, actor, changes)
    return locked


def moved_by_hand(event: Event, rule: Rule | None) -> set[int]:
    """Ids of the meetings whose time differs from what the stored rule gives for their date."""
    if rule is None:
        return set()
    try:
        given = {o.day: (o.start, o.end) for o in expand(rule, event.tz)}
    except ValidationFailed:  # the stored rule no longer expands (e.g. the timezone changed): nothing to keep
        return set()
    return {s.id for s in event.sessions
            if s.series_date in given and not s.is_cancelled and (s.starts_at, s.ends_at) != given[s.series_date]}


def _apply(event: Event, rule: Rule, occurrences: list[Occurrence], keep: set[int]) -> None:
    tz = event.tz
    now = clock.now()
    from_rule_on = [s for s in event.sessions if s.starts_at.astimezone(tz).date() >= rule.starts_on]
    wanted_days = {o.day for o in occurrences}
    by_day: dict[date, Session] = {}
    for session in sorted(from_rule_on, key=lambda s: s.starts_at):
        day = session.series_date or session.starts_at.astimezone(tz).date()
        if day in wanted_days and day not in by_day:
            by_day[day] = session
    kept = {id(session) for session in by_day.values()}
    for session in from_rule_on:
        if id(session) not in kept and session.starts_at > now:  # held meetings keep their attendance
            event.sessions.remove(session)
    for occurrence in occurrences:
        session = by_day.get(occurrence.day)
        if session is None:
            event.sessions.append(Session(starts_at=occurrence.start, ends_at=occurrence.end, title="",
                                          series_date=occurrence.day))
        else:
            session.series_date = occurrence.day
            if not session.is_cancelled and session.id not in keep:
                session.starts_at, session.ends_at = occurrence.start, occurrence.end
    event.sessions.sort(key=lambda s: s.starts_at)


# --- one meeting, or this and the following ones ------------------------------------------------

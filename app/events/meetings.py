"""One meeting of a series changed on its own: moved, cancelled, reinstated, its outcome recorded.

A meeting changed on its own bumps its own `sequence` (its calendar entry's SEQUENCE is the event's plus
the meeting's), is written to the change log and mails the registrants through `signals.event_changed`,
like any other change of time. The series rule and the meetings it generates are in series.py.
"""
from datetime import date, datetime

from app import clock
from app.core import bounds
from app.database import lock_row, unit_of_work
from app.errors import Conflict, FieldErrors, NotFound
from app.events.changes import denormalise_dates, record_change
from app.events.models import Event, EventStatus, Session
from app.events.parsing import TEXT_MAX, TITLE_MAX, check_text, localize, to_int
from app.events.series import MESSAGES, _date, _signature, _time


def _meeting(event: Event, session_id: int) -> Session:
    session = next((s for s in event.sessions if s.id == session_id), None)
    if session is None:
        raise NotFound(MESSAGES["not_a_meeting"])
    return session


def _changeable(event: Event, session: Session) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict(MESSAGES["event_cancelled"])
    if session.is_cancelled:
        raise Conflict(MESSAGES["cancelled"])


def _local_moment(errors: FieldErrors, name: str, day: date | None, clock_time, tz) -> datetime | None:
    if clock_time in (None, ""):
        errors.add(name, MESSAGES["time"])
        return None
    moment_time = _time(errors, name, clock_time)
    if day is None or moment_time is None:
        return None
    try:
        return localize(datetime.combine(day, moment_time), tz)
    except ValueError as error:
        errors.add(name, str(error))
        return None


def change_meeting(event: Event, session_id: int, actor, data: dict) -> Event:
    """Move one meeting and/or change its topic: `day`, `start`, `end` (local) and `title`.

    With `following` true, the new start time and length apply to this meeting and every later one
    that is not cancelled (each keeps its own date); the stored rule takes the new time too.
    """
    errors = FieldErrors()
    following = bool(data.get("following"))
    title = check_text(errors, "title", data.get("title"), TITLE_MAX)
    with unit_of_work():
        locked = lock_row(Event, event.id)
        session = _meeting(locked, session_id)
        _changeable(locked, session)
        tz = locked.tz
        day = _date(errors, "day", data.get("day"), required=True)
        start = _local_moment(errors, "start", day, data.get("start"), tz)
        end = _local_moment(errors, "end", day, data.get("end"), tz)
        if start is not None and end is not None and end <= start:
            errors.add("end", MESSAGES["end_after_start"])
        errors.raise_if_any()
        old_signature = _signature([session])
        old_titles = {session.id: session.title}
        if following:
            length = end - start
            start_time = start.astimezone(tz).time().replace(tzinfo=None)
            later = [s for s in locked.sessions if s.starts_at > session.starts_at and not s.is_cancelled]
            moved = {session.id: (start, end)}
            for other in later:
                local_day = other.starts_at.astimezone(tz).date()
                try:
                    other_start = localize(datetime.combine(local_day, start_time), tz)
                except ValueError as error:
                    errors.add("start", str(error))
                    continue
                moved[other.id] = (other_start, other_start + length)
            errors.raise_if_any()
            targets = [session, *later]
            old_signature = _signature(targets)
            for target in targets:
                _move(target, *moved[target.id])
            if locked.series is not None:
                locked.series.start_time = start_time
                locked.series.duration_minutes = int(length.total_seconds() // 60)
        else:
            targets = [session]
            _move(session, start, end)
        session.title = title
        changes: dict[str, list] = {}
        new_signature = _signature(targets)
        if new_signature != old_signature:
            changes["meeting"] = [old_signature, new_signature]
        if old_titles[session.id] != title:
            changes["session_titles"] = [[old_titles[session.id]], [title]]
        locked.sessions.sort(key=lambda s: s.starts_at)
        denormalise_dates(locked)
        record_change(locked, actor, changes)
    return locked


def _move(session: Session, start: datetime, end: datetime) -> None:
    if session.starts_at != start or session.ends_at != end:
        session.starts_at, session.ends_at = start, end
        session.sequence = (session.sequence or 0) + 1


def cancel_meeting(event: Event, session_id: int, actor) -> Event:
    """Cancel one meeting; it stays in the calendar feeds as cancelled, and registrants are mailed."""
    with unit_of_work():
        locked = lock_row(Event, event.id)
        session = _meeting(locked, session_id)
        if session.is_cancelled:
            raise Conflict(MESSAGES["already_cancelled"])
        _changeable(locked, session)
        session.cancelled_at = clock.now()
        session.sequence = (session.sequence or 0) + 1
        record_change(locked, actor, {"meeting_cancelled": [_signature([session]), None]})
    return locked


def reinstate_meeting(event: Event, session_id: int, actor) -> Event:
    """A cancelled meeting takes place after all: its calendar entry is updated (SEQUENCE moves on) and
    registrants are mailed, like a cancellation."""
    with unit_of_work():
        locked = lock_row(Event, event.id)
        session = _meeting(locked, session_id)
        if not session.is_cancelled:
            raise Conflict(MESSAGES["not_cancelled"])
        if locked.status == EventStatus.CANCELLED:
            raise Conflict(MESSAGES["event_cancelled"])
        session.cancelled_at = None
        session.sequence = (session.sequence or 0) + 1
        record_change(locked, actor, {"meeting_reinstated": [None, _signature([session])]})
    return locked


def record_outcome(event: Event, session_id: int, actor, data: dict) -> Session:
    """After a meeting: the number of guests (people who are not members) and a short outcome."""
    errors = FieldErrors()
    guests = data.get("guests")
    if guests in (None, ""):
        guests = 0
    try:
        guests = to_int(guests)
        if guests not in bounds.of("event_sessions.guests"):
            raise ValueError
    except (TypeError, ValueError):
        errors.add("guests", MESSAGES["guests"])
    outcome = check_text(errors, "outcome", data.get("outcome"), TEXT_MAX)
    errors.raise_if_any()
    with unit_of_work():
        locked = lock_row(Event, event.id)
        session = _meeting(locked, session_id)
        if session.is_cancelled:
            raise Conflict(MESSAGES["cancelled"])
        if session.starts_at > clock.now():
            raise Conflict(MESSAGES["not_held_yet"])
        session.guests = guests
        session.outcome = outcome
        session.outcome_recorded_at = clock.now()
    return session

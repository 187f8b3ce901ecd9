"""What a calendar entry says, independent of the iCalendar syntax.

Every feed turns its rows into CalendarItems (one per event session, one per quota deadline…);
the builder turns items into VEVENTs. Texts are produced in the locale active when the item is
made, so callers wrap item creation in the reader's language.
"""
from dataclasses import dataclass
from datetime import date, datetime
from weakref import WeakKeyDictionary

from flask_babel import get_translations
from flask_babel import gettext as _

from app.core.i18n import local_datetime
from app.events.models import Event, EventKind, EventStatus, Session


@dataclass(frozen=True)
class CalendarItem:
    """One dated entry. `uid` is the local part; the builder adds "@<host of BASE_URL>"."""

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    timezone: str | None
    last_modified: datetime
    sequence: int = 0
    description: str = ""
    location: str = ""
    url: str | None = None
    categories: tuple[str, ...] = ()
    geo: tuple[float, float] | None = None
    status: str = "CONFIRMED"
    alarm_text: str | None = None


# A draft's .ics (seen only by its editors) is tentative; a published event is confirmed.
_STATUS = {EventStatus.DRAFT: "TENTATIVE", EventStatus.PUBLISHED: "CONFIRMED", EventStatus.CANCELLED: "CANCELLED"}


@dataclass(frozen=True)
class Phrases:
    """The fixed texts of session entries in one language, with their %-placeholders unfilled.

    Looked up once per catalog instead of three or four gettext calls per entry: through
    Flask-Babel each call finds the request, the locale and the catalog again, which was most of
    the time spent making the 10,000 entries of a cold public feed.
    """

    online: str
    titled_part: str
    meeting_of: str
    day_of: str
    cancelled_summary: str
    event_cancelled: str
    meeting_cancelled: str
    event_page: str
    status_summary: str
    join_link: str
    kinds: dict


_PHRASES: WeakKeyDictionary = WeakKeyDictionary()


def phrases() -> Phrases:
    """The phrases in the active locale (its catalog is the key: a catalog is loaded once per process)."""
    translations = get_translations()
    found = _PHRASES.get(translations)
    if found is None:
        found = _PHRASES[translations] = Phrases(
            online=_("Online"),
            titled_part=_("%(title)s — %(part)s"),
            meeting_of=_("%(title)s (meeting %(n)d of %(total)d)"),
            day_of=_("%(title)s (day %(n)d of %(total)d)"),
            cancelled_summary=_("Cancelled: %(summary)s"),
            event_cancelled=_("This event has been cancelled."),
            meeting_cancelled=_("This meeting has been cancelled."),
            event_page=_("Event page: %(url)s"),
            status_summary=_("%(status)s: %(summary)s"),
            join_link=_("Join link: %(url)s"),
            kinds={kind: str(kind.label) for kind in EventKind},
        )
    return found


def event_url(base_url: str, event: Event) -> str:
    return f"{base_url}/events/{event.id}"


def session_uid(session_id: int) -> str:
    """Stable across edits: the same session keeps its entry in every subscriber's calendar."""
    return f"session-{session_id}"


def _location(event: Event, said: Phrases) -> str:
    if event.is_online:
        return said.online
    parts = [event.venue, event.address]
    if event.trip is not None and not any(parts):
        parts = [event.trip.settlement, event.trip.district]
    return ", ".join(part for part in parts if part)


def _summary(event: Event, session: Session, index: int, total: int, said: Phrases) -> str:
    if total > 1 and session.title:
        summary = said.titled_part % {"title": event.title, "part": session.title}
    elif total > 1 and session.series_date is not None:
        summary = said.meeting_of % {"title": event.title, "n": index, "total": total}
    elif total > 1:
        summary = said.day_of % {"title": event.title, "n": index, "total": total}
    else:
        summary = event.title
    if event.status == EventStatus.CANCELLED or session.is_cancelled:
        summary = said.cancelled_summary % {"summary": summary}
    return summary


def _description(event: Event, session: Session, page_url: str, extra_lines: list[str], said: Phrases) -> str:
    lines = []
    if event.description:
        lines.append(event.description.strip())
    if event.status == EventStatus.CANCELLED:
        lines.append(said.event_cancelled)
    elif session.is_cancelled:
        lines.append(said.meeting_cancelled)
    lines.extend(extra_lines)
    lines.append(said.event_page % {"url": page_url})
    return "\n\n".join(lines)


def session_item(event: Event, session: Session, index: int, total: int, *, base_url: str,
                 summary_prefix: str | None = None, extra_lines: list[str] | None = None,
                 join_url: str | None = None, last_modified: datetime | None = None,
                 status: str | None = None, alarm_text: str | None = None,
                 said: Phrases | None = None) -> CalendarItem:
    """The entry of one session (a three-day seminar gives three entries, each with its own times).

    A meeting cancelled on its own stays in the feed as STATUS:CANCELLED; its SEQUENCE is the event's
    plus its own, so a change of one meeting updates only that entry in subscribers' calendars.

    `join_url` is passed only by the personal feed, for confirmed participants; public callers
    never pass it, so the webinar link cannot reach a public feed. `said` (the active locale's
    phrases) is passed by callers making many entries, so they look the phrases up once.
    """
    said = said or phrases()
    page_url = event_url(base_url, event)
    summary = _summary(event, session, index, total, said)
    if summary_prefix:
        summary = said.status_summary % {"status": summary_prefix, "summary": summary}
    lines = list(extra_lines or [])
    location = _location(event, said)
    if join_url:
        lines.insert(0, said.join_link % {"url": join_url})
        location = join_url
    geo = None
    if event.latitude is not None and event.longitude is not None and not event.is_online:
        geo = (float(event.latitude), float(event.longitude))
    cancelled = event.status == EventStatus.CANCELLED or session.is_cancelled
    return CalendarItem(
        uid=session_uid(session.id),
        summary=summary,
        start=session.starts_at,
        end=session.ends_at,
        timezone=event.timezone,
        last_modified=last_modified or event.updated_at,
        sequence=event.sequence + (session.sequence or 0),
        description=_description(event, session, page_url, lines, said),
        location=location,
        url=page_url,
        categories=(said.kinds[event.kind],),
        geo=geo,
        status="CANCELLED" if cancelled else (status or _STATUS[event.status]),
        alarm_text=None if cancelled else alarm_text,
    )


def event_items(event: Event, *, base_url: str) -> list[CalendarItem]:
    """Public entries of an event: one per session, no join link."""
    total = len(event.sessions)
    return [session_item(event, session, index, total, base_url=base_url)
            for index, session in enumerate(event.sessions, start=1)]


def format_deadline(moment: datetime, timezone: str) -> str:
    return local_datetime(moment, timezone, "short")

"""iCalendar (RFC 5545) output with icalendar 7: VEVENT pieces, VTIMEZONEs, the calendar around them.

A feed is assembled from serialized pieces: the VCALENDAR head, one VTIMEZONE per timezone
used, then the VEVENTs (each cached by the caller). Every piece comes from icalendar's own
to_ical(), so lines are CRLF-terminated and folded at 75 octets.
"""
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Timezone, vDuration
from icalendar import Event as VEvent

from app.calendar.items import CalendarItem

PRODID = "-//Praktika//Calendar feeds//EN"
REFRESH = timedelta(hours=1)
_END = b"END:VCALENDAR\r\n"


def vevent(item: CalendarItem, host: str) -> bytes:
    """One serialized VEVENT (the piece the feeds cache)."""
    return vevent_component(item, host).to_ical()


def vevent_component(item: CalendarItem, host: str) -> VEvent:
    """One VEVENT. No ORGANIZER or ATTENDEE: clients would send replies to somebody."""
    component = VEvent()
    component.add("UID", f"{item.uid}@{host}")
    stamp = item.last_modified.astimezone(UTC)
    # Without METHOD, DTSTAMP is the last revision in the calendar store (RFC 5545 §3.8.7.2).
    component.add("DTSTAMP", stamp)
    component.add("LAST-MODIFIED", stamp)
    component.add("SEQUENCE", item.sequence)
    if isinstance(item.start, datetime):
        tz = ZoneInfo(item.timezone) if item.timezone else UTC
        component.add("DTSTART", item.start.astimezone(tz))
        component.add("DTEND", item.end.astimezone(tz))
    else:
        component.add("DTSTART", item.start)
        component.add("DTEND", item.end)
    component.add("SUMMARY", item.summary)
    if item.description:
        component.add("DESCRIPTION", item.description)
    if item.location:
        component.add("LOCATION", item.location)
    if item.url:
        component.add("URL", item.url)
    if item.categories:
        component.add("CATEGORIES", list(item.categories))
    if item.geo is not None:
        component.add("GEO", item.geo)
    component.add("STATUS", item.status)
    component.add("TRANSP", "TRANSPARENT" if item.status == "CANCELLED" else "OPAQUE")
    if item.alarm_text:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", item.alarm_text)
        alarm.add("TRIGGER", timedelta(days=-1))
        component.add_component(alarm)
    return component


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """VTIMEZONE generated from zoneinfo, valid over the years the feed spans (cached: it is slow)."""
    return Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    ).to_ical()


def head(name: str, description: str | None = None) -> bytes:
    """The VCALENDAR opening with its properties, without the END line."""
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    if description:
        calendar.add("X-WR-CALDESC", description)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    return calendar.to_ical(sorted=False).removesuffix(_END)


def assemble(calendar_head: bytes, timezones: list[bytes], events: list[bytes]) -> bytes:
    return b"".join([calendar_head, *timezones, *events, _END])


def year_span(starts: list[datetime]) -> tuple[int, int]:
    if not starts:
        year = datetime.now(UTC).year
        return year, year
    return min(starts).year - 1, max(starts).year + 1


def timezone_pieces(tzids: set[str], span: tuple[int, int]) -> list[bytes]:
    return [vtimezone(tzid, *span) for tzid in sorted(tzids) if tzid]


def plain_calendar(name: str, items: list[CalendarItem], host: str) -> bytes:
    """The whole calendar built with icalendar objects and no cache (the bench's cold baseline)."""
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for item in items:
        calendar.add_component(vevent_component(item, host))
    starts = [item.start for item in items if isinstance(item.start, datetime)]
    first, last = year_span(starts)
    calendar.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
    return calendar.to_ical()

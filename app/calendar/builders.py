"""iCalendar (RFC 5545) output: VEVENT pieces, VTIMEZONEs, the calendar around them.

A feed is assembled from serialized pieces: the VCALENDAR head, one VTIMEZONE per timezone
used, then the VEVENTs (each cached by the caller). The head and VTIMEZONEs come from
icalendar 7's to_ical(). VEVENTs are written directly (`vevent`): icalendar's object model
spent four fifths of a cold 5,000-event feed on building and folding property objects. The
direct writer produces the very bytes icalendar's `vevent_component(...).to_ical()` does (same
property order, TEXT escaping, folding at 75 octets without splitting a character or a
backslash escape; tests/calendar compares the two), so parsers see no difference.
"""
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Timezone, vDuration
from icalendar import Event as VEvent

from app.calendar.items import CalendarItem

PRODID = "-//Praktika//Calendar feeds//EN"
REFRESH = timedelta(hours=1)
_END = b"END:VCALENDAR\r\n"


def vevent(item: CalendarItem, host: str) -> bytes:
    """One serialized VEVENT (the piece the feeds cache), byte for byte what icalendar writes."""
    if item.url is not None and ("\n" in item.url or "\r" in item.url):
        return vevent_component(item, host).to_ical()  # icalendar refuses such a URI: keep its error
    start, end = _dates(item)
    stamp = _utc_stamp(item.last_modified)
    lines = [
        "BEGIN:VEVENT",
        "SUMMARY:" + _text(item.summary),
        "DTSTART" + start,
        "DTEND" + end,
        "DTSTAMP:" + stamp,
        "UID:" + _text(f"{item.uid}@{host}"),
        f"SEQUENCE:{int(item.sequence)}",
    ]
    if item.categories:
        lines.append("CATEGORIES:" + ",".join(_text(category) for category in item.categories))
    if item.description:
        lines.append("DESCRIPTION:" + _text(item.description))
    if item.geo is not None:
        lines.append(f"GEO:{float(item.geo[0])};{float(item.geo[1])}")
    lines.append("LAST-MODIFIED:" + stamp)
    if item.location:
        lines.append("LOCATION:" + _text(item.location))
    lines.append("STATUS:" + _text(item.status))
    lines.append("TRANSP:" + ("TRANSPARENT" if item.status == "CANCELLED" else "OPAQUE"))
    if item.url:
        lines.append("URL:" + item.url)
    if item.alarm_text:
        lines.extend(("BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + _text(item.alarm_text), "TRIGGER:-P1D",
                      "END:VALARM"))
    lines.append("END:VEVENT")
    return b"\r\n".join([_fold(line) for line in lines]) + b"\r\n"


def _text(value: str) -> str:
    """TEXT escaping exactly as icalendar's vText (RFC 5545 §3.3.11), replacements in its order."""
    return (str(value).replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> bytes:
    """RFC 5545 §3.1 folding as icalendar does it: at most 74 octets before each CRLF + space, never
    inside a UTF-8 sequence, and a backslash or caret that would end a line moves to the next one."""
    data = line.encode("utf-8")
    size = len(data)
    if size < 75:
        return data
    parts = []
    start = 0
    while size - start > 74:
        end = start + 74
        while data[end] & 0xC0 == 0x80:
            end -= 1
        if end - start > 1 and data[end - 1] in b"\\^":
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def _utc_stamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.year:04}{moment.month:02}{moment.day:02}T{moment.hour:02}{moment.minute:02}{moment.second:02}Z"


class _Zone(NamedTuple):
    """How icalendar writes a date-time in one zone: its TZID parameter (or none for UTC) and the suffix."""

    tzinfo: object
    parameters: str
    suffix: str


@lru_cache(maxsize=1024)
def _zone(tzid: str | None) -> _Zone:
    """Asks icalendar once per zone how it names it, so TZID quoting and UTC detection stay icalendar's."""
    tzinfo = ZoneInfo(tzid) if tzid else UTC
    probe = VEvent()
    probe.add("DTSTART", datetime(2000, 1, 1, tzinfo=tzinfo))
    line = probe.to_ical().split(b"\r\n")[1].decode("utf-8")
    name_and_parameters, value = _split_value(line)
    return _Zone(tzinfo, name_and_parameters.removeprefix("DTSTART"), value.removeprefix("20000101T000000"))


def _split_value(line: str) -> tuple[str, str]:
    """A content line split before its value (the colon that is not inside a quoted parameter)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], line[index + 1:]
    raise ValueError(line)


def _dates(item: CalendarItem) -> tuple[str, str]:
    """DTSTART/DTEND without the property name: ";TZID=…:20270301T090000", ":…Z" or ";VALUE=DATE:20270301"."""
    if isinstance(item.start, datetime):
        zone = _zone(item.timezone)
        return tuple(f"{zone.parameters}:{_local(moment.astimezone(zone.tzinfo))}{zone.suffix}"
                     for moment in (item.start, item.end))
    return tuple(f";VALUE=DATE:{day.year:04}{day.month:02}{day.day:02}" for day in (item.start, item.end))


def _local(moment: datetime) -> str:
    return f"{moment.year:04}{moment.month:02}{moment.day:02}T{moment.hour:02}{moment.minute:02}{moment.second:02}"


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

"""Issue 26: VEVENTs are written directly, byte for byte what icalendar writes, and the feed assembled
from cached pieces after any change of an event is the feed built from nothing."""
import random
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app import cache, clock
from app.calendar import builders
from app.calendar.items import CalendarItem
from app.events import services as events
from tests.calendar.parsers import check_rfc5545_lines, with_icalendar, with_vobject
from tests.events.test_series import _group, _rule
from tests.factories import make_calendar_event, make_user

# Everything TEXT escaping and folding have to get right: escapes, both newline forms, "\N", a caret,
# multibyte letters and an emoji that a fold must not split, quotes and control characters.
ALPHABET = [*"ab XZ,;:\\^\"'\t\nNЖжё€😀\x00", "\\N", "\r\n", "\r"]


def _text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def _items(count: int) -> list[CalendarItem]:
    rng = random.Random(26)
    zones = [*sorted(zoneinfo.available_timezones())[::7], "Europe/Samara", "UTC", None]
    items = []
    for _ in range(count):
        start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(-10**8, 10**8),
                                                             microseconds=rng.randint(0, 999_999))
        zone = rng.choice(zones)
        if rng.random() < 0.1:
            start, end, zone = start.date(), start.date() + timedelta(days=1), None
        else:
            end = start + timedelta(hours=rng.randint(0, 30))
        items.append(CalendarItem(
            uid=rng.choice(["session-1", "quota,1;" + _text(rng, 5)]), summary=_text(rng, rng.choice([5, 80, 300])),
            start=start, end=end, timezone=zone, last_modified=datetime(2026, 12, 1, 8, 30, 15, 500, tzinfo=UTC),
            sequence=rng.randint(0, 40), description=_text(rng, rng.choice([0, 40, 400])),
            location=_text(rng, rng.choice([0, 100])),
            url=rng.choice([None, "http://127.0.0.1/events/1", "https://x.org/a,b;c\\d^" + "é" * rng.randint(0, 80)]),
            categories=tuple(_text(rng, 20) for _ in range(rng.randint(0, 3))),
            geo=rng.choice([None, (53.2, 50.1), (rng.uniform(-90, 90), rng.uniform(-180, 180))]),
            status=rng.choice(["CONFIRMED", "CANCELLED", "TENTATIVE"]), alarm_text=rng.choice([None, "", _text(rng, 120)]),
        ))
    return items


def test_the_direct_vevent_writer_writes_what_icalendar_writes():
    for item in _items(3000):
        assert builders.vevent(item, "praktika.example.org") == builders.vevent_component(
            item, "praktika.example.org").to_ical(), item


def test_a_fold_never_splits_a_character_or_an_escape():
    item = CalendarItem(uid="session-1", summary="a" * 65 + ", " + "Ж" * 80,
                        start=date(2027, 3, 1), end=date(2027, 3, 2), timezone=None,
                        last_modified=datetime(2027, 1, 1, tzinfo=UTC))
    text = builders.vevent(item, "h")
    assert text == builders.vevent_component(item, "h").to_ical()
    for line in text.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no multibyte character cut in two
    assert b"SUMMARY:" + b"a" * 65 + b"\r\n \\, " in text  # "\," would end the line: it starts the next


def _organiser():
    return make_user(roles=("organiser",), password=None)


def _advance():
    # Every change moves updated_at (the pieces' version) as the real clock would.
    clock.advance(timedelta(minutes=1))


def _seminar_changes():
    return {
        "title": lambda e, o: events.update_event(e, o, {"title": "Новое название семинара"}),
        "time": lambda e, o: events.update_event(e, o, {"sessions": [
            {"start": "2027-03-05T10:00:00+04:00", "end": "2027-03-05T15:00:00+04:00", "title": ""}]}),
        "place": lambda e, o: events.update_event(e, o, {"venue": "Дом молодёжи", "address": "ул. Садовая, 1"}),
        "description": lambda e, o: events.update_event(e, o, {"description": "Другое описание; с запятыми, да"}),
        "a session more": lambda e, o: events.update_event(e, o, {"sessions": [
            {"start": "2027-03-01T09:00:00+04:00", "end": "2027-03-01T18:00:00+04:00", "title": "Первый"},
            {"start": "2027-03-02T09:00:00+04:00", "end": "2027-03-02T18:00:00+04:00", "title": "Второй"}]}),
        "cancel": lambda e, o: events.cancel_event(e, o, "Нет помещения"),
        "unpublish": lambda e, o: events.update_event(e, o, {"status": "draft"}),
    }


def _fresh_body(client, url="/calendar.ics") -> bytes:
    for region in cache.REGIONS:
        region.clear()
    return client.get(url).data


@pytest.mark.parametrize("change", list(_seminar_changes()))
def test_after_any_change_of_an_event_the_cached_feed_is_the_feed_built_from_nothing(client, change):
    organiser = _organiser()
    changed = make_calendar_event(title="Семинар, который меняют", actor=organiser)
    make_calendar_event(title="Семинар рядом", actor=organiser,
                        sessions=[(datetime(2027, 3, 9, 9), datetime(2027, 3, 9, 18), "")])
    before = client.get("/calendar.ics").data
    assert client.get("/calendar.ics").data == before  # warm: pieces and body cached
    _advance()
    _seminar_changes()[change](changed, organiser)
    cached = client.get("/calendar.ics").data
    assert cached != before
    assert cached == _fresh_body(client)
    check_rfc5545_lines(cached)
    assert [e["summary"] for e in with_icalendar(cached)] == [e["summary"] for e in with_vobject(cached)]


def test_deleting_a_draft_and_publishing_it_again_keep_the_feed_right(client):
    organiser = _organiser()
    event = make_calendar_event(title="Будет черновиком", actor=organiser)
    make_calendar_event(title="Останется", actor=organiser)
    client.get("/calendar.ics")
    _advance()
    events.update_event(event, organiser, {"status": "draft"})
    assert "Останется".encode() in client.get("/calendar.ics").data
    _advance()
    events.publish_event(event, organiser)
    assert client.get("/calendar.ics").data == _fresh_body(client)
    _advance()
    events.update_event(event, organiser, {"status": "draft"})
    _advance()
    events.delete_draft(event, organiser)
    cached = client.get("/calendar.ics").data
    assert "Будет черновиком".encode() not in cached
    assert cached == _fresh_body(client)


def test_series_changes_reach_the_cached_feed(client):
    organiser = _organiser()
    group = _group(organiser)
    client.get("/calendar.ics")
    steps = [
        lambda g: events.create_meetings(g, organiser, _rule(every=2, count=4)),
        lambda g: events.change_meeting(g, g.sessions[1].id, organiser,
                                        {"day": date(2027, 3, 25), "start": time(17), "end": time(19), "title": "Тема"}),
        lambda g: events.change_meeting(g, g.sessions[1].id, organiser, {"day": date(2027, 3, 24), "start": time(17, 30),
                                                                         "end": time(19, 30), "title": "",
                                                                         "following": True}),
        lambda g: events.cancel_meeting(g, g.sessions[2].id, organiser),
        lambda g: events.reinstate_meeting(g, g.sessions[2].id, organiser),
        lambda g: events.create_meetings(g, organiser, _rule(every=1, count=3, start_time="19:00")),
    ]
    previous = client.get("/calendar.ics").data
    for step in steps:
        _advance()
        step(events.get_event(group.id))
        cached = client.get("/calendar.ics").data
        assert cached != previous
        assert cached == _fresh_body(client)
        previous = cached

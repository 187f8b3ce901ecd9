"""The event .ics and the public feed: per-session entries, timezones, changes, cancellations."""
from datetime import datetime, timedelta

from flask_babel import force_locale
from icalendar import Calendar

from app import clock
from app.events import services as events
from app.events.models import EventKind
from tests.calendar.parsers import parse_everywhere, with_icalendar
from tests.factories import make_calendar_event, make_user

SEMINAR_DAYS = [
    (datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 18), "День 1: права пациентов"),
    (datetime(2027, 3, 2, 10), datetime(2027, 3, 2, 17), "День 2: работа с обращениями"),
    (datetime(2027, 3, 3, 9, 30), datetime(2027, 3, 3, 13), "День 3: итоги"),
]


def _feed(client, url="/calendar.ics", **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_three_day_seminar_is_three_entries_with_their_own_times(client, tmp_path):
    event = make_calendar_event(sessions=SEMINAR_DAYS, latitude=53.195, longitude=50.1)
    response = _feed(client, f"/events/{event.id}/event.ics")

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="event-{event.id}.ics"'
    entries = sorted(parse_everywhere(response.data, tmp_path), key=lambda e: e["start"])
    assert [(e["start"].isoformat(), e["end"].isoformat()) for e in entries] == [
        ("2027-03-01T05:00:00+00:00", "2027-03-01T14:00:00+00:00"),
        ("2027-03-02T06:00:00+00:00", "2027-03-02T13:00:00+00:00"),
        ("2027-03-03T05:30:00+00:00", "2027-03-03T09:00:00+00:00"),
    ]
    assert {e["tzid"] for e in entries} == {"Europe/Samara"}
    assert [e["uid"] for e in entries] == [f"session-{s.id}@praktika.test" for s in event.sessions]
    assert "День 2: работа с обращениями" in entries[1]["summary"]

    vevent = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert vevent["URL"] == f"http://praktika.test/events/{event.id}"
    assert vevent["GEO"].latitude == 53.195
    assert vevent["STATUS"] == "CONFIRMED"
    assert "Гостиница «Волга»" in str(vevent["LOCATION"])
    assert b"ORGANIZER" not in response.data and b"ATTENDEE" not in response.data


def test_calendar_properties_are_set(client):
    make_calendar_event()
    body = _feed(client).data
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in body
    assert str(calendar["X-WR-CALNAME"]) == "Praktika: мероприятия"
    vevent = calendar.walk("VEVENT")[0]
    for name in ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "SUMMARY", "DESCRIPTION", "CATEGORIES", "UID"):
        assert name in vevent
    with force_locale("ru"):
        assert vevent.categories == [str(EventKind.SEMINAR.label)]


def test_every_timezone_used_gets_a_vtimezone(client, tmp_path):
    make_calendar_event(title="Семинар в Самаре", timezone="Europe/Samara")
    make_calendar_event(title="Выезд в Приморье", kind="outreach_trip", timezone="Asia/Vladivostok",
                        region_code="RU-PRI", sessions=[(datetime(2027, 3, 20, 8), datetime(2027, 3, 20, 17), "")],
                        trip={"settlement": "с. Черниговка", "district": "Черниговский район"})
    make_calendar_event(title="Уебинар за пациенти", kind="webinar", timezone="Europe/Sofia", language="bg",
                        sessions=[(datetime(2027, 3, 28, 18), datetime(2027, 3, 28, 20), "")])
    body = _feed(client).data

    calendar = Calendar.from_ical(body)
    assert {tz.tz_name for tz in calendar.timezones} == {"Europe/Samara", "Asia/Vladivostok", "Europe/Sofia"}
    assert calendar.get_missing_tzids() == set()
    entries = {e["summary"]: e for e in parse_everywhere(body, tmp_path)}
    assert entries["Выезд в Приморье"]["tzid"] == "Asia/Vladivostok"
    assert entries["Выезд в Приморье"]["start"].isoformat() == "2027-03-19T22:00:00+00:00"
    # 28 March 2027 is the day Sofia moves to summer time (UTC+3): 18:00 local is 15:00 UTC.
    assert entries["Уебинар за пациенти"]["start"].isoformat() == "2027-03-28T15:00:00+00:00"


def test_public_feed_has_no_drafts_and_no_join_links(client):
    make_calendar_event(title="Черновик семинара", status="draft")
    webinar = make_calendar_event(title="Вебинар о правах пациентов", kind="webinar")
    body = _feed(client).data.decode()
    assert "Черновик семинара" not in body
    assert "Вебинар о правах пациентов" in body
    assert webinar.online_url not in body
    assert "secret-room" not in _feed(client, f"/events/{webinar.id}/event.ics").data.decode()


def test_moving_an_event_raises_sequence_and_keeps_uids(client, tmp_path):
    organiser = make_user(roles=("organiser",), password=None)
    event = make_calendar_event(sessions=SEMINAR_DAYS[:2], actor=organiser)
    before = {e["uid"]: e for e in with_icalendar(_feed(client, f"/events/{event.id}/event.ics").data)}
    assert {e["sequence"] for e in before.values()} == {0}

    clock.advance(timedelta(hours=1))
    events.update_event(event, organiser, {"sessions": [
        {"id": s.id, "start": (start + timedelta(days=7)).isoformat(), "end": (end + timedelta(days=7)).isoformat(),
         "title": title} for s, (start, end, title) in zip(event.sessions, SEMINAR_DAYS[:2], strict=True)]})

    for url in (f"/events/{event.id}/event.ics", "/calendar.ics"):
        after = {e["uid"]: e for e in parse_everywhere(_feed(client, url).data, tmp_path)}
        assert after.keys() == before.keys()
        for uid, entry in after.items():
            assert entry["sequence"] == 1
            assert entry["start"] == before[uid]["start"] + timedelta(days=7)
    vevent = Calendar.from_ical(_feed(client).data).walk("VEVENT")[0]
    assert vevent["LAST-MODIFIED"].dt == clock.now()
    assert vevent["DTSTAMP"].dt == clock.now()


def test_cancelled_event_stays_marked_then_leaves_after_four_weeks(client, tmp_path):
    organiser = make_user(roles=("organiser",), password=None)
    event = make_calendar_event(title="Круглый стол в Пензе", kind="round_table", actor=organiser,
                                venue="Пензенская областная библиотека",
                                sessions=[(datetime(2027, 2, 10, 14), datetime(2027, 2, 10, 17), "")])
    clock.advance(timedelta(hours=2))
    events.cancel_event(event, organiser)

    entries = parse_everywhere(_feed(client).data, tmp_path)
    assert [(e["status"], e["sequence"]) for e in entries] == [("CANCELLED", 1)]
    assert "Отменено" in entries[0]["summary"]

    ended = event.ends_at
    with clock.frozen_at(ended + timedelta(weeks=4) - timedelta(minutes=1)):
        assert len(with_icalendar(_feed(client).data)) == 1
    with clock.frozen_at(ended + timedelta(weeks=4, minutes=1)):
        assert with_icalendar(_feed(client).data) == []


def test_past_events_stay_four_weeks(client):
    make_calendar_event(title="Прошедший семинар", sessions=[(datetime(2027, 1, 10, 9), datetime(2027, 1, 10, 18), "")])
    make_calendar_event(title="Давний семинар", sessions=[(datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 18), "")])
    summaries = {e["summary"] for e in with_icalendar(_feed(client).data)}
    assert summaries == {"Прошедший семинар"}


def test_public_feed_takes_the_listing_filters(client):
    make_calendar_event(title="Семинар в Самаре", region_code="RU-SAM")
    make_calendar_event(title="Вебинар по-болгарски", kind="webinar", language="bg", timezone="Europe/Sofia")
    make_calendar_event(title="Апрельский семинар", region_code="RU-PNZ",
                        sessions=[(datetime(2027, 4, 5, 9), datetime(2027, 4, 5, 18), "")])

    def titles(query):
        return {e["summary"] for e in with_icalendar(_feed(client, "/calendar.ics?" + query).data)}

    assert titles("kind=webinar") == {"Вебинар по-болгарски"}
    assert titles("region=RU-SAM") == {"Семинар в Самаре"}
    assert titles("language=bg") == {"Вебинар по-болгарски"}
    assert titles("from=2027-04-01") == {"Апрельский семинар"}
    assert titles("to=2027-03-31&kind=seminar") == {"Семинар в Самаре"}
    assert titles("q=самаре") == {"Семинар в Самаре"}


def test_bad_filter_is_a_400_naming_the_parameter(client):
    response = client.get("/calendar.ics?kind=party&from=yesterday&language=русский")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "kind:" in text and "from:" in text and "language:" in text


def test_feed_text_follows_the_requested_language(client):
    make_calendar_event(sessions=[(start, end, "") for start, end, _title in SEMINAR_DAYS[:2]])
    english = Calendar.from_ical(_feed(client, "/calendar.ics?locale=en").data)
    russian = Calendar.from_ical(_feed(client, "/calendar.ics", **{"Accept-Language": "ru"}).data)
    assert str(english["X-WR-CALNAME"]) == "Praktika: events"
    assert english.walk("VEVENT")[0].categories == ["Seminar"]
    assert "(day 1 of 2)" in str(english.walk("VEVENT")[0]["SUMMARY"])
    assert "(день 1 из 2)" in str(russian.walk("VEVENT")[0]["SUMMARY"])

"""The personal token feed: own sessions with the join link when confirmed, statuses, alarms, reset."""
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import force_locale
from icalendar import Calendar

from app.accounts import services as accounts
from app.calendar import personal
from app.calendar.items import CalendarItem
from app.registrations.models import RegistrationStatus
from tests.calendar.parsers import parse_everywhere
from tests.factories import make_calendar_event, make_calendar_registration, make_user

JOIN_URL = "https://meet.example.org/join/secret-room-42"


def _personal(client, user):
    response = client.get(f"/calendar/{accounts.calendar_token(user)}.ics")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    return response.data


def test_confirmed_webinar_carries_the_join_link_and_an_alarm(client, tmp_path):
    user = make_user(password=None)
    webinar = make_calendar_event(title="Вебинар: как подать обращение", kind="webinar",
                                  sessions=[(datetime(2027, 3, 4, 18), datetime(2027, 3, 4, 19, 30), "")])
    make_calendar_registration(user, webinar, "confirmed")
    body = _personal(client, user)

    entries = parse_everywhere(body, tmp_path)
    assert [e["summary"] for e in entries] == ["Вебинар: как подать обращение"]
    vevent = Calendar.from_ical(body).walk("VEVENT")[0]
    assert vevent["LOCATION"] == JOIN_URL
    assert JOIN_URL in str(vevent["DESCRIPTION"])
    assert vevent["STATUS"] == "CONFIRMED"
    alarm = vevent.walk("VALARM")[0]
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == -timedelta(days=1)
    assert b"ORGANIZER" not in body and b"ATTENDEE" not in body


def test_pending_waitlisted_and_offered_show_their_status_without_the_link(client, tmp_path):
    user = make_user(password=None)
    pending = make_calendar_event(title="Школа лидеров", sessions=[
        (datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 18), ""), (datetime(2027, 3, 2, 9), datetime(2027, 3, 2, 18), "")])
    waitlisted = make_calendar_event(title="Выезд в Кошки", kind="outreach_trip")
    offered = make_calendar_event(title="Вебинар для волонтёров", kind="webinar",
                                  sessions=[(datetime(2027, 3, 9, 18), datetime(2027, 3, 9, 19), "")])
    cancelled = make_calendar_event(title="Отказался сам")
    make_calendar_registration(user, pending, "pending")
    make_calendar_registration(user, waitlisted, "waitlisted")
    make_calendar_registration(user, offered, "offered", offer_expires_at=datetime(2027, 2, 3, 14, tzinfo=UTC))
    make_calendar_registration(user, cancelled, "cancelled")
    body = _personal(client, user)

    summaries = sorted(e["summary"] for e in parse_everywhere(body, tmp_path))
    with force_locale("ru"):
        awaiting, on_waitlist = str(RegistrationStatus.PENDING.label), str(RegistrationStatus.WAITLISTED.label)
    assert summaries == sorted([
        f"{awaiting}: Школа лидеров (день 1 из 2)",
        f"{awaiting}: Школа лидеров (день 2 из 2)",
        f"{on_waitlist}: Выезд в Кошки",
        "Место предложено, подтвердите до 03.02.2027, 18:00: Вебинар для волонтёров",
    ])
    assert b"secret-room" not in body
    vevents = {str(v["SUMMARY"]): v for v in Calendar.from_ical(body).walk("VEVENT")}
    assert {str(v["STATUS"]) for v in vevents.values()} == {"TENTATIVE"}
    offered_entry = next(v for s, v in vevents.items() if "Вебинар" in s)
    assert offered_entry.walk("VALARM")
    assert not next(v for s, v in vevents.items() if "Кошки" in s).walk("VALARM")


def test_feed_holds_only_the_token_holders_entries(client):
    user, other = make_user(password=None), make_user(password=None)
    mine = make_calendar_event(title="Мой семинар")
    theirs = make_calendar_event(title="Чужой вебинар", kind="webinar")
    make_calendar_registration(user, mine)
    make_calendar_registration(other, theirs)
    body = _personal(client, user).decode()
    assert "Мой семинар" in body and "Чужой вебинар" not in body


def test_feed_is_in_the_users_language(client):
    user = make_user(locale="en", password=None)
    event = make_calendar_event(title="Leaders' school", sessions=[
        (datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 18), ""), (datetime(2027, 3, 2, 9), datetime(2027, 3, 2, 18), "")])
    make_calendar_registration(user, event, "pending")
    calendar = Calendar.from_ical(_personal(client, user))
    assert str(calendar["X-WR-CALNAME"]) == "Praktika: my events"
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == "Awaiting approval: Leaders' school (day 1 of 2)"


def test_other_areas_add_items_through_the_registry(client, tmp_path):
    """A later area (quota deadlines) registers a source; the feed code does not change."""
    user = make_user(password=None)

    def deadline_items(holder):
        yield CalendarItem(uid=f"quota-{holder.id}", summary="Срок: 20 консультаций",
                           start=datetime(2027, 6, 30, 9, tzinfo=UTC), end=datetime(2027, 6, 30, 10, tzinfo=UTC),
                           timezone="Asia/Vladivostok", last_modified=datetime(2027, 1, 15, tzinfo=UTC))

    def deadline_version(holder):
        return ("quota", 1), datetime(2027, 1, 15, tzinfo=UTC)

    personal.register_personal_source("test-quotas", items=deadline_items, version=deadline_version)
    try:
        entries = parse_everywhere(_personal(client, user), tmp_path)
    finally:
        personal.unregister_personal_source("test-quotas")
    assert [(e["uid"], e["tzid"]) for e in entries] == [(f"quota-{user.id}@praktika.test", "Asia/Vladivostok")]


def test_reset_kills_the_old_address_at_once(client, login):
    user = make_user()
    old_token = accounts.calendar_token(user)
    assert client.get(f"/calendar/{old_token}.ics").status_code == 200

    login(user)
    response = client.post("/account/calendar-token/reset")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me")
    new_token = accounts.calendar_token(user)
    assert new_token != old_token
    assert client.get(f"/calendar/{old_token}.ics").status_code == 404
    assert client.get(f"/calendar/{new_token}.ics").status_code == 200
    page = client.get("/me").get_data(as_text=True)
    assert f"webcal://praktika.test/calendar/{new_token}.ics" in page
    assert old_token not in page


def test_unknown_token_is_404(client):
    make_user(password=None)
    assert client.get(f"/calendar/{secrets.token_urlsafe(24)}.ics").status_code == 404
    assert client.get("/calendar/.ics").status_code == 404

"""The organiser's forms, one per kind: good input saves, bad input puts a message beside the field (422)."""
import re

import pytest
from sqlalchemy import func, select

from app.events.models import Event, EventKind, EventStatus, Session
from app.extensions import db
from tests.events.conftest import seminar_data


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def session_rows(*rows) -> dict:
    data = {}
    for index, (day, start, end, title) in enumerate(rows):
        data.update({f"sessions-{index}-day": day, f"sessions-{index}-start": start,
                     f"sessions-{index}-end": end, f"sessions-{index}-title": title})
    return data


BASE = {"title": "Поддерживающее консультирование", "description": "Три дня практики", "language": "ru",
        "timezone": "Europe/Samara", "capacity": "30", "region_code": "RU-SAM", "offer_hours": "48"}

GOOD = {
    "seminar": {**BASE, "venue": "Гостиница «Волга»", "address": "Самара, ул. Молодогвардейская, 204",
                "attendance_threshold": "75", "requires_approval": "y", "max_per_region": "1",
                **session_rows(("2027-03-01", "09:00", "18:00", "День 1"), ("2027-03-02", "09:00", "18:00", "День 2"),
                               ("2027-03-03", "09:00", "16:00", "День 3"))},
    "webinar": {**BASE, "title": "Вебинар: как вести консультацию по телефону",
                "online_url": "https://meet.example.org/room/42", "attendance_threshold": "100",
                **session_rows(("2027-04-10", "11:00", "13:00", ""))},
    "round_table": {**BASE, "title": "Круглый стол: пациентские организации и минздрав", "venue": "Облдума",
                    "address": "Самара, ул. Молодогвардейская, 187", "speakers": "Иванова А. А., министр",
                    **session_rows(("2027-06-20", "14:00", "17:00", ""))},
    "outreach_trip": {**BASE, "title": "#ДоброВСело: Кардымово", "timezone": "Europe/Moscow",
                      "region_code": "RU-SMO", "settlement": "пос. Кардымово", "district": "Кардымовский район",
                      "departure_point": "Смоленск, СГМУ", "departure_at": "2027-05-15T07:00", "seats": "12",
                      "services": ["checkups", "blood_donation"], "media_invited": "y", "role_doctor": "3",
                      "role_driver": "1", **session_rows(("2027-05-15", "08:00", "17:00", ""))},
    "self_help_group": {**BASE, "title": "Група за самопомощ — Бургас", "timezone": "Europe/Sofia", "language": "bg",
                        "region_code": "BG-02", "venue": "Читалище", "community": "Община Бургас",
                        "membership": "closed", **session_rows(("2027-03-03", "17:00", "18:30", "Запознаване"))},
}


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', html, re.S)
    return match.group(1).strip() if match else ""


@pytest.mark.parametrize("kind", [k.value for k in EventKind])
def test_good_input_creates_a_draft(client, login, organiser, kind):
    login(organiser)
    response = client.get(f"/manage/events/new/{kind}")
    assert response.status_code == 200
    response = client.post(f"/manage/events/new/{kind}", data=GOOD[kind])
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.execute(select(Event)).scalar_one()
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert event.kind == EventKind(kind) and event.status == EventStatus.DRAFT
    assert event.created_by_id == organiser.id
    if kind == "seminar":
        assert len(event.sessions) == 3 and event.max_per_region == 1 and event.requires_approval
        assert event.starts_at.isoformat() == "2027-03-01T05:00:00+00:00"
    if kind == "outreach_trip":
        assert event.trip.services == ["checkups", "blood_donation"] and event.trip.media_invited
        assert {r.role.value: r.needed for r in event.team_roles} == {"doctor": 3, "driver": 1}
    if kind == "self_help_group":
        assert event.group.community == "Община Бургас" and event.requires_approval
    assert client.get(f"/events/{event.id}").status_code == 200
    client.post(f"/manage/events/{event.id}/publish")
    client.post("/auth/logout")
    page = client.get(f"/events/{event.id}")
    assert page.status_code == 200
    if kind == "webinar":
        assert "meet.example.org" not in page.get_data(as_text=True)


BAD = [
    ("seminar", {"sessions-0-end": "08:00"}, "sessions", "the end must be after the start"),
    ("seminar", {"capacity": "0"}, "capacity", "greater than zero"),
    ("seminar", {"capacity": "-5"}, "capacity", "greater than zero"),
    ("seminar", {"title": "Т" * 10_000}, "title", "300"),
    ("seminar", {"venue": ""}, "venue", "venue"),
    ("webinar", {"online_url": ""}, "online_url", "join link"),
    ("round_table", {"capacity": "0"}, "capacity", "greater than zero"),
    ("outreach_trip", {"settlement": ""}, "settlement", "settlement"),
    ("outreach_trip", {"region_code": ""}, "region_code", "region"),
    ("outreach_trip", {"seats": "0"}, "seats", "greater than zero"),
    ("seminar", {"offer_hours": "0"}, "offer_hours", "at least 1 hour"),
    ("seminar", {"offer_hours": ""}, "offer_hours", "give the hours: at least 1"),
]


@pytest.mark.parametrize("kind, change, field_id, text", BAD)
def test_bad_input_shows_message_beside_field_and_saves_nothing(client, login, organiser, kind, change, field_id,
                                                               text, app_overrides):
    login(organiser)
    client.post("/language", data={"locale": "en"})
    response = client.post(f"/manage/events/new/{kind}", data={**GOOD[kind], **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = field_error(html, field_id)
    assert text.lower() in message.lower(), (message, html[:3000])
    assert count(Event) == 0 and count(Session) == 0


def test_dst_gap_session_time_in_warsaw(client, login, organiser):
    login(organiser)
    client.post("/language", data={"locale": "en"})
    data = {**GOOD["seminar"], "timezone": "Europe/Warsaw",
            **session_rows(("2027-03-28", "02:30", "06:00", "Niedziela"))}
    response = client.post("/manage/events/new/seminar", data=data)
    assert response.status_code == 422
    assert "does not exist in Europe/Warsaw" in field_error(response.get_data(as_text=True), "sessions")
    assert count(Event) == 0


def test_russian_messages_by_default(client, login, organiser):
    login(organiser)
    response = client.post("/manage/events/new/seminar", data={**GOOD["seminar"], "capacity": "0"})
    assert response.status_code == 422
    assert "больше нуля" in field_error(response.get_data(as_text=True), "capacity")


def test_add_and_remove_session_rows_without_saving(client, login, organiser):
    login(organiser)
    response = client.post("/manage/events/new/seminar", data={**GOOD["seminar"], "add_session": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="2027-03-04"' in html and "sessions-3-day" in html
    response = client.post("/manage/events/new/seminar", data={**GOOD["seminar"], "remove_session": "1"})
    html = response.get_data(as_text=True)
    assert 'value="2027-03-02"' not in html and 'value="2027-03-03"' in html
    assert count(Event) == 0


def test_edit_form_shows_values_and_saves_changes(client, login, organiser):
    from app.events import services

    event = services.create_event(organiser, seminar_data())
    login(organiser)
    html = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="Гостиница «Волга»"' in html and 'value="2027-03-03"' in html and 'value="09:00"' in html
    data = {**GOOD["seminar"], "venue": "Дом дружбы",
            "sessions-0-id": str(event.sessions[0].id), "sessions-1-id": str(event.sessions[1].id),
            "sessions-2-id": str(event.sessions[2].id)}
    response = client.post(f"/manage/events/{event.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.venue == "Дом дружбы" and event.sequence >= 1
    changes = client.get(f"/manage/events/{event.id}/changes").get_data(as_text=True)
    assert "Дом дружбы" in changes and "Гостиница «Волга»" in changes


def test_publish_cancel_duplicate_buttons(client, login, organiser):
    from app.events import services

    event = services.create_event(organiser, seminar_data())
    login(organiser)
    assert client.post(f"/manage/events/{event.id}/publish").status_code == 302
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    response = client.post(f"/manage/events/{event.id}/duplicate")
    copy = db.session.execute(select(Event).where(Event.id != event.id)).scalar_one()
    assert response.headers["Location"].endswith(f"/manage/events/{copy.id}/edit")
    assert client.post(f"/manage/events/{event.id}/cancel", data={"reason": "Нет зала", "confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.CANCELLED
    assert "отменено" in client.get(f"/events/{event.id}").get_data(as_text=True).lower()


def test_trip_results_form(client, login, organiser):
    from datetime import UTC, datetime

    from app import clock
    from app.events import services
    from tests.events.conftest import trip_data

    event = services.create_event(organiser, trip_data(status="published"))
    login(organiser)
    with clock.frozen_at(datetime(2027, 5, 16, tzinfo=UTC)):
        page = client.get(f"/manage/events/{event.id}/results").get_data(as_text=True)
        assert 'name="checkups"' in page and 'name="vaccination"' not in page
        bad = client.post(f"/manage/events/{event.id}/results", data={"checkups": "-4"})
        assert bad.status_code == 422 and field_error(bad.get_data(as_text=True), "checkups")
        ok = client.post(f"/manage/events/{event.id}/results",
                         data={"checkups": "84", "blood_donation": "23", "notes": "Сдали 10 литров крови"})
        assert ok.status_code == 302
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "84" in html and "Сдали 10 литров крови" in html


def test_the_event_form_names_zones_by_city_and_offset_and_groups_regions_by_country(client, login, organiser):
    from app import clock
    login(organiser)
    with clock.frozen_at(clock.now().replace(month=1, day=15)):
        html = client.get("/manage/events/new/seminar").get_data(as_text=True)
    assert '<option value="Europe/Samara">Самара (UTC+4)</option>' in html or \
        re.search(r'<option[^>]*value="Europe/Samara"[^>]*>Самара \(UTC\+4\)</option>', html)
    assert ">Europe/Samara" not in html
    assert html.count("<optgroup label=") >= 4 and "<optgroup label=\"Литва\">" in html
    assert ">Вильнюс (район)<" in html and ">Вильнюс (город)<" in html and ">Вильнюс<" not in html


def test_no_two_regions_of_a_country_read_alike(app):
    from flask_babel import force_locale

    from app.accounts.regions import region_groups
    for locale in ("ru", "en", "bg", "pl", "lt"):
        with app.test_request_context(), force_locale(locale):
            for _country, entries in region_groups():
                names = [name for _code, name in entries]
                assert len(names) == len(set(names)), locale
                assert not [a for a in names for b in names if b.startswith(f"{a} (")], locale


def test_a_day_added_by_mistake_is_removed_from_an_existing_event(client, login, organiser):
    from app.events import services

    event = services.create_event(organiser, seminar_data())
    login(organiser)
    data = {**GOOD["seminar"], "sessions-0-id": str(event.sessions[0].id),
            "sessions-1-id": str(event.sessions[1].id), "sessions-2-id": str(event.sessions[2].id)}
    page = client.post(f"/manage/events/{event.id}/edit", data={**data, "remove_session": "2"}).get_data(as_text=True)
    assert 'name="sessions-2-day"' not in page and 'name="sessions-1-day"' in page
    data.pop("sessions-2-id")
    for name in ("day", "start", "end", "title"):
        data.pop(f"sessions-2-{name}", None)
    assert client.post(f"/manage/events/{event.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert len(services.get_event(event.id).sessions) == 2

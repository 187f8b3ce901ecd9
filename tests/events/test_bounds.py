"""One set of bounds, owned by the services, whatever door the data comes in by (issue 10): page
numbers, integers, dates. Each of these gave a 500 before."""
import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import Role
from app.errors import NotFound
from app.events.models import Event
from app.extensions import db
from app.registrations import services as registrations
from tests.events.test_forms import GOOD, field_error, session_rows
from tests.factories import make_event, make_user

HUGE = str(10**20)


@pytest.mark.parametrize("url", ["/events?page=" + HUGE, "/?page=" + HUGE, "/events?page=2",
                                 "/events?page=100000000&kind=seminar", "/api/v1/events?page=" + HUGE,
                                 "/api/v1/events?page=2"])
def test_a_page_past_the_last_is_a_404(client, url):
    make_event()
    response = client.get(url)
    assert response.status_code == 404, url
    if url.startswith("/api/"):
        assert response.get_json()["error"]


def test_existing_pages_are_shown(client):
    make_event()
    assert client.get("/events?page=1").status_code == 200
    assert client.get("/api/v1/events?page=1").get_json()["total"] == 1


@pytest.mark.parametrize("url", ["/manage/events?page=" + HUGE, "/manage/users?page=" + HUGE])
def test_manager_lists_past_the_last_page_are_404(client, login, url):
    login(make_user(roles=(Role.ADMIN,)))
    assert client.get(url).status_code == 404


def test_capacity_beyond_an_integer_column_is_a_field_error_in_the_form_and_the_api(client, login, organiser):
    login(organiser)
    response = client.post("/manage/events/new/seminar", data={**GOOD["seminar"], "capacity": HUGE})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "capacity")
    token = accounts.create_api_token(organiser, "bounds")
    api = client.post("/api/v1/events", headers={"Authorization": f"Bearer {token}"},
                      json={"kind": "webinar", "title": "X", "timezone": "Europe/Samara", "capacity": 10**20,
                            "online_url": "https://meet.example.org/x",
                            "sessions": [{"start": "2027-01-01T09:00:00+04:00", "end": "2027-01-01T10:00:00+04:00"}]})
    assert api.status_code == 422 and "capacity" in api.get_json()["fields"]
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_a_session_on_0001_01_01_is_a_field_error_not_an_overflow(client, login, organiser):
    login(organiser)
    data = {**GOOD["seminar"], **session_rows(("0001-01-01", "09:00", "18:00", ""))}
    data.pop("sessions-1-day"), data.pop("sessions-2-day")
    response = client.post("/manage/events/new/seminar", data=data)
    assert response.status_code == 422
    assert "1900" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_the_service_refuses_the_same_bounds_for_every_caller(app, organiser):
    from app.errors import ValidationFailed
    from app.events import services as events

    with pytest.raises(ValidationFailed) as caught:
        make_event(actor=organiser, capacity=10**20)
    assert "capacity" in caught.value.fields
    for moment in ("0001-01-01T00:00:00+04:00", "0001-01-01T09:00:00"):
        with pytest.raises(ValidationFailed) as caught:
            events.create_event(organiser, {"kind": "webinar", "title": "X", "timezone": "Europe/Samara",
                                            "online_url": "https://meet.example.org/x",
                                            "sessions": [{"start": moment, "end": "2027-01-01T10:00:00"}]})
        assert "sessions" in caught.value.fields


def test_check_in_and_undo_with_an_id_no_row_can_have(client, login, organiser):
    event = make_event(actor=organiser)
    session = event.sessions[0]
    login(organiser)
    url = f"/manage/events/{event.id}/sessions/{session.id}/check-in"
    response = client.post(url, data={"registration_id": HUGE})
    assert response.status_code in (404, 422)
    response = client.post(url + "/undo", data={"registration_id": HUGE})
    assert response.status_code in (302, 404)
    with pytest.raises(NotFound):
        registrations.registration_in_event(event, 10**20)


# --- one table of bounds per column, whatever the door (issue 20.5) -------------------------------------

WEBINAR = {"kind": "webinar", "title": "Вебинар о льготах", "timezone": "Europe/Samara", "status": "published",
           "online_url": "https://meet.example.org/x", "capacity": 1,
           "sessions": [{"start": "2027-01-01T09:00:00+04:00", "end": "2027-01-01T10:00:00+04:00"}]}


@pytest.mark.parametrize(("field", "value"), [
    ("offer_hours", 1_000_000_000), ("offer_hours", 721), ("offer_hours", 0), ("capacity", 100_001),
    ("capacity", 1.5), ("capacity", 2.0), ("capacity", True), ("max_per_region", 10**6), ("attendance_threshold", 101),
    ("offer_hours", "48"),
])
def test_the_api_refuses_a_value_outside_the_column_bound_or_not_an_integer(client, organiser, field, value):
    token = accounts.create_api_token(organiser, "bounds")
    response = client.post("/api/v1/events", headers={"Authorization": f"Bearer {token}"},
                           json={**WEBINAR, field: value})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_the_service_and_the_form_refuse_a_billion_offer_hours(client, login, organiser):
    from app.errors import ValidationFailed
    from app.events import services as events

    with pytest.raises(ValidationFailed) as caught:
        events.create_event(organiser, {**WEBINAR, "offer_hours": 1_000_000_000})
    assert "offer_hours" in caught.value.fields
    login(organiser)
    response = client.post("/manage/events/new/seminar", data={**GOOD["seminar"], "offer_hours": "1000000000"})
    assert response.status_code == 422
    assert "720" in field_error(response.get_data(as_text=True), "offer_hours")
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_an_event_at_the_bound_keeps_working_and_an_old_billion_is_read_at_the_bound(client, organiser):
    """Before the bound, 1e9 hours were saved and every cancel, organiser cancel and capacity change
    of the event was a 500 (OverflowError computing the offer deadline)."""
    token = accounts.create_api_token(organiser, "bounds")
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/events", headers=headers, json={**WEBINAR, "offer_hours": 720})
    assert created.status_code == 201, created.get_json()
    event = db.session.get(Event, created.get_json()["id"])
    event.offer_hours = 1_000_000_000  # a row saved before the bound existed
    db.session.commit()
    first, second, third = make_user("first@example.org"), make_user("second@example.org"), \
        make_user("third@example.org")
    held = registrations.register(event.id, first)
    waiting = registrations.register(event.id, second)
    registrations.register(event.id, third)
    registrations.cancel(held, first)  # the seat is offered to `second`: the deadline is computed
    db.session.refresh(waiting)
    assert waiting.status.value == "offered" and waiting.offer_expires_at is not None
    registrations.set_status(waiting, organiser, "cancelled")  # the organiser cancels: offered on again
    response = client.patch(f"/api/v1/events/{event.id}", headers=headers, json={"capacity": 3})
    assert response.status_code == 200, response.get_json()

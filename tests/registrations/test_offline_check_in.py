"""Check-in rules and the sync of ticks made offline: the opening day, a second scan, keys sent again."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.extensions import db
from app.registrations import services
from app.registrations.models import CheckIn, RegistrationStatus
from tests.factories import make_event, make_trainees, make_user

START = datetime(2027, 3, 3, 5, 0, tzinfo=UTC)  # 09:00 in Samara


@pytest.fixture
def setup(app):
    with clock.frozen_at(START - timedelta(days=42)):
        organiser = make_user(roles=(Role.ORGANISER,), locale="en", full_name="Olga Organiser")
        event = make_event(actor=organiser, days=2, start=START)
        people = make_trainees(3)
        registrations = [services.register(event.id, person) for person in people]
        yield organiser, event, registrations


def _sync(client, event, session, *entries):
    response = client.post(f"/manage/events/{event.id}/sessions/{session.id}/check-in/sync",
                           json={"entries": list(entries)}, headers={"Accept": "application/json"})
    return response


def _entry(registration=None, key=None, at=None, token=None):
    entry = {"client_key": key or str(uuid.uuid4()), "at": (at or clock.now()).isoformat()}
    if token:
        entry["token"] = token
    else:
        entry["registration_id"] = registration.id
    return entry


def test_a_session_six_weeks_ahead_cannot_be_checked_in(client, login, setup):
    organiser, event, registrations = setup
    login(organiser)
    session = event.sessions[0]
    response = client.post(f"/manage/events/{event.id}/sessions/{session.id}/check-in",
                           data={"registration_id": registrations[0].id})
    assert response.status_code == 422
    assert "Check-in for this session opens on its day." in response.get_data(as_text=True)
    assert db.session.query(CheckIn).count() == 0
    page = client.get(f"/manage/events/{event.id}/sessions/{session.id}/check-in").get_data(as_text=True)
    assert "Check-in opens" in page


def test_a_group_meeting_far_ahead_refuses_too_and_the_margin_is_configurable(app, client, login, setup):
    organiser, event, registrations = setup
    login(organiser)
    session = event.sessions[0]
    clock.advance(START - timedelta(hours=13) - clock.now())
    assert not services.check_in_is_open(session)
    app.config["CHECKIN_OPEN_MARGIN_HOURS"] = 14
    assert services.check_in_is_open(session)


def test_a_second_scan_says_when_and_by_whom(client, login, setup):
    organiser, event, registrations = setup
    login(organiser)
    session = event.sessions[0]
    clock.advance(START + timedelta(minutes=42) - clock.now())
    token = services.ticket_token(registrations[0])
    url = f"/manage/events/{event.id}/sessions/{session.id}/check-in"
    first = client.post(url, data={"token": token}, follow_redirects=True).get_data(as_text=True)
    assert "is checked in." in first
    second = client.post(url, data={"token": token}, follow_redirects=True).get_data(as_text=True)
    assert "is already checked in: at 09:42 by Olga Organiser." in second
    assert db.session.query(CheckIn).count() == 1


def test_the_same_key_three_times_and_out_of_order_is_one_check_in(client, login, setup):
    organiser, event, registrations = setup
    login(organiser)
    session = event.sessions[0]
    clock.advance(START + timedelta(hours=1) - clock.now())
    early = _entry(registrations[0], at=START + timedelta(minutes=5))
    late = _entry(registrations[1], at=START + timedelta(minutes=20))
    for batch in ([late, early], [early], [early, late]):
        body = _sync(client, event, session, *batch).get_json()
        assert {r["state"] for r in body["results"]} == {"done"}
    rows = db.session.query(CheckIn).order_by(CheckIn.registration_id).all()
    assert [(r.registration_id, r.offline, r.client_key) for r in rows] == [
        (registrations[0].id, True, early["client_key"]), (registrations[1].id, True, late["client_key"])]
    assert rows[0].checked_in_at == START + timedelta(minutes=5)


def test_two_phones_ticking_the_same_person_make_one_check_in(client, login, setup):
    organiser, event, registrations = setup
    login(organiser)
    session = event.sessions[0]
    clock.advance(START + timedelta(hours=1) - clock.now())
    first = _sync(client, event, session, _entry(registrations[0], at=START + timedelta(minutes=1))).get_json()
    second = _sync(client, event, session,
                   _entry(token=services.ticket_token(registrations[0]), at=START + timedelta(minutes=3))).get_json()
    assert first["results"][0]["state"] == "done"
    assert second["results"][0]["state"] == "merged"
    assert "already checked in: at 09:01 by Olga Organiser" in second["results"][0]["message"]
    assert db.session.query(CheckIn).count() == 1


def test_a_person_cancelled_meanwhile_is_flagged_not_checked_in(client, login, setup):
    organiser, event, registrations = setup
    login(organiser)
    session = event.sessions[0]
    clock.advance(START + timedelta(hours=1) - clock.now())
    services.cancel(registrations[2], organiser)
    body = _sync(client, event, session, _entry(registrations[2])).get_json()
    result = body["results"][0]
    assert result["state"] == "flagged"
    assert "Decide at the desk" in result["message"]
    assert db.session.get(type(registrations[2]), registrations[2].id).status == RegistrationStatus.CANCELLED
    assert db.session.query(CheckIn).count() == 0


def test_bad_entries_are_refused_with_a_reason(client, login, setup):
    organiser, event, registrations = setup
    login(organiser)
    session = event.sessions[0]
    clock.advance(START + timedelta(hours=1) - clock.now())
    body = _sync(client, event, session, {"client_key": "nope", "registration_id": registrations[0].id},
                 _entry(token="forged"), _entry(registrations[0], at=START - timedelta(days=3))).get_json()
    assert [r["state"] for r in body["results"]] == ["refused", "refused", "refused"]
    assert "opens on its day" in body["results"][2]["message"]
    assert _sync(client, event, session).status_code == 200
    response = client.post(f"/manage/events/{event.id}/sessions/{session.id}/check-in/sync", data="x",
                           headers={"Accept": "application/json"})
    assert response.status_code == 422


def test_another_organisers_session_is_404(client, login, setup):
    _organiser, event, registrations = setup
    login(make_user(roles=(Role.ORGANISER,)))
    session = event.sessions[0]
    assert _sync(client, event, session, _entry(registrations[0])).status_code == 404
    assert client.get(f"/manage/events/{event.id}/check-in").status_code == 404


def test_a_long_series_opens_on_todays_meeting(client, login, setup):
    organiser, event, registrations = setup
    login(organiser)
    clock.advance(START + timedelta(days=1, hours=1) - clock.now())
    response = client.get(f"/manage/events/{event.id}/check-in")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sessions/{event.sessions[1].id}/check-in")

"""The series API: list meetings, make them from a rule, move, cancel and reinstate one; who may."""
from datetime import UTC, datetime

import pytest

from app import clock
from app.accounts import services as accounts
from app.accounts.models import Role
from tests.factories import make_event, make_user

NOW = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
RULE = {"frequency": "weekly", "every": 1, "weekdays": [2], "starts_on": "2027-03-10", "count": 4,
        "start_time": "18:00", "duration_minutes": 90, "excluded_dates": ["2027-03-17"]}


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def organiser(app):
    return make_user("org@example.org", roles=(Role.ORGANISER,))


@pytest.fixture
def group(organiser):
    return make_event(kind="self_help_group", title="Группа взаимопомощи", timezone="Europe/Sofia",
                      actor=organiser, start=datetime(2027, 3, 10, 16, tzinfo=UTC), capacity=12, venue="Читалище",
                      group={"community": "Бургас"})


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {accounts.create_api_token(user, name='tests')}"}


def test_rule_then_move_cancel_reinstate_one_meeting(client, organiser, group):
    headers = bearer(organiser)
    made = client.put(f"/api/v1/events/{group.id}/series", json=RULE, headers=headers)
    assert made.status_code == 200, made.get_json()
    meetings = made.get_json()["meetings"]
    assert [m["day"] for m in meetings] == ["2027-03-10", "2027-03-24", "2027-03-31", "2027-04-07"]
    assert made.get_json()["rule"]["count"] == 4 and made.get_json()["rule"]["excluded_dates"] == ["2027-03-17"]
    second = meetings[1]["id"]
    moved = client.patch(f"/api/v1/events/{group.id}/meetings/{second}", headers=headers,
                         json={"day": "2027-03-25", "start": "17:00", "end": "19:00", "title": "Кърмене"})
    assert moved.status_code == 200, moved.get_json()
    row = next(m for m in moved.get_json()["meetings"] if m["id"] == second)
    assert row["start"] == "2027-03-25T17:00:00+02:00" and row["moved_by_hand"] and row["title"] == "Кърмене"
    cancelled = client.post(f"/api/v1/events/{group.id}/meetings/{second}/cancel", headers=headers)
    assert next(m for m in cancelled.get_json()["meetings"] if m["id"] == second)["cancelled"] is True
    again = client.post(f"/api/v1/events/{group.id}/meetings/{second}/cancel", headers=headers)
    assert again.status_code == 409 and set(again.get_json()) == {"error", "fields"}
    reinstated = client.post(f"/api/v1/events/{group.id}/meetings/{second}/reinstate", headers=headers)
    row = next(m for m in reinstated.get_json()["meetings"] if m["id"] == second)
    assert row["cancelled"] is False and row["sequence"] > meetings[1]["sequence"] + 1
    public = client.get(f"/api/v1/events/{group.id}/meetings")
    assert public.status_code == 200 and len(public.get_json()["meetings"]) == 4


def test_bad_rule_is_422_with_field_messages(client, organiser, group):
    answer = client.put(f"/api/v1/events/{group.id}/series", json={**RULE, "until": "2027-05-01"},
                        headers=bearer(organiser))
    assert answer.status_code == 422 and "count" in answer.get_json()["fields"]
    unknown = client.put(f"/api/v1/events/{group.id}/series", json={**RULE, "colour": "red"}, headers=bearer(organiser))
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["fields"]


def test_another_organisers_event_is_404_and_a_trainee_403_and_no_token_401(client, organiser, group):
    other = make_user("org2@example.org", roles=(Role.ORGANISER,))
    trainee = make_user("t@example.org")
    url = f"/api/v1/events/{group.id}/series"
    assert client.put(url, json=RULE, headers=bearer(other)).status_code == 404
    assert client.put(url, json=RULE, headers=bearer(trainee)).status_code == 403
    assert client.put(url, json=RULE).status_code == 401
    session = group.sessions[0].id
    assert client.post(f"/api/v1/events/{group.id}/meetings/{session}/cancel", headers=bearer(other)).status_code == 404
    assert client.post(f"/api/v1/events/{group.id}/meetings/999999/cancel",
                       headers=bearer(organiser)).status_code == 404


def test_the_openapi_document_describes_the_series_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"put"} <= set(paths["/api/v1/events/{event_id}/series"])
    assert {"get"} <= set(paths["/api/v1/events/{event_id}/meetings"])
    assert {"patch"} <= set(paths["/api/v1/events/{event_id}/meetings/{session_id}"])
    assert "post" in paths["/api/v1/events/{event_id}/meetings/{session_id}/reinstate"]

"""The event JSON of DESIGN §5, sent as documented, is accepted and comes back field for field
(issue 10: a seminar with `venue` and no `address` used to get 422 "address required")."""
import copy

import pytest

from app import clock
from app.accounts import services as accounts
from app.accounts.models import Role
from tests.api.test_events_api import NOW, bearer
from tests.factories import make_user

# DESIGN §5, verbatim (the "…" are the contract's own placeholder texts).
CONTRACT_EVENT = {
    "kind": "seminar", "title": "…", "description": "…", "language": "ru",
    "timezone": "Europe/Samara", "capacity": 30, "status": "published",
    "programme_id": None, "venue": "…", "online_url": None, "requires_approval": False,
    "max_per_region": None, "max_per_organisation": None, "offer_hours": 48,
    "sessions": [{"start": "2027-03-01T09:00:00+04:00", "end": "2027-03-01T18:00:00+04:00",
                  "title": "День 1"}],
    "trip": {"settlement": "…", "district": "…", "departure_point": "…",
             "seats": 12, "services": ["checkups", "blood_donation", "career_guidance"]},
}


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def token(app):
    return accounts.create_api_token(make_user(roles=(Role.ORGANISER,)), name="site")


def _assert_echoed(sent: dict, returned: dict) -> None:
    for name, value in sent.items():
        if name == "sessions":
            assert [{k: s[k] for k in ("start", "end", "title")} for s in returned["sessions"]] == value
        elif name == "trip":
            assert {k: returned["trip"][k] for k in value} == value
        else:
            assert returned[name] == value, name
    assert {"id", "sequence", "url"} <= set(returned)


def test_the_in_person_seminar_of_the_contract_is_created_as_documented(client, token):
    seminar = {k: v for k, v in copy.deepcopy(CONTRACT_EVENT).items() if k != "trip"}  # trip: trips only
    assert "address" not in seminar
    response = client.post("/api/v1/events", json=seminar, headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    _assert_echoed(seminar, created)
    fetched = client.get(f"/api/v1/events/{created['id']}", headers=bearer(token)).get_json()
    _assert_echoed(seminar, fetched)
    page = client.get(f"/events/{created['id']}").get_data(as_text=True)
    assert "…" in page  # the venue is the place shown


def test_the_trip_object_of_the_contract_is_accepted_on_a_trip(client, token):
    trip = copy.deepcopy(CONTRACT_EVENT)
    trip.update(kind="outreach_trip", region_code="RU-SMO")
    trip.pop("venue")
    response = client.post("/api/v1/events", json=trip, headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    _assert_echoed(trip, response.get_json())


@pytest.mark.parametrize("group", [None, {}, {"membership": "open"}, {"community": ""}],
                         ids=["no group", "empty group", "group without community", "blank community"])
def test_a_self_help_group_of_the_contract_without_a_community_is_created_with_the_venue_as_community(
        client, token, group):
    """Issue 20.18: DESIGN §5's JSON with kind self_help_group was a 422 asking for `group.community`."""
    body = {k: v for k, v in copy.deepcopy(CONTRACT_EVENT).items() if k != "trip"}
    body.update(kind="self_help_group", venue="Читалище „Христо Ботев“, Бургас")
    if group is not None:
        body["group"] = group
    response = client.post("/api/v1/events", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["group"]["community"] == "Читалище „Христо Ботев“, Бургас"
    _assert_echoed({k: v for k, v in body.items() if k != "group"}, created)
    changed = client.patch(f"/api/v1/events/{created['id']}", json={"title": "Група за самопомощ"},
                           headers=bearer(token))
    assert changed.status_code == 200 and changed.get_json()["group"]["community"] == created["group"]["community"]


def test_a_self_help_group_without_a_community_or_a_venue_is_refused_beside_the_community(client, token):
    body = {k: v for k, v in copy.deepcopy(CONTRACT_EVENT).items() if k != "trip"}
    body.update(kind="self_help_group", venue=None)
    response = client.post("/api/v1/events", json=body, headers=bearer(token))
    assert response.status_code == 422 and "group.community" in response.get_json()["fields"]

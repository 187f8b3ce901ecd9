"""GET /api/v1/events/<id>/registrations with an organiser token."""
from app.accounts import services as accounts
from app.accounts.models import Role
from app.registrations import services
from tests.factories import make_event, make_organisation, make_trainees, make_user


def _bearer(user):
    return {"Authorization": f"Bearer {accounts.create_api_token(user, name='test')}"}


def test_registrations_for_the_organiser(client, app):
    organiser = make_user(roles=(Role.ORGANISER,), password=None)
    ngo = make_organisation("Самарская организация пациентов")
    event = make_event(actor=organiser, capacity=1)
    first, second = make_trainees(2, organisation=ngo)
    services.register(event.id, first)
    services.register(event.id, second)
    response = client.get(f"/api/v1/events/{event.id}/registrations", headers=_bearer(organiser))
    assert response.status_code == 200
    body = response.get_json()
    assert body["seats_taken"] == 1 and body["capacity"] == 1
    assert body["counts"] == {"confirmed": 1, "waitlisted": 1}
    by_user = {item["user"]["id"]: item for item in body["items"]}
    assert by_user[second.id]["status"] == "waitlisted" and by_user[second.id]["waitlist_position"] == 1
    assert by_user[first.id]["organisation"] == {"id": ngo.id, "name": ngo.name}
    assert by_user[first.id]["region"] == "RU-SAM"
    assert by_user[first.id]["attendance"] == {"attended": 0, "held": 0, "percent": None}
    filtered = client.get(f"/api/v1/events/{event.id}/registrations?status=waitlisted", headers=_bearer(organiser))
    assert [i["user"]["id"] for i in filtered.get_json()["items"]] == [second.id]


def test_registrations_api_refuses_others(client, app):
    organiser = make_user(roles=(Role.ORGANISER,), password=None)
    event = make_event(actor=organiser)
    url = f"/api/v1/events/{event.id}/registrations"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    trainee = make_user(password=None)
    assert client.get(url, headers=_bearer(trainee)).status_code == 403
    other = make_user(roles=(Role.ORGANISER,), password=None)
    assert client.get(url, headers=_bearer(other)).status_code == 403
    assert client.get("/api/v1/events/999999/registrations", headers=_bearer(organiser)).status_code == 404
    bad = client.get(url + "?status=nonsense", headers=_bearer(organiser))
    assert bad.status_code == 422 and "status" in bad.get_json()["fields"]
    assert client.post(url, headers=_bearer(organiser)).status_code == 405

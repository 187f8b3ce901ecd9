"""The events API: public reads, token writes, the one error shape, the secret join link."""
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.accounts import services as accounts
from app.accounts.models import Role
from app.events import services as events
from app.extensions import db
from tests.factories import make_user

NOW = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
JOIN = "https://meet.example.org/kpd-nko-secret"


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


def seminar_json(**overrides) -> dict:
    data = {
        "kind": "seminar",
        "title": "Поддерживающее консультирование в деятельности пациентской организации",
        "description": "Выездной 3-хдневный семинар-тренинг для руководителей пациентских НКО.",
        "language": "ru",
        "timezone": "Europe/Samara",
        "capacity": 30,
        "status": "published",
        "programme_id": None,
        "venue": "Загородный отель «Волжский утёс»",
        "address": "Самарская область, Шигонский район",
        "region_code": "RU-SAM",
        "online_url": None,
        "requires_approval": True,
        "max_per_region": 1,
        "max_per_organisation": None,
        "offer_hours": 48,
        "sessions": [
            {"start": f"2027-03-0{d}T09:00:00+04:00", "end": f"2027-03-0{d}T18:00:00+04:00", "title": f"День {d}"}
            for d in (1, 2, 3)
        ],
    }
    data.update(overrides)
    return data


def webinar_json(**overrides) -> dict:
    data = {
        "kind": "webinar", "title": "Мотивация участников комьюнити", "timezone": "Europe/Moscow",
        "status": "published", "online_url": JOIN,
        "sessions": [{"start": "2027-05-12T15:00:00+03:00", "end": "2027-05-12T16:30:00+03:00", "title": ""}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,))


@pytest.fixture
def token(organiser):
    return accounts.create_api_token(organiser, name="tests")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_error_shape(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "fields"}
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["fields"], dict)
    return body


def test_create_then_read_publicly(client, token):
    response = client.post("/api/v1/events", json=seminar_json(), headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["id"] and created["sequence"] == 0
    assert created["url"].endswith(f"/events/{created['id']}")
    assert [s["title"] for s in created["sessions"]] == ["День 1", "День 2", "День 3"]
    assert created["sessions"][0]["start"] == "2027-03-01T09:00:00+04:00"
    assert created["seats_left"] == 30

    public = client.get(f"/api/v1/events/{created['id']}")
    assert public.status_code == 200
    assert "online_url" not in public.get_json()
    listing = client.get("/api/v1/events", query_string={"kind": "seminar", "region": "RU-SAM", "q": "КОНСУЛЬТИРОВАНИЕ"})
    assert listing.status_code == 200
    body = listing.get_json()
    assert body["total"] == 1 and body["items"][0]["id"] == created["id"]
    assert client.get("/api/v1/events", query_string={"kind": "webinar"}).get_json()["total"] == 0


def test_online_url_is_secret_except_for_editors(client, token, organiser):
    created = client.post("/api/v1/events", json=webinar_json(), headers=bearer(token)).get_json()
    assert created["online_url"] == JOIN
    assert client.get(f"/api/v1/events/{created['id']}", headers=bearer(token)).get_json()["online_url"] == JOIN
    anonymous = client.get(f"/api/v1/events/{created['id']}")
    assert "online_url" not in anonymous.get_json()
    other = accounts.create_api_token(make_user(roles=(Role.ORGANISER,)))
    assert "online_url" not in client.get(f"/api/v1/events/{created['id']}", headers=bearer(other)).get_json()
    for headers in ({}, bearer(token)):
        listing = client.get("/api/v1/events", headers=headers)
        assert JOIN not in listing.get_data(as_text=True)
        assert all("online_url" not in item for item in listing.get_json()["items"])


def test_patch_of_sessions_bumps_sequence_and_title_does_not(client, token):
    created = client.post("/api/v1/events", json=seminar_json(), headers=bearer(token)).get_json()
    url = f"/api/v1/events/{created['id']}"
    retitled = client.patch(url, json={"title": "Поддерживающее консультирование"}, headers=bearer(token))
    assert retitled.status_code == 200
    assert retitled.get_json()["sequence"] == 0
    moved = client.patch(url, headers=bearer(token), json={"sessions": [
        {"start": "2027-03-02T09:00:00", "end": "2027-03-02T18:00:00", "title": "День 1"},
        {"start": "2027-03-03T09:00:00", "end": "2027-03-03T18:00:00", "title": "День 2"},
        {"start": "2027-03-04T09:00:00", "end": "2027-03-04T18:00:00", "title": "День 3"},
    ]})
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert body["sequence"] == 1
    assert body["sessions"][0]["start"] == "2027-03-02T09:00:00+04:00"  # naive = the event's timezone
    cancelled = client.patch(url, json={"status": "cancelled"}, headers=bearer(token)).get_json()
    assert cancelled["sequence"] == 2 and cancelled["status"] == "cancelled"


def test_missing_or_bad_token_is_401(client, token):
    for headers in ({}, bearer("not-a-token"), {"Authorization": "Basic dXNlcjpwYXNz"}):
        body = assert_error_shape(client.post("/api/v1/events", json=seminar_json(), headers=headers), 401)
        assert body["fields"] == {}
    created = client.post("/api/v1/events", json=seminar_json(), headers=bearer(token)).get_json()
    response = client.patch(f"/api/v1/events/{created['id']}", json={"title": "x"})
    assert_error_shape(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error_shape(client.get("/api/v1/events", headers=bearer("expired")), 401)


def test_authentication_comes_before_validation(client):
    """A write without a token is a 401 even when its body is invalid: nothing about the schema leaks."""
    assert_error_shape(client.post("/api/v1/events", json={}), 401)
    assert_error_shape(client.patch("/api/v1/events/1", data="not json", content_type="application/json"), 401)


def test_session_login_does_not_authorise_api_writes(client, login, organiser):
    login(organiser)
    assert_error_shape(client.post("/api/v1/events", json=seminar_json()), 401)


def test_not_allowed_is_403_and_invisible_is_404(client, token):
    trainee_token = accounts.create_api_token(make_user())
    assert_error_shape(client.post("/api/v1/events", json=seminar_json(), headers=bearer(trainee_token)), 403)
    published = client.post("/api/v1/events", json=seminar_json(), headers=bearer(token)).get_json()
    draft = client.post("/api/v1/events", json=seminar_json(status="draft"), headers=bearer(token)).get_json()
    other_token = accounts.create_api_token(make_user(roles=(Role.ORGANISER,)))
    assert_error_shape(client.patch(f"/api/v1/events/{published['id']}", json={"title": "Чужое"},
                                    headers=bearer(other_token)), 403)
    assert_error_shape(client.patch(f"/api/v1/events/{draft['id']}", json={"title": "Чужое"},
                                    headers=bearer(other_token)), 404)
    assert_error_shape(client.get(f"/api/v1/events/{draft['id']}"), 404)
    assert client.get(f"/api/v1/events/{draft['id']}", headers=bearer(token)).status_code == 200
    assert_error_shape(client.get("/api/v1/events/999999"), 404)
    assert_error_shape(client.patch("/api/v1/events/999999", json={"title": "x"}, headers=bearer(token)), 404)
    admin_token = accounts.create_api_token(make_user(roles=(Role.ADMIN,)))
    assert client.patch(f"/api/v1/events/{draft['id']}", json={"title": "Правка администратора"},
                        headers=bearer(admin_token)).status_code == 200


@pytest.mark.parametrize("payload, field", [
    ({"capacity": "many"}, "capacity"),
    ({"capacity": 0}, "capacity"),
    ({"kind": "party"}, "kind"),
    ({"title": "я" * 10_000}, "title"),
    ({"sessions": []}, "sessions"),
    ({"sessions": [{"start": "2027-03-01T18:00:00+04:00", "end": "2027-03-01T09:00:00+04:00"}]}, "sessions"),
    ({"sessions": [{"start": "yesterday", "end": "2027-03-01T09:00:00+04:00"}]}, "sessions.0.start"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"unexpected": 1}, "unexpected"),
    ({"trip": {"seats": "x"}}, "trip.seats"),
])
def test_validation_errors_have_the_one_shape(client, token, payload, field):
    response = client.post("/api/v1/events", json=seminar_json(**payload), headers=bearer(token))
    body = assert_error_shape(response, 422)
    assert field in body["fields"], body
    assert all(isinstance(m, str) for m in body["fields"][field])
    assert events.list_events({}).total == 0


def test_bad_query_parameters_are_422_with_fields(client):
    body = assert_error_shape(client.get("/api/v1/events", query_string={"from": "soon", "per_page": 0}), 422)
    assert {"from", "per_page"} <= set(body["fields"])
    body = assert_error_shape(client.get("/api/v1/events", query_string={"region": "XX-00"}), 422)
    assert "region" in body["fields"]


def test_not_json_body_is_an_error_in_the_one_shape(client, token):
    response = client.post("/api/v1/events", data="{not json", headers={**bearer(token),
                                                                       "Content-Type": "application/json"})
    assert response.status_code in (400, 422)
    assert_error_shape(response, response.status_code)


def test_unknown_route_and_method_are_json(client):
    assert_error_shape(client.get("/api/v1/nothing-here"), 404)
    assert_error_shape(client.delete("/api/v1/events"), 405)


def test_trip_json_round_trip(client, token):
    trip = {
        "kind": "outreach_trip", "title": "#ДоброВСело: Новодугино", "timezone": "Europe/Moscow",
        "status": "published", "region_code": "RU-SMO", "capacity": 12,
        "sessions": [{"start": "2027-04-17T08:00:00+03:00", "end": "2027-04-17T17:00:00+03:00", "title": ""}],
        "trip": {"settlement": "с. Новодугино", "district": "Новодугинский район",
                 "departure_point": "Смоленск, ул. Крупской, 28", "seats": 12,
                 "services": ["checkups", "career_guidance"]},
        "team_roles": [{"role": "doctor", "needed": 2}, {"role": "student_volunteer", "needed": 6}],
    }
    created = client.post("/api/v1/events", json=trip, headers=bearer(token))
    assert created.status_code == 201, created.get_json()
    body = client.get(f"/api/v1/events/{created.get_json()['id']}").get_json()
    assert body["trip"]["settlement"] == "с. Новодугино"
    assert body["trip"]["services"] == ["checkups", "career_guidance"]
    assert {r["role"]: r["needed"] for r in body["team_roles"]} == {"doctor": 2, "student_volunteer": 6}
    assert body["results"] == []


def test_past_tab_lists_held_events(client, token):
    created = client.post("/api/v1/events", json=seminar_json(), headers=bearer(token)).get_json()
    assert client.get("/api/v1/events", query_string={"tab": "past"}).get_json()["total"] == 0
    with clock.frozen_at(NOW + timedelta(days=60)):
        past = client.get("/api/v1/events", query_string={"tab": "past"}).get_json()
        assert [e["id"] for e in past["items"]] == [created["id"]]
        assert client.get("/api/v1/events").get_json()["total"] == 0


def test_listing_pages(client, organiser):
    for n in range(5):
        events.create_event(organiser, seminar_json(title=f"Семинар {n}", sessions=[
            {"start": f"2027-03-1{n}T09:00:00+04:00", "end": f"2027-03-1{n}T18:00:00+04:00", "title": ""}]))
    body = client.get("/api/v1/events", query_string={"per_page": 2, "page": 2}).get_json()
    assert body["total"] == 5 and body["pages"] == 3 and body["page"] == 2
    assert [e["title"] for e in body["items"]] == ["Семинар 2", "Семинар 3"]


def test_values_the_database_cannot_hold_are_refused_not_crashed(client, token):
    assert_error_shape(client.get("/api/v1/events/99999999999"), 404)
    body = assert_error_shape(client.get("/api/v1/events", query_string={"programme": 99999999999}), 422)
    assert "programme" in body["fields"]
    body = assert_error_shape(client.post("/api/v1/events", headers=bearer(token),
                                          json=seminar_json(title="nul\x00byte", capacity=2**40)), 422)
    assert {"title", "capacity"} <= set(body["fields"])
    body = assert_error_shape(client.post("/api/v1/events", headers=bearer(token), json=seminar_json(
        sessions=[{"start": "0001-01-01T00:00:00+04:00", "end": "0001-01-01T05:00:00+04:00"}])), 422)
    assert "sessions.0.start" in body["fields"]


def test_api_writes_need_no_csrf_token(tmp_path):
    from tests.conftest import make_app

    csrf_app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        token = accounts.create_api_token(make_user(roles=(Role.ORGANISER,)))
        client = csrf_app.test_client()
        response = client.post("/api/v1/events", json=seminar_json(), headers=bearer(token))
        assert response.status_code == 201, response.get_json()
        # The HTML forms stay protected: no CSRF token, refused before anything else.
        assert client.post("/manage/programmes/new", data={"title": "x"}).status_code == 400
        db.session.remove()


def test_listing_query_count_does_not_grow_with_the_page(client, organiser):
    from sqlalchemy import event as sa_event

    def add(first: int, count: int) -> None:
        for n in range(first, first + count):
            day = 1 + n % 28
            events.create_event(organiser, seminar_json(title=f"Семинар {n}", sessions=[
                {"start": f"2027-04-{day:02d}T09:00:00+04:00", "end": f"2027-04-{day:02d}T18:00:00+04:00",
                 "title": "День 1"}]))

    def queries() -> int:
        seen = []
        listener = lambda *_args: seen.append(1)  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert len(client.get("/api/v1/events", query_string={"per_page": 100}).get_json()["items"]) > 0
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    add(0, 3)
    few = queries()
    add(3, 30)
    assert queries() == few

"""Hostile input at the request boundary (issue 20.8): a NUL anywhere, JSON nested 100,000 deep,
integers past the database's INTEGER in query and form parameters — a 4xx with a message, never a
5xx, nothing written. The NUL cases matter on PostgreSQL, which refuses to store or compare one."""
import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import Role
from app.core.request_guard import MAX_JSON_DEPTH, json_depth
from app.events.models import Event
from app.extensions import db
from app.programmes.models import Programme
from tests.factories import make_event, make_user

BIG, HUGE = str(2**31), str(10**20)
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def admin(app):
    return make_user(roles=(Role.ADMIN,), locale="en")


@pytest.mark.parametrize("url", ["/events?q=a%00b", "/events?region=RU%00SAM", "/manage/events?q=a%00b",
                                 "/manage/users?q=a%00b", "/manage/events?region=RU-SAM%00", "/verify/PRK%00",
                                 "/events?q%00=x"])
def test_a_nul_in_the_path_or_query_of_a_page_is_a_400_with_the_reason(client, login, admin, url):
    login(admin)
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/api/v1/events?q=a%00b", "/api/v1/events?region=RU%00SAM"])
def test_a_nul_in_an_api_query_is_a_400_in_the_json_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert set(response.get_json()) == {"error", "fields"} and "NUL" in response.get_json()["error"]


def test_a_nul_in_a_form_field_is_refused_and_saves_nothing(client, login, admin):
    login(admin)
    response = client.post("/manage/programmes/new", data={"title": "Школа\x00", "starts_on": "2027-01-01",
                                                         "ends_on": "2027-12-31"})
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    event = make_event(actor=admin)
    response = client.post(f"/manage/events/{event.id}/registrations/add", data={"email": "a\x00@example.org"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Programme.id))) == 0


def test_json_nested_100000_deep_is_a_400_on_every_api_write(client, admin):
    event = make_event(actor=admin)
    headers = {"Authorization": f"Bearer {accounts.create_api_token(admin)}", "Content-Type": "application/json"}
    for method, url in (("POST", "/api/v1/events"), ("PATCH", f"/api/v1/events/{event.id}"),
                        ("POST", "/api/v1/consultations")):
        response = client.open(url, method=method, data=DEEP, headers=headers)
        assert response.status_code == 400, (url, response.status_code)
        assert str(MAX_JSON_DEPTH) in response.get_json()["error"]
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_depth_is_counted_outside_strings_only():
    assert json_depth(b'{"sessions": [{"title": "[[[[{{{{"}]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(DEEP.encode()) == MAX_JSON_DEPTH + 1  # stops counting once past the limit
    body = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert json_depth(body) == MAX_JSON_DEPTH


@pytest.mark.parametrize("value", [BIG, HUGE])
def test_integers_past_the_database_range_in_forms_and_queries_are_not_500(client, login, admin, value):
    login(admin)
    response = client.post("/manage/programmes/new", data={"title": "Школа", "starts_on": "2027-01-01",
                                                         "ends_on": "2027-12-31", "organisers": value})
    assert response.status_code == 422
    event = make_event(actor=admin)
    response = client.post(f"/manage/events/{event.id}/certificates/issue",
                           data={"user_id": value, "kind": "participation"})
    assert response.status_code < 500
    programme = client.post("/manage/programmes/new", data={"title": "Школа", "starts_on": "2027-01-01",
                                                          "ends_on": "2027-12-31"})
    assert programme.status_code == 302
    programme_id = db.session.scalar(select(Programme.id))
    response = client.get(f"/manage/programmes/{programme_id}/report/compare?before={value}&after={value}")
    assert response.status_code in (302, 404)
    assert client.get(f"/events/{value}").status_code == 404
    assert client.get(f"/api/v1/events/{value}").status_code == 404

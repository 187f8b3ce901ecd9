"""Permission matrix of the calendar endpoints (endpoint, who, expected status)."""
import pytest

from app.accounts import services as accounts
from tests.factories import make_calendar_event, make_user

ROLES = {"trainee": ("trainee",), "other_organiser": ("organiser",), "admin": ("admin",)}

MATRIX = [
    ("GET", "/events/{published}/event.ics", "anonymous", 200),
    ("GET", "/events/{published}/event.ics", "trainee", 200),
    ("GET", "/events/{draft}/event.ics", "anonymous", 404),
    ("GET", "/events/{draft}/event.ics", "trainee", 404),
    ("GET", "/events/{draft}/event.ics", "other_organiser", 404),
    ("GET", "/events/{draft}/event.ics", "organiser", 200),
    ("GET", "/events/{draft}/event.ics", "admin", 200),
    ("GET", "/events/999999/event.ics", "admin", 404),
    ("GET", "/calendar.ics", "anonymous", 200),
    ("GET", "/calendar/{token}.ics", "anonymous", 200),
    ("GET", "/calendar/not-a-token.ics", "trainee", 404),
    ("POST", "/account/calendar-token/reset", "anonymous", 302),
    ("POST", "/account/calendar-token/reset", "trainee", 302),
    ("GET", "/account/calendar-token/reset", "trainee", 405),
]


@pytest.mark.parametrize(("method", "url", "who", "expected"), MATRIX)
def test_permission_matrix(client, login, method, url, who, expected):
    # Only the acting user gets a password: hashing is the slow part of making users.
    organiser = make_user(roles=("organiser",), password="password123" if who == "organiser" else None)
    published = make_calendar_event(actor=organiser)
    draft = make_calendar_event(title="Черновик", status="draft", actor=organiser)
    if who == "organiser":
        login(organiser)
    elif who != "anonymous":
        login(make_user(roles=ROLES[who]))
    url = url.format(published=published.id, draft=draft.id, token=accounts.calendar_token(organiser))
    response = client.open(url, method=method)
    assert response.status_code == expected
    if method == "POST" and who == "anonymous":
        assert "/auth/login" in response.headers["Location"]


def test_reset_is_post_only_and_changes_nothing_on_get(client, login):
    user = login(make_user())
    token = accounts.calendar_token(user)
    assert client.get("/account/calendar-token/reset").status_code == 405
    assert accounts.calendar_token(user) == token

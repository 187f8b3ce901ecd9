"""Permission matrix for every events route: (endpoint, role) → status; no mutating endpoint takes GET."""
import pytest

from app.events import services
from tests.events.conftest import seminar_data, trip_data

OWN, OTHERS = "own", "others"

# (method, url template, role, expected status). {own}: an event of the signed-in organiser;
# {others}: an event of another organiser outside any programme the user manages.
MATRIX = [
    ("GET", "/", "anonymous", 200),
    ("GET", "/events", "anonymous", 200),
    ("GET", "/events/{others}", "anonymous", 200),
    ("GET", "/events/{draft}", "anonymous", 404),
    ("GET", "/events/{draft}", "trainee", 404),
    ("GET", "/events/{draft}", "organiser", 404),
    ("GET", "/events/{draft}", "admin", 200),
    ("GET", "/manage/events", "anonymous", 302),
    ("GET", "/manage/events", "trainee", 403),
    ("GET", "/manage/events", "organiser", 200),
    ("GET", "/manage/events", "admin", 200),
    ("GET", "/manage/events/new/seminar", "anonymous", 302),
    ("GET", "/manage/events/new/seminar", "trainee", 403),
    ("GET", "/manage/events/new/seminar", "organiser", 200),
    ("GET", "/manage/events/new/party", "organiser", 404),
    ("POST", "/manage/events/new/seminar", "trainee", 403),
    ("GET", "/manage/events/{own}/edit", "organiser", 200),
    ("GET", "/manage/events/{others}/edit", "organiser", 404),
    ("GET", "/manage/events/{others}/edit", "trainee", 403),
    ("GET", "/manage/events/{others}/edit", "anonymous", 302),
    ("GET", "/manage/events/{others}/edit", "admin", 200),
    ("GET", "/manage/events/{programme_event}/edit", "organiser", 200),
    ("POST", "/manage/events/{others}/edit", "organiser", 404),
    ("POST", "/manage/events/{own}/publish", "organiser", 302),
    ("POST", "/manage/events/{others}/publish", "organiser", 404),
    ("POST", "/manage/events/{others}/publish", "trainee", 403),
    ("POST", "/manage/events/{others}/publish", "anonymous", 302),
    ("GET", "/manage/events/{own}/cancel", "organiser", 200),
    ("POST", "/manage/events/{own}/cancel", "organiser", 200),  # allowed; without `confirm` it only asks
    ("POST", "/manage/events/{others}/cancel", "organiser", 404),
    ("GET", "/manage/events/{draft}/delete", "organiser", 404),
    ("POST", "/manage/events/{draft}/delete", "trainee", 403),
    ("GET", "/manage/events/{draft}/delete", "admin", 200),
    ("POST", "/manage/events/{own}/reinstate", "organiser", 200),  # asks first
    ("POST", "/manage/events/{others}/reinstate", "organiser", 404),
    ("POST", "/manage/events/{others}/reinstate", "trainee", 403),
    ("POST", "/manage/events/{own}/duplicate", "organiser", 302),
    ("POST", "/manage/events/{others}/duplicate", "organiser", 404),
    ("GET", "/manage/events/{own_trip}/results", "organiser", 200),
    ("GET", "/manage/events/{others_trip}/results", "organiser", 404),
    ("GET", "/manage/events/{own}/results", "organiser", 404),
    ("POST", "/manage/events/{others_trip}/results", "trainee", 403),
    ("POST", "/manage/events/{others_trip}/results/sync", "organiser", 404),
    ("POST", "/manage/events/{others_trip}/results/sync", "trainee", 403),
    ("GET", "/manage/events/{own}/changes", "organiser", 200),
    ("GET", "/manage/events/{others}/changes", "organiser", 404),
    ("GET", "/manage/events/{others}/changes", "trainee", 403),
    ("GET", "/manage/events/{own}/series", "organiser", 200),
    ("POST", "/manage/events/{own}/series", "organiser", 422),
    ("GET", "/manage/events/{others}/series", "organiser", 404),
    ("GET", "/manage/events/{others}/series", "trainee", 403),
    ("POST", "/manage/events/{others}/series", "anonymous", 302),
    ("GET", "/manage/events/{own}/meetings/{own_session}", "organiser", 200),
    ("GET", "/manage/events/{own}/meetings/{others_session}", "organiser", 404),
    ("GET", "/manage/events/{others}/meetings/{others_session}", "organiser", 404),
    ("GET", "/manage/events/{others}/meetings/{others_session}", "trainee", 404),
    ("GET", "/manage/events/{others}/meetings/{others_session}", "admin", 200),
    ("POST", "/manage/events/{own}/meetings/{own_session}/change", "organiser", 422),
    ("POST", "/manage/events/{others}/meetings/{others_session}/change", "organiser", 404),
    ("POST", "/manage/events/{others}/meetings/{others_session}/change", "trainee", 403),
    ("POST", "/manage/events/{own}/meetings/{own_session}/cancel", "organiser", 200),  # asks first
    ("POST", "/manage/events/{others}/meetings/{others_session}/cancel", "organiser", 404),
    ("POST", "/manage/events/{own}/meetings/{own_session}/reinstate", "organiser", 200),  # asks first
    ("POST", "/manage/events/{others}/meetings/{others_session}/reinstate", "organiser", 404),
    ("POST", "/manage/events/{others}/meetings/{others_session}/reinstate", "trainee", 403),
    ("POST", "/manage/events/{own}/meetings/{own_session}/outcome", "organiser", 302),
    ("POST", "/manage/events/{others}/meetings/{others_session}/outcome", "organiser", 404),
    ("POST", "/manage/events/{others}/meetings/{others_session}/outcome", "anonymous", 302),
]

MUTATING_POST_ONLY = ["/manage/events/{own}/publish", "/manage/events/{own}/reinstate",
                      "/manage/events/{own}/duplicate",
                      "/manage/events/{own}/meetings/{own_session}/change",
                      "/manage/events/{own}/meetings/{own_session}/cancel",
                      "/manage/events/{own}/meetings/{own_session}/outcome"]


@pytest.fixture
def world(app, organiser, other_organiser, admin, trainee, programme):
    own = services.create_event(organiser, seminar_data(status="published"))
    others = services.create_event(other_organiser, seminar_data(status="published"))
    draft = services.create_event(other_organiser, seminar_data())
    own_trip = services.create_event(organiser, trip_data(status="published"))
    others_trip = services.create_event(other_organiser, trip_data(status="published"))
    programme_event = services.create_event(admin, seminar_data(programme_id=programme.id))
    users = {"organiser": organiser, "admin": admin, "trainee": trainee, "anonymous": None}
    ids = {"own": own.id, "others": others.id, "draft": draft.id, "own_trip": own_trip.id,
           "others_trip": others_trip.id, "programme_event": programme_event.id,
           "own_session": own.sessions[0].id, "others_session": others.sessions[0].id}
    return users, ids


@pytest.mark.parametrize("method, url, role, expected", MATRIX)
def test_permission_matrix(client, login, world, method, url, role, expected):
    users, ids = world
    if users[role] is not None:
        login(users[role])
    response = client.open(url.format(**ids), method=method)
    assert response.status_code == expected, response.get_data(as_text=True)[:400]
    if expected == 302 and role == "anonymous":
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("url", MUTATING_POST_ONLY)
def test_mutating_endpoints_refuse_get(client, login, world, url):
    users, ids = world
    login(users["organiser"])
    assert client.get(url.format(**ids)).status_code == 405


def test_every_events_route_is_in_the_matrix(app):
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("events.")}
    covered = {url.replace("{own}", "<int:event_id>").replace("{others}", "<int:event_id>")
               .replace("{draft}", "<int:event_id>").replace("{own_trip}", "<int:event_id>")
               .replace("{others_trip}", "<int:event_id>").replace("{programme_event}", "<int:event_id>")
               .replace("{own_session}", "<int:session_id>").replace("{others_session}", "<int:session_id>")
               .replace("/new/seminar", "/new/<kind>")
               for _method, url, _role, _status in MATRIX}
    assert routes <= covered, routes - covered
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("events.") and "POST" in rule.methods and "GET" in rule.methods:
            assert rule.rule.endswith(("/edit", "/results", "/new/<kind>", "/series", "/cancel", "/delete")), rule.rule

"""Permission matrix of the quota pages: (endpoint, role) → status; another user's object is 404; no mutating GET.

Roles: anonymous, the trainee (owns quota {q}), another trainee, the trainee's curator, another curator
(of the same plan), the seminar's organiser, another organiser, an admin. 302 = done or sent to log in.
"""
from datetime import date

import pytest

from app.accounts.models import Role
from app.quotas import services
from tests.factories import make_user
from tests.quotas.conftest import BEFORE, build_world, consultation_data, move_to

ROLES = ["anonymous", "trainee", "other_trainee", "curator", "other_curator", "organiser", "other_organiser",
         "admin"]


def _expect(anonymous=302, trainee=404, other_trainee=404, curator=404, other_curator=404, organiser=404,
            other_organiser=404, admin=404):
    return dict(anonymous=anonymous, trainee=trainee, other_trainee=other_trainee, curator=curator,
                other_curator=other_curator, organiser=organiser, other_organiser=other_organiser, admin=admin)


MATRIX = [
    ("GET", "/quotas", _expect(trainee=200, other_trainee=200, curator=200, other_curator=200, organiser=200,
                               other_organiser=200, admin=200)),
    ("GET", "/quotas/{q}", _expect(trainee=200)),
    ("GET", "/quotas/{q}/consultations/new", _expect(trainee=200)),
    ("POST", "/quotas/{q}/consultations/new", _expect(trainee=302)),
    ("GET", "/quotas/{q}/consultations/{c}/edit", _expect(trainee=200)),
    ("POST", "/quotas/{q}/catch-up", _expect(trainee=422)),
    ("GET", "/manage/events/{e}/quota-plan", _expect(organiser=200, admin=200)),
    ("GET", "/manage/events/{e}/quotas", _expect(organiser=200, admin=200)),
    ("GET", "/manage/events/{e}/quotas.csv", _expect(organiser=200, admin=200)),
    ("GET", "/manage/events/{e}/quotas.xlsx", _expect(organiser=200, admin=200)),
    ("POST", "/manage/events/{e}/quotas/sync", _expect(organiser=302, admin=302)),
    ("POST", "/manage/events/{e}/quotas/spread", _expect(organiser=302, admin=302)),
    ("GET", "/manage/events/{e}/quotas/add", _expect(organiser=200, admin=200)),
    ("POST", "/manage/events/{e}/quotas/add", _expect(organiser=422, admin=422)),
    ("GET", "/manage/quotas/{q}", _expect(curator=200, organiser=200, admin=200)),
    ("POST", "/manage/quotas/{q}/change", _expect(curator=404, organiser=302, admin=302)),
    ("POST", "/manage/quotas/{q}/curator", _expect(curator=404, organiser=302, admin=302)),
    ("POST", "/manage/quotas/{q}/consultations/{c}/reopen", _expect(curator=422, organiser=404, admin=422)),
    ("POST", "/manage/quotas/{q}/catch-up/request", _expect(curator=302, organiser=404, admin=302)),
    ("POST", "/manage/quotas/{q}/catch-up/decide", _expect(curator=422, organiser=404, admin=422)),
    ("GET", "/manage/curator", _expect(trainee=403, other_trainee=403, curator=200, other_curator=200,
                                       organiser=403, other_organiser=403, admin=200)),
    ("GET", "/manage/curator/review", _expect(trainee=403, other_trainee=403, curator=200, other_curator=200,
                                              organiser=403, other_organiser=403, admin=200)),
    ("POST", "/manage/curator/review/{c}", _expect(trainee=403, other_trainee=403, curator=302, other_curator=404,
                                                   organiser=403, other_organiser=403, admin=302)),
    ("GET", "/manage/curator/plans/{p}/mentoring", _expect(curator=200, other_curator=200)),
]
DATA = {"held_on": "2027-03-15", "format": "phone", "duration_minutes": "30", "client_type": "patient",
        "decision": "accept", "target": "18", "reason": "Болезнь", "curator": "", "per_week": "3"}


def _scene():
    """A fresh world (new rows in the same database): two trainees, one consultation waiting."""
    move_to(BEFORE.date(), BEFORE.hour)
    world = build_world(2)
    quota = world.quota(world.trainees[0])
    move_to(date(2027, 3, 20))
    consultation = services.log_consultation(quota, consultation_data(), world.trainees[0])
    curator = quota.curator
    people = {"trainee": world.trainees[0], "other_trainee": world.trainees[1], "curator": curator,
              "other_curator": world.other_curator if curator.id == world.curator.id else world.curator,
              "organiser": world.organiser, "other_organiser": make_user(roles=(Role.ORGANISER,)),
              "admin": make_user(roles=(Role.ADMIN,))}
    return world, quota, consultation, people


@pytest.mark.parametrize(("method", "url", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX])
def test_permission_matrix(client, login, frozen, method, url, expected):
    """Every role against one endpoint; a write that succeeded gets a fresh world for the next role."""
    scene = None
    for role in ROLES:
        if scene is None:
            scene = _scene()
        world, quota, consultation, people = scene
        client.post("/auth/logout")
        if role != "anonymous":
            login(people[role])
        target = url.format(q=quota.id, c=consultation.id, e=world.event.id, p=world.plan.id)
        response = client.open(target, method=method, data=DATA if method == "POST" else None)
        assert response.status_code == expected[role], (role, response.get_data(as_text=True)[:300])
        if role == "anonymous":
            assert "/auth/login" in response.headers["Location"]
        if method == "POST" and response.status_code == 302:
            scene = None


MUTATING = sorted({url for method, url, _ in MATRIX if method == "POST"} - {
    url for method, url, _ in MATRIX if method == "GET"})


@pytest.mark.parametrize("url", MUTATING)
def test_no_mutating_endpoint_accepts_get(client, login, frozen, url):
    world = build_world(1)
    login(world.organiser)
    target = url.format(q=1, c=1, e=world.event.id, p=world.plan.id)
    assert client.get(target).status_code == 405

"""Permission matrix of the registration pages: (endpoint, role) → status; no mutating GET."""
from datetime import timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.extensions import db
from app.registrations import services
from app.registrations.models import Registration, RegistrationStatus
from tests.factories import make_event, make_user

S = RegistrationStatus

# (method, url pattern, expected status per role)
# roles: anonymous, registrant (owns the registration), other trainee, the event's organiser,
# another organiser, admin. 302 = done (or sent to log in for the anonymous visitor).
MATRIX = [
    ("GET", "/events/{e}/registrations/{r}/ticket",
     {"anonymous": 302, "registrant": 200, "other": 404, "organiser": 200, "other_organiser": 404, "admin": 200}),
    ("GET", "/manage/events/{e}/registrations",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 200, "other_organiser": 404, "admin": 200}),
    ("GET", "/manage/events/{e}/registrations.csv",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 200, "other_organiser": 404, "admin": 200}),
    ("GET", "/manage/events/{e}/registrations.xlsx",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 200, "other_organiser": 404, "admin": 200}),
    ("GET", "/manage/events/{e}/approvals",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 200, "other_organiser": 404, "admin": 200}),
    ("GET", "/manage/events/{e}/sessions/{s}/check-in",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 200, "other_organiser": 404, "admin": 200}),
    ("POST", "/manage/events/{e}/sessions/{s}/check-in",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 302, "other_organiser": 404, "admin": 302}),
    ("POST", "/manage/events/{e}/sessions/{s}/check-in/undo",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 302, "other_organiser": 404, "admin": 302}),
    ("POST", "/manage/events/{e}/registrations/{r}/approve",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 302, "other_organiser": 404, "admin": 302}),
    ("POST", "/manage/events/{e}/registrations/{r}/cancel",
     {"anonymous": 302, "registrant": 404, "other": 404, "organiser": 302, "other_organiser": 404, "admin": 302}),
    ("POST", "/events/{e}/cancel",
     {"anonymous": 302, "registrant": 302, "other": 404, "organiser": 404, "other_organiser": 404, "admin": 404}),
    ("POST", "/events/{e}/offer/accept",
     {"anonymous": 302, "registrant": 302, "other": 404, "organiser": 404, "other_organiser": 404, "admin": 404}),
    ("POST", "/events/{e}/offer/decline",
     {"anonymous": 302, "registrant": 302, "other": 404, "organiser": 404, "other_organiser": 404, "admin": 404}),
    ("POST", "/events/{e}/register",
     {"anonymous": 302, "registrant": 302, "other": 302, "organiser": 302, "other_organiser": 302, "admin": 302}),
]
ROLES = ["anonymous", "registrant", "other", "organiser", "other_organiser", "admin"]
CASES = [(method, url, role, expected[role]) for method, url, expected in MATRIX for role in ROLES]


@pytest.mark.parametrize(("method", "url", "role", "expected"), CASES,
                         ids=[f"{m} {u} {r}" for m, u, r, _ in CASES])
def test_permission_matrix(client, login, method, url, role, expected):
    organiser = make_user(roles=(Role.ORGANISER,))
    people = {
        "registrant": make_user(),
        "other": make_user(),
        "organiser": organiser,
        "other_organiser": make_user(roles=(Role.ORGANISER,)),
        "admin": make_user(roles=(Role.ADMIN,)),
    }
    approval = url.endswith("/approve")  # an application to approve, so that approving can succeed
    # starting within the hour: check-in is open (it opens on the session's day)
    event = make_event(actor=organiser, capacity=5, requires_approval=approval, start=clock.now() + timedelta(hours=1))
    registration = services.register(event.id, people["registrant"])
    before = registration.status
    target = url.format(e=event.id, r=registration.id, s=event.sessions[0].id)
    if role != "anonymous":
        login(people[role])
    data = {"registration_id": registration.id, "reason": "x", "confirm": "yes"} if method == "POST" else None
    response = client.open(target, method=method, data=data)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if role == "anonymous" and expected == 302:
        assert "/auth/login" in response.headers["Location"]
    # a 302 says "done" only if the database says so too
    done = expected == 302 and role != "anonymous"
    db.session.expire_all()
    after = db.session.get(Registration, registration.id).status
    if (method, url) in EFFECTS:
        assert after == (EFFECTS[(method, url)] if done else before), (url, role)
    if url.endswith("/check-in") and method == "POST":
        assert (registration.id in services.checked_in_ids(event.sessions[0])) == done


EFFECTS = {
    ("POST", "/manage/events/{e}/registrations/{r}/approve"): S.CONFIRMED,
    ("POST", "/manage/events/{e}/registrations/{r}/cancel"): S.CANCELLED,
    ("POST", "/events/{e}/cancel"): S.CANCELLED,
}


GET_PAGES = {url for method, url, _ in MATRIX if method == "GET"}
# GET /events/{e}/cancel is the confirmation page before the POST (tested in test_people_workflow.py).
MUTATING = sorted(({url for method, url, _ in MATRIX if method == "POST"} - GET_PAGES - {"/events/{e}/cancel"}) |
                  {"/manage/events/{e}/registrations/{r}/reject"})


@pytest.mark.parametrize("url", MUTATING)
def test_no_mutating_endpoint_accepts_get(client, login, url):
    organiser = login(make_user(roles=(Role.ORGANISER,), password="password123"))
    event = make_event(actor=organiser)
    target = url.format(e=event.id, r=1, s=event.sessions[0].id)
    assert client.get(target).status_code == 405


def test_a_registration_of_another_event_is_not_found(client, login):
    organiser = make_user(roles=(Role.ORGANISER,))
    mine = make_event(actor=organiser)
    theirs = make_event(actor=make_user(roles=(Role.ORGANISER,)))
    registration = services.register(theirs.id, make_user())
    login(organiser)
    assert client.get(f"/events/{mine.id}/registrations/{registration.id}/ticket").status_code == 404
    assert client.post(f"/manage/events/{mine.id}/registrations/{registration.id}/approve").status_code == 404
    other_session = theirs.sessions[0].id
    assert client.get(f"/manage/events/{mine.id}/sessions/{other_session}/check-in").status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == S.CONFIRMED

"""The authorisation matrix, driven by the route table: every (rule, method) × persona.

Personas: anonymous, a trainee who owns nothing, a curator not assigned, an organiser of another
programme, an admin and (for object routes) the owner of the object the URL names. The expected
cell comes from the route's row (tests/gate/routes.py: expected): 302 to the login page or 401 on
the API for anonymous visitors, 403 for a missing role, 404 (403 on the API where the object is
public) for someone else's object, and an answer that is neither for those allowed.
"""
import tempfile
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import make_app
from tests.gate import builders
from tests.gate.routes import OK, expected, inventory, outcome, personas_for, sign_in


def _inventory_snapshot():
    """The inventory at collection time, to parametrize the gate's tests by route."""
    app = make_app(Path(tempfile.mkdtemp(prefix="gate-inventory-")))
    with app.app_context():
        routes = inventory(app)
        db.engine.dispose()
    return routes


SNAPSHOT = _inventory_snapshot()
ROUTES = [(r.rule.rule, r.method) for r in SNAPSHOT]
LIST_ROUTES = [(r.rule.rule, r.method) for r in SNAPSHOT if r.access is not None and r.access.lists]


@pytest.fixture
def app_overrides():
    """Mail caused while building the targets stays queued: the matrix asks who may open what, not what is sent
    (tests/gate/test_fuzz.py delivers it, hostile input included)."""
    return {"HUEY_IMMEDIATE": False}


def _request(client, route, url, user, world):
    headers = {}
    if route.is_api and user is not None:
        headers["Authorization"] = f"Bearer {world.token_of(user)}"
    elif user is not None:
        sign_in(client, user)
    kwargs = {}
    if route.method in ("POST", "PUT", "PATCH", "DELETE"):
        kwargs = {"json": {}} if route.is_api else {"data": {}}
    return client.open(url, method=route.method, headers=headers, **kwargs)


@pytest.mark.parametrize(("rule", "method"), ROUTES, ids=[f"{m} {r}" for r, m in ROUTES])
def test_authorisation_matrix(app, world, rule, method):
    route = next(r for r in inventory(app) if r.rule.rule == rule and r.method == method)
    wrong = []
    for persona in personas_for(route):
        target = builders.build(route.access.fixture, world)
        user = world.user(persona, owner=target.owner)
        values = target.values
        if route.url_token and persona != "owner" and target.foreign_values is not None:
            values = target.foreign_values
        client = app.test_client()
        response = _request(client, route, route.url(values), user, world)
        want = expected(route, persona, user, target.owner)
        got = response.status_code if response.status_code == want else outcome(response)
        if got != want:
            wrong.append(f"{persona}: expected {want}, got {got} ({response.status_code} "
                         f"{response.headers.get('Location', '')})")
        if want == OK and route.method == "GET" and not route.url_token:
            assert response.status_code in (200, 302, 304), (persona, response.status_code)
    assert not wrong, f"{route.id} ({route.access.label}):\n  " + "\n  ".join(wrong)

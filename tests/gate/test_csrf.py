"""Every state-changing route refuses a forged request and writes nothing.

HTML forms: with CSRF on (as in production), a POST without a valid token is a 400, even from a
signed-in user allowed to act. API: session cookies never authenticate; a write without a bearer
token is a 401. Row counts of every table are compared before and after.
"""

import pytest

from tests.gate import access as route_table
from tests.gate import builders
from tests.gate.routes import STATE_CHANGING, csrf_token_in, inventory, row_counts, sign_in
from tests.gate.test_matrix import ROUTES

WRITES = [(rule, method) for rule, method in ROUTES if method in STATE_CHANGING]


@pytest.fixture
def app_overrides():
    """CSRF on; mail caused by the targets stays queued (what is sent is tests/gate/test_fuzz.py's part)."""
    return {"WTF_CSRF_ENABLED": True, "HUEY_IMMEDIATE": False}


def _allowed_user(route, target, world):
    access = route.access
    if target.owner is not None:
        return target.owner
    if access.kind == route_table.PUBLIC:
        return None
    if access.kind == route_table.SIGNED_IN:
        return world.trainee
    return world.admin


@pytest.mark.parametrize(("rule", "method"), WRITES, ids=[f"{m} {r}" for r, m in WRITES])
def test_a_write_without_its_token_is_refused_and_writes_nothing(app, world, rule, method):
    route = next(r for r in inventory(app) if r.rule.rule == rule and r.method == method)
    target = builders.build(route.access.fixture, world)
    user = _allowed_user(route, target, world)
    client = app.test_client()
    if user is not None:
        sign_in(client, user)  # the session of someone allowed to act: only the token is missing
    url = route.url(target.values)
    before = row_counts()
    if route.is_api:
        response = client.open(url, method=method, json={"title": "Подделка"})
        assert response.status_code == 401, response.get_data(as_text=True)[:300]
    else:
        response = client.open(url, method=method, data={"csrf_token": "forged", "reason": "x"})
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert row_counts() == before


def test_the_real_token_is_accepted(app, world, client):
    """The refusal above is the token's doing: the same request with the page's token goes through."""
    sign_in(client, world.trainee)
    page = client.get("/me").get_data(as_text=True)
    token = csrf_token_in(page)
    assert token, "the /me page carries a CSRF token"
    assert client.post("/account/calendar-token/reset", data={"csrf_token": token}).status_code == 302
    assert client.post("/account/calendar-token/reset", data={}).status_code == 400

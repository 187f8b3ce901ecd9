"""Regression tests for the defects the gate found (each was a 5xx or a wrong refusal)."""
from app.accounts import services as accounts
from app.accounts.models import Role
from tests.factories import make_user
from tests.gate.routes import sign_in


def test_unticking_every_role_keeps_trainee_only(app):
    """Found by the matrix: POST /manage/users/<id>/roles with no box ticked was a 500 (roles=None)."""
    admin = make_user(roles=(Role.ADMIN,))
    curator = make_user(roles=(Role.CURATOR,))
    accounts.set_roles(curator, None, actor=admin)
    assert curator.roles == {Role.TRAINEE}


def test_the_roles_form_posted_empty_is_not_a_server_error(app, client):
    admin = make_user(roles=(Role.ADMIN,))
    organiser = make_user(roles=(Role.ORGANISER,))
    sign_in(client, admin)
    assert client.post(f"/manage/users/{organiser.id}/roles", data={}).status_code == 302
    assert organiser.roles == {Role.TRAINEE}


def test_an_api_write_checks_the_role_before_the_body(app, client):
    """Found by the matrix: a trainee's POST /api/v1/events with a bad body got 422 (and a lesson in the
    schema) instead of 403."""
    trainee = accounts.create_api_token(make_user())
    organiser = accounts.create_api_token(make_user(roles=(Role.ORGANISER,)))
    assert client.post("/api/v1/events", json={}, headers={"Authorization": f"Bearer {trainee}"}).status_code == 403
    assert client.post("/api/v1/events", json={}, headers={"Authorization": f"Bearer {organiser}"}).status_code == 422

"""A three-day seminar in Samara (1–3 March 2027) whose trainees attended 0–3 days, seen after it ended."""
from datetime import UTC, datetime, timedelta

import jwt as pyjwt
import pytest

from app import clock
from app.accounts.models import Role
from app.registrations import services as registrations
from tests.factories import make_event, make_trainees, make_user

BEFORE = datetime(2027, 2, 1, 7, 0, tzinfo=UTC)
AFTER = datetime(2027, 3, 10, 7, 0, tzinfo=UTC)


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,), full_name="Петрова Анна Сергеевна")


@pytest.fixture
def after_event():
    """The clock stands before the seminar; call the returned function to move it past the end."""
    with clock.frozen_at(BEFORE):
        yield lambda: clock.advance(AFTER - clock.now())


def make_seminar(organiser, attendance: list[int], *, threshold: int = 75, names=None, title=None):
    """A 3-day seminar and trainees who attended attendance[i] days; the clock must stand before it."""
    fields = {"title": title} if title else {}
    event = make_event(actor=organiser, days=3, start=datetime(2027, 3, 1, 5, 0, tzinfo=UTC), capacity=None,
                       **fields)
    event.attendance_threshold = threshold
    users = make_trainees(len(attendance))
    for index, (user, days) in enumerate(zip(users, attendance, strict=True)):
        if names and index < len(names):
            user.full_name = names[index]
        registration = registrations.register(event.id, user)
        for session in event.sessions[:days]:
            registrations.check_in(registration, session, organiser)
    return event, users


@pytest.fixture
def seminar(app, organiser, after_event):
    """Trainees who attended 3, 2, 3 and 0 of 3 days (threshold 75 %); the clock after the seminar."""
    event, users = make_seminar(organiser, [3, 2, 3, 0], names=["Ёлкина Жанна Щукина"])
    after_event()
    return event, users


def advance(delta: timedelta) -> None:
    clock.advance(delta)


def verified_with_jwks(client, token: str) -> dict:
    """Checked as an outside verifier would: PyJWT, the key the published JWK Set names by kid."""
    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    [jwk] = [key for key in keys if key["kid"] == pyjwt.get_unverified_header(token)["kid"]]
    return pyjwt.decode(token, key=pyjwt.PyJWK(jwk).key, algorithms=["ES256"], options={"verify_nbf": False})

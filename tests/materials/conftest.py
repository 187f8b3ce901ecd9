"""An event of two sessions, its organiser and the people around it, for the materials tests."""
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.accounts.models import Role
from tests.factories import make_calendar_registration, make_event, make_user
from tests.gate.routes import sign_in

LIMIT = 64 * 1024


@pytest.fixture
def app_overrides():
    return {"MATERIALS_MAX_BYTES": LIMIT}


@dataclass
class People:
    organiser: object
    confirmed: object
    waitlisted: object
    other_trainee: object
    other_organiser: object
    admin: object


@pytest.fixture
def people(app):
    organiser = make_user(roles=(Role.ORGANISER,), full_name="Ольга Организатор", locale="en")
    return People(
        organiser=organiser,
        confirmed=make_user(full_name="Анна Участница"),
        waitlisted=make_user(full_name="Вера Ожидающая"),
        other_trainee=make_user(full_name="Тамара Слушатель"),
        other_organiser=make_user(roles=(Role.ORGANISER,), full_name="Пётр Другой"),
        admin=make_user(roles=(Role.ADMIN,), full_name="Анна Админ"),
    )


@pytest.fixture
def event(people):
    event = make_event(actor=people.organiser, days=2, capacity=1)
    make_calendar_registration(people.confirmed, event, status="confirmed")
    make_calendar_registration(people.waitlisted, event, status="waitlisted")
    return event


@pytest.fixture
def client_as(app):
    """client_as(user) → a test client signed in as `user` (None: anonymous)."""

    def make(user):
        client = app.test_client()
        if user is not None:
            sign_in(client, user)
        return client

    return make


def stored_files(app) -> list[str]:
    """Every file under the instance's materials folder, temporary ones included."""
    root = Path(app.config["MATERIALS_DIR"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []

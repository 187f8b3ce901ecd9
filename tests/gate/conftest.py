"""The gate's world: one user per persona of the authorisation matrix, and their API tokens."""
from dataclasses import dataclass, field

import pytest

from app.accounts import services as accounts
from app.accounts.models import Role
from tests.factories import make_user
from tests.gate import builders
from tests.gate.routes import FIGURES


@dataclass
class World:
    trainee: object
    curator: object
    other_organiser: object
    admin: object
    tokens: dict = field(default_factory=dict)

    def user(self, persona: str, owner=None):
        if persona == "anonymous":
            return None
        if persona == "owner":
            return owner
        return getattr(self, persona)

    def token_of(self, user) -> str:
        if user.id not in self.tokens:
            self.tokens[user.id] = accounts.create_api_token(user)
        return self.tokens[user.id]


@pytest.fixture
def world(app):
    other_organiser = make_user(roles=(Role.ORGANISER,), full_name="Пётр Другой")
    builders.new_programme(other_organiser)  # an organiser of another programme
    return World(
        trainee=make_user(full_name="Тамара Слушатель"),
        curator=make_user(roles=(Role.CURATOR,), full_name="Кира Куратор"),
        other_organiser=other_organiser,
        admin=make_user(roles=(Role.ADMIN,), full_name="Анна Админ"),
    )


def pytest_terminal_summary(terminalreporter):
    """The gate's figures: routes classified, matrix cells, fuzz budget (printed after the run)."""
    if FIGURES:
        terminalreporter.section("quality gate")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")

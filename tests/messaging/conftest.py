"""Shared builders of the messaging tests: an organiser's programme seminar and participants in given states."""
import pytest

from app.accounts.models import Role
from app.extensions import db
from app.registrations.models import CheckIn, Registration, RegistrationStatus
from tests.factories import make_organisation, make_user
from tests.gate.builders import programme_event


@pytest.fixture
def seminar(app):
    """(organiser, a published three-day seminar of the organiser's programme)."""
    return programme_event(capacity=30)


def add_participant(event, status: str, *, region_code: str = "RU-SAM", organisation=None, locale: str = "ru",
                    full_name: str | None = None, team_role=None, email: str | None = None):
    """A registration row in `status` (the registrations area tests how people get there)."""
    user = make_user(email=email, region_code=region_code, organisation=organisation, locale=locale,
                     full_name=full_name, password=None)
    registration = Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus(status),
                                region_code=region_code, organisation_id=organisation.id if organisation else None,
                                team_role=team_role)
    db.session.add(registration)
    db.session.commit()
    return registration


def check_in(registration, session) -> None:
    db.session.add(CheckIn(registration_id=registration.id, session_id=session.id))
    db.session.commit()


def other_organiser():
    return make_user(roles=(Role.ORGANISER,), full_name="Чужой Организатор")


__all__ = ["add_participant", "check_in", "make_organisation", "other_organiser"]

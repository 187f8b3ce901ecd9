"""Fixtures for the events area: organisers, a programme, and an event-data builder."""
from datetime import date

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.programmes.models import Programme
from tests.factories import make_user


@pytest.fixture
def organiser(app):
    return make_user("org@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")


@pytest.fixture
def other_organiser(app):
    return make_user("org2@example.org", roles=(Role.ORGANISER,), full_name="Пётр Другой")


@pytest.fixture
def admin(app):
    return make_user("admin@example.org", roles=(Role.ADMIN,), full_name="Админ")


@pytest.fixture
def trainee(app):
    return make_user("trainee@example.org", roles=(Role.TRAINEE,), full_name="Тамара Слушатель")


@pytest.fixture
def programme(app, organiser):
    item = Programme(title="КПД НКО", funder="Фонд президентских грантов", grant_number="23-1-000",
                     starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), region_codes=["RU-SAM"])
    item.organisers = [organiser]
    db.session.add(item)
    db.session.commit()
    return item


def seminar_data(**overrides) -> dict:
    """A three-day seminar in Samara next year, API-shaped (DESIGN §5)."""
    data = {
        "kind": "seminar", "title": "Поддерживающее консультирование", "description": "Семинар для лидеров",
        "language": "ru", "timezone": "Europe/Samara", "capacity": 30, "venue": "Гостиница «Волга»",
        "address": "Самара, ул. Молодогвардейская, 204", "region_code": "RU-SAM",
        "sessions": [
            {"start": f"2027-03-0{d}T09:00:00+04:00", "end": f"2027-03-0{d}T18:00:00+04:00", "title": f"День {d}"}
            for d in (1, 2, 3)
        ],
    }
    data.update(overrides)
    return data


def trip_data(**overrides) -> dict:
    data = {
        "kind": "outreach_trip", "title": "#ДоброВСело: Кардымово", "timezone": "Europe/Moscow",
        "region_code": "RU-SMO", "capacity": 12,
        "sessions": [{"start": "2027-05-15T08:00:00+03:00", "end": "2027-05-15T17:00:00+03:00", "title": ""}],
        "trip": {"settlement": "пос. Кардымово", "district": "Кардымовский район",
                 "departure_point": "Смоленск, СГМУ", "departure_at": "2027-05-15T07:00:00+03:00", "seats": 12,
                 "services": ["checkups", "blood_donation", "career_guidance"], "media_invited": True},
        "team_roles": [{"role": "doctor", "needed": 3}, {"role": "student_volunteer", "needed": 6}],
    }
    data.update(overrides)
    return data


"""Fixtures for the quotas area: a seminar in Samara whose trainees attended it, a quota plan after it.

The clock is frozen: the seminar is 3–5 March 2027, the window 10 March – 7 June 2027 (90 days).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from app import clock
from app.accounts.models import Role, User
from app.extensions import db
from app.quotas import services
from app.quotas.models import Consultation, ConsultationQuota, QuotaPlan, ReviewState
from app.registrations import services as registrations
from app.registrations.models import Registration, RegistrationStatus
from tests.factories import make_event, make_trainees, make_user

BEFORE = datetime(2027, 2, 20, 6, 0, tzinfo=UTC)
SEMINAR_START = datetime(2027, 3, 3, 5, 0, tzinfo=UTC)      # 09:00 in Samara
AFTER = datetime(2027, 3, 9, 6, 0, tzinfo=UTC)
WINDOW = (date(2027, 3, 10), date(2027, 6, 7))


@pytest.fixture
def frozen():
    with clock.frozen_at(BEFORE):
        yield


def move_to(day: date, hour: int = 8) -> None:
    """Move the frozen clock to `day` at `hour`:00 UTC."""
    clock.advance(datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - clock.now())


def consultations(app, quota_id) -> list[tuple[str, int, str]]:
    """(day, minutes, client key) of every consultation the server holds for the quota."""
    with app.app_context():
        rows = db.session.query(Consultation).filter_by(quota_id=quota_id).all()
        result = [(r.held_on.isoformat(), r.duration_minutes, r.client_key) for r in rows]
        db.session.remove()
        return result


def log_consultation(page, day: str, minutes: str, note: str = "") -> None:
    """Fill the consultation form in the browser (a phone call with a patient) and submit it."""
    page.get_by_label("Дата", exact=True).fill(day)
    page.get_by_label("Телефон", exact=True).check()
    page.get_by_label("Длительность, минут").fill(minutes)
    page.get_by_label("Пациент").check()
    page.locator("[name=note]").fill(note)
    page.locator("#consultation-form button[type=submit]").click()


@dataclass
class World:
    organiser: User
    curator: User
    other_curator: User
    trainees: list[User]
    event: object
    plan: QuotaPlan

    def quota(self, user: User) -> ConsultationQuota:
        return db.session.query(ConsultationQuota).filter_by(plan_id=self.plan.id, user_id=user.id).one()


PLAN_DATA = {"target": 20, "starts_on": WINDOW[0], "deadline": WINDOW[1], "behind_percent": 70,
             "formats": ["in_person", "phone", "online", "group", "home_visit"],
             "topics": "rights: Права пациентов\nsupport: Поддержка близких"}


def build_world(trainee_count: int = 3, *, check_in: bool = True, threshold: int = 75, spread: bool = True) -> World:
    """A published three-day seminar; trainees register (confirmed) and are checked in every day;
    then, after the seminar, the organiser attaches a quota plan with two curators."""
    organiser = make_user(roles=(Role.ORGANISER,), full_name="Ольга Организатор")
    curator = make_user(roles=(Role.CURATOR,), full_name="Анна Куратор")
    other_curator = make_user(roles=(Role.CURATOR,), full_name="Борис Куратор")
    event = make_event(actor=organiser, days=3, start=SEMINAR_START, capacity=None, attendance_threshold=threshold,
                       title="Поддерживающее консультирование")
    trainees = [make_user(full_name=f"Слушатель {n}", region_code=("RU-SAM", "RU-PNZ", "RU-SAR")[n % 3])
                for n in range(trainee_count)]
    for trainee in trainees:
        registration = registrations.register(event.id, trainee)
        if check_in:
            for session in event.sessions:
                registrations.check_in(registration, session, organiser)
    move_to(AFTER.date())
    plan = services.save_plan(event, {**PLAN_DATA, "curators": [curator.id, other_curator.id]}, organiser)
    if spread:
        services.spread_curators(plan, organiser)
    return World(organiser, curator, other_curator, trainees, event, plan)


@pytest.fixture
def world(app, frozen):
    return build_world()


def consultation_data(**overrides) -> dict:
    data = {"held_on": date(2027, 3, 15), "format": "in_person", "topic": "rights", "duration_minutes": 45,
            "client_type": "patient", "is_repeat": False, "note": "Разговор о правах на льготные лекарства."}
    data.update(overrides)
    return data


def bulk_cohort(organiser, count: int, consultations_each: int = 0) -> QuotaPlan:
    """A big cohort without the services' per-row cost: rows for registrations and consultations
    (the rules are tested elsewhere), the plan and the quotas through the services."""
    event = make_event(actor=organiser, days=1, start=SEMINAR_START, capacity=None, attendance_threshold=0)
    curator = make_user(roles=(Role.CURATOR,))
    users = make_trainees(count)
    db.session.add_all([Registration(event_id=event.id, user_id=u.id, status=RegistrationStatus.CONFIRMED,
                                     region_code=u.region_code) for u in users])
    db.session.commit()
    move_to(date(2027, 4, 20))
    plan = services.save_plan(event, {**PLAN_DATA, "curators": [curator.id]}, organiser)
    services.spread_curators(plan, organiser)
    quotas = db.session.query(ConsultationQuota).filter_by(plan_id=plan.id).all()
    rows = []
    for quota in quotas:
        for n in range(consultations_each):
            rows.append(Consultation(quota_id=quota.id, held_on=WINDOW[0] + timedelta(days=n % 40), format="phone",
                                     duration_minutes=30, client_type="patient",
                                     review_state=(ReviewState.ACCEPTED, ReviewState.SUBMITTED)[n % 2]))
    db.session.add_all(rows)
    db.session.commit()
    return plan

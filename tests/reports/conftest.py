"""A hand-built programme whose every computed fact is known (see KNOWN below).

Rows are built directly (events, sessions, registrations, check-ins, trip results): the rules that
produce them are tested in their own areas; here only the counting is under test.
"""
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from app import clock
from app.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from app.events.models import Event, EventKind, EventStatus, Session, TripDetails, TripResult, TripService
from app.extensions import db
from app.programmes.models import Programme, Stage
from app.registrations.models import CheckIn, Registration, RegistrationHistory, RegistrationStatus

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
S = RegistrationStatus


@pytest.fixture
def frozen():
    with clock.frozen_at(NOW):
        yield NOW


def make_organiser(email="olga@example.org", role=Role.ORGANISER):
    from tests.factories import make_user

    return make_user(email, roles=(role,), full_name="Ольга Миронова")


def event_row(programme, kind, title, first_day: date, days=1, status=EventStatus.PUBLISHED, region="RU-SAM",
              threshold=75):
    start = datetime(first_day.year, first_day.month, first_day.day, 6, 0, tzinfo=UTC)
    event = Event(programme_id=programme.id if programme else None, kind=kind, title=title, status=status,
                  timezone="Europe/Samara", region_code=region, attendance_threshold=threshold,
                  starts_at=start, ends_at=start + timedelta(days=days - 1, hours=8),
                  starts_on=first_day, ends_on=first_day + timedelta(days=days - 1))
    event.sessions = [Session(starts_at=start + timedelta(days=n), ends_at=start + timedelta(days=n, hours=8))
                      for n in range(days)]
    if kind == EventKind.OUTREACH_TRIP:
        event.trip = TripDetails(settlement="с. Пригорское", services=["checkups", "lectures"])
    db.session.add(event)
    db.session.flush()
    return event


def register(event, user, status=S.CONFIRMED, checked_in=0, organisation=None, converted=False):
    registration = Registration(event_id=event.id, user_id=user.id, status=status, region_code=user.region_code,
                                organisation_id=(organisation or user.organisation_id and user.organisation_id))
    db.session.add(registration)
    db.session.flush()
    for session in event.sessions[:checked_in]:
        db.session.add(CheckIn(registration_id=registration.id, session_id=session.id))
    if converted:
        registration.history = [
            RegistrationHistory(from_status=None, to_status=S.WAITLISTED),
            RegistrationHistory(from_status=S.WAITLISTED, to_status=S.OFFERED),
            RegistrationHistory(from_status=S.OFFERED, to_status=S.CONFIRMED),
        ]
    return registration


_serial = itertools.count(1)


def people(count_by_region: list[tuple[str, Organisation | None]]):
    users = []
    for region, organisation in count_by_region:
        n = next(_serial)
        user = User(email=f"p{n}-{region.lower()}@example.org", full_name=f"Участник {n}", region_code=region,
                    organisation_id=organisation.id if organisation else None, locale="ru")
        user.role_rows = [UserRole(role=Role.TRAINEE)]
        users.append(user)
    db.session.add_all(users)
    db.session.flush()
    return users


class Known:
    """The answers for the `known` data set."""

    trainees_trained = 3
    participants = 5
    regions_covered = 3
    organisations_covered = 3
    events_held = 4
    sessions_held = 6
    people_served = 146
    registrations = 10
    waitlist_conversions = 1
    # No quota plans or certificates in this set (test_outcome_sources.py adds them).
    consultations_accepted = 0
    quotas_met = 0
    certificates_issued = 0
    # No self-help groups either (tests/events/test_groups.py counts their meetings and attendance).
    group_meetings_held = 0
    group_meeting_attendance = 0


@pytest.fixture
def known(app, frozen):
    """Programme P (2027) with stages S1 (Jan–Jun) and S2 (Jul–Dec), now = 15 June 2027.

    E1 seminar 1–3 Mar (threshold 100): u1 3/3 ✓, u2 2/3 ✗, u3 3/3 ✓, u4 cancelled, u5 pending.
    E2 webinar 10 May (threshold 75): u1 1/1 ✓ (already counted), u6 0/1 ✗, u4 1/1 ✓ (came off the waitlist).
    E3 seminar 1–2 Aug (future): u2 confirmed, u5 waitlisted.
    E4 cancelled and E5 draft (past, with confirmed, checked-in people): never count.
    T1 trip 20 Apr: checkups 64, lectures 52. T2 trip 1 Jun: checkups 30. T3 trip Sep: no results.
    Programme Q holds a past seminar and a trip with results: never counted for P.
    """
    org_a = Organisation(name="Нефро-Надежда", kind=OrganisationKind.PATIENT_NGO, region_code="RU-SAM", approved=True)
    org_b = Organisation(name="Диабет-Помощь", kind=OrganisationKind.PATIENT_NGO, region_code="RU-SAM", approved=True)
    org_c = Organisation(name="Пензенский союз пациентов", kind=OrganisationKind.PATIENT_NGO, region_code="RU-PNZ",
                         approved=True)
    db.session.add_all([org_a, org_b, org_c])
    db.session.flush()
    p = Programme(title="КПД НКО", funder="Фонд президентских грантов", starts_on=date(2027, 1, 1),
                  ends_on=date(2027, 12, 31), region_codes=[])
    q = Programme(title="Другая программа", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), region_codes=[])
    db.session.add_all([p, q])
    db.session.flush()
    s1 = Stage(programme_id=p.id, number=1, title="Консультирование", starts_on=date(2027, 1, 1),
               ends_on=date(2027, 6, 30))
    s2 = Stage(programme_id=p.id, number=2, title="Комьюнити", starts_on=date(2027, 7, 1), ends_on=date(2027, 12, 31))
    db.session.add_all([s1, s2])
    u1, u2, u3, u4, u5, u6 = people([("RU-SAM", org_a), ("RU-SAM", org_b), ("RU-PNZ", org_c), ("RU-SMO", org_a),
                                     ("RU-ULY", None), ("RU-PNZ", org_c)])
    seminar, webinar, trip = EventKind.SEMINAR, EventKind.WEBINAR, EventKind.OUTREACH_TRIP
    e1 = event_row(p, seminar, "Семинар 1", date(2027, 3, 1), days=3, threshold=100)
    e2 = event_row(p, webinar, "Вебинар 1", date(2027, 5, 10), threshold=75)
    e3 = event_row(p, seminar, "Семинар 2", date(2027, 8, 1), days=2)
    e4 = event_row(p, seminar, "Отменённый семинар", date(2027, 4, 1), status=EventStatus.CANCELLED)
    e5 = event_row(p, seminar, "Черновик", date(2027, 4, 5), status=EventStatus.DRAFT)
    t1 = event_row(p, trip, "#ДоброВСело: Пригорское", date(2027, 4, 20), region="RU-SMO")
    t2 = event_row(p, trip, "#ДоброВСело: Глинка", date(2027, 6, 1), region="RU-SMO")
    event_row(p, trip, "#ДоброВСело: Кардымово", date(2027, 9, 10), region="RU-SMO")
    qe = event_row(q, seminar, "Чужой семинар", date(2027, 3, 1))
    qt = event_row(q, trip, "Чужой выезд", date(2027, 3, 2), region="RU-SMO")
    register(e1, u1, checked_in=3)
    register(e1, u2, checked_in=2)
    register(e1, u3, checked_in=3)
    register(e1, u4, status=S.CANCELLED)
    register(e1, u5, status=S.PENDING)
    register(e2, u1, checked_in=1)
    register(e2, u6, checked_in=0)
    register(e2, u4, checked_in=1, converted=True)
    register(e3, u2)
    register(e3, u5, status=S.WAITLISTED)
    for event in (e4, e5, qe):
        register(event, u6, checked_in=1)
        register(event, u5, checked_in=1, converted=True)
    db.session.add_all([
        TripResult(event_id=t1.id, service=TripService.CHECKUPS, people_served=64),
        TripResult(event_id=t1.id, service=TripService.LECTURES, people_served=52),
        TripResult(event_id=t2.id, service=TripService.CHECKUPS, people_served=30),
        TripResult(event_id=qt.id, service=TripService.CHECKUPS, people_served=100),
    ])
    db.session.commit()
    return {"programme": p, "other": q, "stages": (s1, s2), "events": (e1, e2, e3, e4, e5, t1, t2),
            "users": (u1, u2, u3, u4, u5, u6), "orgs": (org_a, org_b, org_c)}

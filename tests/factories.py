"""Plain helpers that build valid objects through the services (no mocks of our own code)."""
import itertools

from app.accounts import services as accounts
from app.accounts.models import Organisation, OrganisationKind, Role
from app.extensions import db

_counter = itertools.count(1)


def make_organisation(name: str | None = None, region_code: str = "RU-SAM",
                      kind: OrganisationKind = OrganisationKind.PATIENT_NGO) -> Organisation:
    organisation = Organisation(name=name or f"Организация {next(_counter)}", kind=kind,
                                region_code=region_code, approved=True)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_user(email: str | None = None, *, roles=(Role.TRAINEE,), full_name: str | None = None,
              region_code: str = "RU-SAM", organisation: Organisation | None = None,
              password: str = "password123", locale: str = "ru"):
    n = next(_counter)
    user = accounts.build_user(
        email=email or f"user{n}@example.org",
        password=password,
        full_name=full_name or f"Участник {n}",
        organisation_id=organisation.id if organisation else None,
        region_code=region_code,
        locale=locale,
        roles=roles,
    )
    db.session.commit()
    return user


# --- calendar feeds (H5): events through the events service, registrations as rows ---------------

def make_calendar_event(*, title: str = "Школа пациентских лидеров", kind: str = "seminar",
                        timezone: str = "Europe/Samara", sessions=None, status: str = "published",
                        actor=None, **fields):
    """An event made by app.events.services.create_event; `sessions` are (start, end, title) with
    naive local times in `timezone` or aware datetimes. Defaults: a one-day seminar in Samara."""
    from datetime import datetime

    from app.events import services as events

    sessions = sessions or [(datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 18), "")]
    data = {
        "kind": kind, "title": title, "timezone": timezone, "status": status, "language": "ru",
        "description": "Занятия для лидеров пациентских организаций.",
        "sessions": [{"start": start.isoformat(), "end": end.isoformat(), "title": name}
                     for start, end, name in sessions],
    }
    if kind == "seminar":
        data.update(venue="Гостиница «Волга»", address="Самара, ул. Молодогвардейская, 204")
    if kind == "webinar":
        data.update(online_url="https://meet.example.org/join/secret-room-42")
    if kind == "outreach_trip":
        data.update(region_code="RU-SAM", trip={"settlement": "с. Кошки", "district": "Кошкинский район"})
    data.update(fields)
    return events.create_event(actor, data)


def make_calendar_registration(user, event, status: str = "confirmed", offer_expires_at=None):
    """A registration row in a given state (the registrations area's rules are tested there)."""
    from app.registrations.models import Registration, RegistrationStatus

    registration = Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus(status),
                                region_code=user.region_code, offer_expires_at=offer_expires_at)
    db.session.add(registration)
    db.session.commit()
    return registration


# --- registrations (H4): events through the events service, registrations through ours ----------

def make_event(*, title: str = "Школа пациентских лидеров", kind: str = "seminar", capacity: int | None = 30,
               days: int = 1, start=None, timezone: str = "Europe/Samara", status: str = "published",
               actor=None, **fields):
    """A published event (app.events.services.create_event) of `days` daily sessions 09:00–18:00
    local time, starting `start` (aware) or ten days from the clock's now."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from app import clock
    from app.events import services as events

    tz = ZoneInfo(timezone)
    first = start or (clock.now().astimezone(tz) + timedelta(days=10)).replace(hour=9, minute=0, second=0,
                                                                              microsecond=0)
    data = {
        "kind": kind, "title": title, "timezone": timezone, "status": status, "language": "ru",
        "capacity": capacity, "description": "Обучение лидеров пациентских организаций.",
        "sessions": [{"start": (first + timedelta(days=n)).isoformat(),
                      "end": (first + timedelta(days=n, hours=9)).isoformat(), "title": f"День {n + 1}"}
                     for n in range(days)],
    }
    if kind == "seminar":
        data.update(venue="Гостиница «Волга»", address="Самара, ул. Молодогвардейская, 204")
    if kind == "webinar":
        data.update(online_url="https://meet.example.org/join/secret-room-42")
    if kind == "outreach_trip":
        data.update(region_code="RU-SAM", trip={"settlement": "с. Кошки", "district": "Кошкинский район"})
    data.update(fields)
    return events.create_event(actor, data)


def make_trainees(count: int, *, region_code: str = "RU-SAM", organisation=None, prefix: str = "t"):
    """Many trainees at once, without password hashing (they never log in)."""
    from app.accounts.models import Role, User, UserRole

    users = []
    for _ in range(count):
        n = next(_counter)
        user = User(email=f"{prefix}{n}@example.org", password_hash=None, full_name=f"Слушатель {n}",
                    region_code=region_code, organisation_id=organisation.id if organisation else None,
                    locale="ru")
        user.role_rows = [UserRole(role=Role.TRAINEE)]
        users.append(user)
    db.session.add_all(users)
    db.session.commit()
    return users

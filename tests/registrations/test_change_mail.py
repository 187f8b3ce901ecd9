"""One definition of "time or place changed" (events owns it): every change of each such field of
each kind mails each confirmed, offered and waitlisted registrant exactly once, in their language."""
from datetime import timedelta

import pytest

from app import clock
from app.events import services as events
from app.registrations import services
from app.registrations.models import RegistrationStatus as S
from tests.factories import make_event, make_user

SUBJECT = {"ru": "Изменения в мероприятии: ", "en": "The event has changed: "}


def _moved_sessions(event) -> list[dict]:
    return [{"start": (s.starts_at + timedelta(hours=1)).isoformat(), "end": (s.ends_at + timedelta(hours=1)).isoformat(),
             "title": s.title} for s in event.sessions]


CHANGES = [
    ("seminar", "sessions", lambda e: {"sessions": _moved_sessions(e)}),
    ("seminar", "venue", lambda e: {"venue": "Дом дружбы"}),
    ("seminar", "address", lambda e: {"address": "Самара, ул. Ленинградская, 1"}),
    ("webinar", "sessions", lambda e: {"sessions": _moved_sessions(e)}),
    ("webinar", "online_url", lambda e: {"online_url": "https://meet.example.org/join/new-room"}),
    ("round_table", "venue", lambda e: {"venue": "Библиотека им. Ленина"}),
    ("outreach_trip", "sessions", lambda e: {"sessions": _moved_sessions(e)}),
    ("outreach_trip", "trip.settlement", lambda e: {"trip": {"settlement": "с. Подбельск"}}),
    ("outreach_trip", "trip.departure_point", lambda e: {"trip": {"departure_point": "Самара, СамГМУ"}}),
    ("outreach_trip", "trip.departure_at",
     lambda e: {"trip": {"departure_at": (e.starts_at - timedelta(hours=2)).isoformat()}}),
]


@pytest.mark.parametrize(("kind", "field", "change"), CHANGES, ids=[f"{k}-{f}" for k, f, _ in CHANGES])
def test_a_time_or_place_change_mails_every_live_registrant_once_in_their_language(app, mail_outbox, kind, field,
                                                                                     change):
    organiser = make_user(email="organiser@example.org", locale="ru")
    extra = {
        "outreach_trip": {"trip": {"settlement": "с. Кошки", "district": "Кошкинский район", "departure_point": "Самара",
                                   "departure_at": (clock.now() + timedelta(days=10)).isoformat()}},
        "round_table": {"venue": "Самарская областная библиотека"},
    }.get(kind, {})
    event = make_event(kind=kind, capacity=2, actor=organiser, **extra)
    people = {name: make_user(email=f"{name}@example.org", locale=locale)
              for name, locale in (("anna", "ru"), ("boris", "en"), ("clara", "ru"), ("dmitri", "en"))}
    for person in people.values():
        services.register(event.id, person)
    services.cancel(services.registration_of(event, people["boris"]), people["boris"])
    statuses = {name: services.registration_of(event, p).status for name, p in people.items()}
    assert statuses == {"anna": S.CONFIRMED, "boris": S.CANCELLED, "clara": S.OFFERED, "dmitri": S.WAITLISTED}
    mail_outbox.clear()

    sequence = event.sequence
    events.update_event(event, organiser, change(event))

    assert event.sequence == sequence + 1
    got = sorted((m["To"].addresses[0].addr_spec, m["Subject"]) for m in mail_outbox)
    assert got == sorted((f"{name}@example.org", SUBJECT[people[name].locale] + event.title)
                         for name in ("anna", "clara", "dmitri")), field


def test_a_change_that_moves_nothing_mails_nobody(app, mail_outbox):
    organiser = make_user(email="organiser@example.org")
    event = make_event(capacity=2, actor=organiser)
    services.register(event.id, make_user(email="anna@example.org"))
    mail_outbox.clear()
    events.update_event(event, organiser, {"description": "Новая программа семинара."})
    assert mail_outbox == []

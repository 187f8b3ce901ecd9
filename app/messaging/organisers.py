"""What organisers hear about their events: the registrations area announces it (an outbox row on
`registrations.organisers`), and here, in the worker, each organiser gets it as they chose: a mail at
once, a row for the daily digest, or nothing (their preferences, app/messaging/models.py).

The mail rows and digest rows are written in the unit of work that marks the announcement delivered,
so a repeated delivery never tells anyone twice.
"""
from sqlalchemy import select

from app import clock
from app.accounts.models import Role
from app.events.models import Event
from app.extensions import db
from app.messaging.models import DEFAULT_DELIVERY, Delivery, DigestItem, OrganiserPreference, OrganiserTopic
from app.outbox import services as outbox
from app.registrations.models import Registration

MAIL_TOPIC = "messaging.mail"


def event_organisers(event) -> list:
    """Who organises the event: its creator and its programme's organisers, active and still organisers
    (admins may edit every event but are not mailed about each one)."""
    people = {o.id: o for o in (event.programme.organisers if event.programme is not None else [])}
    if event.created_by is not None:
        people[event.created_by.id] = event.created_by
    return [people[i] for i in sorted(people) if people[i].active and people[i].has_role(Role.ORGANISER)]


def deliveries(user_ids: list[int], topic: OrganiserTopic) -> dict[int, Delivery]:
    """Each organiser's choice for `topic` (at once when they never chose)."""
    chosen = dict(db.session.execute(
        select(OrganiserPreference.user_id, OrganiserPreference.delivery)
        .where(OrganiserPreference.user_id.in_(user_ids), OrganiserPreference.topic == topic)
    ).all()) if user_ids else {}
    return {user_id: chosen.get(user_id, DEFAULT_DELIVERY) for user_id in user_ids}


def _details(event: Event, topic: OrganiserTopic, registration: Registration | None, given: dict) -> dict:
    """Plain values the notice shows: whose registration it is about, the capacity of a full event."""
    details = {key: value for key, value in given.items() if isinstance(value, str | int | float | bool)}
    if registration is not None:
        details.setdefault("name", registration.user.full_name)
        details.setdefault("email", registration.user.email)
        details.setdefault("registration_id", registration.id)
    if topic == OrganiserTopic.EVENT_FULL:
        details.setdefault("capacity", event.capacity)
    return details


def tell(payload: dict) -> int:
    """Deliver one announcement to the event's organisers; return how many were told (at once or by digest)."""
    event = db.session.get(Event, payload["event_id"])
    if event is None:
        return 0
    topic = OrganiserTopic(payload["about"])
    registration = db.session.get(Registration, payload["registration_id"]) if payload.get("registration_id") else None
    details = _details(event, topic, registration, payload.get("details") or {})
    organisers = event_organisers(event)
    choices = deliveries([o.id for o in organisers], topic)
    told = 0
    for organiser in organisers:
        delivery = choices[organiser.id]
        if delivery == Delivery.AT_ONCE:
            outbox.emit(MAIL_TOPIC, kind="organiser_notice", user_id=organiser.id, event_id=event.id,
                        about=topic.value, details=details, summary=f"{organiser.email} — {topic.value}")
        elif delivery == Delivery.DIGEST:
            db.session.add(DigestItem(user_id=organiser.id, event_id=event.id, topic=topic, details=details,
                                      created_at=clock.now()))
        else:
            continue
        told += 1
    return told

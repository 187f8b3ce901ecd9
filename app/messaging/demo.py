"""Demo messaging (seed-demo): the organiser reads new applications in the daily digest (the rest at once)
and has written once to the first seminar's confirmed participants. Idempotent like the rest of the demo:
a message with this subject is sent only once."""
from sqlalchemy import select

from app.accounts.models import User
from app.events.models import Event
from app.extensions import db
from app.messaging import services
from app.messaging.models import EventMessage

SUBJECT = "«{event}»: как добраться и что взять с собой"
BODY = """Здравствуйте, {name}!

Напоминаем: семинар начинается {starts}. Трансфер от вокзала — в 9:00, у главного входа.
Возьмите паспорт (для заселения) и распечатанный билет или откройте его в телефоне.

Программа и материалы: {event_url}

До встречи!
Ольга Миронова, организатор"""


def seed_preferences(organiser: User) -> None:
    """Thirty leaders apply to the first seminar: the organiser wants them in one digest, not thirty mails."""
    services.save_preferences(organiser, {"application": "digest"})


def seed_message(event: Event, organiser: User, note) -> EventMessage:
    """Write to the seminar's confirmed participants (once)."""
    existing = db.session.execute(
        select(EventMessage).where(EventMessage.event_id == event.id, EventMessage.subject == SUBJECT)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    message = services.send(event, organiser, services.Audience(statuses=["confirmed"]), SUBJECT, BODY)
    note(f"message to {message.recipient_count} participants of {event.title}")
    return message

"""The day-before reminder to confirmed participants."""
from datetime import timedelta

from sqlalchemy import select, update

from app import clock
from app.events.models import Event, EventStatus
from app.extensions import BULK, db
from app.outbox import services as outbox
from app.registrations.models import Registration
from app.registrations.states import MAIL_TOPIC, S, unit


def send_reminders() -> int:
    """Mail confirmed participants the day before the first session; each one once (idempotent).

    The claim is a conditional UPDATE (reminder_sent_at IS NULL) in the same unit of work as the
    mail's outbox row, so two runs at once never send twice and a claimed reminder is never lost.
    """
    now = clock.now()
    with unit():
        candidates = db.session.execute(
        select(Registration.id).join(Event, Event.id == Registration.event_id).where(
            Registration.status == S.CONFIRMED, Registration.reminder_sent_at.is_(None),
            Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=1),
        )
        ).scalars().all()
    sent = 0
    for registration_id in candidates:
        with unit():
            claimed = db.session.execute(
                update(Registration).where(Registration.id == registration_id,
                                           Registration.reminder_sent_at.is_(None),
                                           Registration.status == S.CONFIRMED)
                .values(reminder_sent_at=now).execution_options(synchronize_session=False)
            ).rowcount
            if claimed:
                outbox.emit(MAIL_TOPIC, queue=BULK, kind="reminder", registration_id=registration_id, extra={},
                            summary=f"reminder #{registration_id}")
                sent += 1
    return sent

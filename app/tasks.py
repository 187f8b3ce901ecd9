"""Huey tasks: thin wrappers that call services. Arguments are ids and plain data only."""
from huey import crontab

from app.extensions import app_periodic_task, app_task
from app.notifications import services as notifications


@app_task(retries=3, retry_delay=60)
def deliver_mail(raw_message: str) -> None:
    notifications.deliver(raw_message)


@app_task()
def ping(value: str) -> str:
    """Round-trip check for the job backend (used by the health tests)."""
    return f"pong:{value}"


# --- registrations: waitlist offers run out, reminders the day before ------------------------

@app_periodic_task(crontab(minute="*/5"))
def expire_registration_offers() -> int:
    """Expired offers pass their seats on even when nobody touches the event (STYLE rule 10)."""
    from app.registrations import services as registrations

    return registrations.expire_offers()


@app_periodic_task(crontab(minute="*/15"))
def send_registration_reminders() -> int:
    """Reminder mail the day before an event's first session; each registration once."""
    from app.registrations import services as registrations

    return registrations.send_reminders()


@app_task(retries=2, retry_delay=60)
def send_registration_mail(kind: str, registration_id: int, extra: dict) -> None:
    """Compose one registration mail in the recipient's language (queued after the commit)."""
    from app.registrations import mail

    mail.send(kind, registration_id, **extra)


@app_task(retries=3, retry_delay=30)
def deliver_outbox_message(topic: str, payload: dict) -> None:
    """STAND-IN for the seam's outbox worker (issue 9)."""
    from app.outbox import services as outbox

    outbox.deliver(topic, payload)

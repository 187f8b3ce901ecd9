"""The registrations area's jobs: offers running out, reminders, and its mail from the outbox."""
from huey import crontab

from app.extensions import BULK, INTERACTIVE, app_periodic_task
from app.notifications.services import Mail, mail_handler
from app.registrations import mail, services


@app_periodic_task(crontab(minute="*/5"), queue=INTERACTIVE)
def expire_registration_offers() -> int:
    """Expired offers pass their seats on even when nobody touches the event (STYLE rule 10); on the
    interactive queue, since the next person on the waitlist is waiting for that seat."""
    return services.expire_offers()


@app_periodic_task(crontab(minute="*/15"), queue=BULK)
def send_registration_reminders() -> int:
    """Reminder mail the day before an event's first session; each registration once."""
    return services.send_reminders()


@mail_handler(services.MAIL_TOPIC, queue=INTERACTIVE)
def registration_mail(payload: dict) -> Mail | None:
    return mail.build(payload["kind"], payload["registration_id"], **payload.get("extra", {}))

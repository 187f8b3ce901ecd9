"""The quotas area's jobs: the morning follow-up (pace, tasks, reminders) and its mail from the outbox."""
from huey import crontab

from app.extensions import BULK, INTERACTIVE, app_periodic_task
from app.notifications.services import Mail, mail_handler
from app.quotas import followup, mail
from app.quotas.base import MAIL_TOPIC


@app_periodic_task(crontab(hour="5", minute="30"), queue=BULK)
def send_quota_reminders() -> None:
    """Every morning: pace check, curator tasks, catch-up requests, reminders, curator digests."""
    followup.send_reminders()


@mail_handler(MAIL_TOPIC, queue=INTERACTIVE)
def quota_mail(payload: dict) -> Mail | None:
    return mail.build(payload)

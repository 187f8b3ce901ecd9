"""The messaging area's jobs: fanning a message out to its recipients, telling organisers what the
registrations area announced, the organisers' daily digest, and the area's mail from the outbox.

Fan-out, the digest and each participant's copy of a message are bulk work; an organiser's notice (a new
application waits for approval) is interactive (app/messaging/services.py and organisers.py choose
per mail)."""
from huey import crontab

from app.extensions import BULK, INTERACTIVE, app_periodic_task
from app.messaging import mail, organisers, services
from app.notifications.services import Mail, mail_handler
from app.outbox import services as outbox
from app.registrations.services import ORGANISERS_TOPIC


@outbox.handler(services.FAN_OUT_TOPIC, queue=BULK)
def fan_out_message(payload: dict) -> None:
    services.fan_out(payload["message_id"])


@outbox.handler(ORGANISERS_TOPIC, queue=INTERACTIVE)
def tell_organisers(payload: dict) -> None:
    organisers.tell(payload)


@mail_handler(organisers.MAIL_TOPIC, queue=INTERACTIVE)
def messaging_mail(payload: dict) -> Mail | None:
    return mail.build(payload)


@app_periodic_task(crontab(hour="6", minute="0"), queue=BULK)
def send_organiser_digests() -> int:
    """Every morning (09:00 Moscow): one digest per organiser with something waiting; safe to run twice."""
    return services.send_digests()

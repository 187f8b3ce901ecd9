"""The messaging area's jobs: fanning a message out to its recipients, and the organisers' daily digest."""
from huey import crontab

from app.extensions import app_periodic_task
from app.messaging import services
from app.outbox import services as outbox


@outbox.handler(services.FAN_OUT_TOPIC)
def fan_out_message(payload: dict) -> None:
    services.fan_out(payload["message_id"])


@app_periodic_task(crontab(hour="6", minute="0"))
def send_organiser_digests() -> int:
    """Every morning (09:00 Moscow): one digest per organiser with something waiting; safe to run twice."""
    return services.send_digests()

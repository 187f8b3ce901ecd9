"""Delivery of rendered mail from the outbox."""
from app.notifications import services as notifications
from app.outbox import services as outbox


@outbox.handler(notifications.MAIL_TOPIC)
def deliver_rendered_mail(payload: dict) -> None:
    notifications.deliver(payload["raw"])

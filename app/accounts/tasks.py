"""The accounts area's mail from the outbox (composed at delivery by app.notifications)."""
from app.accounts import mail
from app.extensions import INTERACTIVE
from app.notifications.services import Mail, mail_handler


@mail_handler(mail.MAIL_TOPIC, queue=INTERACTIVE)
def account_mail(payload: dict) -> Mail | None:
    return mail.build(payload)

"""Mail composition and delivery.

Services call `send_mail(...)` / `send_to_user(...)` inside their unit of work: the message is
rendered at once, in the recipient's language (text + HTML from
templates/notifications/<name>.{txt,html}), and written to the outbox with the change, so it
goes if and only if the change commits. The worker delivers it (`deliver`): over SMTP when
MAIL_SERVER is set, otherwise into instance/outbox/*.eml for development.

Mail whose truth can change before delivery (a seat offered, a place confirmed) is not rendered
here: its area emits its own outbox topic, and the area's handler re-reads the state and calls
`deliver_to_user` only if the mail is still true.
"""
import smtplib
import uuid
from dataclasses import dataclass
from email import message_from_string
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app import clock
from app.outbox import services as outbox


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str  # e.g. "text/calendar"


def compose(*, to: str, to_name: str | None, locale: str, template: str, subject,
            context: dict | None = None, attachments: tuple[Attachment, ...] = ()) -> EmailMessage:
    """Render a multipart (text + HTML) message in `locale`."""
    context = dict(context or {})
    with force_locale(locale):
        context.setdefault("base_url", current_app.config["BASE_URL"])
        subject_text = str(subject)
        text_body = render_template(f"notifications/{template}.txt", **context)
        html_body = render_template(f"notifications/{template}.html", subject=subject_text, **context)
    message = EmailMessage()
    message["Subject"] = subject_text
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((to_name, to)) if to_name else to
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain="praktika.local")
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    for attachment in attachments:
        maintype, subtype = attachment.mimetype.split("/", 1)
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    message["Content-Language"] = locale  # after the body: set_content() drops Content-* headers
    return message


MAIL_TOPIC = "notifications.mail"


def send_mail(**compose_args) -> EmailMessage:
    """Compose now and put the message in the outbox of the current unit of work."""
    message = compose(**compose_args)
    outbox.emit(MAIL_TOPIC, raw=message.as_string(policy=SMTP),
                summary=f"{compose_args['to']} — {message['Subject']}")
    return message


def _user_mail(user, template: str, subject, context: dict | None, attachments) -> dict:
    return {"to": user.email, "to_name": user.full_name, "locale": user.locale or "ru", "template": template,
            "subject": subject, "context": {"user": user, **(context or {})}, "attachments": attachments}


def send_to_user(user, *, template: str, subject, context: dict | None = None,
                 attachments: tuple[Attachment, ...] = ()) -> EmailMessage:
    """A mail to one user, written to the outbox with the current change."""
    return send_mail(**_user_mail(user, template, subject, context, attachments))


def deliver_to_user(user, *, template: str, subject, context: dict | None = None,
                    attachments: tuple[Attachment, ...] = ()) -> EmailMessage:
    """Compose and send at once: for outbox handlers, which already run after the commit, in the worker."""
    message = compose(**_user_mail(user, template, subject, context, attachments))
    deliver(message.as_string(policy=SMTP))
    return message


def deliver(raw_message: str) -> None:
    """Hand one serialised message to SMTP, or to the outbox folder when no server is set."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
            message = message_from_string(raw_message)
            smtp.send_message(message)
        return
    outbox = Path(config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{clock.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    (outbox / name).write_text(raw_message, encoding="utf-8")


# --- the event's organisers -------------------------------------------------------------------

ORGANISER_SUBJECTS = {
    "registration_cancelled": lambda title: _l("A registration was cancelled: %(title)s", title=title),
}


def event_organisers(event) -> list:
    """Who organises an event: its author and its programme's organisers (active accounts, each once)."""
    people = [event.created_by] + (list(event.programme.organisers) if event.programme is not None else [])
    seen: set[int] = set()
    organisers = []
    for person in people:
        if person is not None and person.active and person.id not in seen:
            seen.add(person.id)
            organisers.append(person)
    return organisers


def notify_organisers(event, topic: str, **context) -> None:
    """Mail every organiser of `event` about `topic` now, in their language, with the current change
    (templates/notifications/organisers_<topic>.{txt,html})."""
    for organiser in event_organisers(event):
        send_to_user(organiser, template=f"organisers_{topic}", subject=ORGANISER_SUBJECTS[topic](event.title),
                     context={"event": event, "event_url": f"{current_app.config['BASE_URL']}/events/{event.id}",
                              **context})

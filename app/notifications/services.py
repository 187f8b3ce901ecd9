"""Mail composition and delivery.

Services call `send_mail(...)` / `send_to_user(...)` inside their unit of work: the message is
rendered at once, in the recipient's language (text + HTML from
templates/notifications/<name>.{txt,html}), and written to the outbox with the change, so it
goes if and only if the change commits. The worker delivers it (`deliver`): over SMTP when
MAIL_SERVER is set, otherwise into instance/outbox/*.eml for development.

Organisers are told about their events (`notify_organisers`): at once, in a daily digest (rows
sent by app/messaging), or not at all, per organiser and topic (their preferences, app/messaging).

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
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.messaging import notices
from app.messaging.models import (
    DEFAULT_DELIVERY,
    Delivery,
    DigestItem,
    OrganiserPreference,
    OrganiserTopic,
)
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage
from app.permissions import ORGANISER


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
    return _queue(compose_args)[0]


def _queue(compose_args: dict) -> tuple[EmailMessage, OutboxMessage]:
    message = compose(**compose_args)
    row = outbox.emit(MAIL_TOPIC, raw=message.as_string(policy=SMTP),
                      summary=f"{compose_args['to']} — {message['Subject']}")
    return message, row


def _user_mail(user, template: str, subject, context: dict | None, attachments) -> dict:
    return {"to": user.email, "to_name": user.full_name, "locale": user.locale or "ru", "template": template,
            "subject": subject, "context": {"user": user, **(context or {})}, "attachments": attachments}


def send_to_user(user, *, template: str, subject, context: dict | None = None,
                 attachments: tuple[Attachment, ...] = ()) -> EmailMessage:
    """A mail to one user, written to the outbox with the current change."""
    return send_mail(**_user_mail(user, template, subject, context, attachments))


def queue_to_user(user, *, template: str, subject, context: dict | None = None) -> OutboxMessage:
    """Like send_to_user, but return the outbox row, whose state tells whether the mail has gone."""
    return _queue(_user_mail(user, template, subject, context, ()))[1]


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


# --- telling organisers ------------------------------------------------------------------------

def event_organisers(event) -> list:
    """Who organises the event: its creator and its programme's organisers, active and still organisers
    (admins may edit every event but are not mailed about each one)."""
    people = {o.id: o for o in (event.programme.organisers if event.programme is not None else [])}
    if event.created_by is not None:
        people[event.created_by.id] = event.created_by
    return [people[i] for i in sorted(people) if people[i].active and people[i].has_role(ORGANISER)]


def deliveries(user_ids: list[int], topic: OrganiserTopic) -> dict[int, Delivery]:
    """Each organiser's choice for `topic` (at once when they never chose)."""
    chosen = dict(db.session.execute(
        select(OrganiserPreference.user_id, OrganiserPreference.delivery)
        .where(OrganiserPreference.user_id.in_(user_ids), OrganiserPreference.topic == topic)
    ).all()) if user_ids else {}
    return {user_id: chosen.get(user_id, DEFAULT_DELIVERY) for user_id in user_ids}


def notify_organisers(event, topic, **context) -> int:
    """Tell the event's organisers that `topic` happened (inside the caller's unit of work).

    Topics: application, cancellation, event_full, offer_expired (app.messaging.models.OrganiserTopic).
    Context: `registration=` (whose person it is about) and/or plain values (`name=`, `capacity=`).
    Each organiser gets a mail at once, a row for the daily digest, or nothing, as they chose.
    Returns how many organisers were told (at once or by digest).
    """
    topic = OrganiserTopic(topic)
    details = {key: value for key, value in context.items() if isinstance(value, str | int | float | bool)}
    registration = context.get("registration")
    if registration is not None:
        details.setdefault("name", registration.user.full_name)
        details.setdefault("email", registration.user.email)
        details.setdefault("registration_id", registration.id)
    if topic == OrganiserTopic.EVENT_FULL:
        details.setdefault("capacity", event.capacity)
    organisers = event_organisers(event)
    choices = deliveries([o.id for o in organisers], topic)
    told = 0
    for organiser in organisers:
        delivery = choices[organiser.id]
        if delivery == Delivery.AT_ONCE:
            base_url = current_app.config["BASE_URL"]
            send_to_user(organiser, template="messaging_organiser_notice", subject=notices.SUBJECTS[topic](event.title),
                         context={"event": event, "line": notices.line(topic, details),
                                  "facts": notices.facts(details),
                                  "manage_url": base_url + notices.manage_path(topic, event.id),
                                  "preferences_url": f"{base_url}/manage/notifications"})
        elif delivery == Delivery.DIGEST:
            db.session.add(DigestItem(user_id=organiser.id, event_id=event.id, topic=topic, details=details,
                                      created_at=clock.now()))
        else:
            continue
        told += 1
    return told

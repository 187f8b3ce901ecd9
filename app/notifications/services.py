"""Mail: composed in one place, at delivery, from ids.

A service that causes a mail writes an outbox row inside its unit of work: its area's mail topic, a
kind and the ids the mail is about (`outbox.emit("registrations.mail", kind=..., registration_id=...)`),
so the mail exists if and only if the change commits, and nothing is rendered while the change holds
its locks. When the worker delivers the row, the area's builder (registered with `mail_handler(topic)`
in the area's tasks.py) reads the current data and returns a `Mail`, or None when what the mail would
say is no longer true. `compose` renders it (text + HTML from templates/notifications/<template>.*) in
the recipient's language, and it goes over SMTP when MAIL_SERVER is set, otherwise into
instance/outbox/*.eml for development.

- Delivery is at least once: the SMTP hand-over happens inside the unit of work that marks the row
  sent, so a worker that dies in between sends the mail again. The Message-ID is fixed per outbox row
  (`message_id`), so a repeat carries the same Message-ID and can be told apart.
- Recipients come from the account record only: the To header is built from an `Address` (display
  name + address), and the SMTP envelope names the account's address explicitly, so nothing a person
  types into their name can add a recipient.
- Anonymised and disabled accounts are never mailed (`is_mailable`), whatever the kind of mail.
- Every value put into the HTML part is escaped, translated strings made in Python (lazy strings with
  interpolated titles and names) included: Jinja's finalize makes them plain text (app/core/i18n.py).
"""
import logging
import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from app import clock
from app.extensions import INTERACTIVE, db
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage

log = logging.getLogger(__name__)


class _MailPolicy(EmailPolicy):
    """The standard policy, except that a non-ASCII Subject is folded by email.header.Header.

    The standard folder splits a long Cyrillic subject into encoded words with the space between two
    words outside them, and readers drop whitespace between encoded words (RFC 2047 §6.2):
    "деятельности пациентской" arrived as "деятельностипациентской". Header keeps every space inside
    an encoded word.
    """

    def _folded_subject(self, name: str, value) -> str:
        encoded = Header(str(value), "utf-8", header_name=name, maxlinelen=self.max_line_length)
        return f"{name}: {encoded.encode(linesep=self.linesep)}{self.linesep}"

    def fold(self, name, value):
        if name.lower() == "subject" and not str(value).isascii():
            return self._folded_subject(name, value)
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if name.lower() == "subject" and not str(value).isascii():
            return self._folded_subject(name, value).encode("ascii")
        return super().fold_binary(name, value)


MAIL_POLICY = _MailPolicy(linesep="\r\n")

# RFC 2606 reserves .invalid: an anonymised account's placeholder address ends so (app/accounts/privacy.py).
UNDELIVERABLE_SUFFIX = ".invalid"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str  # e.g. "text/calendar"


@dataclass(frozen=True)
class Mail:
    """One mail to one account, as a builder describes it; `compose` renders it.

    `to` is the account (anything with email, full_name, locale, active): its address is the only
    recipient. `subject` may be a lazy string: it is rendered in the mail's language. `locale` defaults
    to the account's language.
    """

    to: object
    template: str
    subject: object
    context: dict = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    locale: str | None = None


Builder = Callable[[dict], Mail | None]


def mail_handler(topic: str, *, queue: str = INTERACTIVE):
    """Register `build(payload) -> Mail | None` as the delivery of `topic`'s outbox rows, on `queue`
    unless a row's emitter chose otherwise (app/outbox/services.py)."""
    def register(build: Builder) -> Builder:
        def deliver_mail(payload: dict) -> None:
            mail = build(payload)
            if mail is not None:
                send(mail, message_id=message_id(payload["outbox_id"]))

        deliver_mail.__name__ = deliver_mail.__qualname__ = f"deliver_{build.__name__}"
        outbox.handler(topic, queue=queue)(deliver_mail)
        return build

    return register


def message_id(outbox_id: int) -> str:
    """The Message-ID of the mail an outbox row carries: the same on every delivery of that row.

    The row's creation time is part of it, so a database started afresh (ids from 1 again) does not
    repeat the Message-IDs of mail sent from an earlier one.
    """
    row = db.session.get(OutboxMessage, outbox_id)
    stamp = f"{row.created_at:%Y%m%d%H%M%S}" if row is not None else "0"
    return f"<outbox-{outbox_id}.{stamp}@{_domain()}>"


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "praktika.local"


def is_mailable(user) -> bool:
    """An active account with a real address: never an anonymised or disabled one."""
    email = (getattr(user, "email", "") or "").strip()
    return (bool(email) and getattr(user, "active", True) and getattr(user, "deleted_at", None) is None
            and not email.lower().endswith(UNDELIVERABLE_SUFFIX))


def _render(template: str, context: dict) -> str:
    context = dict(context)
    current_app.update_template_context(context)
    return current_app.jinja_env.get_template(template).render(context)


def _recipient(user) -> Address:
    """The To address from the account record: a name cannot add recipients, however it is written."""
    name = " ".join(str(user.full_name or "").split())
    local, _at, domain = user.email.strip().rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def _sender() -> Address:
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    local, _at, domain = address.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def compose(mail: Mail, *, message_id: str | None = None) -> EmailMessage:
    """Render `mail` as a multipart (text + HTML) message in its language."""
    user = mail.to
    locale = mail.locale or getattr(user, "locale", None) or "ru"
    context = {"user": user, "base_url": current_app.config["BASE_URL"], **mail.context}
    with force_locale(locale):
        subject = " ".join(str(mail.subject).split())
        text_body = _render(f"notifications/{mail.template}.txt", context)
        html_body = _render(f"notifications/{mail.template}.html", {**context, "subject": subject})
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    message["From"] = _sender()
    message["To"] = _recipient(user)
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id or f"<preview.{uuid.uuid4().hex}@{_domain()}>"
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    for attachment in mail.attachments:
        maintype, subtype = attachment.mimetype.split("/", 1)
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    message["Content-Language"] = locale  # after the body: set_content() drops Content-* headers
    return message


def send(mail: Mail, *, message_id: str) -> bool:
    """Compose and hand over one mail now (the worker, delivering an outbox row); False when its
    recipient may not be mailed."""
    if not is_mailable(mail.to):
        log.info("mail %s to account %s dropped: anonymised or disabled", mail.template, getattr(mail.to, "id", None))
        return False
    message = compose(mail, message_id=message_id)
    _transmit(message, sender=_sender().addr_spec, recipients=[mail.to.email.strip()])
    return True


def _transmit(message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
    """SMTP with the envelope given explicitly (never re-read from the headers), or the outbox folder."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
            smtp.send_message(message, from_addr=sender, to_addrs=recipients)
        return
    folder = Path(config["MAIL_OUTBOX"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{clock.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_text(message.as_string(), encoding="utf-8")

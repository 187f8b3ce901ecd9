"""Messages to participants, the organisers' notification preferences and their daily digests.

- A message goes to the registrations that match its audience (statuses, region, organisation, team
  role, attended a session or not). `preview` resolves and renders without writing anything; `send`
  writes the message and its recipients in one unit of work with one outbox job, whose handler (after
  the commit, in the worker) renders each recipient's mail in their language and queues it. Each
  recipient keeps its outbox row, so the page shows what was delivered; the mail itself is composed
  when that row is delivered (app/messaging/mail.py).
- Placeholders are a closed set ({name}, {event}, {event_url}, {starts}); they are replaced by plain
  substitution, never `str.format`, so nothing else in the text is interpreted.
- Digest items (written by app/messaging/organisers.py) go out once a day per organiser: the unique
  (organiser, day) row is claimed in the unit of work that writes the mail's outbox row, so a second
  run the same day sends nothing.
"""
import re
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts.models import Organisation, User
from app.accounts.regions import region_name
from app.core.i18n import local_datetime
from app.database import INTEGER_MAX, unit_of_work
from app.errors import FieldErrors, NotFound, ValidationFailed
from app.events.models import Event, TeamRole
from app.extensions import BULK, db
from app.messaging.models import (
    DEFAULT_DELIVERY,
    Delivery,
    DigestItem,
    EventMessage,
    MessageRecipient,
    OrganiserDigest,
    OrganiserPreference,
    OrganiserTopic,
)
from app.messaging.organisers import MAIL_TOPIC
from app.notifications.services import Mail, compose
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage, OutboxState
from app.registrations.models import CheckIn, Registration, RegistrationStatus

S = RegistrationStatus

FAN_OUT_TOPIC = "messaging.fan_out"
MESSAGE_TEMPLATE = "messaging_message"

# The statuses an organiser may write to, in the order the form shows them.
STATUSES = (S.CONFIRMED, S.PENDING, S.WAITLISTED, S.OFFERED, S.CANCELLED)

PLACEHOLDERS = {
    "name": _l("the participant’s full name"),
    "event": _l("the event’s title"),
    "event_url": _l("the link to the event’s page"),
    "starts": _l("when the event starts, in its time zone"),
}
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")

MESSAGES = {
    "nobody": _l("Nobody matches these filters: choose other ones."),
    "attended_needs_session": _l("Choose the session whose attendance you mean."),
    "session_unknown": _l("This session does not belong to the event."),
    "status_unknown": _l("Choose statuses from the list."),
    "role_unknown": _l("This event does not have that team role."),
    "required": _l("Write something here."),
}


@dataclass
class Audience:
    """Who a message is for; empty statuses means every status in STATUSES."""

    statuses: list[str] = field(default_factory=list)
    region: str | None = None
    organisation_id: int | None = None
    role: str | None = None
    session_id: int | None = None
    attended: str | None = None  # "yes" | "no" | None

    def as_dict(self) -> dict:
        return {"statuses": list(self.statuses), "region": self.region, "organisation_id": self.organisation_id,
                "role": self.role, "session_id": self.session_id, "attended": self.attended}


@dataclass
class Preview:
    count: int
    sample: EmailMessage | None
    sample_name: str | None


# --- checking what the organiser wrote -----------------------------------------------------------

MAX_LENGTH = {"subject": 200, "body": 20000}


def _check_text(errors: FieldErrors, name: str, text: str) -> None:
    if not (text or "").strip():
        errors.add(name, MESSAGES["required"])
        return
    if len(text) > MAX_LENGTH[name]:
        errors.add(name, lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", MAX_LENGTH[name]))
        return
    unknown = sorted({f"{{{key}}}" for key in _PLACEHOLDER.findall(text) if key not in PLACEHOLDERS})
    if unknown:
        errors.add(name, _l("Unknown placeholder %(found)s. You can use: %(known)s.", found=", ".join(unknown),
                            known=", ".join(f"{{{key}}}" for key in PLACEHOLDERS)))


def _check_audience(errors: FieldErrors, event: Event, audience: Audience) -> None:
    if any(status not in {s.value for s in STATUSES} for status in audience.statuses):
        errors.add("statuses", MESSAGES["status_unknown"])
    if audience.role and audience.role not in {r.role.value for r in event.team_roles}:
        errors.add("role", MESSAGES["role_unknown"])
    if audience.session_id is not None and audience.session_id not in {s.id for s in event.sessions}:
        errors.add("session", MESSAGES["session_unknown"])
    if audience.attended and audience.session_id is None:
        errors.add("session", MESSAGES["attended_needs_session"])


def check(event: Event, audience: Audience, subject: str, body: str) -> None:
    """Every problem at once, each beside its field."""
    errors = FieldErrors()
    _check_audience(errors, event, audience)
    _check_text(errors, "subject", subject)
    _check_text(errors, "body", body)
    errors.raise_if_any()


# --- who gets it -----------------------------------------------------------------------------------

def recipients(event: Event, audience: Audience) -> list[Registration]:
    """The registrations the audience names (active accounts only), by name."""
    statuses = [S(s) for s in audience.statuses] or list(STATUSES)
    query = select(Registration).join(User, User.id == Registration.user_id).where(
        Registration.event_id == event.id, Registration.status.in_(statuses), User.active
    ).options(selectinload(Registration.user)).order_by(User.full_name, Registration.id)
    if audience.region:
        query = query.where(Registration.region_code == audience.region)
    if audience.organisation_id is not None:
        query = query.where(Registration.organisation_id == audience.organisation_id)
    if audience.role:
        query = query.where(Registration.team_role == TeamRole(audience.role))
    if audience.session_id is not None and audience.attended in ("yes", "no"):
        came = exists().where(CheckIn.registration_id == Registration.id, CheckIn.session_id == audience.session_id)
        query = query.where(came if audience.attended == "yes" else ~came)
    return list(db.session.execute(query).scalars())


# --- rendering -----------------------------------------------------------------------------------

def _values(event: Event, user: User) -> dict[str, str]:
    """What each placeholder stands for in this recipient's mail (dates in their language)."""
    with force_locale(user.locale or "ru"):
        starts = local_datetime(event.starts_at, event.timezone, "short") if event.starts_at else ""
    return {"name": user.full_name, "event": event.text_in(user.locale)["title"],
            "event_url": f"{current_app.config['BASE_URL']}/events/{event.id}", "starts": starts}


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def message_mail(event: Event, user: User, subject: str, body: str) -> Mail:
    """The organiser's message as `user` reads it, placeholders filled in."""
    values = _values(event, user)
    text = fill(body, values)
    return Mail(to=user, template=MESSAGE_TEMPLATE, subject=" ".join(fill(subject, values).split()),
                context={"event": event, "body": text, "paragraphs": paragraphs(text),
                         "event_url": values["event_url"], "user": None})  # the organiser writes the greeting


def paragraphs(text: str) -> list[list[str]]:
    """Blank lines split paragraphs; single line breaks stay line breaks."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [block.split("\n") for block in blocks if block.strip()]


def preview(event: Event, audience: Audience, subject: str, body: str) -> Preview:
    """The count and the first recipient's mail, exactly as it would go; writes nothing."""
    check(event, audience, subject, body)
    people = recipients(event, audience)
    if not people:
        return Preview(0, None, None)
    user = people[0].user
    return Preview(len(people), compose(message_mail(event, user, subject, body)), user.full_name)


# --- sending -------------------------------------------------------------------------------------

def send(event: Event, actor: User, audience: Audience, subject: str, body: str) -> EventMessage:
    """Keep the message and its recipients, and queue one job that mails them after the commit."""
    subject, body = (subject or "").strip(), (body or "").strip()
    check(event, audience, subject, body)
    with unit_of_work():
        people = recipients(event, audience)
        if not people:
            raise ValidationFailed(MESSAGES["nobody"], field="statuses")
        message = EventMessage(event_id=event.id, author_id=actor.id, subject=subject, body=body,
                               audience=audience.as_dict(), recipient_count=len(people), created_at=clock.now())
        message.recipients = [MessageRecipient(user_id=r.user_id) for r in people]
        db.session.add(message)
        db.session.flush()
        outbox.emit(FAN_OUT_TOPIC, message_id=message.id, summary=f"message #{message.id} to {len(people)}")
    return message


def fan_out(message_id: int) -> int:
    """The outbox job: one outbox row per recipient still without one (each composed, in its recipient's
    language, when that row is delivered).

    Runs inside the job's unit of work, so the rows and the job's "done" commit together; a failure
    rolls all of it back and the job is retried.
    """
    message = db.session.get(EventMessage, message_id)
    if message is None:
        return 0
    queued = 0
    for recipient in message.recipients:
        if recipient.outbox_message_id is not None:
            continue
        recipient.outbox_message = outbox.emit(MAIL_TOPIC, queue=BULK, kind="message",
                                               message_id=message.id, user_id=recipient.user_id,
                                               summary=f"{recipient.user.email} — message #{message.id}")
        queued += 1
    return queued


# --- reading --------------------------------------------------------------------------------------

@dataclass
class MessageRow:
    message: EventMessage
    states: Counter


def delivery_state(recipient: MessageRecipient) -> str:
    """"queued" before the job ran, else the outbox row's state ("untracked" once that row is gone,
    e.g. in a restored programme export)."""
    if recipient.outbox_message_id is None:
        return "queued"
    if recipient.outbox_message is None:
        return "untracked"
    return recipient.outbox_message.state.value


# The outbox's states as a message's page names them (the outbox's own labels are for administrators).
DELIVERY_LABELS = {
    "queued": _l("Queued"),
    OutboxState.PENDING.value: _l("Waiting"),
    OutboxState.SENDING.value: _l("Being delivered"),
    OutboxState.SENT.value: _l("Delivered"),
    OutboxState.FAILED.value: _l("Failed"),
    "untracked": _l("No record kept"),
}


def delivery_label(state: str):
    return DELIVERY_LABELS[state]


def messages_of(event: Event) -> list[MessageRow]:
    """The event's messages, newest first, each with how many recipients are in which delivery state
    (one aggregate query, however many recipients)."""
    rows = db.session.execute(
        select(EventMessage).where(EventMessage.event_id == event.id).order_by(EventMessage.id.desc())
        .options(selectinload(EventMessage.author))
    ).scalars().all()
    counts = db.session.execute(
        select(MessageRecipient.message_id, MessageRecipient.outbox_message_id.is_(None), OutboxMessage.state,
               func.count(MessageRecipient.id))
        .join(EventMessage, EventMessage.id == MessageRecipient.message_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == MessageRecipient.outbox_message_id)
        .where(EventMessage.event_id == event.id)
        .group_by(MessageRecipient.message_id, MessageRecipient.outbox_message_id.is_(None), OutboxMessage.state)
    ).all()
    states: dict[int, Counter] = {m.id: Counter() for m in rows}
    for message_id, queued, state, count in counts:
        states[message_id]["queued" if queued else "untracked" if state is None else state.value] += count
    return [MessageRow(m, states[m.id]) for m in rows]


def message_in_event(event: Event, message_id: int) -> EventMessage:
    """A message loaded through its event: an id of another event's message is a 404."""
    if not isinstance(message_id, int) or not 1 <= message_id <= INTEGER_MAX:
        raise NotFound()
    message = db.session.execute(
        select(EventMessage).where(EventMessage.id == message_id, EventMessage.event_id == event.id)
        .options(selectinload(EventMessage.recipients).selectinload(MessageRecipient.user),
                 selectinload(EventMessage.recipients).selectinload(MessageRecipient.outbox_message))
    ).scalar_one_or_none()
    if message is None:
        raise NotFound()
    return message


def describe_audience(event: Event, audience: dict) -> list[tuple]:
    """The filters a message was sent with, as (label, value) pairs for its page."""
    statuses = audience.get("statuses") or [s.value for s in STATUSES]
    described = [(_l("Registration status"), ", ".join(str(S(s).label) for s in statuses))]
    if audience.get("region"):
        described.append((_l("Region"), region_name(audience["region"])))
    if audience.get("organisation_id"):
        organisation = db.session.get(Organisation, audience["organisation_id"])
        described.append((_l("Organisation"), organisation.name if organisation else "—"))
    if audience.get("role"):
        described.append((_l("Team role"), TeamRole(audience["role"]).label))
    session = next((s for s in event.sessions if s.id == audience.get("session_id")), None)
    if session is not None:
        when = session.title or local_datetime(session.starts_at, event.timezone, "short")
        came = {"yes": _l("Attended this session"), "no": _l("Did not attend this session")}
        described.append((_l("Session"), f"{when}: {came.get(audience.get('attended'), _l('Attended or not'))}"))
    return described


# --- organisers' preferences ----------------------------------------------------------------------

def preferences_of(user: User) -> dict[OrganiserTopic, Delivery]:
    chosen = dict(db.session.execute(
        select(OrganiserPreference.topic, OrganiserPreference.delivery).where(OrganiserPreference.user_id == user.id)
    ).all())
    return {topic: chosen.get(topic, DEFAULT_DELIVERY) for topic in OrganiserTopic}


def save_preferences(user: User, choices: dict[str, str]) -> dict[OrganiserTopic, Delivery]:
    """Store one choice per topic; a topic left out keeps its current choice."""
    errors = FieldErrors()
    parsed = {}
    for topic in OrganiserTopic:
        value = choices.get(topic.value)
        if value is None:
            continue
        try:
            parsed[topic] = Delivery(value)
        except ValueError:
            errors.add(topic.value, _l("Choose one of the options."))
    errors.raise_if_any()
    with unit_of_work():
        for topic, delivery in parsed.items():
            row = db.session.get(OrganiserPreference, (user.id, topic))
            if row is None:
                db.session.add(OrganiserPreference(user_id=user.id, topic=topic, delivery=delivery))
            else:
                row.delivery = delivery
    return preferences_of(user)


# --- the daily digest ------------------------------------------------------------------------------

def send_digests() -> int:
    """Mail each organiser with waiting items one digest for today (UTC); safe to run twice."""
    today = clock.now().date()
    with unit_of_work():
        organiser_ids = db.session.execute(
            select(DigestItem.user_id).where(DigestItem.digested_on.is_(None)).distinct().order_by(DigestItem.user_id)
        ).scalars().all()
    sent = 0
    for organiser_id in organiser_ids:
        try:
            sent += _send_digest(organiser_id, today)
        except IntegrityError:  # another run claimed today's digest of this organiser first
            continue
    return sent


def _send_digest(organiser_id: int, today) -> int:
    with unit_of_work():
        already = db.session.execute(
            select(OrganiserDigest.id).where(OrganiserDigest.user_id == organiser_id, OrganiserDigest.day == today)
        ).scalar_one_or_none()
        items = db.session.execute(
            select(DigestItem).where(DigestItem.user_id == organiser_id, DigestItem.digested_on.is_(None))
            .options(selectinload(DigestItem.event)).order_by(DigestItem.event_id, DigestItem.created_at, DigestItem.id)
        ).scalars().all()
        organiser = db.session.get(User, organiser_id)
        if already is not None or not items or organiser is None:
            return 0
        digest = OrganiserDigest(user_id=organiser_id, day=today, sent_at=clock.now())
        db.session.add(digest)
        db.session.flush()  # a second run the same day fails here on the unique (organiser, day) key
        for item in items:
            item.digested_on = today
        if organiser.active:
            outbox.emit(MAIL_TOPIC, queue=BULK, kind="digest", digest_id=digest.id,
                        summary=f"{organiser.email} — digest of {len(items)}")
    return 1

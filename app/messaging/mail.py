"""The messaging area's mail, built by the worker when its outbox row is delivered: an organiser's
message to one participant, a notice to an organiser, an organiser's daily digest."""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.events.models import Event
from app.extensions import db
from app.messaging import notices, services
from app.messaging.models import DigestItem, EventMessage, OrganiserDigest, OrganiserTopic
from app.notifications.services import Mail
from app.registrations.models import Registration


@dataclass
class DigestGroup:
    event: Event
    lines: list
    manage_url: str


def _groups(items: list[DigestItem]) -> list[DigestGroup]:
    base_url = current_app.config["BASE_URL"]
    groups: dict[int, DigestGroup] = {}
    for item in items:
        group = groups.get(item.event_id)
        if group is None:
            group = groups[item.event_id] = DigestGroup(item.event, [], f"{base_url}/manage/events/{item.event_id}"
                                                                         "/registrations")
        group.lines.append((item.created_at, notices.line(item.topic, item.details)))
    return list(groups.values())


def _preferences_url() -> str:
    return f"{current_app.config['BASE_URL']}/manage/notifications"


def _message(payload: dict) -> Mail | None:
    message = db.session.get(EventMessage, payload["message_id"])
    user = db.session.get(User, payload["user_id"])
    if message is None or user is None:
        return None
    muted = db.session.execute(select(Registration.mail_muted).where(
        Registration.event_id == message.event_id, Registration.user_id == user.id)).scalar_one_or_none()
    if muted:  # the participant muted this event's mail (app.registrations.mail.MUTABLE)
        return None
    return services.message_mail(db.session.get(Event, message.event_id), user, message.subject, message.body)


def _organiser_notice(payload: dict) -> Mail | None:
    organiser = db.session.get(User, payload["user_id"])
    event = db.session.get(Event, payload["event_id"])
    if organiser is None or event is None:
        return None
    topic, details = OrganiserTopic(payload["about"]), payload["details"]
    return Mail(to=organiser, template="messaging_organiser_notice", subject=notices.SUBJECTS[topic](event.text_in(organiser.locale)["title"]),
                context={"event": event, "line": notices.line(topic, details), "facts": notices.facts(details),
                         "manage_url": current_app.config["BASE_URL"] + notices.manage_path(topic, event.id),
                         "preferences_url": _preferences_url()})


def _digest(payload: dict) -> Mail | None:
    digest = db.session.get(OrganiserDigest, payload["digest_id"])
    if digest is None:
        return None
    items = db.session.execute(
        select(DigestItem).where(DigestItem.user_id == digest.user_id, DigestItem.digested_on == digest.day)
        .options(selectinload(DigestItem.event)).order_by(DigestItem.event_id, DigestItem.created_at, DigestItem.id)
    ).scalars().all()
    organiser = db.session.get(User, digest.user_id)
    if not items or organiser is None:
        return None
    return Mail(to=organiser, template="messaging_digest",
                subject=lazy_ngettext("%(num)d update on your events", "%(num)d updates on your events", len(items)),
                context={"groups": _groups(items), "count": len(items), "preferences_url": _preferences_url()})


BUILDERS = {"message": _message, "organiser_notice": _organiser_notice, "digest": _digest}


def build(payload: dict) -> Mail | None:
    return BUILDERS[payload["kind"]](payload)

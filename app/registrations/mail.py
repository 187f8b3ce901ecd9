"""Registration mail: composed by the worker from the outbox, in the recipient's language, times in
the event's zone.

Each kind has templates/notifications/registrations_<kind>.{txt,html}. The webinar join link is
put into the context only for confirmed participants, so no other mail can show it. A mail is sent
only while what it says is still true (`STILL_TRUE`): an offer that expired or a registration
cancelled between the change and the delivery sends nothing.
"""
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app import clock
from app.calendar import builders
from app.calendar.items import session_item
from app.events.changes import describe_change
from app.events.models import EventChange, EventStatus
from app.extensions import db
from app.notifications.services import Attachment, deliver_to_user
from app.registrations import services
from app.registrations.models import Registration, RegistrationStatus

S = RegistrationStatus

SUBJECTS = {
    "confirmed": lambda title: _l("Your place is confirmed: %(title)s", title=title),
    "pending": lambda title: _l("Application received: %(title)s", title=title),
    "waitlisted": lambda title: _l("You are on the waitlist: %(title)s", title=title),
    "offered": lambda title: _l("A seat is free for you: %(title)s", title=title),
    "offer_expired": lambda title: _l("Your offer has expired: %(title)s", title=title),
    "rejected": lambda title: _l("Your application was declined: %(title)s", title=title),
    "cancelled_by_organiser": lambda title: _l("Your registration was cancelled: %(title)s", title=title),
    "cancelled": lambda title: _l("You cancelled your registration: %(title)s", title=title),
    "event_changed": lambda title: _l("The event has changed: %(title)s", title=title),
    "event_cancelled": lambda title: _l("The event is cancelled: %(title)s", title=title),
    "event_reinstated": lambda title: _l("The event takes place after all: %(title)s", title=title),
    "reminder": lambda title: _l("Tomorrow: %(title)s", title=title),
}

# What must still hold at delivery for each kind of mail to be true.
STILL_TRUE = {
    "confirmed": lambda r: r.status == S.CONFIRMED,
    "pending": lambda r: r.status == S.PENDING,
    "waitlisted": lambda r: r.status == S.WAITLISTED,
    "offered": lambda r: r.status == S.OFFERED and r.offer_expires_at is not None
    and r.offer_expires_at > clock.now(),
    "offer_expired": lambda r: r.status == S.EXPIRED,
    "rejected": lambda r: r.status == S.REJECTED,
    "cancelled_by_organiser": lambda r: r.status == S.CANCELLED,
    "cancelled": lambda r: r.status == S.CANCELLED,
    "event_changed": lambda r: r.is_live and r.event.status == EventStatus.PUBLISHED,
    "event_cancelled": lambda r: r.event.status == EventStatus.CANCELLED,
    "event_reinstated": lambda r: r.is_live and r.event.status == EventStatus.PUBLISHED,
    "reminder": lambda r: r.status == S.CONFIRMED and r.event.status == EventStatus.PUBLISHED,
}

# Mails that carry the event's calendar file.
WITH_ICS = {"confirmed", "event_changed", "event_cancelled", "event_reinstated", "reminder"}


def event_url(event) -> str:
    return f"{current_app.config['BASE_URL']}/events/{event.id}"


def event_ics(event, join_url: str | None = None) -> bytes:
    """The event as iCalendar: one VEVENT per session, the join link only when given."""
    base_url = current_app.config["BASE_URL"]
    host = base_url.split("://", 1)[-1].split("/", 1)[0]
    total = len(event.sessions)
    items = [session_item(event, session, index, total, base_url=base_url, join_url=join_url)
             for index, session in enumerate(event.sessions, start=1)]
    span = builders.year_span([s.starts_at for s in event.sessions])
    return builders.assemble(builders.head(event.title), builders.timezone_pieces({event.timezone}, span),
                             [builders.vevent(item, host) for item in items])


def send(kind: str, registration_id: int, **extra) -> bool:
    """Compose and send one registration mail if it is still true; return whether it went."""
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration is None or not STILL_TRUE[kind](registration):
        return False
    event, user = registration.event, registration.user
    link = services.join_link_for(registration)
    context = {
        "registration": registration,
        "event": event,
        "tz": event.timezone,
        "event_url": event_url(event),
        "me_url": f"{current_app.config['BASE_URL']}/me",
        "join_link": link,
        "position": services.waitlist_position(registration),
        "sessions": list(event.sessions),
        **extra,
    }
    change = db.session.get(EventChange, extra["change_id"]) if extra.get("change_id") else None
    # What changed, old → new, rendered in the recipient's language and the event's zone (the mail's).
    context["change_fields"] = change.fields if change is not None else {}
    context["describe_change"] = describe_change
    attachments = ()
    if kind in WITH_ICS and event.sessions:
        with force_locale(user.locale or "ru"):
            ics = event_ics(event, link)
        attachments = (Attachment(filename=f"event-{event.id}.ics", content=ics,
                                  mimetype="text/calendar"),)
    deliver_to_user(user, template=f"registrations_{kind}", subject=SUBJECTS[kind](event.title),
                    context=context, attachments=attachments)
    return True

"""Registration mail: built by the worker from the outbox row (`build`), composed by app.notifications
in the recipient's language, times in the event's zone.

Each kind has templates/notifications/registrations_<kind>.{txt,html}. The webinar join link is
put into the context only for confirmed participants, so no other mail can show it. A mail is sent
only while what it says is still true (`STILL_TRUE`): an offer that expired or a registration
cancelled between the change and the delivery sends nothing.

The event's calendar file is not made here (calendars sit above registrations): the calendar area
answers `signals.event_calendar_wanted`.
"""
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app import clock
from app.accounts.credentials import INVITATION_VALID_FOR
from app.accounts.models import User
from app.events.changes import describe_change
from app.events.models import EventChange, EventStatus
from app.events.signals import answers
from app.extensions import db
from app.notifications.services import Attachment, Mail
from app.registrations import services
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.signals import event_calendar_wanted

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
    "invitation": lambda title: _l("You are registered for “%(title)s”: set your Praktika password", title=title),
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
    "invitation": lambda r: True,  # the account exists and needs its password whatever became of the seat
}

# News about the event that a registrant who muted it (Registration.mail_muted) does not get. Mails
# about their own place (confirmed, pending, waitlisted, offered, expired, rejected, cancelled, the
# invitation) and the event being cancelled are essential and always go out.
MUTABLE = {"event_changed", "event_reinstated", "reminder"}

# Mails that carry the event's calendar file.
WITH_ICS = {"confirmed", "event_changed", "event_cancelled", "event_reinstated", "reminder"}


def event_url(event) -> str:
    return f"{current_app.config['BASE_URL']}/events/{event.id}"


def build(kind: str, registration_id: int, **extra) -> Mail | None:
    """The registration mail of one outbox row, or None when it is no longer true."""
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration is None or not STILL_TRUE[kind](registration):
        return None
    if registration.mail_muted and kind in MUTABLE:
        return None
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
    if kind == "invitation":
        context.update(organiser=db.session.get(User, extra["organiser_id"]), valid_days=INVITATION_VALID_FOR.days)
    attachments = ()
    if kind in WITH_ICS and event.sessions:
        with force_locale(user.locale or "ru"):
            attachments = tuple(Attachment(filename=f"event-{event.id}.ics", content=ics, mimetype="text/calendar")
                                for ics in answers(event_calendar_wanted, event, join_url=link))
    return Mail(to=user, template=f"registrations_{kind}", subject=SUBJECTS[kind](event.text_in(user.locale)["title"]), context=context,
                attachments=attachments)

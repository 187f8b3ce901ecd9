"""What an organiser notice says, per topic: rendered in the organiser's language when the mail is composed."""
from flask_babel import lazy_gettext as _l

from app.messaging.models import OrganiserTopic
from app.registrations.models import RegistrationStatus

T = OrganiserTopic

SUBJECTS = {
    T.APPLICATION: lambda title: _l("New application: %(title)s", title=title),
    T.CANCELLATION: lambda title: _l("Cancellation: %(title)s", title=title),
    T.EVENT_FULL: lambda title: _l("The event is full: %(title)s", title=title),
    T.OFFER_EXPIRED: lambda title: _l("An offer expired: %(title)s", title=title),
}


def line(topic: OrganiserTopic, details: dict):
    """One sentence about one happening (a lazy string: it takes the language of the mail it is put in)."""
    name = details.get("name") or "—"
    if topic == T.APPLICATION:
        return _l("%(name)s applied and awaits your approval.", name=name)
    if topic == T.CANCELLATION:
        return _l("%(name)s cancelled their registration.", name=name)
    if topic == T.EVENT_FULL:
        return _l("All %(capacity)s seats are confirmed: the event is full.", capacity=details.get("capacity", "—"))
    return _l("The seat offered to %(name)s was not taken in time; the offer expired.", name=name)


def facts(details: dict) -> list:
    """The particulars under the sentence (lazy strings too): whose address, the status it had, seats left."""
    shown = []
    if details.get("email"):
        shown.append(_l("Email: %(email)s", email=details["email"]))
    if details.get("previous_status") in set(RegistrationStatus):
        shown.append(_l("Before the cancellation it was: %(status)s",
                        status=RegistrationStatus(details["previous_status"]).label))
    if isinstance(details.get("seats_left"), int) and not isinstance(details["seats_left"], bool):
        shown.append(_l("Seats left now: %(count)d.", count=details["seats_left"]))
    return shown


def manage_path(topic: OrganiserTopic, event_id: int) -> str:
    """Where the organiser acts on it: the approval queue for applications, else the participants."""
    if topic == T.APPLICATION:
        return f"/manage/events/{event_id}/approvals"
    return f"/manage/events/{event_id}/registrations"

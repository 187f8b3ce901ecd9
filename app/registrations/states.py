"""The registration state machine, its errors and messages, the area's unit of work and the mail it causes."""
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import clock
from app.database import unit_of_work
from app.errors import Conflict
from app.extensions import BULK, INTERACTIVE
from app.outbox import services as outbox
from app.registrations.models import (
    Registration,
    RegistrationHistory,
    RegistrationStatus,
)
from app.registrations.signals import participation_changed

S = RegistrationStatus

# The state machine: which status may follow which. None is "no registration yet".
# Re-registration after a cancellation or an expired offer starts again like a new one.
_START = frozenset({S.PENDING, S.CONFIRMED, S.WAITLISTED})
ALLOWED_TRANSITIONS: dict[RegistrationStatus | None, frozenset[RegistrationStatus]] = {
    None: _START,
    S.CANCELLED: _START,
    S.EXPIRED: _START,
    S.PENDING: frozenset({S.CONFIRMED, S.WAITLISTED, S.REJECTED, S.CANCELLED}),
    S.WAITLISTED: frozenset({S.OFFERED, S.CONFIRMED, S.REJECTED, S.CANCELLED}),  # confirmed: promoted by hand
    S.OFFERED: frozenset({S.CONFIRMED, S.EXPIRED, S.REJECTED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.REJECTED, S.CANCELLED}),
    S.REJECTED: frozenset(),
}

TICKET_SALT = "praktika.registrations.ticket"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class RegistrationConflict(Conflict):
    code = "registration"


MESSAGES = {
    "not_open": _l("This event is not open for registration."),
    "not_yet": _l("Registration for this event has not opened yet."),
    "closed": _l("Registration for this event is closed."),
    "already": _l("You are already registered for this event."),
    "rejected_before": _l("Your application for this event was declined; you cannot apply again."),
    "role_required": _l("Choose your role in the team."),
    "role_unknown": _l("This trip does not need that role."),
    "role_full": _l("There are no places left for this role."),
    "roles_full": _l("Every team role of this trip is filled: there is no place left to apply for."),
    "not_offered": _l("There is no seat offered to you for this event."),
    "offer_expired": _l("Your offer has expired; the seat went to the next person on the waitlist."),
    "not_pending": _l("Only applications awaiting approval can be approved."),
    "reason_required": _l("Give a reason: it is sent to the applicant."),
    "not_confirmed": _l("Only confirmed participants can be checked in."),
    "wrong_session": _l("This session belongs to another event."),
    "bad_ticket": _l("This ticket is not valid for this event."),
    "not_live": _l("This registration is no longer active."),
    "event_cancelled": _l("This event is cancelled."),
    "checkin_not_open": _l("Check-in for this session opens on its day."),
    "bad_key": _l("The entry has no valid key; reload the page and enter it again."),
    "not_confirmed_now": _l("Not checked in: this registration is “%(status)s” now. Decide at the desk."),
}


# --- the state machine ----------------------------------------------------------------

def check_transition(from_status: RegistrationStatus | None, to_status: RegistrationStatus) -> None:
    """Raise IllegalTransition unless the table allows from_status → to_status."""
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        if from_status is None:
            message = _l("A registration cannot start as “%(to)s”.", to=to_status.label)
        else:
            message = _l("A registration cannot go from “%(from_)s” to “%(to)s”.",
                         from_=from_status.label, to=to_status.label)
        raise IllegalTransition(message)


def move(registration: Registration, to_status: RegistrationStatus, actor_id: int | None, note: str = "") -> None:
    from_status = registration.status
    check_transition(from_status, to_status)
    registration.status = to_status
    registration.history.append(RegistrationHistory(from_status=from_status, to_status=to_status,
                                                    actor_id=actor_id, note=note, changed_at=clock.now()))
    if to_status == S.CONFIRMED:
        participation_changed.send(registration)


# --- the unit of work and the mail it causes ---------------------------------------------

MAIL_TOPIC = "registrations.mail"
# Something the event's organisers hear about (the messaging area mails it, keeps it for the digest, or
# drops it, as each organiser chose).
ORGANISERS_TOPIC = "registrations.organisers"
# Mail to everyone registered at once (an event's news) and the day-before reminders go on the bulk
# queue; mail about one person's own place (confirmed, offered, approved…) is interactive.
BULK_KINDS = {"event_changed", "event_cancelled", "event_reinstated", "reminder"}


@contextmanager
def unit():
    """The registrations' unit of work: a lost race on the unique (event, user) row reads as "already"."""
    try:
        with unit_of_work() as unit:
            yield unit
    except IntegrityError as exc:
        raise RegistrationConflict(MESSAGES["already"], code="already") from exc


def announce(kind: str, registration: Registration, **extra) -> None:
    """Mail the registrant about `kind` after the commit; the handler re-checks that it is still true."""
    outbox.emit(MAIL_TOPIC, queue=BULK if kind in BULK_KINDS else INTERACTIVE, kind=kind,
                registration_id=registration.id, extra=extra, summary=f"{kind} #{registration.id}")




def tell_organisers(event, topic: str, registration: Registration | None = None, **details) -> None:
    """Tell the event's organisers that `topic` happened (application, cancellation, event_full,
    offer_expired), after the commit; `details` are plain values as they are now (seats left, the
    status before a cancellation)."""
    outbox.emit(ORGANISERS_TOPIC, event_id=event.id, about=topic,
                registration_id=registration.id if registration is not None else None, details=details,
                summary=f"organisers of event #{event.id}: {topic}")

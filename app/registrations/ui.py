"""What the registration parts of other pages show, decided and loaded here so templates hold no rules.

The event page and /me belong to areas below this one; they ask through `event_page_wanted` and
`me_page_wanted`, and the receivers here answer with templates/registrations/_event_box.html and its
`box` (registration_box), and templates/registrations/_me.html with the person's registrations.
"""
from dataclasses import dataclass, field

import segno
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app import permissions
from app.accounts import verification
from app.accounts.signals import me_page_wanted
from app.core.i18n import local_time
from app.core.sections import Section
from app.events.models import EventKind, EventStatus
from app.events.signals import event_page_wanted
from app.registrations import questions, services
from app.registrations.forms import ActionForm, RegisterForm, with_questions
from app.registrations.models import Registration, RegistrationStatus

S = RegistrationStatus


@dataclass
class RegistrationBox:
    event_id: int
    signed_in: bool
    registration: Registration | None = None
    position: int | None = None
    blocked_reason: object = None
    rules: list[str] = field(default_factory=list)
    free_seats: int | None = None
    show_register: bool = False
    show_cancel: bool = False
    show_leave_waitlist: bool = False
    show_offer: bool = False
    join_link: str | None = None
    ticket_url: str | None = None
    login_url: str = ""
    signup_url: str = ""
    manage_url: str | None = None
    approvals_url: str | None = None
    pending_count: int = 0
    event_cancelled: bool = False
    roles: list[tuple[str, str]] = field(default_factory=list)
    register_form: RegisterForm | None = None
    answers_url: str | None = None
    action_form: ActionForm | None = None


def registration_box(event) -> RegistrationBox:
    user = current_user
    cancelled = event.status == EventStatus.CANCELLED
    signed_in = user.is_authenticated
    region_code = user.region_code if signed_in else None
    organisation_id = user.organisation_id if signed_in else None
    blocker = services.registration_blocker(event, region_code, organisation_id)
    box = RegistrationBox(event_id=event.id, signed_in=signed_in, event_cancelled=cancelled,
                          login_url=url_for("accounts.login", next=f"/events/{event.id}"),
                          signup_url=url_for("accounts.register", next=f"/events/{event.id}"),
                          free_seats=None if cancelled else services.free_seats([event])[event.id],
                          blocked_reason=blocker.message if blocker is not None else None,
                          rules=[] if cancelled else services.rule_notes(event, region_code, organisation_id))
    if not signed_in:
        return box
    if not user.email_verified:  # the box says why and offers the link again (accounts/_confirm_email_prompt.html)
        box.blocked_reason = verification.EVENT_BOX_NOTE
    if permissions.can("event.manage_registrations", event):
        box.manage_url = url_for("registrations.participants", event_id=event.id)
        if event.requires_approval:
            box.approvals_url = url_for("registrations.approvals", event_id=event.id)
            box.pending_count = len(services.approval_queue(event))
    registration = services.registration_of(event, user)
    box.registration = registration
    event_questions = questions.event_questions(event.id)
    box.action_form = ActionForm()
    if registration is not None:
        box.position = None if cancelled else services.waitlist_position(registration)
        box.show_cancel = not cancelled and registration.status in (S.PENDING, S.CONFIRMED)
        box.show_leave_waitlist = not cancelled and registration.status == S.WAITLISTED
        box.show_offer = not cancelled and registration.status == S.OFFERED
        if permissions.can("registration.ticket", registration):
            box.ticket_url = url_for("registrations.ticket", event_id=event.id, registration_id=registration.id)
    if permissions.can("event.join_link", event):
        box.join_link = event.online_url
    if registration is not None and services.blocks_registering(registration):
        box.blocked_reason = None  # their own registration is the news, not a rule it already passed
    if not services.blocks_registering(registration) and box.blocked_reason is None \
            and permissions.can("event.register", event):
        box.show_register = True
        box.register_form = with_questions(RegisterForm, event_questions)()
        box.roles = role_choices(event)
    if event_questions and registration is not None and registration.is_live:
        box.answers_url = url_for("registrations.my_answers", event_id=event.id)
    return box


def role_choices(event, *, full_too: bool = False) -> list[tuple[str, str]]:
    """A trip's team roles with the places left: those with places for a registrant; all of them, full ones
    too, for the organiser (a participant may hold a full role, and an organiser may override)."""
    if event.kind != EventKind.OUTREACH_TRIP:
        return []
    places = services.role_places(event)
    return [(role.value, f"{role.label} ({left})") for role, left in places.items() if full_too or left > 0]


def answers_urls(mine: list[services.MyRegistration]) -> dict[int, str]:
    """Registration id → its "My answers" page, for live registrations of events that ask questions."""
    asking = questions.events_with_questions({item.registration.event_id for item in mine})
    return {item.registration.id: url_for("registrations.my_answers", event_id=item.registration.event_id)
            for item in mine if item.registration.event_id in asking and item.registration.is_live}


def ticket_url(registration: Registration) -> str | None:
    if permissions.can("registration.ticket", registration):
        return url_for("registrations.ticket", event_id=registration.event_id, registration_id=registration.id)
    return None


@dataclass
class TicketLinks:
    url: str
    pdf_url: str
    qr_svg: Markup


def registration_ticket(registration: Registration) -> TicketLinks | None:
    """The ticket as /me shows it on the card: its page, its PDF and the QR code itself."""
    url = ticket_url(registration)
    if url is None:
        return None
    qr = segno.make(services.ticket_token(registration), error="m").svg_inline(scale=2, title=_("Ticket QR code"))
    return TicketLinks(url=url, qr_svg=Markup(qr),
                       pdf_url=url_for("registrations.ticket_pdf", event_id=registration.event_id,
                                       registration_id=registration.id))


@event_page_wanted.connect
def _event_page_box(event) -> Section:
    return Section("registrations/_event_box.html", {"event": event, "box": registration_box(event)},
                   slot="registration")


@me_page_wanted.connect
def _my_registrations(user) -> Section:
    mine = services.my_registrations(user)
    return Section("registrations/_me.html", {
        "mine": mine, "answers_urls": answers_urls(mine),
        "tickets": {item.registration.id: registration_ticket(item.registration) for item in mine},
    }, order=10)


# --- check-in, online and offline -------------------------------------------------------------

def names_first(event) -> bool:
    """A group or a long series is checked in by name (members have no printed tickets): names first."""
    return event.kind == EventKind.SELF_HELP_GROUP or len(event.sessions) > 3


def already_checked_in(registration: Registration, entry, event) -> str:
    """The answer to a second tick or scan: when the first one was made, and by whom."""
    return _("%(name)s is already checked in: at %(time)s by %(by)s.", name=registration.user.full_name,
             time=local_time(entry.checked_in_at, event.timezone), by=_checker(entry))


def _checker(entry) -> str:
    return entry.checked_in_by.full_name if entry.checked_in_by is not None else "—"


def check_in_offline_data(event, session, check_ins: dict) -> dict:
    """What the check-in page keeps on the device (IndexedDB) to work without a connection: every
    confirmed participant with the ticket code their QR carries, and who is checked in already."""
    rows = services.participants(event, {"status": S.CONFIRMED.value}).rows
    return {
        "event_id": event.id, "session_id": session.id,
        "sync_url": url_for("registrations.sync_check_ins", event_id=event.id, session_id=session.id),
        "rows": [{"id": r.id, "name": r.user.full_name, "organisation": r.organisation.name if r.organisation else "",
                  "ticket": services.ticket_token(r), **_check_in_json(check_ins.get(r.id), event)} for r in rows],
    }


def _check_in_json(entry, event) -> dict:
    if entry is None:
        return {"checked_in_at": None, "time": "", "by": "", "offline": False}
    return {"checked_in_at": entry.checked_in_at.isoformat(), "time": local_time(entry.checked_in_at, event.timezone),
            "by": _checker(entry), "offline": entry.offline}


def synced_check_in_json(outcome, event) -> dict:
    """One synced tick for the page: its key, what became of it, and the message to show."""
    registration = outcome.registration
    message = outcome.message
    if outcome.state == "merged":
        message = already_checked_in(registration, outcome.entry, event)
    elif outcome.state == "done":
        message = _("%(name)s is checked in.", name=registration.user.full_name)
    return {"client_key": outcome.client_key, "state": outcome.state, "message": message,
            "registration_id": registration.id if registration is not None else None,
            "name": registration.user.full_name if registration is not None else "",
            **_check_in_json(outcome.entry, event)}

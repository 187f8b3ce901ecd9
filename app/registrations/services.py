"""Registration rules: capacity without overbooking, approval rules, waitlist and offers, check-in.

Every public function that changes state is one transaction with one shape (DESIGN §4, STYLE 5):
lock the event row, settle it (expire stale offers, offer free seats to the waitlist), count,
decide, write; `unit()` commits. Mail is written to the outbox in the same transaction and
delivered by the worker after the commit (app/registrations/tasks.py re-checks that it is still true).

Decisions worth knowing:
- Seats taken = confirmed + offered (`Registration.takes_seat`); capacity None means unlimited.
- Approval rules ("at most N per region / per organisation") count confirmed, offered and
  waitlisted registrations (`RULE_COUNTED`): everyone already let in or queued for a seat.
  Pending applications are not counted, so several applicants from one region can wait for the
  organiser's choice; the rule is checked at registration and again at approval, both under the
  event lock, so two approvals can never exceed it.
- An approved applicant takes a free seat, or joins the end of the waitlist (queued now).
- The waitlist is FIFO by (queued_at, id). Only `waitlisted` rows are ever offered a seat, so a
  cancelled, confirmed, rejected or expired person is never offered again. Re-registering after
  a cancellation or an expired offer reuses the row (unique event × user) with a new queue time.
- Declining an offer is a cancellation (note "declined offer") and passes the seat on.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.accounts import verification
from app.accounts.models import User
from app.database import INTEGER_MAX
from app.errors import ValidationFailed
from app.events.models import (
    Event,
    EventStatus,
)
from app.events.signals import event_changed
from app.extensions import db
from app.registrations import manual, questions
from app.registrations.attendance import (
    attendance,
    attendance_for,
    check_in,
    check_in_is_open,
    check_in_opens_at,
    check_ins_of,
    checked_in_ids,
    held_sessions,
    record_check_in,
    session_to_check_in,
    undo_check_in,
)
from app.registrations.checkin_sync import sync_check_ins
from app.registrations.manual import add_participant, promote_from_waitlist, set_role
from app.registrations.models import Registration
from app.registrations.queries import (
    MyRegistration,
    approval_queue,
    approval_table,
    live_registrations_for_user,
    my_registrations,
    participants,
    registration_changes_for_user,
    registration_for_ticket,
    registration_in_event,
    registration_of,
    session_in_event,
    ticket_token,
    waitlist_positions,
)
from app.registrations.reminders import send_reminders
from app.registrations.seats import (
    check_role,
    check_rules,
    free_seats,
    lock_event,
    lock_registration,
    promote,
    registration_blocker,
    role_places,
    rule_notes,
    seats_taken,
    settle,
    tell_if_full,
    waitlist_position,
)
from app.registrations.states import (
    MAIL_TOPIC,
    MESSAGES,
    ORGANISERS_TOPIC,
    IllegalTransition,
    RegistrationConflict,
    S,
    announce,
    check_transition,
    move,
    tell_organisers,
    unit,
)

# Other areas reach the area's modules through this one.
__all__ = [
    "IllegalTransition",
    "MAIL_TOPIC",
    "MESSAGES",
    "MyRegistration",
    "ORGANISERS_TOPIC",
    "SETTABLE",
    "accept_offer",
    "add_participant",
    "approval_queue",
    "approval_table",
    "approve",
    "bulk_decide",
    "attendance",
    "attendance_for",
    "blocks_registering",
    "cancel",
    "check_in",
    "check_in_is_open",
    "check_in_opens_at",
    "check_ins_of",
    "muted_registrations",
    "set_mail_muted",
    "check_transition",
    "checked_in_ids",
    "decline_offer",
    "expire_offers",
    "free_seats",
    "held_sessions",
    "join_link_for",
    "leave_waitlist",
    "live_registrations_for_user",
    "my_registrations",
    "participants",
    "promote_from_waitlist",
    "record_check_in",
    "register",
    "registration_changes_for_user",
    "registration_for_ticket",
    "registration_in_event",
    "registration_blocker",
    "registration_of",
    "reject",
    "role_places",
    "rule_notes",
    "seats_taken",
    "send_reminders",
    "set_role",
    "set_status",
    "session_to_check_in",
    "session_in_event",
    "ticket_token",
    "sync_check_ins",
    "undo_check_in",
    "waitlist_position",
    "waitlist_positions",
]


# --- the trainee's actions --------------------------------------------------------------

def join_link_for(registration: Registration | None) -> str | None:
    """The webinar link a registrant may see: only a confirmed one (DESIGN §3). Page, mail and feed ask here."""
    if registration is not None and registration.status == S.CONFIRMED \
            and registration.event.status != EventStatus.CANCELLED:
        return registration.event.online_url or None
    return None


def blocks_registering(registration: Registration | None) -> bool:
    """A live registration, or a rejection, stands in the way of registering (again)."""
    return registration is not None and (registration.is_live or registration.status == S.REJECTED)


def register(event_id: int, user: User, team_role=None, answers: dict | None = None,
             event_questions: list | None = None) -> Registration:
    """Register `user`: confirmed, pending approval, or waitlisted — decided under the event lock.

    `answers` ("q<id>" → form value) answers the event's registration questions; a required one left
    unanswered refuses the registration with a ValidationFailed naming each field (nothing is saved).
    The answers are checked before the lock (against `event_questions` when the caller has just read
    them): they do not depend on seats, and the locked part stays a few statements long.
    A self-made account whose address is not confirmed yet is refused (EmailNotVerified), whatever the door.
    The registration comes back as committed, still loaded (with `place_when_queued` when waitlisted), so
    the page says the outcome without a second transaction."""
    verification.require_verified(user)
    user_id, region_code, organisation_id = user.id, user.region_code, user.organisation_id
    if event_questions is None:
        event_questions = questions.event_questions(event_id)
    cleaned = questions.clean_answers(event_questions, answers or {})
    with unit() as work:
        event = lock_event(event_id)
        now = clock.now()  # after the lock: whoever is already waiting was queued before this moment
        free, own_id, _expired, confirmed, waiting = settle(event, user_id)
        registration = db.session.get(Registration, own_id, populate_existing=True) if own_id else None
        if registration is not None and registration.status == S.REJECTED:
            raise RegistrationConflict(MESSAGES["rejected_before"], code="rejected_before")
        if registration is not None and registration.is_live:
            raise RegistrationConflict(MESSAGES["already"], code="already")
        blocker = registration_blocker(event, region_code, organisation_id, now)
        if blocker is not None:
            raise blocker
        role = check_role(event, team_role)
        if registration is None:
            # answers=[]: a new row has none, so saving them reads nothing back from the database.
            registration = Registration(event_id=event.id, user_id=user_id, created_at=now, answers=[])
            db.session.add(registration)
        registration.team_role = role
        registration.region_code = region_code
        registration.organisation_id = organisation_id
        registration.queued_at = now
        registration.offered_at = registration.offer_expires_at = None
        registration.decided_at = registration.decided_by_id = registration.reminder_sent_at = None
        registration.decision_reason = ""
        if event.requires_approval:
            move(registration, S.PENDING, user_id)
            kind = "pending"
        elif free is None or free > 0:
            move(registration, S.CONFIRMED, user_id)
            kind = "confirmed"
        else:
            move(registration, S.WAITLISTED, user_id)
            kind = "waitlisted"
        questions.save_answers(registration, cleaned)
        db.session.flush()
        announce(kind, registration)
        if kind == "pending":
            tell_organisers(event, "application", registration=registration)
        elif kind == "confirmed":
            tell_if_full(event, confirmed + 1)
        else:
            # Last in the FIFO (queued_at, id) order: queued after everyone waiting, and a new row's id is the
            # largest; a reused row's older id could come first among equal times, so that place is counted.
            registration.place_when_queued = waiting + 1 if own_id is None else waitlist_position(registration)
        work.keep_loaded(registration)
    return registration


def cancel(registration: Registration, actor: User) -> Registration:
    """Cancel a live registration (the registrant, or the organiser); a freed seat goes on at once."""
    with unit():
        event, registration = lock_registration(registration)
        settle(event)
        if not registration.is_live:
            raise RegistrationConflict(MESSAGES["not_live"], code="not_live")
        own = actor.id == registration.user_id
        previous = registration.status
        move(registration, S.CANCELLED, actor.id, note="" if own else "cancelled by organiser")
        registration.offered_at = registration.offer_expires_at = None
        db.session.flush()
        seats_left = promote(event, clock.now())
        if own:
            announce("cancelled", registration)
            tell_organisers(event, "cancellation", registration=registration, previous_status=previous,
                              seats_left=seats_left)
        else:
            announce("cancelled_by_organiser", registration)
    return registration


leave_waitlist = cancel


def muted_registrations(user: User) -> list[Registration]:
    """The user's live registrations whose event news they muted, soonest event first."""
    rows = db.session.execute(select(Registration).where(Registration.user_id == user.id,
                                                         Registration.mail_muted.is_(True), Registration.is_live)
                              .order_by(Registration.event_id)).scalars().all()
    return sorted(rows, key=lambda r: (r.event.starts_at is None, r.event.starts_at or clock.now()))


def set_mail_muted(registration: Registration, actor: User, muted: bool) -> Registration:
    """The registrant mutes (or unmutes) this event's news mails (app.registrations.mail.MUTABLE);
    mails about their own place still go out. Honoured when each mail is built, so it also holds
    for mails already queued."""
    with unit():
        registration = db.session.get(Registration, registration.id)
        registration.mail_muted = bool(muted)
    return registration


def accept_offer(registration: Registration, actor: User) -> Registration:
    """Take the offered seat; an offer that ran out is expired (and that committed) before saying no."""
    refusal = None
    with unit():
        event, registration = lock_registration(registration)
        settle(event)
        if event.status == EventStatus.CANCELLED:
            refusal = "event_cancelled"
        elif registration.status != S.OFFERED:
            refusal = "offer_expired" if registration.status == S.EXPIRED else "not_offered"
        else:
            move(registration, S.CONFIRMED, actor.id, note="accepted offer")
            registration.offer_expires_at = None
            announce("confirmed", registration)
            tell_if_full(event)
    if refusal:
        raise RegistrationConflict(MESSAGES[refusal], code=refusal)
    return registration


def decline_offer(registration: Registration, actor: User) -> Registration:
    """Give the offered seat back: it goes to the next person on the waitlist."""
    offered = True
    with unit():
        event, registration = lock_registration(registration)
        settle(event)
        offered = registration.status == S.OFFERED
        if offered:
            move(registration, S.CANCELLED, actor.id, note="declined offer")
            registration.offer_expires_at = None
            db.session.flush()
            promote(event, clock.now())
            tell_organisers(event, "cancellation", registration=registration)
    if not offered:
        raise RegistrationConflict(MESSAGES["not_offered"], code="not_offered")
    return registration


# --- the organiser's decisions ------------------------------------------------------------

def approve(registration: Registration, actor: User) -> Registration:
    """Approve a pending application: a free seat if there is one, else the end of the waitlist."""
    with unit():
        event, registration = lock_registration(registration)
        free = settle(event).free
        if event.status == EventStatus.CANCELLED:  # the approval queue closes with the event
            raise RegistrationConflict(MESSAGES["event_cancelled"], code="event_cancelled")
        if registration.status != S.PENDING:
            raise RegistrationConflict(MESSAGES["not_pending"], code="not_pending")
        check_rules(event, registration.region_code, registration.organisation_id, None)
        if registration.team_role is not None and role_places(event).get(registration.team_role, 0) <= 0:
            raise RegistrationConflict(MESSAGES["role_full"], code="role_full")
        now = clock.now()
        registration.decided_at = now
        registration.decided_by_id = actor.id
        if free is None or free > 0:
            move(registration, S.CONFIRMED, actor.id, note="approved")
            announce("confirmed", registration, approved=True)
            tell_if_full(event)
        else:
            move(registration, S.WAITLISTED, actor.id, note="approved")
            registration.queued_at = now
            db.session.flush()
            announce("waitlisted", registration, approved=True)
    return registration


def reject(registration: Registration, actor: User, reason: str) -> Registration:
    """Reject an application (or remove a participant) with a reason that is mailed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MESSAGES["reason_required"], field="reason")
    with unit():
        event, registration = lock_registration(registration)
        settle(event)
        freed = registration.takes_seat
        move(registration, S.REJECTED, actor.id, note=reason)
        registration.decided_at = clock.now()
        registration.decided_by_id = actor.id
        registration.decision_reason = reason
        registration.offer_expires_at = None
        db.session.flush()
        if freed:
            promote(event, clock.now())
        announce("rejected", registration)
    return registration


def expire_offers(event_id: int | None = None) -> int:
    """Expire offers past their deadline and pass the seats on; safe to run twice (periodic job).

    Each event is its own unit of work, so one event's trouble never holds back the others.
    """
    if event_id is None:
        with unit():
            event_ids = db.session.execute(
                select(Registration.event_id).where(Registration.status == S.OFFERED,
                                                    Registration.offer_expires_at <= clock.now()).distinct()
            ).scalars().all()
    else:
        event_ids = [event_id]
    expired = 0
    for one_id in event_ids:
        with unit():
            event = lock_event(one_id)
            expired += settle(event).expired
    return expired


@event_changed.connect
def _on_event_change(event: Event, *, moved: bool, cancelled: bool, reinstated: bool = False,
                     change_id: int | None = None, **_details) -> None:
    """Inside the events area's unit of work: the change and its consequences commit together.

    Capacity raised → the waitlist gets offers. Time or place moved → every live registrant is
    mailed the new details and .ics. Event cancelled → everyone registered is told. Reinstated →
    everyone still registered is told it takes place after all.
    """
    locked = lock_event(event.id)
    settle(locked)
    if cancelled or moved or reinstated:
        live = db.session.execute(
            select(Registration).where(Registration.event_id == locked.id, Registration.is_live)
            .order_by(Registration.id)
        ).scalars().all()
        kind = "event_cancelled" if cancelled else "event_reinstated" if reinstated else "event_changed"
        for registration in live:
            announce(kind, registration, change_id=change_id)


# --- the organiser by hand (app/registrations/manual.py has adding, promoting and roles) -----------

# What the organiser may set a registration to on the participants page.
SETTABLE = (S.CONFIRMED, S.CANCELLED, S.REJECTED)


def set_status(registration: Registration, actor: User, status: str, *, reason: str = "",
               override: bool = False) -> Registration:
    """The participants page's "change status": confirmed (approve, promote, or confirm an offer),
    cancelled or rejected (with a reason that is mailed)."""
    try:
        wanted = S(status)
    except ValueError:
        raise ValidationFailed(_l("Choose a status from the list."), field="status") from None
    if wanted not in SETTABLE:
        raise ValidationFailed(_l("Choose a status from the list."), field="status")
    if wanted == S.CANCELLED:
        return cancel(registration, actor)
    if wanted == S.REJECTED:
        return reject(registration, actor, reason)
    if registration.status == S.PENDING:
        return approve(registration, actor)
    if registration.status == S.WAITLISTED:
        return manual.promote_from_waitlist(registration, actor, override=override)
    if registration.status == S.OFFERED:
        with unit():
            event, registration = lock_registration(registration)
            settle(event)
            if registration.status == S.OFFERED:
                move(registration, S.CONFIRMED, actor.id, note="confirmed by organiser")
                registration.offer_expires_at = None
                announce("confirmed", registration)
                return registration
    if registration.status == S.CONFIRMED:
        raise RegistrationConflict(manual.MANUAL_MESSAGES["already_confirmed"], field="status", code="already_confirmed")
    raise RegistrationConflict(MESSAGES["not_live"], field="status", code="not_live")


def bulk_decide(event: Event, actor: User, registration_ids: list[int], action: str, reason: str = "") -> int:
    """Approve, or reject with one reason, the chosen pending applications of `event`: all or none."""
    if action not in ("approve", "reject"):
        raise ValidationFailed(_l("Choose approve or reject."), field="action")
    if action == "reject" and not (reason or "").strip():
        raise ValidationFailed(MESSAGES["reason_required"], field="reason")
    with unit():
        chosen = db.session.execute(
            select(Registration).where(Registration.event_id == event.id,
                                       Registration.id.in_([i for i in registration_ids or [] if 0 < i <= INTEGER_MAX]),
                                       Registration.status == S.PENDING)
            .order_by(Registration.queued_at, Registration.id)
        ).scalars().all()
        if not chosen:
            raise ValidationFailed(manual.MANUAL_MESSAGES["none_chosen"], field="registration_ids")
        for registration in chosen:
            try:
                if action == "approve":
                    approve(registration, actor)
                else:
                    reject(registration, actor, reason)
            except RegistrationConflict as refusal:
                raise RegistrationConflict(
                    _l("%(name)s: %(reason)s Nothing was changed.", name=registration.user.full_name,
                       reason=refusal.message), code=refusal.code) from refusal
    return len(chosen)

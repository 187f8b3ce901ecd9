"""The organiser manages people by hand: adds a participant (inviting a new person by mail), changes
a team role, promotes from the waitlist (over capacity only when asked, and logged). Changing a
status and bulk decisions, which reuse approve/cancel/reject, are in services.py.

Same shape as every registration change: one unit of work, the event row locked before counting,
the mail written to the outbox with the change.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.accounts import credentials
from app.accounts import services as accounts
from app.accounts.models import User
from app.errors import ValidationFailed
from app.events.changes import record_change
from app.events.models import Event, EventKind, EventStatus, TeamRole
from app.extensions import db
from app.registrations.models import Registration, RegistrationHistory
from app.registrations.seats import (
    check_role,
    check_rules,
    lock_event,
    lock_registration,
    role_places,
    settle,
)
from app.registrations.states import MESSAGES, RegistrationConflict, S, announce, move, unit

MANUAL_MESSAGES = {
    "name_needed": _l("No account has this email yet: give the person's full name, and they are invited by mail."),
    "full": _l("No seat is free. Tick “over capacity” to confirm anyway; it is written in the change log."),
    "not_waitlisted": _l("Only people on the waitlist can be promoted."),
    "already_confirmed": _l("This person is already confirmed."),
    "already_registered": _l("This person is already registered for this event."),
    "rejected_before": _l("This person's application was declined; they cannot be added again."),
    "not_trip": _l("Only outreach trips have team roles."),
    "none_chosen": _l("Choose at least one application."),
    "cancelled_event": MESSAGES["event_cancelled"],
}

def _open_for_people(event: Event) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationConflict(MANUAL_MESSAGES["cancelled_event"] if event.status == EventStatus.CANCELLED
                                   else MESSAGES["not_open"], code="not_open")


def _log_over_capacity(event: Event, actor: User, registration: Registration, held: int) -> None:
    """The override goes into the event's change log: who was let in over which capacity."""
    record_change(event, actor, {"over_capacity": [
        f"{held}/{event.capacity}", f"{held + 1}/{event.capacity} · {registration.user.full_name}"]})


def _confirm(event: Event, registration: Registration, actor: User, free: int | None, override: bool,
             note: str) -> None:
    """Confirm under the lock; a full event needs `override`, which is logged."""
    if free == 0 and not override:
        raise RegistrationConflict(MANUAL_MESSAGES["full"], field="override", code="full")
    held = None if event.capacity is None else event.capacity - (free or 0)
    move(registration, S.CONFIRMED, actor.id, note=note if free != 0 else f"{note}, over capacity")
    registration.offered_at = registration.offer_expires_at = None
    registration.decided_at, registration.decided_by_id = clock.now(), actor.id
    db.session.flush()
    if free == 0:
        _log_over_capacity(event, actor, registration, held)
    announce("confirmed", registration)


def add_participant(event: Event, actor: User, *, email: str, full_name: str = "", team_role=None,
                    override: bool = False, region_code: str | None = None, organisation: str = "",
                    follow_rules: bool = False) -> Registration:
    """Add a person by email: an existing account, or a new one (full name needed; `region_code` and
    `organisation` go into its profile) invited by mail to set a password. They are confirmed while seats
    are free (no approval step: the organiser chose them), else put on the waitlist, or confirmed over
    capacity with `override`. With `follow_rules` (the bulk import) the event's per-region and
    per-organisation limits refuse a person as they would refuse an approval."""
    with unit():
        user = accounts.find_user_by_email(email or "")
        if user is None:
            if not (full_name or "").strip():
                raise ValidationFailed(MANUAL_MESSAGES["name_needed"], field="full_name")
            language = event.language if event.language in current_app.config["LANGUAGES"] else "ru"
            user = accounts.build_user(email=email, password=None, full_name=full_name, locale=language,
                                       region_code=region_code or None)
            found = accounts.find_or_propose_organisation(organisation, region_code)
            user.organisation_id = found.id if found is not None else None
            invitation = credentials.invitation_token(user)
        else:
            invitation = None
        locked = lock_event(event.id)
        free = settle(locked, user.id).free
        _open_for_people(locked)
        registration = db.session.execute(
            select(Registration).where(Registration.event_id == locked.id, Registration.user_id == user.id)
        ).scalar_one_or_none()
        if registration is not None and registration.status == S.REJECTED:
            raise RegistrationConflict(MANUAL_MESSAGES["rejected_before"], field="email", code="rejected_before")
        if registration is not None and registration.is_live:
            raise RegistrationConflict(MANUAL_MESSAGES["already_registered"], field="email", code="already")
        role = check_role(locked, team_role) if not override else _known_role(locked, team_role)
        if follow_rules:
            check_rules(locked, user.region_code, user.organisation_id, "region")
        now = clock.now()
        # Read before a new row is pending: refreshing an expired account would flush it half-made.
        region_code, organisation_id, _actor_id = user.region_code, user.organisation_id, actor.id
        if registration is None:
            registration = Registration(event_id=locked.id, user_id=user.id, created_at=now)
            db.session.add(registration)
        registration.team_role = role
        registration.region_code, registration.organisation_id = region_code, organisation_id
        registration.queued_at = now
        registration.decision_reason = ""
        registration.reminder_sent_at = None
        registration.user = user
        if free == 0 and not override:
            move(registration, S.WAITLISTED, actor.id, note="added by organiser")
            db.session.flush()
            announce("waitlisted", registration)
        else:
            _confirm(locked, registration, actor, free, override, "added by organiser")
        if invitation is not None:
            announce("invitation", registration, token=invitation, organiser_id=actor.id)
    return registration


def _known_role(event: Event, team_role) -> TeamRole | None:
    """With the override a full role is allowed, but the role must be one the trip needs."""
    if event.kind != EventKind.OUTREACH_TRIP or not team_role:
        return check_role(event, team_role) if event.kind == EventKind.OUTREACH_TRIP else None
    try:
        role = TeamRole(team_role)
    except ValueError:
        raise ValidationFailed(MESSAGES["role_unknown"], field="role") from None
    if role not in role_places(event):
        raise ValidationFailed(MESSAGES["role_unknown"], field="role")
    return role


def promote_from_waitlist(registration: Registration, actor: User, *, override: bool = False) -> Registration:
    """Confirm someone from the waitlist now, ahead of the queue: into a free seat, or over capacity
    with `override` (logged in the event's change log)."""
    with unit():
        event, registration = lock_registration(registration)
        free = settle(event).free
        _open_for_people(event)
        if registration.status != S.WAITLISTED:
            raise RegistrationConflict(MANUAL_MESSAGES["not_waitlisted"], code="not_waitlisted")
        if registration.team_role is not None and not override \
                and role_places(event).get(registration.team_role, 0) <= 0:
            raise RegistrationConflict(MESSAGES["role_full"], field="override", code="role_full")
        _confirm(event, registration, actor, free, override, "promoted by organiser")
    return registration


def set_role(registration: Registration, actor: User, team_role) -> Registration:
    """Give a trip participant another team role; a seat-holder needs a free place in the new role."""
    with unit():
        event, registration = lock_registration(registration)
        settle(event)
        if event.kind != EventKind.OUTREACH_TRIP:
            raise ValidationFailed(MANUAL_MESSAGES["not_trip"], field="role")
        role = _known_role(event, team_role)
        if role == registration.team_role:
            return registration
        if registration.takes_seat and role is not None and role_places(event).get(role, 0) <= 0:
            raise RegistrationConflict(MESSAGES["role_full"], field="role", code="role_full")
        old = registration.team_role
        registration.team_role = role
        # The history row keeps the status and says what changed in its note.
        registration.history.append(RegistrationHistory(
            from_status=registration.status, to_status=registration.status, actor_id=actor.id, changed_at=clock.now(),
            note=f"role {old.value if old else '-'} -> {role.value if role else '-'}"))
    return registration

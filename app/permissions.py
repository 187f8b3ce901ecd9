"""Who may do what to which object: the one place for authorisation (STYLE rule 2).

Each rule is a named action, e.g. "event.edit", answering for a user and an object.
Routes call `require(action, obj)`; templates call `can(action, obj)`.
Refusal on an object the user may not see is a 404, so ids never leak; refusal of a
whole page is a 403; an anonymous visitor is sent to the login page (401 on the API).

The policy sits below every area (DEVELOPERS.md, "Layers"): it reads users and objects by their
attributes and predicates (`user.has_role`, `event.is_draft`, `registration.is_confirmed`), never
imports an area, and asks the one fact it cannot read off an object — a person's registration for
an event — through the `registration_wanted` signal, which the registrations area answers.
The SQL twins of the list rules take the model to filter (`editable_events_clause(user, Event)`).
"""
from collections.abc import Callable

from blinker import Namespace
from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import false, true

from app import clock
from app.extensions import login_manager

# The names of accounts' roles (Role is a StrEnum: Role.ADMIN == "admin");
# tests/core/test_permissions_layer.py checks them.
ADMIN, ORGANISER, CURATOR = "admin", "organiser", "curator"

_signals = Namespace()
registration_wanted = _signals.signal("registration-wanted")
"""Sent with an event and `user=`; a receiver returns that user's registration for the event (or None)."""

Rule = Callable[..., bool]
_rules: dict[str, Rule] = {}


def rule(action: str):
    def decorator(func: Rule) -> Rule:
        if action in _rules:
            raise RuntimeError(f"permission rule {action!r} defined twice")
        _rules[action] = func
        return func

    return decorator


def actions() -> list[str]:
    return sorted(_rules)


def acting_user():
    """The API token's user on API requests, else the session's user."""
    return g.get("api_user") or current_user


def _signed_in(user) -> bool:
    return bool(user) and getattr(user, "is_authenticated", False)


def can(action: str, obj=None, user=None) -> bool:
    user = user if user is not None else acting_user()
    if action not in _rules:
        raise KeyError(f"unknown permission {action!r}")
    if not _signed_in(user):
        return _rules[action](None, obj) if action in _PUBLIC_ACTIONS else False
    return bool(_rules[action](user, obj))


def require(action: str, obj=None, user=None):
    """Return obj if allowed; otherwise stop the request with 401/403/404."""
    user = user if user is not None else acting_user()
    if can(action, obj, user):
        return obj
    if not _signed_in(user) and not _hidden_from_visitors(action, obj):
        if request.path.startswith("/api/"):
            abort(401)
        abort(login_manager.unauthorized())
    abort(404 if obj is not None else 403)


_PUBLIC_ACTIONS = {"event.view", "material.view"}


def _hidden_from_visitors(action: str, obj) -> bool:
    """A public action on something of a draft event: the visitor gets the 404 of a missing id,
    not the login page, so draft ids cannot be told from ids that do not exist."""
    if action not in _PUBLIC_ACTIONS or obj is None:
        return False
    event = obj if action == "event.view" else getattr(obj, "event", None)
    return event is not None and event.is_draft


# --- accounts -------------------------------------------------------------------------

@rule("users.manage")
def _manage_users(user, _obj) -> bool:
    return user.is_admin


@rule("api_token.own")
def _api_token_own(user, token) -> bool:
    """A person lists and revokes only their own API tokens."""
    return token.user_id == user.id


@rule("manage.area")
def _manage_area(user, _obj) -> bool:
    return user.has_role(ADMIN, ORGANISER)


# --- programmes -----------------------------------------------------------------------

def manages_programme(user, programme) -> bool:
    return user.is_admin or any(o.id == user.id for o in programme.organisers)


@rule("programme.create")
def _programme_create(user, _obj) -> bool:
    return user.has_role(ADMIN, ORGANISER)


@rule("programme.edit")
def _programme_edit(user, programme) -> bool:
    return user.has_role(ADMIN, ORGANISER) and manages_programme(user, programme)


@rule("programme.report")
def _programme_report(user, programme) -> bool:
    """Indicators, the plan-vs-fact report, its snapshots and exports: the programme's organisers and admins."""
    return _programme_edit(user, programme)


def managed_programmes_clause(user, programmes):
    """SQL twin of manages_programme for lists of `programmes` (the Programme model): admin all; others
    the programmes assigned to them."""
    if user.is_admin:
        return true()
    return programmes.organised_by(user.id)


# --- events ---------------------------------------------------------------------------

@rule("event.create")
def _event_create(user, _obj) -> bool:
    return user.has_role(ADMIN, ORGANISER)


@rule("event.edit")
def _event_edit(user, event) -> bool:
    """Admins edit all; organisers edit events they created or of programmes assigned to them."""
    if user is None:
        return False
    if user.is_admin:
        return True
    if not user.has_role(ORGANISER):
        return False
    if event.created_by_id == user.id:
        return True
    return event.programme is not None and manages_programme(user, event.programme)


@rule("event.view")
def _event_view(user, event) -> bool:
    """Published and cancelled events are public; drafts only for those who edit them."""
    if not event.is_draft:
        return True
    return user is not None and _event_edit(user, event)


def _facilitates(user, event) -> bool:
    """The self-help group's facilitator (the health mediator who leads its meetings)."""
    return event.group is not None and event.group.facilitator_id is not None and \
        event.group.facilitator_id == user.id


@rule("event.manage_registrations")
def _event_manage_registrations(user, event) -> bool:
    """The event's editors, and a self-help group's facilitator (members, approvals, check-in by name)."""
    return _event_edit(user, event) or _facilitates(user, event)


@rule("event.import_participants")
def _event_import_participants(user, event) -> bool:
    """Bulk import makes accounts and registrations at once: the event's editors only (not a facilitator)."""
    return _event_edit(user, event)


@rule("event.record_meeting")
def _event_record_meeting(user, event) -> bool:
    """A meeting's page and its outcome (guests, short outcome): editors and the group's facilitator."""
    return _event_edit(user, event) or _facilitates(user, event)


def editable_events_clause(user, events):
    """SQL twin of "event.edit" for lists of `events` (the Event model): admin all; organiser own events
    and managed programmes'."""
    if not _signed_in(user):
        return false()
    if user.is_admin:
        return true()
    if not user.has_role(ORGANISER):
        return false()
    return events.organised_by(user.id)


# --- registrations --------------------------------------------------------------------

def _confirmed_participant(user, event) -> bool:
    """Whether the user's registration for the event is confirmed, as the registrations area answers."""
    return any(registration is not None and registration.is_confirmed
               for _receiver, registration in registration_wanted.send(event, user=user))


@rule("event.register")
def _event_register(user, event) -> bool:
    return _event_view(user, event)


@rule("registration.own")
def _registration_own(user, registration) -> bool:
    """The registrant acts on their own registration (cancel, accept offer, ticket)."""
    return registration.user_id == user.id


@rule("registration.view")
def _registration_view(user, registration) -> bool:
    return registration.user_id == user.id or _event_edit(user, registration.event)


@rule("registration.ticket")
def _registration_ticket(user, registration) -> bool:
    """A ticket exists for confirmed participants; they and the event's organisers may open it."""
    return registration.is_confirmed and not registration.event.is_cancelled and _registration_view(user, registration)


@rule("event.join_link")
def _event_join_link(user, event) -> bool:
    """The webinar link: confirmed participants and the event's organisers only (DESIGN §3)."""
    if not event.online_url:
        return False
    if _event_edit(user, event):
        return True
    return not event.is_cancelled and _confirmed_participant(user, event)


# --- messaging ------------------------------------------------------------------------

@rule("event.message")
def _event_message(user, event) -> bool:
    """Writing to an event's participants and reading what was sent: those who edit the event."""
    return _event_edit(user, event)


# --- outbox ---------------------------------------------------------------------------

@rule("outbox.manage")
def _manage_outbox(user, _obj) -> bool:
    return user.is_admin


# --- quotas ---------------------------------------------------------------------------

@rule("quota_plan.manage")
def _quota_plan_manage(user, event) -> bool:
    """The plan, the cohort and each trainee's target: whoever edits the seminar."""
    return _event_edit(user, event)


@rule("quota.own")
def _quota_own(user, quota) -> bool:
    """The trainee logs consultations and answers catch-up requests in their own quota only."""
    return quota.user_id == user.id


@rule("quota.manage")
def _quota_manage(user, quota) -> bool:
    return _event_edit(user, quota.plan.event)


@rule("quota.review")
def _quota_review(user, quota) -> bool:
    """Review, reopen, catch-up decisions, mentoring: the trainee's assigned curator (and admins)."""
    return user.is_admin or (quota.curator_id == user.id and user.has_role(CURATOR))


@rule("quota.supervise")
def _quota_supervise(user, quota) -> bool:
    """Read the trainee's log and history: their curator and the seminar's organisers."""
    return _quota_review(user, quota) or _quota_manage(user, quota)


@rule("curator.area")
def _curator_area(user, _obj) -> bool:
    return user.has_role(CURATOR, ADMIN)


@rule("mentoring.record")
def _mentoring_record(user, plan) -> bool:
    return user.has_role(CURATOR) and any(c.id == user.id for c in plan.curators)


@rule("mentoring.edit")
def _mentoring_edit(user, session) -> bool:
    """Change or delete a mentoring session: the curator who recorded it."""
    return user.has_role(CURATOR) and session.curator_id == user.id


# --- certificates ---------------------------------------------------------------------------

@rule("event.certificates")
def _event_certificates(user, event) -> bool:
    """Eligibility, issuing, jobs, revoking and reissuing: those who edit the event (admins included)."""
    return _event_edit(user, event)


@rule("certificate.pdf")
def _certificate_pdf(user, certificate) -> bool:
    """The PDF: its holder, the event's organisers and admins; anyone else gets a 404."""
    return certificate.user_id == user.id or _event_edit(user, certificate.event)


@rule("certificate.credential")
def _certificate_credential(user, certificate) -> bool:
    """The signed credential without the printed check code: its signed-in holder only."""
    return certificate.user_id == user.id


@rule("certificate.manage")
def _certificate_manage(user, certificate) -> bool:
    return _event_edit(user, certificate.event)


# --- materials ------------------------------------------------------------------------------

@rule("event.materials")
def _event_materials(user, event) -> bool:
    """Attach, edit, reorder and delete an event's materials: whoever edits the event."""
    return _event_edit(user, event)


@rule("event.participant_materials")
def _event_participant_materials(user, event) -> bool:
    """Materials for participants: confirmed participants, the event's organisers and admins."""
    if user is None:
        return False
    if _event_edit(user, event):
        return True
    return _confirmed_participant(user, event)


@rule("material.view")
def _material_view(user, material) -> bool:
    """Public materials of a visible event for anyone (held-back links once the event is over);
    participants-only ones for confirmed participants; everything for the event's organisers."""
    event = material.event
    if not _event_view(user, event):
        return False
    if user is not None and _event_edit(user, event):
        return True
    if not material.released(clock.now()):
        return False
    return material.is_public or _event_participant_materials(user, event)

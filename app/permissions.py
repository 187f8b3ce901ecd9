"""Who may do what to which object: the one place for authorisation (STYLE rule 2).

Each rule is a named action, e.g. "event.edit", answering for a user and an object.
Routes call `require(action, obj)`; templates call `can(action, obj)`.
Refusal on an object the user may not see is a 404, so ids never leak; refusal of a
whole page is a 403; an anonymous visitor is sent to the login page (401 on the API).
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import false, or_, select, true

from app import clock
from app.accounts.models import Role, User
from app.events.models import Event, EventStatus
from app.extensions import login_manager
from app.materials.models import Visibility
from app.programmes.models import Programme, programme_organisers
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus

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
    event = obj if isinstance(obj, Event) else getattr(obj, "event", None)
    return action in _PUBLIC_ACTIONS and isinstance(event, Event) and not _event_view(None, event)


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
    return user.has_role(Role.ADMIN, Role.ORGANISER)


# --- programmes -----------------------------------------------------------------------

def manages_programme(user, programme) -> bool:
    return user.is_admin or any(o.id == user.id for o in programme.organisers)


@rule("programme.create")
def _programme_create(user, _obj) -> bool:
    return user.has_role(Role.ADMIN, Role.ORGANISER)


@rule("programme.edit")
def _programme_edit(user, programme) -> bool:
    return user.has_role(Role.ADMIN, Role.ORGANISER) and manages_programme(user, programme)


@rule("programme.report")
def _programme_report(user, programme) -> bool:
    """Indicators, the plan-vs-fact report, its snapshots and exports: the programme's organisers and admins."""
    return _programme_edit(user, programme)


def managed_programmes_clause(user):
    """SQL twin of manages_programme for lists: admin all; others the programmes assigned to them."""
    if user.is_admin:
        return true()
    return Programme.organisers.any(User.id == user.id)


# --- events ---------------------------------------------------------------------------

@rule("event.create")
def _event_create(user, _obj) -> bool:
    return user.has_role(Role.ADMIN, Role.ORGANISER)


@rule("event.edit")
def _event_edit(user, event) -> bool:
    """Admins edit all; organisers edit events they created or of programmes assigned to them."""
    if user is None:
        return False
    if user.is_admin:
        return True
    if not user.has_role(Role.ORGANISER):
        return False
    if event.created_by_id == user.id:
        return True
    return event.programme is not None and manages_programme(user, event.programme)


@rule("event.view")
def _event_view(user, event) -> bool:
    """Published and cancelled events are public; drafts only for those who edit them."""
    if event.status != EventStatus.DRAFT:
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


@rule("event.record_meeting")
def _event_record_meeting(user, event) -> bool:
    """A meeting's page and its outcome (guests, short outcome): editors and the group's facilitator."""
    return _event_edit(user, event) or _facilitates(user, event)


def editable_events_clause(user):
    """SQL twin of "event.edit" for lists: admin all; organiser own events and managed programmes'."""
    if not _signed_in(user):
        return false()
    if user.is_admin:
        return true()
    if not user.has_role(Role.ORGANISER):
        return false()
    managed = select(programme_organisers.c.programme_id).where(programme_organisers.c.user_id == user.id)
    return or_(Event.created_by_id == user.id, Event.programme_id.in_(managed))


# --- registrations --------------------------------------------------------------------

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
    return registration.status == RegistrationStatus.CONFIRMED and registration.event.status != EventStatus.CANCELLED \
        and _registration_view(user, registration)


@rule("event.join_link")
def _event_join_link(user, event) -> bool:
    """The webinar link: confirmed participants and the event's organisers only (DESIGN §3)."""
    if not event.online_url:
        return False
    if _event_edit(user, event):
        return True
    return registrations.join_link_for(registrations.registration_of(event, user)) is not None


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
    return user.is_admin or (quota.curator_id == user.id and user.has_role(Role.CURATOR))


@rule("quota.supervise")
def _quota_supervise(user, quota) -> bool:
    """Read the trainee's log and history: their curator and the seminar's organisers."""
    return _quota_review(user, quota) or _quota_manage(user, quota)


@rule("curator.area")
def _curator_area(user, _obj) -> bool:
    return user.has_role(Role.CURATOR, Role.ADMIN)


@rule("mentoring.record")
def _mentoring_record(user, plan) -> bool:
    return user.has_role(Role.CURATOR) and any(c.id == user.id for c in plan.curators)


# --- certificates ---------------------------------------------------------------------------

@rule("event.certificates")
def _event_certificates(user, event) -> bool:
    """Eligibility, issuing, jobs, revoking and reissuing: those who edit the event (admins included)."""
    return _event_edit(user, event)


@rule("certificate.pdf")
def _certificate_pdf(user, certificate) -> bool:
    """The PDF: its holder, the event's organisers and admins; anyone else gets a 404."""
    return certificate.user_id == user.id or _event_edit(user, certificate.event)


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
    registration = registrations.registration_of(event, user)
    return registration is not None and registration.status == RegistrationStatus.CONFIRMED


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
    return material.visibility == Visibility.PUBLIC or _event_participant_materials(user, event)


# --- the route table: every endpoint of the URL map, classified --------------------------------
#
# tests/gate walks app.url_map and fails on an endpoint missing here; it then builds the
# authorisation matrix, the CSRF checks and the fuzzers from these rows. Adding a route means
# adding one row (and, when its URL names objects, registering the fixture that builds them in
# tests/gate/builders.py under the name given as `fixture`).

PUBLIC, SIGNED_IN, ROLE, OBJECT_OWNER, TOKEN = "public", "signed_in", "role", "object_owner", "token"
ACCESS_KINDS = (PUBLIC, SIGNED_IN, ROLE, OBJECT_OWNER, TOKEN)


@dataclass(frozen=True)
class Access:
    """Who may call one endpoint (or one method of it).

    kind     public | signed_in | role | object_owner | token (API bearer token or a token in the URL)
    rule     the named rule above that the route asks (None for public and signed-in pages)
    roles    role: the roles that pass (admin always does); object_owner/token: the area's gate,
             anyone signed in without one of these roles gets 403 before the object is looked at
    fixture  the test builder of the objects named in the URL (tests/gate/builders.py)
    admin    whether an admin passes the object rule (False for "my own registration" actions)
    refuse   the status a signed-in user gets who may not act on the object: 404 (ids do not leak),
             302 for a dead link in the URL that sends its visitor on with a message,
             or 403 where the object itself is public (the API's "visible, but not yours")
    form     "module:Class" when the route's WTForms class cannot be found from its code
    lists    a list page: the name of the test grower that adds rows to it (its SQL count must not
             grow with them)
    """

    kind: str
    rule: str | None = None
    roles: tuple[str, ...] = ()
    fixture: str | None = None
    admin: bool = True
    refuse: int = 404
    form: str | None = None
    lists: str | None = None

    @property
    def label(self) -> str:
        return f"role:{'|'.join(self.roles)}" if self.kind == ROLE else self.kind


def public(rule: str | None = None, fixture: str | None = None, lists: str | None = None) -> Access:
    return Access(PUBLIC, rule=rule, fixture=fixture, lists=lists)


def signed_in(fixture: str | None = None, rule: str | None = None, lists: str | None = None) -> Access:
    return Access(SIGNED_IN, rule=rule, fixture=fixture, lists=lists)


def role(*roles: str, rule: str, fixture: str | None = None, lists: str | None = None) -> Access:
    return Access(ROLE, rule=rule, roles=roles, fixture=fixture, lists=lists)


def owner(rule: str, fixture: str, *, gate: tuple[str, ...] = (), admin: bool = True, refuse: int = 404,
          form: str | None = None, lists: str | None = None) -> Access:
    return Access(OBJECT_OWNER, rule=rule, roles=gate, fixture=fixture, admin=admin, refuse=refuse, form=form,
                  lists=lists)


def token(rule: str | None, fixture: str | None = None, *, gate: tuple[str, ...] = (), refuse: int = 404,
          lists: str | None = None) -> Access:
    return Access(TOKEN, rule=rule, roles=gate, fixture=fixture, refuse=refuse, lists=lists)


_MANAGE = ("organiser",)

# endpoint → Access, or endpoint → {METHOD: Access} where the methods differ (the API).
ROUTES: dict[str, Access | dict[str, Access]] = {
    # core and static files
    "core.healthz": public(),
    "core.switch_language": public(),
    "static": public(fixture="static_file"),
    "bootstrap.static": public(fixture="bootstrap_file"),
    # accounts
    "accounts.login": public(),
    "accounts.register": public(),
    "accounts.logout": signed_in(),
    "accounts.me": signed_in(lists="my_registrations"),
    "accounts.profile": signed_in(),
    "accounts.reset_password_request": public(),
    "accounts.reset_password": token(None, fixture="reset_token"),
    "accounts.change_password": signed_in(),
    "accounts.create_api_token": signed_in(),
    "accounts.revoke_api_token": owner("api_token.own", "api_token", admin=False),
    "accounts.manage_user_active": role("admin", rule="users.manage", fixture="user"),
    # consent to the processing of personal data, and the person's own data (GDPR)
    "accounts.confirm_consent": signed_in(),
    "accounts.my_data": signed_in(),
    "accounts.delete_account": signed_in(),
    "accounts.withdraw_consent": signed_in(),
    "accounts.consents_csv": role("admin", rule="users.manage"),
    "outbox.manage": role("admin", rule="outbox.manage", lists="outbox"),
    # reports: the organiser's dashboard, each programme's plan-vs-fact report and its indicators
    "reports.dashboard_page": role(*_MANAGE, rule="manage.area"),
    "reports.show": owner("programme.report", "programme"),
    "reports.stage": owner("programme.report", "stage"),
    "reports.export": owner("programme.report", "report_export"),
    "reports.save_deviations": owner("programme.report", "programme"),
    "reports.freeze": owner("programme.report", "programme"),
    "reports.snapshot": owner("programme.report", "report_snapshot"),
    "reports.snapshot_export": owner("programme.report", "report_snapshot"),
    "reports.compare": owner("programme.report", "report_compare"),
    "reports.indicator_list": owner("programme.report", "programme"),
    "reports.indicator_create": owner("programme.report", "programme"),
    "reports.indicator_edit": owner("programme.report", "indicator"),
    "reports.indicator_delete": owner("programme.report", "indicator"),
    "reports.indicator_move": owner("programme.report", "indicator"),
    "reports.manual_fact": owner("programme.report", "manual_indicator"),
    "reports.breakdown": owner("programme.report", "indicator"),
    "api_reports.ProgrammeReport": token("programme.report", fixture="programme", refuse=403),
    # certificates: the organiser's issuing pages, the holder's PDF, anyone's verification
    "certificates.manage": owner("event.certificates", "event"),
    "certificates.create_job": owner("event.certificates", "event"),
    "certificates.issue_one": owner("event.certificates", "event"),
    "certificates.preview": owner("event.certificates", "event"),
    "certificates.job_page": owner("event.certificates", "certificate_job"),
    "certificates.job_progress": owner("event.certificates", "certificate_job"),
    "certificates.rerun_job": owner("event.certificates", "certificate_job"),
    "certificates.revoke": owner("certificate.manage", "event_certificate"),
    "certificates.reissue": owner("certificate.manage", "event_certificate"),
    "certificates.pdf": owner("certificate.pdf", "certificate"),
    "certificates.lookup": public(),
    "certificates.verify_page": public(fixture="certificate"),
    "certificates.verify_json": public(fixture="certificate"),
    "certificates.verify_credential": public(fixture="certificate"),
    "certificates.verify_upload": public(fixture="certificate"),
    "certificates.verify_seen": public(fixture="certificate"),
    "certificates.jwks": public(),
    # quotas: the trainee's log, the curator's queue and mentoring, the organiser's plan and cohort
    "quotas.mine": signed_in(),
    "quotas.detail": owner("quota.own", "quota", admin=False),
    "quotas.log_consultation": owner("quota.own", "quota", admin=False),
    "quotas.edit_consultation": owner("quota.own", "consultation", admin=False),
    "quotas.submit_catch_up": owner("quota.own", "quota", admin=False),
    "quotas.curator": role("curator", rule="curator.area"),
    "quotas.review_queue": role("curator", rule="curator.area"),
    "quotas.review": owner("quota.review", "curated_consultation", gate=("curator",)),
    "quotas.mentoring": owner("mentoring.record", "quota_plan", admin=False),
    "quotas.plan_form": owner("quota_plan.manage", "quota_event"),
    "quotas.cohort": owner("quota_plan.manage", "quota_event"),
    "quotas.cohort_csv": owner("quota_plan.manage", "quota_event"),
    "quotas.cohort_xlsx": owner("quota_plan.manage", "quota_event"),
    "quotas.sync": owner("quota_plan.manage", "quota_event"),
    "quotas.spread": owner("quota_plan.manage", "quota_event"),
    "quotas.add_trainee": owner("quota_plan.manage", "quota_event"),
    "quotas.manage_quota": owner("quota.supervise", "managed_quota"),
    "quotas.change_quota": owner("quota.manage", "managed_quota"),
    "quotas.set_curator": owner("quota.manage", "managed_quota"),
    "quotas.reopen": owner("quota.review", "curated_quota_consultation"),
    "quotas.request_catch_up": owner("quota.review", "curated_quota"),
    "quotas.decide_catch_up": owner("quota.review", "curated_quota"),
    "api_quotas.EventQuotas": token("quota_plan.manage", fixture="quota_event", refuse=403),
    "api_quotas.MyQuotas": token(None),
    "api_quotas.Consultations": token(None),
    "outbox.retry": role("admin", rule="outbox.manage", fixture="outbox_message"),
    "accounts.manage_users": role("admin", rule="users.manage", lists="users"),
    "accounts.manage_user_roles": role("admin", rule="users.manage", fixture="user"),
    "accounts.manage_organisations": role("admin", rule="users.manage", lists="organisations"),
    "accounts.approve_organisation": role("admin", rule="users.manage", fixture="organisation"),
    "accounts.reject_organisation": role("admin", rule="users.manage", fixture="organisation"),
    # programmes
    "programmes.show": public(fixture="programme"),
    "programmes.manage_list": role(*_MANAGE, rule="manage.area", lists="programmes"),
    "programmes.create": role(*_MANAGE, rule="programme.create"),
    "programmes.manage": owner("programme.edit", "programme"),
    "programmes.edit": owner("programme.edit", "programme"),
    "programmes.stage_create": owner("programme.edit", "programme"),
    "programmes.stage_edit": owner("programme.edit", "stage"),
    "programmes.stage_delete": owner("programme.edit", "stage"),
    "programmes.plan_item_create": owner("programme.edit", "programme"),
    "programmes.plan_item_edit": owner("programme.edit", "plan_item"),
    "programmes.plan_item_delete": owner("programme.edit", "plan_item"),
    # events
    "events.index": public(lists="events"),
    "events.detail": public(rule="event.view", fixture="event"),
    "events.manage_list": role(*_MANAGE, rule="manage.area", lists="events"),
    "events.manage_create": role(*_MANAGE, rule="event.create", fixture="event_kind"),
    "events.manage_edit": owner("event.edit", "event", gate=_MANAGE),
    "events.manage_publish": owner("event.edit", "draft_event", gate=_MANAGE),
    "events.manage_cancel": owner("event.edit", "event", gate=_MANAGE),
    "events.manage_delete": owner("event.edit", "draft_event", gate=_MANAGE),
    "events.manage_reinstate": owner("event.edit", "event", gate=_MANAGE),
    "events.manage_duplicate": owner("event.edit", "event", gate=_MANAGE),
    "events.manage_results": owner("event.edit", "trip", gate=_MANAGE),
    "events.manage_changes": owner("event.edit", "event", gate=_MANAGE),
    # materials: the organiser's pages, and the file itself for whoever may see it
    "materials.manage": owner("event.materials", "event", gate=_MANAGE),
    "materials.upload": owner("event.materials", "event", gate=_MANAGE),
    "materials.add_link": owner("event.materials", "event", gate=_MANAGE),
    "materials.edit": owner("event.materials", "managed_material", gate=_MANAGE),
    "materials.delete": owner("event.materials", "managed_material", gate=_MANAGE),
    "materials.move": owner("event.materials", "managed_material", gate=_MANAGE),
    "materials.download": owner("material.view", "participant_material"),
    "events.manage_series": owner("event.edit", "event", gate=_MANAGE),
    "events.manage_meeting": owner("event.record_meeting", "group_meeting"),
    "events.manage_meeting_change": owner("event.edit", "group_meeting", gate=_MANAGE),
    "events.manage_meeting_cancel": owner("event.edit", "group_meeting", gate=_MANAGE),
    "events.manage_meeting_outcome": owner("event.record_meeting", "held_group_meeting"),
    # registrations: the trainee's own
    "registrations.register": signed_in(rule="event.register", fixture="event"),
    "registrations.cancel": owner("registration.own", "own_registration", admin=False),
    "registrations.confirm_cancel": owner("registration.own", "own_registration", admin=False),
    "registrations.accept_offer": owner("registration.own", "offered_registration", admin=False),
    "registrations.decline_offer": owner("registration.own", "offered_registration", admin=False),
    "registrations.ticket": owner("registration.ticket", "own_registration"),
    "registrations.ticket_pdf": owner("registration.ticket", "own_registration"),
    "registrations.my_answers": owner("registration.own", "own_registration", admin=False),
    # registrations: the event's organisers
    "registrations.participants": owner("event.manage_registrations", "event", lists="registrations"),
    "registrations.export_csv": owner("event.manage_registrations", "event", lists="registrations"),
    "registrations.export_xlsx": owner("event.manage_registrations", "event", lists="registrations"),
    "registrations.approvals": owner("event.manage_registrations", "approval_event", lists="applications"),
    "registrations.approve": owner("event.manage_registrations", "pending_registration"),
    "registrations.reject": owner("event.manage_registrations", "pending_registration"),
    "registrations.cancel_participant": owner("event.manage_registrations", "event_registration"),
    "registrations.add_participant": owner("event.manage_registrations", "event"),
    "registrations.change_status": owner("event.manage_registrations", "event_registration"),
    "registrations.change_role": owner("event.manage_registrations", "trip_registration"),
    "registrations.bulk_decide": owner("event.manage_registrations", "approval_event"),
    "registrations.check_in_page": owner("event.manage_registrations", "event_session",
                                             lists="session_registrations"),
    "registrations.check_in": owner("event.manage_registrations", "event_session"),
    "registrations.undo_check_in": owner("event.manage_registrations", "event_session"),
    # messaging: the organiser writes to participants; each organiser's notification settings
    "messaging.messages": owner("event.message", "event", gate=_MANAGE),
    "messaging.preview": owner("event.message", "event", gate=_MANAGE),
    "messaging.send": owner("event.message", "event", gate=_MANAGE),
    "messaging.message_detail": owner("event.message", "event_message", gate=_MANAGE),
    "messaging.preferences": role(*_MANAGE, rule="manage.area"),
    "registrations.sign_in_sheet": owner("event.manage_registrations", "event_session"),
    "registrations.badges": owner("event.manage_registrations", "event"),
    "registrations.consents_csv": owner("event.manage_registrations", "event"),
    # registrations: the event's questions
    "registrations.manage_questions": owner("event.edit", "event"),
    "registrations.edit_question": owner("event.edit", "event_question"),
    "registrations.delete_question": owner("event.edit", "event_question"),
    "registrations.move_question": owner("event.edit", "event_question"),
    # calendar feeds
    "calendar.event_ics": public(rule="event.view", fixture="event"),
    "calendar.public_feed": public(lists="events"),
    "calendar.personal_feed": token(None, fixture="calendar_token"),
    "calendar.reset_token": signed_in(),
    # the JSON API (bearer tokens; reads of published events are public)
    "api-docs.openapi_json": public(),
    "api_events.Events": {"GET": public(lists="events"), "POST": token("event.create", gate=_MANAGE, refuse=403)},
    "api_events.EventById": {"GET": public(rule="event.view", fixture="event"),
                             "PATCH": token("event.edit", fixture="event", refuse=403)},
    "api_registrations.EventRegistrations": token("event.manage_registrations", fixture="event", refuse=403,
                                                   lists="registrations"),
}


def route_access(endpoint: str, method: str) -> Access | None:
    """The classification of one endpoint and method, or None when it is not classified."""
    entry = ROUTES.get(endpoint)
    if isinstance(entry, dict):
        return entry.get(method.upper())
    return entry

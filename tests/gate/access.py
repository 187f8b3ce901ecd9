"""The route table: every endpoint of the URL map, classified by who may call it.

tests/gate walks app.url_map and fails on an endpoint missing here; it then builds the
authorisation matrix, the CSRF checks and the fuzzers from these rows. Adding a route means
adding one row (and, when its URL names objects, registering the fixture that builds them in
tests/gate/builders.py under the name given as `fixture`). The rules the rows name live in
app/permissions.py; this table is test metadata, so it lives with the tests.
"""
from dataclasses import dataclass

PUBLIC, SIGNED_IN, ROLE, OBJECT_OWNER, TOKEN = "public", "signed_in", "role", "object_owner", "token"
ACCESS_KINDS = (PUBLIC, SIGNED_IN, ROLE, OBJECT_OWNER, TOKEN)


@dataclass(frozen=True)
class Access:
    """Who may call one endpoint (or one method of it).

    kind     public | signed_in | role | object_owner | token (API bearer token or a token in the URL)
    rule     the named rule of app/permissions.py that the route asks (None for public and signed-in pages)
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
    "core.service_worker": public(),
    "core.manifest": public(),
    "core.offline": public(),
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
    "accounts.confirm_email": token(None, fixture="email_confirmation_token"),
    "accounts.resend_confirmation": signed_in(),
    "accounts.change_password": signed_in(),
    "accounts.create_api_token": signed_in(),
    "accounts.revoke_api_token": owner("api_token.own", "api_token", admin=False),
    "accounts.manage_user_active": role("admin", rule="users.manage", fixture="user"),
    # consent to the processing of personal data, and the person's own data (GDPR)
    "accounts.confirm_consent": signed_in(),
    "privacy.my_data": signed_in(),
    "privacy.delete_account": signed_in(),
    "privacy.withdraw_consent": signed_in(),
    "accounts.consents_csv": role("admin", rule="users.manage"),
    "outbox.manage": role("admin", rule="outbox.manage", lists="outbox"),
    # reports: the organiser's dashboard, each programme's plan-vs-fact report and its indicators
    "reports.dashboard_page": role(*_MANAGE, rule="manage.area"),
    "reports.show": owner("programme.report", "programme"),
    "reports.stage": owner("programme.report", "stage"),
    "reports.export": owner("programme.report", "report_export"),
    "reports.analytical_report": owner("programme.report", "analytical_report"),
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
    # the credential names its holder: the printed check code in the URL, or the signed-in holder
    "certificates.verify_credential": token("certificate.credential", fixture="certificate"),
    "certificates.verify_upload": public(fixture="certificate"),
    "certificates.verify_seen": public(fixture="certificate"),
    "certificates.jwks": public(),
    "certificates.status_list_credential": public(fixture="status_list"),
    # quotas: the trainee's log, the curator's queue and mentoring, the organiser's plan and cohort
    "quotas.mine": signed_in(),
    "quotas.detail": owner("quota.own", "quota", admin=False),
    "quotas.log_consultation": owner("quota.own", "quota", admin=False),
    "quotas.sync_consultation": owner("quota.own", "quota", admin=False),
    "quotas.edit_consultation": owner("quota.own", "consultation", admin=False),
    "quotas.submit_catch_up": owner("quota.own", "quota", admin=False),
    "quotas.curator": role("curator", rule="curator.area"),
    "quotas.review_queue": role("curator", rule="curator.area"),
    "quotas.review": owner("quota.review", "curated_consultation", gate=("curator",)),
    "quotas.accept_many": role("curator", rule="curator.area"),
    "quotas.mentoring": owner("mentoring.record", "quota_plan", admin=False),
    "quotas.edit_mentoring": owner("mentoring.edit", "mentoring_session", admin=False),
    "quotas.delete_mentoring": owner("mentoring.edit", "mentoring_session", admin=False),
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
    "events.sync_results": owner("event.edit", "trip", gate=_MANAGE),
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
    "events.manage_meeting_reinstate": owner("event.edit", "cancelled_group_meeting", gate=_MANAGE),
    "events.manage_meeting_outcome": owner("event.record_meeting", "held_group_meeting"),
    # registrations: the trainee's own
    "registrations.register": signed_in(rule="event.register", fixture="event"),
    "registrations.cancel": owner("registration.own", "own_registration", admin=False),
    "registrations.mail_setting": owner("registration.own", "own_registration", admin=False),
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
    "registrations.import_participants": owner("event.import_participants", "event"),
    "registrations.change_status": owner("event.manage_registrations", "event_registration"),
    "registrations.change_role": owner("event.manage_registrations", "trip_registration"),
    "registrations.bulk_decide": owner("event.manage_registrations", "approval_event"),
    "registrations.check_in_page": owner("event.manage_registrations", "event_session",
                                             lists="session_registrations"),
    "registrations.check_in": owner("event.manage_registrations", "event_session"),
    "registrations.check_in_today": owner("event.manage_registrations", "event"),
    "registrations.sync_check_ins": owner("event.manage_registrations", "event_session"),
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
    "api_series.Meetings": public(rule="event.view", fixture="event"),
    "api_series.Series": token("event.edit", fixture="event", gate=_MANAGE),
    "api_series.Meeting": token("event.edit", fixture="group_meeting", gate=_MANAGE),
    "api_series.CancelMeeting": token("event.edit", fixture="group_meeting", gate=_MANAGE),
    "api_series.ReinstateMeeting": token("event.edit", fixture="cancelled_group_meeting", gate=_MANAGE),
}


def route_access(endpoint: str, method: str) -> Access | None:
    """The classification of one endpoint and method, or None when it is not classified."""
    entry = ROUTES.get(endpoint)
    if isinstance(entry, dict):
        return entry.get(method.upper())
    return entry

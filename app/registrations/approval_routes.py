"""The organiser's approval queue: applications decided one by one or in bulk."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from app.accounts.regions import region_name
from app.events.models import Event
from app.registrations import queries, questions, services
from app.registrations.blueprint import bp, load_event
from app.registrations.forms import (
    ActionForm,
    BulkDecisionForm,
    QueueFilterForm,
    RejectForm,
)
from app.registrations.models import RegistrationStatus
from app.routing import act, confirmation, submit
from app.routing import signed_in_user as user

S = RegistrationStatus


def _render_queue(event: Event, failed: tuple[int, RejectForm] | None = None, status: int = 200,
                  bulk_form: BulkDecisionForm | None = None):
    """The approval table: one row per applicant with region, organisation, what the rules say and the
    answers; filtered and sorted by GET parameters (links and a form, no JavaScript needed)."""
    region_codes, organisations = queries.filter_options(event)
    filter_form = QueueFilterForm(request.args)
    filter_form.fill_choices([(code, region_name(code)) for code in region_codes],
                             [(str(o.id), o.name) for o in organisations])
    entries, waiting = services.approval_table(event, **filter_form.filters())
    forms = {entry.registration.id: RejectForm(formdata=None, prefix=f"r{entry.registration.id}") for entry in entries}
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = failed[1]
    bulk_form = bulk_form or BulkDecisionForm(formdata=None)
    ticked = set(bulk_form.registration_ids.data or [])
    if request.args.get("tick") == "all":
        ticked = {entry.registration.id for entry in entries}
    args = {name: value for name, value in request.args.items() if name in filter_form.data and value}
    return render_template("registrations/manage_approvals.html", event=event, entries=entries, waiting=waiting,
                           reject_forms=forms, action_form=ActionForm(), bulk_form=bulk_form, ticked=ticked,
                           filter_form=filter_form, args=args, questions=questions.event_questions(event.id),
                           answer_text=questions.answer_text), status


def _bulk_question(event: Event, form: BulkDecisionForm):
    """Rejecting several asks first, naming them; approving does not (it destroys nothing)."""
    if form.action.data != "reject" or not form.validate_on_submit():
        return None
    names = [entry.registration.user.full_name for entry in services.approval_queue(event)
             if entry.registration.id in set(form.registration_ids.data or [])]
    if not names:
        return None
    return confirmation(
        ngettext("Reject %(num)d application?", "Reject %(num)d applications?", len(names)),
        button=_("Yes, reject them"), back=url_for(".approvals", event_id=event.id),
        consequences=[", ".join(names), _("Each of them is mailed this reason: %(reason)s",
                                          reason=form.reason.data or "—")])


@bp.post("/manage/events/<int:event_id>/approvals/bulk")
@login_required
def bulk_decide(event_id: int):
    event = load_event(event_id, "event.manage_registrations")
    form = BulkDecisionForm()
    if (form.reason.data or "").strip():
        asked = _bulk_question(event, form)
        if asked is not None:
            return asked
    decided = submit(form, lambda: services.bulk_decide(event, user(), form.registration_ids.data or [],
                                                        form.action.data or "", form.reason.data or ""),
                     done=lambda count: ngettext("%(num)d application is approved.",
                                                 "%(num)d applications are approved.", count)
                     if form.action.data == "approve" else
                     ngettext("%(num)d application is rejected; the reason was mailed.",
                              "%(num)d applications are rejected; the reason was mailed.", count),
                     to=url_for(".approvals", event_id=event.id))
    return decided or _render_queue(event, status=422, bulk_form=form)


@bp.get("/manage/events/<int:event_id>/approvals")
@login_required
def approvals(event_id: int):
    event = load_event(event_id, "event.manage_registrations")
    return _render_queue(event)


@bp.post("/manage/events/<int:event_id>/registrations/<int:registration_id>/approve")
@login_required
def approve(event_id: int, registration_id: int):
    event = load_event(event_id, "event.manage_registrations")
    registration = services.registration_in_event(event, registration_id)
    return act(ActionForm(), lambda: services.approve(registration, user()),
               done=lambda _result: _("%(name)s is approved: %(status)s.", name=registration.user.full_name,
                                      status=registration.status.label),
               to=url_for(".approvals", event_id=event.id))


@bp.post("/manage/events/<int:event_id>/registrations/<int:registration_id>/reject")
@login_required
def reject(event_id: int, registration_id: int):
    event = load_event(event_id, "event.manage_registrations")
    registration = services.registration_in_event(event, registration_id)
    form = RejectForm(prefix=f"r{registration.id}")
    if form.validate_on_submit() and (form.reason.data or "").strip():
        asked = confirmation(_("Reject the application of %(name)s?", name=registration.user.full_name),
                             button=_("Yes, reject it"), back=url_for(".approvals", event_id=event.id),
                             consequences=[_("%(name)s is mailed this reason: %(reason)s",
                                             name=registration.user.full_name, reason=form.reason.data)])
        if asked is not None:
            return asked
    rejected = submit(form, lambda: services.reject(registration, user(), form.reason.data),
                      done=_("%(name)s is rejected; the reason was mailed.", name=registration.user.full_name),
                      to=url_for(".approvals", event_id=event.id))
    return rejected or _render_queue(event, (registration.id, form), 422)

"""Registration pages: parse → load scoped to the event → permissions.require → one service call.

The questions' pages are in question_routes.py, the approval queue in approval_routes.py and check-in in
check_in_routes.py.
"""
import segno
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.regions import region_name
from app.core.exports import CSV_DELIMITERS, table_response
from app.errors import DomainError, NotFound, ValidationFailed, apply_to_form
from app.events.models import Event
from app.permissions import require
from app.registrations import approval_routes as _approval_routes  # noqa: F401 — its routes join the blueprint
from app.registrations import check_in_routes as _check_in_routes  # noqa: F401
from app.registrations import exports, imports, printables, queries, questions, services, ui
from app.registrations import question_routes as _question_routes  # noqa: F401
from app.registrations.blueprint import bp, load_event
from app.registrations.forms import (
    ActionForm,
    AddParticipantForm,
    AnswersForm,
    ChangeRoleForm,
    ChangeStatusForm,
    ImportForm,
    ParticipantFilterForm,
    RegisterForm,
    with_questions,
)
from app.registrations.models import Registration, RegistrationStatus
from app.routing import act, confirmation, flash_invalid, submit
from app.routing import signed_in_user as user

S = RegistrationStatus


def _event_page(event_id: int) -> str:
    return f"/events/{event_id}"


def _own_registration(event: Event) -> Registration:
    registration = services.registration_of(event, current_user)
    if registration is None:
        raise NotFound()
    return require("registration.own", registration)


def _flash_result(registration: Registration) -> None:
    """The outcome, read from what register() kept loaded past its commit: no query after it."""
    if registration.status == S.CONFIRMED:
        flash(_("You are registered: your place is confirmed."), "success")
    elif registration.status == S.PENDING:
        flash(_("Your application is awaiting the organiser’s approval."), "info")
    elif registration.status == S.WAITLISTED:
        flash(_("The event is full: you are on the waitlist at position %(position)d.",
                position=registration.place_when_queued), "warning")


# --- the trainee --------------------------------------------------------------------------

@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    """The event page's form. When answers are missing or wrong (also a direct POST without them to
    an event with required questions), nothing is saved and the questions come back on their own
    page with a message beside each field (422)."""
    event = load_event(event_id, "event.register")
    event_questions = questions.event_questions(event.id)
    form = with_questions(RegisterForm, event_questions)()
    if not form.validate_on_submit():
        flash_invalid(form)
        return redirect(_event_page(event.id))
    get_locale()  # resolved now: the flash after the commit then needs no reload of the user
    try:
        registration = services.register(event_id, user(), team_role=form.role.data or None,
                                         answers=form.answers(), event_questions=event_questions)
    except ValidationFailed as error:
        if not any(name.startswith("q") for name in error.fields):
            flash(str(error.message), "danger")
            return redirect(_event_page(event_id))
        apply_to_form(form, error)
        return render_template("registrations/register_questions.html", event=event, form=form,
                               roles=ui.role_choices(event)), 422
    except DomainError as error:
        flash(str(error.message), "danger")
    else:
        _flash_result(registration)
    return redirect(_event_page(event_id))


@bp.route("/events/<int:event_id>/answers", methods=["GET", "POST"])
@login_required
def my_answers(event_id: int):
    """The registrant sees their answers and corrects them until registration closes."""
    event = load_event(event_id, "event.view")
    registration = _own_registration(event)
    event_questions = questions.event_questions(event.id)
    form_class = with_questions(AnswersForm, event_questions)
    form = form_class(data=questions.raw_answers(registration)) if request.method == "GET" else form_class()
    editable = questions.can_change_answers(registration)
    saved = submit(form, lambda: questions.update_answers(registration, form.answers()),
                   done=_("Your answers are saved."), to=url_for(".my_answers", event_id=event.id))
    if saved:
        return saved
    return render_template("registrations/my_answers.html", event=event, form=form, editable=editable,
                           questions=event_questions), 422 if form.errors else 200


def _own_action(event_id: int, action, done_message: str):
    event = load_event(event_id, "event.view")
    registration = _own_registration(event)
    return act(ActionForm(), lambda: action(registration, user()), done=done_message, to=_event_page(event.id))


@bp.get("/events/<int:event_id>/cancel")
@login_required
def confirm_cancel(event_id: int):
    """The confirmation step before cancelling one's own registration (a page: it works without JavaScript)."""
    event = load_event(event_id, "event.view")
    registration = _own_registration(event)
    return render_template("registrations/cancel_confirm.html", event=event, registration=registration,
                           form=ActionForm())


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    if request.form.get("confirm") != "yes":
        return confirm_cancel(event_id)
    return _own_action(event_id, services.cancel, _("Your registration is cancelled."))


@bp.post("/events/<int:event_id>/mail")
@login_required
def mail_setting(event_id: int):
    """The registrant's "mail me about this event" switch (field `muted`: 1 mutes, 0 unmutes)."""
    muted = request.form.get("muted") == "1"
    return _own_action(event_id, lambda registration, actor: services.set_mail_muted(registration, actor, muted),
                       _("You will not get news about this event by mail; mails about your place still come.")
                       if muted else _("You will get news about this event by mail again."))


@bp.post("/events/<int:event_id>/offer/accept")
@login_required
def accept_offer(event_id: int):
    return _own_action(event_id, services.accept_offer, _("The seat is yours: your place is confirmed."))


@bp.post("/events/<int:event_id>/offer/decline")
@login_required
def decline_offer(event_id: int):
    event = load_event(event_id, "event.view")
    _own_registration(event)
    asked = confirmation(_("Decline the seat offered to you?"), button=_("Yes, decline the seat"),
                         back=_event_page(event.id),
                         consequences=[_("The seat goes to the next person on the waitlist; you cannot take it back.")])
    if asked is not None:
        return asked
    return _own_action(event_id, services.decline_offer,
                       _("You declined the seat; it goes to the next person on the waitlist."))


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>/ticket")
@login_required
def ticket(event_id: int, registration_id: int):
    event = load_event(event_id, "event.view")
    registration = require("registration.ticket", services.registration_in_event(event, registration_id))
    token = services.ticket_token(registration)
    qr_svg = segno.make(token, error="m").svg_inline(scale=6, title=_("Ticket QR code"))
    return render_template("registrations/ticket.html", event=event, registration=registration,
                           token=token, qr_svg=qr_svg, sessions=event.sessions)


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={filename}"})


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>/ticket.pdf")
@login_required
def ticket_pdf(event_id: int, registration_id: int):
    event = load_event(event_id, "event.view")
    registration = require("registration.ticket", services.registration_in_event(event, registration_id))
    return _pdf(printables.ticket(registration), f"ticket-{event.id}-{registration.id}.pdf")


# --- the organiser ---------------------------------------------------------------------------

@bp.get("/manage/events/<int:event_id>/sessions/<int:session_id>/sign-in-sheet.pdf")
@login_required
def sign_in_sheet(event_id: int, session_id: int):
    event = load_event(event_id, "event.manage_registrations")
    session = services.session_in_event(event, session_id)
    return _pdf(printables.sign_in_sheet(event, session), f"event-{event.id}-session-{session.id}-sign-in.pdf")


@bp.get("/manage/events/<int:event_id>/badges.pdf")
@login_required
def badges(event_id: int):
    event = load_event(event_id, "event.manage_registrations")
    return _pdf(printables.badges(event), f"event-{event.id}-badges.pdf")


def _filter_form(event: Event) -> ParticipantFilterForm:
    region_codes, organisations = queries.filter_options(event)
    form = ParticipantFilterForm(request.args)
    form.fill_choices([(code, region_name(code)) for code in region_codes],
                      [(str(o.id), o.name) for o in organisations])
    return form


def _render_participants(event: Event, add_form: AddParticipantForm | None = None,
                         failed: tuple[int, object] | None = None, status: int = 200):
    """The participant list with its forms; a form that failed comes back with its messages."""
    form = _filter_form(event)
    listing = services.participants(event, form.filters())
    roles = ui.role_choices(event, full_too=True)
    if add_form is None:
        add_form = AddParticipantForm(formdata=None, prefix="add")
    add_form.role.choices = [("", _("No role"))] + roles
    status_forms, role_forms = {}, {}
    for r in listing.rows:
        if r.is_live:
            status_forms[r.id] = ChangeStatusForm(formdata=None, prefix=f"s{r.id}").fill_choices(services.SETTABLE)
            if roles:
                role_forms[r.id] = ChangeRoleForm(formdata=None, prefix=f"role{r.id}",
                                                  role=r.team_role.value if r.team_role else "")
                role_forms[r.id].role.choices = roles
    if failed is not None:
        registration_id, failed_form = failed
        if isinstance(failed_form, ChangeStatusForm):
            status_forms[registration_id] = failed_form.fill_choices(services.SETTABLE)
        else:
            failed_form.role.choices = roles
            role_forms[registration_id] = failed_form
    return render_template("registrations/manage_participants.html", event=event, form=form, listing=listing,
                           taken=services.seats_taken([event.id]).get(event.id, 0), statuses=list(S),
                           action_form=ActionForm(), held=services.held_sessions(event.id),
                           export_args=request.args.to_dict(), add_form=add_form, status_forms=status_forms,
                           role_forms=role_forms, questions=questions.event_questions(event.id),
                           answer_text=questions.answer_text), status


@bp.get("/manage/events/<int:event_id>/registrations")
@login_required
def participants(event_id: int):
    event = load_event(event_id, "event.manage_registrations")
    return _render_participants(event)


@bp.post("/manage/events/<int:event_id>/registrations/add")
@login_required
def add_participant(event_id: int):
    event = load_event(event_id, "event.manage_registrations")
    form = AddParticipantForm(prefix="add")
    added = submit(form, lambda: services.add_participant(event, user(), email=form.email.data,
                                                          full_name=form.full_name.data or "",
                                                          team_role=form.role.data or None,
                                                          override=form.override.data),
                   done=lambda registration: _("%(name)s is added: %(status)s.", name=registration.user.full_name,
                                               status=registration.status.label),
                   to=url_for(".participants", event_id=event.id))
    return added or _render_participants(event, add_form=form, status=422)


@bp.route("/manage/events/<int:event_id>/registrations/import", methods=["GET", "POST"])
@login_required
def import_participants(event_id: int):
    """Bulk import (pretix-like, all or nothing): paste or upload → a preview of every row, run through the
    registration rules and rolled back → the confirmation button posts the same rows with `save`."""
    event = load_event(event_id, "event.import_participants")
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        try:
            upload = form.file.data
            if upload is not None and getattr(upload, "filename", ""):
                rows = imports.table_rows(imports.read_upload(upload.filename,
                                                              upload.read(imports.MAX_BYTES + 1)), "file")
            else:
                rows = imports.table_rows(imports.read_text(form.table.data or ""))
            result = imports.import_participants(event, user(), rows, save=form.save.data == "yes")
        except ValidationFailed as error:
            apply_to_form(form, error)
        else:
            if result.saved:
                flash(ngettext("%(num)d person is imported; each is told by mail.",
                               "%(num)d people are imported; each is told by mail.", len(result.rows)), "success")
                return redirect(url_for(".participants", event_id=event.id))
            form.table.data = imports.as_csv(result.rows)
    return render_template("registrations/import.html", event=event, form=form, result=result,
                           statuses=S), 422 if form.errors or (result and result.failed) else 200


@bp.post("/manage/events/<int:event_id>/registrations/<int:registration_id>/status")
@login_required
def change_status(event_id: int, registration_id: int):
    event = load_event(event_id, "event.manage_registrations")
    registration = services.registration_in_event(event, registration_id)
    form = ChangeStatusForm(prefix=f"s{registration.id}").fill_choices(services.SETTABLE)
    changed = submit(form, lambda: services.set_status(registration, user(), form.status.data,
                                                       reason=form.reason.data or "", override=form.override.data),
                     done=lambda _result: _("%(name)s: %(status)s.", name=registration.user.full_name,
                                            status=registration.status.label),
                     to=url_for(".participants", event_id=event.id))
    return changed or _render_participants(event, failed=(registration.id, form), status=422)


@bp.post("/manage/events/<int:event_id>/registrations/<int:registration_id>/role")
@login_required
def change_role(event_id: int, registration_id: int):
    event = load_event(event_id, "event.manage_registrations")
    registration = services.registration_in_event(event, registration_id)
    form = ChangeRoleForm(prefix=f"role{registration.id}")
    changed = submit(form, lambda: services.set_role(registration, user(), form.role.data),
                     done=_("%(name)s: the role is changed.", name=registration.user.full_name),
                     to=url_for(".participants", event_id=event.id))
    return changed or _render_participants(event, failed=(registration.id, form), status=422)


@bp.get("/manage/events/<int:event_id>/registrations.csv", endpoint="export_csv", defaults={"fmt": "csv"})
@bp.get("/manage/events/<int:event_id>/registrations.xlsx", endpoint="export_xlsx", defaults={"fmt": "xlsx"})
@login_required
def export(event_id: int, fmt: str):
    """UTF-8 CSV with a BOM (`?delimiter=semicolon` for Russian Excel) or XLSX with real dates."""
    event = load_event(event_id, "event.manage_registrations")
    header, rows = exports.participant_table(event, _filter_form(event).filters())
    return table_response(fmt, _("Participants"), header, rows, f"event-{event.id}-participants",
                          delimiter=CSV_DELIMITERS.get(request.args.get("delimiter", ""), ","))


@bp.post("/manage/events/<int:event_id>/registrations/<int:registration_id>/cancel")
@login_required
def cancel_participant(event_id: int, registration_id: int):
    event = load_event(event_id, "event.manage_registrations")
    registration = services.registration_in_event(event, registration_id)
    asked = confirmation(_("Cancel the registration of %(name)s?", name=registration.user.full_name),
                         button=_("Yes, cancel the registration"), back=url_for(".participants", event_id=event.id),
                         consequences=[_("%(name)s is mailed at once; a seat they held goes to the waitlist.",
                                         name=registration.user.full_name)])
    if asked is not None:
        return asked
    return act(ActionForm(), lambda: services.cancel(registration, user()),
               done=_("The registration of %(name)s is cancelled.", name=registration.user.full_name),
               to=url_for(".participants", event_id=event.id))


# --- check-in ----------------------------------------------------------------------------

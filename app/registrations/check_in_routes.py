"""Check-in at the door: today's session, one session's list, marks sent from a phone that was offline, undo."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app import clock
from app.errors import DomainError, ValidationFailed, apply_to_form
from app.registrations import services, ui
from app.registrations.blueprint import bp, load_event
from app.registrations.forms import (
    CheckInForm,
    CheckInSearchForm,
    UndoCheckInForm,
)
from app.registrations.models import Registration, RegistrationStatus
from app.routing import signed_in_user as user

S = RegistrationStatus
SYNC_BATCH_MAX = 500


def _render_check_in(event, session, check_in_form, status: int = 200):
    search = CheckInSearchForm(request.args)
    filters = {"status": S.CONFIRMED.value, "q": search.q.data if search.validate() else None}
    listing = services.participants(event, filters)
    check_ins = services.check_ins_of(session)
    return render_template("registrations/manage_check_in.html", event=event, session=session, listing=listing,
                           checked=set(check_ins), check_ins=check_ins, search=search, form=check_in_form,
                           undo_form=UndoCheckInForm(), total_confirmed=listing.by_status.get(S.CONFIRMED, 0),
                           now=clock.now(), is_open=services.check_in_is_open(session),
                           opens_at=services.check_in_opens_at(session),
                           names_first=ui.names_first(event),
                           offline_data=ui.check_in_offline_data(event, session, check_ins)), status


def _event_and_session(event_id: int, session_id: int):
    """The event the organiser may manage registrations of, and one of its sessions (another event's is a 404)."""
    event = load_event(event_id, "event.manage_registrations")
    return event, services.session_in_event(event, session_id)


def _check_in_list(event, session, registration: Registration | None) -> str:
    """Back to the check-in list, at the row just ticked: on a phone the list keeps its place."""
    url = url_for(".check_in_page", event_id=event.id, session_id=session.id, q=request.args.get("q") or None)
    return f"{url}#participant-{registration.id}" if registration is not None else url


@bp.get("/manage/events/<int:event_id>/check-in")
@login_required
def check_in_today(event_id: int):
    """Check-in of a group or a long series: straight to today's meeting (or the next one)."""
    event = load_event(event_id, "event.manage_registrations")
    session = services.session_to_check_in(event.sessions)
    if session is None:
        flash(_("This event has no sessions to check in."), "warning")
        return redirect(url_for(".participants", event_id=event.id))
    return redirect(url_for(".check_in_page", event_id=event.id, session_id=session.id))


@bp.get("/manage/events/<int:event_id>/sessions/<int:session_id>/check-in")
@login_required
def check_in_page(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    return _render_check_in(event, session, CheckInForm(formdata=None))


@bp.post("/manage/events/<int:event_id>/sessions/<int:session_id>/check-in")
@login_required
def check_in(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        return _render_check_in(event, session, form, 422)
    try:
        if form.token.data:
            registration = services.registration_for_ticket(event, form.token.data)
        elif form.registration_id.data:
            registration = services.registration_in_event(event, form.registration_id.data)
        else:
            raise ValidationFailed(services.MESSAGES["bad_ticket"], field="token")
        outcome = services.record_check_in(registration, session, user())
    except DomainError as error:
        apply_to_form(form, error)
        return _render_check_in(event, session, form, 422)
    if outcome.created:
        flash(_("%(name)s is checked in.", name=registration.user.full_name), "success")
    else:
        flash(ui.already_checked_in(registration, outcome.entry, event), "warning")
    return redirect(_check_in_list(event, session, registration if form.registration_id.data else None))


@bp.post("/manage/events/<int:event_id>/sessions/<int:session_id>/check-in/sync")
@login_required
def sync_check_ins(event_id: int, session_id: int):
    """Ticks made offline on this page, sent as JSON (`{"entries": [{"client_key", "registration_id" or
    "token", "at"}]}`, CSRF token in the X-CSRFToken header): what became of each, by its key."""
    event, session = _event_and_session(event_id, session_id)
    body = request.get_json(silent=True)
    entries = body.get("entries") if isinstance(body, dict) else None
    if not isinstance(entries, list) or len(entries) > SYNC_BATCH_MAX:
        message = _("Send the entries as a list.")
        return jsonify({"error": message, "fields": {"entries": [message]}}), 422
    outcomes = services.sync_check_ins(event, session, user(), entries)
    return jsonify({"results": [ui.synced_check_in_json(outcome, event) for outcome in outcomes],
                    "checked_in": sorted(services.checked_in_ids(session))})


@bp.post("/manage/events/<int:event_id>/sessions/<int:session_id>/check-in/undo")
@login_required
def undo_check_in(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    form = UndoCheckInForm()
    if form.validate_on_submit() and (form.registration_id.data or "").isdigit():
        registration = services.registration_in_event(event, int(form.registration_id.data))
        services.undo_check_in(registration, session, user())
        flash(_("The check-in of %(name)s is undone.", name=registration.user.full_name), "success")
        return redirect(_check_in_list(event, session, registration))
    flash(_("Choose a participant."), "danger")
    return redirect(_check_in_list(event, session, None))

"""Event pages: the public listing and event page, and the organiser's pages under /manage/events.

HTTP only: parse → load → permissions.require → one service call → flash + redirect or render.
"""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from app import cache, clock, permissions
from app.core import sections
from app.core.i18n import local_datetime
from app.core.navigation import register_badge
from app.core.offline import device_time, valid_key
from app.errors import DomainError, ValidationFailed, apply_to_form
from app.events import services
from app.events.changes import CHANGE_LABELS, change_value_formatter
from app.events.forms import (
    FORMS,
    LANGUAGES,
    CancelEventForm,
    DeleteDraftForm,
    FilterForm,
    results_form_for,
)
from app.events.meeting_forms import MeetingForm, OutcomeForm, SeriesForm
from app.events.models import EventKind, TripService
from app.events.signals import event_page_wanted
from app.extensions import db
from app.programmes import services as programmes
from app.programmes.models import Programme
from app.routing import confirmation, form_status, found, submit

bp = Blueprint("events", __name__)


@bp.record_once
def _register_nav_badge(_state) -> None:
    """The header's "Manage events" shows the applications awaiting the organiser's approval."""
    register_badge("events.manage_list", services.pending_approvals)

PER_PAGE = 20
# The GET parameters the listing reads (anything else, such as utm_source, shares the same cache entry).
LISTING_ARGS = frozenset(("kind", "region", "programme", "q", "from", "to", "tab", "page", "per_page"))


def _page_number() -> int:
    return max(1, request.args.get("page", default=1, type=int) or 1)


def _load(event_id: int):
    return found(services.get_event(event_id))


def _editable(event_id: int):
    """The event, if the current user may edit it (403 for non-organisers, 404 for others' events)."""
    permissions.require("manage.area")
    return permissions.require("event.edit", _load(event_id))


def _all_programmes() -> list[Programme]:
    return list(db.session.execute(select(Programme).order_by(Programme.title)).scalars())


def _managed_programmes() -> list[Programme]:
    return programmes.programmes_for(current_user)


# --- public ---------------------------------------------------------------------------------

@bp.get("/")
@bp.get("/events")
def index():
    """The public listing. Its body is cached for every worker per (locale, parameters), valid for one
    data version and minute (upcoming events leave the list as time passes)."""
    args = request.args.to_dict()
    slot = ("events.index", str(get_locale()), tuple(sorted((k, v) for k, v in args.items() if k in LISTING_ARGS)))
    version = (services.listing_version(), clock.now().replace(second=0, microsecond=0))
    listing = cache.pages.get(slot, version)
    status = 200
    if listing is None:
        listing, status = _render_listing(args)
        if status == 200:
            cache.pages.put(slot, version, str(listing))
    return render_template("events/index.html", listing=Markup(listing)), status


def _render_listing(args: dict) -> tuple[Markup, int]:
    form = FilterForm(request.args).setup(_all_programmes())
    status = 200
    try:
        filters = services.parse_filters(args)
    except ValidationFailed as error:
        for name, messages in error.fields.items():
            target = form[name] if name in form else None
            if target is not None:
                target.errors = list(target.errors) + [str(m) for m in messages]
        filters = services.parse_filters({k: v for k, v in args.items() if k not in error.fields})
        status = 422
    per_page = min(100, max(1, request.args.get("per_page", default=PER_PAGE, type=int) or PER_PAGE))
    page = services.list_events(filters, _page_number(), per_page)
    html = render_template("events/_listing.html", form=form, filters=filters, page=page,
                           link_args=filters.as_args())
    return Markup(html), status


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    event = _load(event_id)
    permissions.require("event.view", event)
    now = clock.now()
    group_meetings = None
    if event.kind == EventKind.SELF_HELP_GROUP:
        group_meetings = _group_meetings(event, now)
    return render_template("events/detail.html", event=event, group_meetings=group_meetings,
                           sections=sections.collect(event_page_wanted, event),
                           seats_left=services.seats_left([event])[event.id],
                           team=services.team_places(event),
                           is_over=event.ends_at is not None and event.ends_at < now,
                           service_labels={s.value: s.label for s in TripService},
                           event_language_names=dict(LANGUAGES))


# --- organiser ------------------------------------------------------------------------------

@bp.get("/manage/events")
def manage_list():
    permissions.require("manage.area")
    page = services.list_manageable_events(current_user, _page_number())
    return render_template("events/manage_list.html", page=page, kinds=list(EventKind),
                           pending_total=services.pending_approvals(current_user))


def _edit_form_step(form) -> bool:
    """Handle the "add a session" / "remove session N" buttons; True when one was pressed."""
    if "add_session" in request.form:
        form.add_session_row()
        return True
    if "remove_session" in request.form:
        form.remove_session_row(request.form.get("remove_session", type=int))
        return True
    return False


@bp.route("/manage/events/new/<kind>", methods=["GET", "POST"])
def manage_create(kind: str):
    permissions.require("manage.area")
    try:
        event_kind = EventKind(kind)
    except ValueError:
        abort(404)
    permissions.require("event.create")
    form = FORMS[event_kind]().setup(_managed_programmes())
    if request.method == "POST" and not _edit_form_step(form) and form.validate_on_submit():
        try:
            event = services.create_event(current_user, form.to_data())
        except ValidationFailed as error:
            form.place_errors(error)
        else:
            flash(_("The event is saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = form_status(form)
    return render_template("events/form.html", form=form, kind=event_kind, event=None), status


@bp.route("/manage/events/<int:event_id>/edit", methods=["GET", "POST"])
def manage_edit(event_id: int):
    event = _editable(event_id)
    form = FORMS[event.kind]().setup(_managed_programmes_with(event))
    form.edits_sessions = event.series is None
    to_mail = None
    if request.method == "GET":
        form.fill_from(event)
    elif not _edit_form_step(form) and form.validate_on_submit():
        try:
            services.update_event(event, current_user, form.to_data(), mail_confirmed=form.notify_confirmed.data == "1",
                                  keep_confirmed=form.keep_confirmed.data)
        except services.MailConfirmationNeeded as question:
            to_mail = question.recipients
        except ValidationFailed as error:
            form.place_errors(error)
        else:
            flash(_("The event is saved."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = form_status(form)
    return render_template("events/form.html", form=form, kind=event.kind, event=event, to_mail=to_mail), status


def _managed_programmes_with(event) -> list[Programme]:
    """The user's programmes plus the event's own (an organiser may edit an event of someone else's programme)."""
    programmes = _managed_programmes()
    if event.programme is not None and all(p.id != event.programme_id for p in programmes):
        programmes.append(event.programme)
    return programmes


@bp.post("/manage/events/<int:event_id>/publish")
def manage_publish(event_id: int):
    event = _editable(event_id)
    services.publish_event(event, current_user)
    flash(_("The event is published."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.route("/manage/events/<int:event_id>/cancel", methods=["GET", "POST"])
def manage_cancel(event_id: int):
    """A confirmation page: how many people will be mailed, and the reason they will read."""
    event = _editable(event_id)
    form = CancelEventForm()
    if request.form.get("confirm") != "yes":  # a post without the page's button changes nothing
        return render_template("events/cancel.html", event=event, form=form, to_mail=services.people_to_mail(event))
    saved = submit(form, lambda: services.cancel_event(event, current_user, form.reason.data),
                   done=_("The event is cancelled. Registrants will be told."),
                   to=url_for("events.detail", event_id=event.id))
    if saved:
        return saved
    status = form_status(form)
    return render_template("events/cancel.html", event=event, form=form,
                           to_mail=services.people_to_mail(event)), status


@bp.route("/manage/events/<int:event_id>/delete", methods=["GET", "POST"])
def manage_delete(event_id: int):
    """Delete a draft nobody is registered for, after a confirmation page."""
    event = _editable(event_id)
    form = DeleteDraftForm()
    if request.form.get("confirm") != "yes":  # a post without the page's button changes nothing
        return render_template("events/delete.html", event=event, form=form)
    deleted = submit(form, lambda: services.delete_draft(event, current_user), done=_("The draft is deleted."),
                     to=url_for("events.manage_list"))
    return deleted or (render_template("events/delete.html", event=event, form=form),
                       422 if form.form_errors else 200)


@bp.post("/manage/events/<int:event_id>/reinstate")
def manage_reinstate(event_id: int):
    event = _editable(event_id)
    asked = confirmation(_("Reinstate this event?"), button=_("Yes, reinstate it"),
                         back=url_for("events.detail", event_id=event.id),
                         consequences=[_("Everyone still registered will be mailed that it takes place.")])
    if asked is not None:
        return asked
    services.reinstate_event(event, current_user)
    flash(_("The event is reinstated. Everyone registered is told that it takes place."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.post("/manage/events/<int:event_id>/duplicate")
def manage_duplicate(event_id: int):
    event = _editable(event_id)
    copy = services.duplicate_event(event, current_user)
    flash(_("A draft copy is ready: change its dates and publish it."), "success")
    return redirect(url_for("events.manage_edit", event_id=copy.id))


@bp.route("/manage/events/<int:event_id>/results", methods=["GET", "POST"])
def manage_results(event_id: int):
    event = _editable(event_id)
    if event.kind != EventKind.OUTREACH_TRIP:
        abort(404)
    form = results_form_for(event, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            services.record_trip_results(event, current_user, form.counts(), form.notes.data or "")
        except ValidationFailed as error:
            apply_to_form(form, error)
        else:
            flash(_("The trip results are saved."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = form_status(form)
    return render_template("events/results.html", form=form, event=event, recorded=_recorded_results(event),
                           offline_data=_results_offline_data(event)), status


def _recorded_results(event) -> dict:
    """Per service: the count that stands, who wrote it last and when (in the event's time zone)."""
    return {r.service.value: {"people_served": r.people_served,
                              "time": local_datetime(r.recorded_at, event.timezone, "short") if r.recorded_at else "",
                              "by": r.recorded_by.full_name if r.recorded_by is not None else "",
                              "client_key": r.client_key} for r in event.results}


def _results_offline_data(event) -> dict:
    return {"event_id": event.id, "sync_url": url_for("events.sync_results", event_id=event.id),
            "services": list(event.trip.services or []) if event.trip else [], "recorded": _recorded_results(event)}


@bp.post("/manage/events/<int:event_id>/results/sync")
def sync_results(event_id: int):
    """Trip results entered on a phone offline, sent as JSON (`{"client_key", "recorded_at", "counts":
    {service: n}, "notes"}`, CSRF token in the X-CSRFToken header). The same key again is the same entry;
    per service the latest entry stands: the answer says which count stands and who wrote it."""
    event = _editable(event_id)
    if event.kind != EventKind.OUTREACH_TRIP:
        abort(404)
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    key = valid_key(body.get("client_key"))
    counts = body.get("counts")
    if key is None or not isinstance(counts, dict):
        message = _("Send the entry with its key and counts.")
        return jsonify({"error": message, "fields": {"client_key" if key is None else "counts": [message]}}), 422
    try:
        services.record_trip_results(event, current_user, counts, str(body.get("notes") or ""),
                                     recorded_at=device_time(body.get("recorded_at")), client_key=key)
    except DomainError as error:
        return jsonify(error.to_json()), error.status
    recorded = _recorded_results(event)
    return jsonify({"client_key": key, "results": recorded,
                    "applied": sorted(name for name, row in recorded.items() if row["client_key"] == key)})


def _group_meetings(event, now) -> dict:
    """What the group page shows: the next meeting, past meetings with attendance, the chart's scale."""
    attendance = services.meeting_attendance(event)
    past = [(s, attendance[s.id]) for s in event.sessions if s.id in attendance]
    upcoming = [s for s in event.sessions if s.starts_at > now and not s.is_cancelled]
    return {"next": upcoming[0] if upcoming else None, "past": past,
            "most": max((a.total for _s, a in past), default=0)}


# --- series and meetings ------------------------------------------------------------------------

@bp.route("/manage/events/<int:event_id>/series", methods=["GET", "POST"])
def manage_series(event_id: int):
    """The recurrence rule: "Preview" lists the dates and saves nothing; "Create meetings" saves them."""
    event = _editable(event_id)
    form = SeriesForm()
    preview = None
    rule = services.rule_of(event)
    if request.method == "GET" and rule is not None:
        form.fill_from(rule)
    elif request.method == "GET":
        form.fill_from_first_session(event)
    elif request.method == "POST" and form.validate_on_submit():
        try:
            if "create" in request.form:
                sequence = event.sequence
                saved = services.create_meetings(event, current_user, form.to_data())
                told = services.people_to_mail(saved) if saved.sequence != sequence else 0
                if told:
                    flash(ngettext("The meetings are saved. %(num)d registrant is told about the new dates.",
                                   "The meetings are saved. %(num)d registrants are told about the new dates.",
                                   told), "success")
                else:
                    flash(_("The meetings are saved."), "success")
                return redirect(url_for("events.manage_series", event_id=event.id))
            preview = services.preview(event, form.to_data())
        except ValidationFailed as error:
            apply_to_form(form, error)
    status = form_status(form)
    return render_template("events/series.html", event=event, form=form, preview=preview,
                           now=clock.now()), status


def _meeting_of(event, session_id: int):
    session = next((s for s in event.sessions if s.id == session_id), None)
    if session is None:
        abort(404)
    return session


def _render_meeting(event, session, meeting_form=None, outcome_form=None, status: int = 200):
    if meeting_form is None:
        meeting_form = MeetingForm(formdata=None)
        meeting_form.fill_from(session, event.tz)
    if outcome_form is None:
        outcome_form = OutcomeForm(formdata=None, guests=session.guests or 0, outcome=session.outcome)
    members = services.meeting_attendance(event).get(session.id)
    return render_template("events/meeting.html", event=event, session=session, meeting_form=meeting_form,
                           outcome_form=outcome_form, attendance=members,
                           has_started=session.starts_at <= clock.now()), status


@bp.get("/manage/events/<int:event_id>/meetings/<int:session_id>")
def manage_meeting(event_id: int, session_id: int):
    """One meeting: move it or change its topic, cancel it, and after it record guests and the outcome."""
    event = permissions.require("event.record_meeting", _load(event_id))
    return _render_meeting(event, _meeting_of(event, session_id))


def _meeting_form(event, session, action, done: str, **failed_form):
    """A form of the meeting page posted: back to the meeting with `done`, or the page again with the form's
    messages (422); only a validation refusal is shown beside the fields."""
    return submit(next(iter(failed_form.values())), action, done=done, catching=ValidationFailed,
                  to=url_for("events.manage_meeting", event_id=event.id, session_id=session.id)) \
        or _render_meeting(event, session, status=422, **failed_form)


@bp.post("/manage/events/<int:event_id>/meetings/<int:session_id>/change")
def manage_meeting_change(event_id: int, session_id: int):
    event = _editable(event_id)
    session = _meeting_of(event, session_id)
    form = MeetingForm()
    return _meeting_form(event, session, lambda: services.change_meeting(event, session.id, current_user,
                                                                         form.to_data()),
                         _("The meeting is changed. Registrants are told."), meeting_form=form)


@bp.post("/manage/events/<int:event_id>/meetings/<int:session_id>/cancel")
def manage_meeting_cancel(event_id: int, session_id: int):
    event = _editable(event_id)
    session = _meeting_of(event, session_id)
    asked = confirmation(_("Cancel this meeting only?"), button=_("Yes, cancel the meeting"),
                         back=url_for("events.manage_meeting", event_id=event.id, session_id=session.id),
                         consequences=[_("Registrants are mailed at once; calendars show the meeting as cancelled. "
                                         "You can reinstate it later.")])
    if asked is not None:
        return asked
    services.cancel_meeting(event, session.id, current_user)
    flash(_("The meeting is cancelled. Registrants are told; calendars show it as cancelled."), "success")
    return redirect(url_for("events.manage_meeting", event_id=event.id, session_id=session.id))


@bp.post("/manage/events/<int:event_id>/meetings/<int:session_id>/reinstate")
def manage_meeting_reinstate(event_id: int, session_id: int):
    """A cancelled meeting takes place after all: registrants are mailed, calendars update the entry."""
    event = _editable(event_id)
    session = _meeting_of(event, session_id)
    asked = confirmation(_("Reinstate this meeting?"), button=_("Yes, reinstate it"),
                         back=url_for("events.manage_meeting", event_id=event.id, session_id=session.id),
                         consequences=[_("Registrants are mailed that it takes place after all.")])
    if asked is not None:
        return asked
    services.reinstate_meeting(event, session.id, current_user)
    flash(_("The meeting is reinstated. Registrants are told; calendars show it again."), "success")
    return redirect(url_for("events.manage_meeting", event_id=event.id, session_id=session.id))


@bp.post("/manage/events/<int:event_id>/meetings/<int:session_id>/outcome")
def manage_meeting_outcome(event_id: int, session_id: int):
    event = permissions.require("event.record_meeting", _load(event_id))
    session = _meeting_of(event, session_id)
    form = OutcomeForm()
    return _meeting_form(event, session, lambda: services.record_outcome(event, session.id, current_user,
                                                                         form.to_data()),
                         _("The meeting's outcome is saved."), outcome_form=form)


@bp.get("/manage/events/<int:event_id>/changes")
def manage_changes(event_id: int):
    event = _editable(event_id)
    return render_template("events/changes.html", event=event, field_labels=CHANGE_LABELS,
                           show_value=change_value_formatter(event.timezone))

"""The trainee's pages: my quotas, one quota with its pace and log, logging and fixing, catch-up plans.

Route shape: parse → load the quota → permissions.require("quota.own") → one service call.
The organiser's and the curator's pages are in manage_routes.py and curator_routes.py.
"""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import login_required

from app.core.offline import valid_key
from app.errors import DomainError
from app.quotas import curator_routes, manage_routes, services  # noqa: F401 — their routes join the blueprint
from app.quotas.base import today
from app.quotas.blueprint import bp, detail_context, load_quota, user
from app.quotas.forms import CatchUpForm, ConsultationForm, entry_data
from app.quotas.models import ReviewState
from app.routing import submit

__all__ = ["bp"]


@bp.get("/quotas")
@login_required
def mine():
    return render_template("quotas/mine.html", rows=services.my_rows(user()))


@bp.get("/quotas/<int:quota_id>")
@login_required
def detail(quota_id: int):
    quota = load_quota(quota_id, "quota.own")
    return render_template("quotas/detail.html", catch_up_form=CatchUpForm(formdata=None), **detail_context(quota))


def _consultation_form(quota, consultation=None, formdata=...):
    kwargs = {} if formdata is ... else {"formdata": formdata}
    form = ConsultationForm(obj=consultation, **kwargs)
    plan = quota.plan
    form.format.choices = [(value, label) for value, label in form.format.choices if value in plan.formats]
    form.topic.choices = [("", _("— no category —"))] + [(t["code"], t["name"]) for t in plan.topics or []]
    if consultation is None and form.held_on.data is None:
        form.held_on.data = today(plan.event.timezone)
    if consultation is not None and formdata is None:
        form.format.data = consultation.format.value
        form.client_type.data = consultation.client_type.value
        form.topic.data = consultation.topic or ""
    return form


def _consultation_page(quota, consultation, form, action, done: str):
    """The consultation form: a valid post goes back to the quota with `done`; otherwise the form again."""
    saved = submit(form, action, done=done, to=url_for(".detail", quota_id=quota.id))
    offline = None if consultation is not None else _offline_form(quota)
    return saved or (render_template("quotas/consultation_form.html", form=form, quota=quota,
                                     consultation=consultation, offline=offline),
                     422 if request.method == "POST" else 200)


def _offline_form(quota) -> dict:
    """What the new-consultation form needs on the device to take entries without a connection: where to
    send them, the window to check dates against, and the messages of the checks it can make itself."""
    plan, messages = quota.plan, services.MESSAGES
    return {
        "sync_url": url_for(".sync_consultation", quota_id=quota.id), "quota_id": quota.id,
        "starts_on": plan.starts_on.isoformat(), "deadline": quota.deadline.isoformat(),
        "today": today(plan.event.timezone).isoformat(),
        "messages": {
            "required": str(messages["required"]), "date_required": str(messages["date_required"]),
            "date_future": str(messages["date_future"]), "duration": str(messages["duration"]),
            "note_long": str(messages["note_long"]), "note_email": str(messages["note_email"]),
            "note_phone": str(messages["note_phone"]),
            "date_before_window": str(messages["date_before_window"]) % {"start": format_date(plan.starts_on, "short")},
            "date_after_deadline": str(messages["date_after_deadline"]) % {
                "deadline": format_date(quota.deadline, "short")},
            "kept": _("Kept on this phone: it is sent when the connection is back."),
            "waiting": _("Waiting to send"),
            "returned": _("Returned, not logged:"),
            "discard": _("Discard"),
            "minutes": _("min"),
        },
    }


@bp.route("/quotas/<int:quota_id>/consultations/new", methods=["GET", "POST"])
@login_required
def log_consultation(quota_id: int):
    quota = load_quota(quota_id, "quota.own")
    form = _consultation_form(quota)
    return _consultation_page(quota, None, form, lambda: services.log_consultation(quota, form.data_for_service(),
                                                                                   user()),
                              _("The consultation is logged and waits for your curator’s review."))


@bp.post("/quotas/<int:quota_id>/consultations/sync")
@login_required
def sync_consultation(quota_id: int):
    """One consultation entered on the form while offline, sent as JSON with the API's field names and the
    device's `client_key` (CSRF token in the X-CSRFToken header): 201 when logged now, 200 when that key
    was logged before (nothing changes), 422 with the reasons per field when refused."""
    quota = load_quota(quota_id, "quota.own")
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    key = valid_key(body.get("client_key"))
    if key is None:
        message = str(services.MESSAGES["bad_key"])
        return jsonify({"error": message, "fields": {"client_key": [message]}}), 422
    try:
        consultation, created = services.log_keyed_consultation(quota, entry_data(body), user(), key)
    except DomainError as error:
        fields = {("date" if name == "held_on" else name): [str(m) for m in messages]
                  for name, messages in error.fields.items()}
        return jsonify({"error": str(error.message), "fields": fields}), 422 if error.status < 500 else 500
    return jsonify({"id": consultation.id, "client_key": key, "review_state": consultation.review_state.value,
                    "created": created, "detail_url": url_for(".detail", quota_id=quota.id)}), 201 if created else 200


@bp.route("/quotas/<int:quota_id>/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_consultation(quota_id: int, consultation_id: int):
    quota = load_quota(quota_id, "quota.own")
    consultation = services.consultation_in_quota(quota, consultation_id)
    if consultation.review_state == ReviewState.ACCEPTED:
        flash(_("An accepted consultation can only be changed after the curator reopens it."), "warning")
        return redirect(url_for(".detail", quota_id=quota.id))
    posted = request.method == "POST"
    form = _consultation_form(quota, consultation) if posted else _consultation_form(quota, consultation, None)
    return _consultation_page(quota, consultation, form,
                              lambda: services.edit_consultation(consultation, form.data_for_service(), user()),
                              _("The consultation is saved and sent to your curator again."))


@bp.post("/quotas/<int:quota_id>/catch-up")
@login_required
def submit_catch_up(quota_id: int):
    quota = load_quota(quota_id, "quota.own")
    form = CatchUpForm()
    saved = submit(form, lambda: services.submit_catch_up(quota, user(), form.per_week.data, form.note.data),
                   done=_("Your catch-up plan is sent to your curator."), to=url_for(".detail", quota_id=quota.id))
    if saved:
        return saved
    return render_template("quotas/detail.html", catch_up_form=form, **detail_context(quota)), 422

"""The trainee's pages: my quotas, one quota with its pace and log, logging and fixing, catch-up plans.

Route shape: parse → load the quota → permissions.require("quota.own") → one service call.
The organiser's and the curator's pages are in manage_routes.py and curator_routes.py.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.quotas import curator_routes, manage_routes, services  # noqa: F401 — their routes join the blueprint
from app.quotas.base import today
from app.quotas.blueprint import bp, detail_context, load_quota, user
from app.quotas.forms import CatchUpForm, ConsultationForm
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
    return saved or (render_template("quotas/consultation_form.html", form=form, quota=quota,
                                     consultation=consultation), 422 if request.method == "POST" else 200)


@bp.route("/quotas/<int:quota_id>/consultations/new", methods=["GET", "POST"])
@login_required
def log_consultation(quota_id: int):
    quota = load_quota(quota_id, "quota.own")
    form = _consultation_form(quota)
    return _consultation_page(quota, None, form, lambda: services.log_consultation(quota, form.data_for_service(),
                                                                                   user()),
                              _("The consultation is logged and waits for your curator’s review."))


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

"""The curator's pages: my trainees by urgency with tasks, the one-at-a-time review queue, mentoring."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core import bounds
from app.errors import NotFound
from app.extensions import db
from app.permissions import require
from app.quotas import services
from app.quotas.base import today
from app.quotas.blueprint import bp, user
from app.quotas.forms import MentoringForm, ReviewForm
from app.quotas.models import Consultation, QuotaPlan
from app.quotas.review import ACCEPT, RETURN
from app.routing import submit


@bp.get("/manage/curator")
@login_required
def curator():
    require("curator.area")
    me = user()
    return render_template("quotas/curator.html", rows=services.curator_rows(me),
                           tasks=services.open_tasks_of_curator(me), waiting=services.waiting_reviews(me),
                           plans=services.plans_of_curator(me), sessions=services.sessions_of_curator(me, limit=20))


def _render_review(consultation, form, status: int = 200):
    me = user()
    row = services.row_for(consultation.quota) if consultation else None
    return render_template("quotas/review.html", consultation=consultation, form=form, row=row,
                           waiting=services.waiting_reviews(me)), status


@bp.get("/manage/curator/review")
@login_required
def review_queue():
    require("curator.area")
    return _render_review(services.next_for_review(user()), ReviewForm(formdata=None))


@bp.post("/manage/curator/review/<int:consultation_id>")
@login_required
def review(consultation_id: int):
    require("curator.area")
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound()
    require("quota.review", consultation.quota)
    form = ReviewForm()
    decision = request.form.get("decision")
    reviewed = submit(form, lambda: services.review(consultation, user(), decision if decision in (ACCEPT, RETURN)
                                                    else "", form.comment.data),
                      done=_("Accepted.") if decision == ACCEPT else _("Returned to the trainee with your comment."),
                      to=url_for(".review_queue"))
    return reviewed or _render_review(consultation, form, 422)


def _mentoring_form(plan, curator):
    form = MentoringForm()
    rows = [row for row in services.curator_rows(curator) if row.quota.plan_id == plan.id]
    form.quota_ids.choices = [(row.quota.id, row.user.full_name) for row in
                              sorted(rows, key=lambda r: r.user.full_name.casefold())]
    if request.method != "POST":
        form.held_on.data = today(plan.event.timezone)
        wanted = request.args.get("quota", type=bounds.id_from)
        if wanted:
            form.quota_ids.data = [wanted]
    return form


@bp.route("/manage/curator/plans/<int:plan_id>/mentoring", methods=["GET", "POST"])
@login_required
def mentoring(plan_id: int):
    plan = db.session.get(QuotaPlan, plan_id)
    if plan is None:
        raise NotFound()
    require("mentoring.record", plan)
    me = user()
    form = _mentoring_form(plan, me)
    saved = submit(form, lambda: services.record_session(plan, me, {
        "kind": form.kind.data, "held_on": form.held_on.data, "topic": form.topic.data,
        "notes": form.notes.data, "quota_ids": form.quota_ids.data}),
                   done=_("The mentoring session is recorded."), to=url_for(".curator"))
    if saved:
        return saved
    status = 422 if request.method == "POST" else 200
    return render_template("quotas/mentoring_form.html", plan=plan, form=form), status

"""The curator's pages: my trainees by urgency with tasks and waiting catch-up plans, the review queue, mentoring."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from app.core import bounds
from app.errors import NotFound
from app.extensions import db
from app.permissions import require
from app.quotas import services
from app.quotas.base import today
from app.quotas.blueprint import bp, user
from app.quotas.forms import ActionForm, BulkAcceptForm, MentoringForm, QueueFilterForm, ReviewForm
from app.quotas.manage_routes import manage_page
from app.quotas.models import CatchUpState, Consultation, ConsultationFormat, QuotaPlan
from app.quotas.review import ACCEPT, RETURN
from app.routing import act, confirmation, submit


@bp.get("/manage/curator")
@login_required
def curator():
    require("curator.area")
    me = user()
    rows = services.curator_rows(me)
    waiting_plans = [row for row in rows if row.catch_up and row.catch_up.state == CatchUpState.SUBMITTED]
    return render_template("quotas/curator.html", rows=rows, waiting_plans=waiting_plans,
                           tasks=services.open_tasks_of_curator(me), waiting=services.waiting_reviews(me),
                           plans=services.plans_of_curator(me), sessions=services.sessions_of_curator(me, limit=20))


def _queue_filters(me) -> QueueFilterForm:
    """The queue's filters from the query string (or the form posted back): trainee, format."""
    form = QueueFilterForm(request.values, meta={"csrf": False})
    form.trainee.choices = [("", _("All trainees"))] + [
        (str(uid), name) for uid, name in services.trainees_of_curator(me)]
    form.format.choices = [("", _("All formats"))] + [(f.value, f.label) for f in ConsultationFormat]
    return form


def _queue_url(filters: dict, **extra) -> str:
    args = {"trainee": filters["trainee_id"], "format": filters["fmt"], **extra}
    return url_for(".review_queue", **{k: v for k, v in args.items() if v is not None})


def _render_review(consultation=None, form=None, status: int = 200, bulk_form=None):
    """The queue: the filters, one consultation to decide (the next after `after`), all waiting ones to tick."""
    me = user()
    filter_form = _queue_filters(me)
    filters = filter_form.filters()
    waiting = services.waiting_for_review(me, **filters)
    if consultation is None:
        consultation = services.shown_after(waiting, request.args.get("after", type=bounds.id_or_none))
    row = services.row_for(consultation.quota) if consultation else None
    after = consultation.id if consultation is not None and len(waiting) > 1 else None
    return render_template("quotas/review.html", consultation=consultation, form=form or ReviewForm(formdata=None),
                           row=row, waiting=services.waiting_reviews(me), queue=waiting, filter_form=filter_form,
                           filters=filters, bulk_form=bulk_form or BulkAcceptForm(formdata=None),
                           skip_url=_queue_url(filters, after=after) if after else None), status


@bp.get("/manage/curator/review")
@login_required
def review_queue():
    require("curator.area")
    return _render_review()


@bp.post("/manage/curator/review/<int:consultation_id>")
@login_required
def review(consultation_id: int):
    """Accept or return one consultation: from the queue (back to it, same filters) or from the trainee's
    page (`return_to=quota`: back there)."""
    require("curator.area")
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound()
    quota = require("quota.review", consultation.quota)
    form = ReviewForm()
    decision = request.form.get("decision")
    from_quota = request.form.get("return_to") == "quota"
    to = url_for(".manage_quota", quota_id=quota.id) if from_quota else _queue_url(_queue_filters(user()).filters())
    reviewed = submit(form, lambda: services.review(consultation, user(), decision if decision in (ACCEPT, RETURN)
                                                    else "", form.comment.data),
                      done=_("Accepted.") if decision == ACCEPT else _("Returned to the trainee with your comment."),
                      to=to)
    if reviewed:
        return reviewed
    if from_quota:
        return manage_page(quota, 422, review_form=form, review_for=consultation.id)
    return _render_review(consultation, form, 422)


@bp.post("/manage/curator/review/accept")
@login_required
def accept_many():
    """Accept the ticked consultations in one go (each must be one of this curator's trainees')."""
    require("curator.area")
    form = BulkAcceptForm()
    chosen = []
    ticked = (form.consultation_ids.data or []) if form.validate_on_submit() else []
    for consultation_id in ticked:
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is None:
            raise NotFound()
        require("quota.review", consultation.quota)
        chosen.append(consultation)
    accepted = submit(form, lambda: services.accept_many(chosen, user()),
                      done=lambda n: ngettext("%(num)d consultation accepted.", "%(num)d consultations accepted.", n),
                      to=_queue_url(_queue_filters(user()).filters()))
    return accepted or _render_review(status=422, bulk_form=form)


def _mentoring_form(plan, curator, session=None):
    form = MentoringForm() if request.method == "POST" else MentoringForm(formdata=None, obj=session)
    rows = [row for row in services.curator_rows(curator) if row.quota.plan_id == plan.id]
    form.quota_ids.choices = [(row.quota.id, row.user.full_name) for row in
                              sorted(rows, key=lambda r: r.user.full_name.casefold())]
    if request.method != "POST":
        if session is not None:
            form.kind.data = session.kind.value
            form.quota_ids.data = [quota.id for quota in session.quotas]
        else:
            form.held_on.data = today(plan.event.timezone)
            wanted = request.args.get("quota", type=bounds.id_from)
            if wanted:
                form.quota_ids.data = [wanted]
    return form


def _mentoring_data(form) -> dict:
    return {"kind": form.kind.data, "held_on": form.held_on.data, "starts_at": form.starts_at.data,
            "topic": form.topic.data, "notes": form.notes.data, "quota_ids": form.quota_ids.data}


def _mentoring_page(plan, form, session=None):
    status = 422 if request.method == "POST" else 200
    return render_template("quotas/mentoring_form.html", plan=plan, form=form, session=session,
                           action_form=ActionForm()), status


@bp.route("/manage/curator/plans/<int:plan_id>/mentoring", methods=["GET", "POST"])
@login_required
def mentoring(plan_id: int):
    plan = db.session.get(QuotaPlan, plan_id)
    if plan is None:
        raise NotFound()
    require("mentoring.record", plan)
    me = user()
    form = _mentoring_form(plan, me)
    saved = submit(form, lambda: services.record_session(plan, me, _mentoring_data(form)),
                   done=_("The mentoring session is recorded."), to=url_for(".curator"))
    return saved or _mentoring_page(plan, form)


def _load_session(session_id: int):
    session = services.get_session(session_id)
    if session is None:
        raise NotFound()
    return require("mentoring.edit", session)


@bp.route("/manage/curator/mentoring/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_mentoring(session_id: int):
    session = _load_session(session_id)
    me = user()
    form = _mentoring_form(session.plan, me, session)
    saved = submit(form, lambda: services.update_session(session, me, _mentoring_data(form)),
                   done=_("The mentoring session is saved."), to=url_for(".curator"))
    return saved or _mentoring_page(session.plan, form, session)


@bp.post("/manage/curator/mentoring/<int:session_id>/delete")
@login_required
def delete_mentoring(session_id: int):
    session = _load_session(session_id)
    asked = confirmation(_("Delete the mentoring session “%(topic)s”?", topic=session.topic),
                         button=_("Yes, delete it"), back=url_for(".curator"))
    if asked is not None:
        return asked
    return act(ActionForm(), lambda: services.delete_session(session), done=_("The mentoring session is deleted."),
               to=url_for(".curator"))

"""The organiser's quota pages under /manage: the plan, the cohort (+ CSV/XLSX), one trainee's quota."""
from datetime import date
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from app import permissions
from app.accounts import services as accounts
from app.accounts.regions import region_name
from app.core import bounds, exports
from app.core.i18n import local_date
from app.errors import NotFound
from app.permissions import require
from app.quotas import services
from app.quotas.blueprint import bp, detail_context, load_event_plan, load_quota, user
from app.quotas.forms import (
    ActionForm,
    AddTraineeForm,
    CatchUpDecisionForm,
    CohortFilterForm,
    CuratorForm,
    PlanForm,
    QuotaChangeForm,
    ReasonForm,
    ReviewForm,
)
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus
from app.routing import act, submit

PAGE_SIZE = 100


def _plan_form(plan, formdata=...):
    kwargs = {} if formdata is ... else {"formdata": formdata}
    form = PlanForm(obj=plan, **kwargs)
    curators = accounts.search_users(role="curator", per_page=1000).items
    form.curators.choices = [(u.id, u.full_name) for u in curators]
    if plan is not None and request.method != "POST":
        form.curators.data = [c.id for c in plan.curators]
        form.topics.data = "\n".join(f"{t['code']}: {t['name']}" for t in plan.topics or [])
    elif plan is None and request.method != "POST":
        form.formats.data = ["in_person", "phone", "online", "group", "home_visit"]
    return form


@bp.route("/manage/events/<int:event_id>/quota-plan", methods=["GET", "POST"])
@login_required
def plan_form(event_id: int):
    event, plan = load_event_plan(event_id)
    form = _plan_form(plan)
    saved = submit(form, lambda: services.save_plan(event, {
        "target": form.target.data, "starts_on": form.starts_on.data, "deadline": form.deadline.data,
        "formats": form.formats.data, "topics": form.topics.data,
        "behind_percent": form.behind_percent.data, "curators": form.curators.data,
    }, user()), done=_("The quota plan is saved."), to=url_for(".cohort", event_id=event.id))
    if saved:
        return saved
    status = 422 if request.method == "POST" else 200
    return render_template("quotas/plan_form.html", event=event, plan=plan, form=form), status


def _cohort_filters(plan):
    form = CohortFilterForm(request.args)
    regions = services.cohort_regions(plan)
    form.region.choices = [("", _("All regions"))] + [(code, region_name(code)) for code in regions]
    form.curator.choices = [("", _("All curators"))] + [(str(c.id), c.full_name) for c in plan.curators]
    return form


@bp.get("/manage/events/<int:event_id>/quotas")
@login_required
def cohort(event_id: int):
    event, plan = load_event_plan(event_id)
    if plan is None:
        return redirect(url_for(".plan_form", event_id=event.id))
    form = _cohort_filters(plan)
    data = services.cohort(plan, **form.filters())
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, -(-len(data.rows) // PAGE_SIZE))
    page = min(page, pages)
    shown = data.rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    args = {k: v for k, v in request.args.items() if k != "page"}
    # Names and days as the filter form already has them, each formatted once, not once per row.
    region_names = dict(form.region.choices[1:])
    return render_template("quotas/cohort.html", event=event, plan=plan, form=form, cohort=data, shown=shown,
                           page=page, pages=pages, action_form=ActionForm(), export_args=args,
                           region_names=region_names, logged_on=_logged_on(shown, event.timezone))


def _logged_on(rows, timezone: str) -> dict[int, str]:
    """Each row's last logged day in the event's timezone (short format) by quota id; rows with none are left out."""
    zone = ZoneInfo(timezone)
    days: dict[date, str] = {}
    cells = {}
    for row in rows:
        if row.last_logged_at:
            day = row.last_logged_at.astimezone(zone).date()
            if day not in days:
                days[day] = local_date(day, None, "short")
            cells[row.quota.id] = days[day]
    return cells


@bp.get("/manage/events/<int:event_id>/quotas.csv", endpoint="cohort_csv", defaults={"fmt": "csv"})
@bp.get("/manage/events/<int:event_id>/quotas.xlsx", endpoint="cohort_xlsx", defaults={"fmt": "xlsx"})
@login_required
def cohort_export(event_id: int, fmt: str):
    event, plan = load_event_plan(event_id)
    if plan is None:
        raise NotFound()
    data = services.cohort(plan, **_cohort_filters(plan).filters())
    header = [_("Full name"), _("Email"), _("Region"), _("Organisation"), _("Curator"), _("Target"), _("Deadline"),
              _("Accepted"), _("Submitted"), _("Returned"), _("Expected by today"), _("Status"),
              _("Last logged")]
    rows = [[
        r.user.full_name, r.user.email, region_name(r.user.region_code) if r.user.region_code else "",
        r.user.organisation_name or "", r.quota.curator.full_name if r.quota.curator else "",
        r.quota.target, r.quota.deadline.isoformat(), r.accepted, r.submitted, r.returned, r.pace.expected_count,
        str(r.status.label), r.last_logged_at.date().isoformat() if r.last_logged_at else "",
    ] for r in data.rows]
    return exports.table_response(fmt, _("Quotas"), header, rows, f"event-{event.id}-quotas")


def _plan_action(event_id: int, action, done):
    event, plan = load_event_plan(event_id)
    if plan is None:
        raise NotFound()
    return act(ActionForm(), lambda: action(plan), done=done, to=url_for(".cohort", event_id=event.id))


@bp.post("/manage/events/<int:event_id>/quotas/sync")
@login_required
def sync(event_id: int):
    return _plan_action(event_id, services.sync_quotas,
                        lambda n: ngettext("Quota given to %(num)d newly eligible participant.",
                                           "Quotas given to %(num)d newly eligible participants.", n))


@bp.post("/manage/events/<int:event_id>/quotas/spread")
@login_required
def spread(event_id: int):
    return _plan_action(event_id, lambda plan: services.spread_curators(plan, user()),
                        lambda n: ngettext("%(num)d trainee was given a curator.", "%(num)d trainees were given a curator.", n))


def _add_form(plan):
    form = AddTraineeForm()
    have = services.quota_user_ids(plan)
    confirmed = registrations.participants(plan.event, {"status": RegistrationStatus.CONFIRMED.value}).rows
    form.user_id.choices = [(str(r.user_id), r.user.full_name) for r in confirmed if r.user_id not in have]
    return form


@bp.route("/manage/events/<int:event_id>/quotas/add", methods=["GET", "POST"])
@login_required
def add_trainee(event_id: int):
    """A confirmed participant below the attendance threshold gets a quota all the same (recorded)."""
    event, plan = load_event_plan(event_id)
    if plan is None:
        raise NotFound()
    form = _add_form(plan)

    def add_chosen():
        trainee = accounts.get_user(int(form.user_id.data))
        services.add_trainee(plan, trainee, user())
        return trainee

    added = submit(form, add_chosen, done=lambda trainee: _("%(name)s now has a quota.", name=trainee.full_name),
                   to=url_for(".cohort", event_id=event.id))
    if added:
        return added
    return render_template("quotas/add_trainee.html", event=event, plan=plan, form=form), \
        422 if request.method == "POST" else 200


# --- one trainee's quota (organisers and the curator) ---------------------------------------------

def manage_page(quota, status: int = 200, **forms):
    curator_form = forms.get("curator_form") or CuratorForm(formdata=None)
    curator_form.curator.choices = [("", _("— none —"))] + [(str(c.id), c.full_name) for c in quota.plan.curators]
    if "curator_form" not in forms:
        curator_form.curator.data = str(quota.curator_id or "")
    return render_template(
        "quotas/manage_quota.html", history=services.history_of(quota),
        may_manage=permissions.can("quota.manage", quota), may_review=permissions.can("quota.review", quota),
        change_form=forms.get("change_form") or QuotaChangeForm(formdata=None), curator_form=curator_form,
        reopen_form=forms.get("reopen_form") or ReasonForm(formdata=None),
        decision_form=forms.get("decision_form") or CatchUpDecisionForm(formdata=None),
        action_form=ActionForm(), review_form=forms.get("review_form") or ReviewForm(formdata=None),
        review_for=forms.get("review_for"), **detail_context(quota)), status


def _quota_form(quota, *, action, done, **failed_form):
    """One of the quota page's forms posted: back to the page with `done`, or the page again with the form's
    messages (422)."""
    return submit(next(iter(failed_form.values())), action, done=done,
                  to=url_for(".manage_quota", quota_id=quota.id)) or manage_page(quota, 422, **failed_form)


@bp.get("/manage/quotas/<int:quota_id>")
@login_required
def manage_quota(quota_id: int):
    return manage_page(load_quota(quota_id, "quota.supervise"))


@bp.post("/manage/quotas/<int:quota_id>/change")
@login_required
def change_quota(quota_id: int):
    quota = require("quota.manage", load_quota(quota_id, "quota.supervise"))
    form = QuotaChangeForm()
    return _quota_form(quota, change_form=form, done=_("The quota of %(name)s is changed.", name=quota.user.full_name),
                       action=lambda: services.change_quota(quota, user(), target=form.target.data,
                                                            deadline=form.deadline.data, reason=form.reason.data))


@bp.post("/manage/quotas/<int:quota_id>/curator")
@login_required
def set_curator(quota_id: int):
    quota = require("quota.manage", load_quota(quota_id, "quota.supervise"))
    form = CuratorForm()
    form.curator.choices = [("", "")] + [(str(c.id), c.full_name) for c in quota.plan.curators]
    chosen = (form.curator.data or "").strip()  # blank (whitespace included) means "no curator"
    return _quota_form(quota, curator_form=form, done=_("The curator is saved."),
                       action=lambda: services.set_curator(quota, bounds.id_or_none(chosen), user()))


@bp.post("/manage/quotas/<int:quota_id>/consultations/<int:consultation_id>/reopen")
@login_required
def reopen(quota_id: int, consultation_id: int):
    quota = require("quota.review", load_quota(quota_id, "quota.supervise"))
    consultation = services.consultation_in_quota(quota, consultation_id)
    form = ReasonForm()
    return _quota_form(quota, reopen_form=form, done=_("The consultation is reopened and sent back to the trainee."),
                       action=lambda: services.reopen(consultation, user(), form.reason.data))


@bp.post("/manage/quotas/<int:quota_id>/catch-up/request")
@login_required
def request_catch_up(quota_id: int):
    quota = require("quota.review", load_quota(quota_id, "quota.supervise"))
    if ActionForm().validate():
        services.request_catch_up(quota, user())
        flash(_("%(name)s is asked for a catch-up plan.", name=quota.user.full_name), "success")
    return redirect(url_for(".manage_quota", quota_id=quota.id))


@bp.post("/manage/quotas/<int:quota_id>/catch-up/decide")
@login_required
def decide_catch_up(quota_id: int):
    quota = require("quota.review", load_quota(quota_id, "quota.supervise"))
    form = CatchUpDecisionForm()
    decision = request.form.get("decision")
    if decision not in ("accept", "return"):
        form.validate()
        return manage_page(quota, 422, decision_form=form)
    return _quota_form(quota, decision_form=form, action=lambda: services.decide_catch_up(
        quota, user(), decision == "accept", form.comment.data),
        done=_("The catch-up plan is accepted.") if decision == "accept"
        else _("The catch-up plan is returned to the trainee."))

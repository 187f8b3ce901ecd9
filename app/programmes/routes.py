"""Programme pages: organisers manage under /manage/programmes; anyone reads /programmes/<id>."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import clock, permissions
from app.accounts.regions import region_choices, region_name
from app.programmes import services
from app.programmes.forms import PlanItemForm, ProgrammeForm, StageForm
from app.programmes.models import PlanItem, Programme, Stage
from app.routing import confirmation, form_status, found, load_child, submit

bp = Blueprint("programmes", __name__)


def _programme_or_404(programme_id: int) -> Programme:
    return found(services.load_programme(programme_id))


def _stage_or_404(programme: Programme, stage_id: int) -> Stage:
    return load_child(Stage, stage_id, programme_id=programme.id)


def _item_or_404(programme: Programme, item_id: int) -> PlanItem:
    return load_child(PlanItem, item_id, programme_id=programme.id)


def _programme_form(programme: Programme | None = None) -> ProgrammeForm:
    form = ProgrammeForm(obj=programme)
    form.regions.choices = region_choices(include_blank=False)
    form.organisers.choices = [
        (u.id, f"{u.full_name} ({u.email})") for u in services.assignable_organisers()
    ]
    if programme is not None and not form.is_submitted():
        form.regions.data = list(programme.region_codes or [])
        form.organisers.data = [u.id for u in programme.organisers]
    return form


def _plan_item_form(programme: Programme, item: PlanItem | None = None) -> PlanItemForm:
    form = PlanItemForm(obj=item)
    form.stage_id.choices = [("", _("— no stage —"))] + [
        (str(s.id), _("Stage %(number)d: %(title)s", number=s.number, title=s.title)) for s in programme.stages
    ]
    form.event_ids.choices = [(e.id, e.title) for e in services.linkable_events(programme)]
    if item is not None and not form.is_submitted():
        form.stage_id.data = str(item.stage_id or "")
        form.event_ids.data = [e.id for e in item.events]
    return form


def _editable(programme_id: int) -> Programme:
    return permissions.require("programme.edit", _programme_or_404(programme_id))


def _back(programme: Programme, done: str):
    flash(done, "success")
    return redirect(url_for("programmes.manage", programme_id=programme.id))


def _form_page(form, action, done: str, template: str, programme: Programme | None, **context):
    """A programme form's page: a valid post runs `action` and goes back to the programme (the new one after
    creating); otherwise the form is shown again, with its messages (422)."""
    saved = submit(form, action, done=done,
                   to=lambda result: url_for("programmes.manage", programme_id=(programme or result).id))
    return saved or (render_template(template, form=form, programme=programme, **context), form_status(form))


# --- management -----------------------------------------------------------------------

@bp.get("/manage/programmes")
@login_required
def manage_list():
    permissions.require("manage.area")
    return render_template("programmes/manage_list.html", programmes=services.programmes_for(current_user))


@bp.route("/manage/programmes/new", methods=["GET", "POST"])
@login_required
def create():
    permissions.require("programme.create")
    form = _programme_form()
    return _form_page(form, lambda: services.create_programme(current_user, form.data_for_service()),
                      _("The programme is created. Add its stages and calendar plan."),
                      "programmes/programme_form.html", None)


@bp.get("/manage/programmes/<int:programme_id>")
@login_required
def manage(programme_id: int):
    programme = _editable(programme_id)
    return render_template("programmes/manage.html", programme=programme, region_name=region_name,
                           timeline=services.timeline(programme), outcome=services.event_outcome,
                           outcome_labels=services.Outcome.LABELS, now=clock.now())


@bp.route("/manage/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit(programme_id: int):
    programme = _editable(programme_id)
    form = _programme_form(programme)
    return _form_page(form, lambda: services.update_programme(programme, current_user, form.data_for_service()),
                      _("The programme is saved."), "programmes/programme_form.html", programme)


@bp.route("/manage/programmes/<int:programme_id>/stages/new", methods=["GET", "POST"])
@login_required
def stage_create(programme_id: int):
    programme = _editable(programme_id)
    form = StageForm()
    if not form.is_submitted():
        form.number.data = max((s.number for s in programme.stages), default=0) + 1
    return _form_page(form, lambda: services.add_stage(programme, current_user, form.data_for_service()),
                      _("The stage is added."), "programmes/stage_form.html", programme, stage=None)


@bp.route("/manage/programmes/<int:programme_id>/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@login_required
def stage_edit(programme_id: int, stage_id: int):
    programme = _editable(programme_id)
    stage = _stage_or_404(programme, stage_id)
    form = StageForm(obj=stage)
    return _form_page(form, lambda: services.update_stage(stage, current_user, form.data_for_service()),
                      _("The stage is saved."), "programmes/stage_form.html", programme, stage=stage)


@bp.post("/manage/programmes/<int:programme_id>/stages/<int:stage_id>/delete")
@login_required
def stage_delete(programme_id: int, stage_id: int):
    programme = _editable(programme_id)
    stage = _stage_or_404(programme, stage_id)
    asked = confirmation(_("Delete this stage?"), button=_("Yes, delete it"),
                         back=url_for("programmes.manage", programme_id=programme.id))
    if asked is not None:
        return asked
    services.delete_stage(stage, current_user)
    return _back(programme, _("The stage is deleted."))


@bp.route("/manage/programmes/<int:programme_id>/plan/new", methods=["GET", "POST"])
@login_required
def plan_item_create(programme_id: int):
    programme = _editable(programme_id)
    form = _plan_item_form(programme)
    if not form.is_submitted():
        form.number.data = str(len(programme.plan_items) + 1)
    return _form_page(form, lambda: services.add_plan_item(programme, current_user, form.data_for_service()),
                      _("The activity is added to the calendar plan."),
                      "programmes/plan_item_form.html", programme, item=None)


@bp.route("/manage/programmes/<int:programme_id>/plan/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def plan_item_edit(programme_id: int, item_id: int):
    programme = _editable(programme_id)
    item = _item_or_404(programme, item_id)
    form = _plan_item_form(programme, item)
    return _form_page(form, lambda: services.update_plan_item(item, current_user, form.data_for_service()),
                      _("The activity is saved."), "programmes/plan_item_form.html", programme, item=item)


@bp.post("/manage/programmes/<int:programme_id>/plan/<int:item_id>/delete")
@login_required
def plan_item_delete(programme_id: int, item_id: int):
    programme = _editable(programme_id)
    item = _item_or_404(programme, item_id)
    asked = confirmation(_("Remove this activity from the calendar plan?"), button=_("Yes, remove it"),
                         back=url_for("programmes.manage", programme_id=programme.id))
    if asked is not None:
        return asked
    services.delete_plan_item(item, current_user)
    return _back(programme, _("The activity is removed from the calendar plan."))


# --- public ---------------------------------------------------------------------------

@bp.get("/programmes/<int:programme_id>")
def show(programme_id: int):
    """The programme as NGO partners and funders see it: plan, timeline, public events only."""
    programme = _programme_or_404(programme_id)
    return render_template("programmes/show.html", programme=programme, region_name=region_name,
                           timeline=services.timeline(programme), outcome=services.event_outcome,
                           outcome_labels=services.Outcome.LABELS, now=clock.now())

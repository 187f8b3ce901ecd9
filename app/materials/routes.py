"""Material pages: the organiser's list and forms under /manage/events/<id>/materials, and the
file download on the event's public side.

HTTP only: parse → load through the event → permissions.require → one service call → flash +
redirect or render.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import permissions
from app.events import services as events
from app.materials import services, ui
from app.materials.forms import FileMaterialForm, LinkMaterialForm, MaterialForm
from app.materials.models import Visibility
from app.routing import confirmation, form_status, found, submit

bp = Blueprint("materials", __name__)


@bp.record_once
def _template_helpers(state) -> None:
    ui.init_app(state.app)


def _event(event_id: int):
    return found(events.get_event(event_id))


def _managed(event_id: int):
    """The event, if the current user may manage its materials (403 for non-organisers, 404 for others')."""
    permissions.require("manage.area")
    return permissions.require("event.materials", _event(event_id))


def _to_list(event):
    return redirect(url_for(".manage", event_id=event.id))


@bp.get("/manage/events/<int:event_id>/materials")
def manage(event_id: int):
    event = _managed(event_id)
    return render_template("materials/manage.html", event=event, groups=ui.grouped(services.materials_of(event),
                                                                                    event))


def _form_page(event, form, heading, action, done: str, material=None):
    """A material's form: a valid post runs `action` and goes back to the list; otherwise the form again."""
    return submit(form, action, done=done, to=url_for(".manage", event_id=event.id)) or (
        render_template("materials/form.html", event=event, form=form, heading=heading, material=material,
                        limit=services.size_text(services.max_bytes())), form_status(form))


@bp.route("/manage/events/<int:event_id>/materials/upload", methods=["GET", "POST"])
def upload(event_id: int):
    event = _managed(event_id)
    form = FileMaterialForm().setup(event)
    if not form.is_submitted():
        form.visibility.data = Visibility.PUBLIC.value
    return _form_page(event, form, _("Upload a file"),
                      lambda: services.add_file(event, current_user, form.data_for_service(), form.file.data),
                      _("The file is added."))


@bp.route("/manage/events/<int:event_id>/materials/link", methods=["GET", "POST"])
def add_link(event_id: int):
    event = _managed(event_id)
    form = LinkMaterialForm().setup(event)
    if not form.is_submitted():
        form.visibility.data = Visibility.PUBLIC.value
    return _form_page(event, form, _("Add a link"),
                      lambda: services.add_link(event, current_user, form.data_for_service()), _("The link is added."))


@bp.route("/manage/events/<int:event_id>/materials/<int:material_id>/edit", methods=["GET", "POST"])
def edit(event_id: int, material_id: int):
    event = _managed(event_id)
    material = services.material_in(event, material_id)
    form_class = MaterialForm if material.is_file else LinkMaterialForm
    form = form_class(obj=material).setup(event)
    if not form.is_submitted():
        form.session_id.data = str(material.session_id or "")
        form.visibility.data = material.visibility.value
    return _form_page(event, form, _("Edit the material"),
                      lambda: services.update_material(material, current_user, form.data_for_service()),
                      _("The material is saved."), material)


@bp.post("/manage/events/<int:event_id>/materials/<int:material_id>/delete")
def delete(event_id: int, material_id: int):
    event = _managed(event_id)
    material = services.material_in(event, material_id)
    asked = confirmation(_("Delete the material “%(title)s”?", title=material.title), button=_("Yes, delete it"),
                         back=url_for("materials.manage", event_id=event.id),
                         consequences=[_("A file is removed for good.")])
    if asked is not None:
        return asked
    services.delete_material(material, current_user)
    flash(_("The material is deleted."), "success")
    return _to_list(event)


@bp.post("/manage/events/<int:event_id>/materials/<int:material_id>/move")
def move(event_id: int, material_id: int):
    event = _managed(event_id)
    offset = -1 if request.form.get("direction") == "up" else 1
    services.move_material(services.material_in(event, material_id), current_user, offset)
    return _to_list(event)


@bp.get("/events/<int:event_id>/materials/<int:material_id>")
def download(event_id: int, material_id: int):
    """A file material, as what its content is: images shown inline, everything else as an attachment."""
    material = services.material_in(_event(event_id), material_id)
    permissions.require("material.view", material)
    if not material.is_file:
        abort(404)
    response = send_file(services.open_file(material), mimetype=material.content_type,
                         as_attachment=not material.is_image, download_name=material.filename,
                         etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store" if material.visibility == Visibility.PARTICIPANTS \
        else "no-cache"
    return response

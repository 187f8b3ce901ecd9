"""Administrators see the outbox: what waits, what went, what failed and why; failed rows can be retried."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import permissions
from app.errors import DomainError
from app.outbox import services
from app.outbox.models import OutboxState

bp = Blueprint("outbox", __name__)


@bp.get("/manage/outbox")
@login_required
def manage():
    permissions.require("outbox.manage")
    state_value = request.args.get("state", "")
    try:
        state = OutboxState(state_value) if state_value else None
    except ValueError:
        state = None
    page = request.args.get("page", 1, type=int) or 1
    if not 1 <= page <= 10_000:
        abort(404)
    messages = services.recent(state, page)
    return render_template("outbox/manage.html", messages=messages[:services.PAGE_SIZE],
                           has_next=len(messages) > services.PAGE_SIZE, page=page, state=state,
                           counts=services.counts_by_state(), states=list(OutboxState))


@bp.post("/manage/outbox/<int:message_id>/retry")
@login_required
def retry(message_id: int):
    permissions.require("outbox.manage")
    try:
        services.retry(message_id, actor=current_user._get_current_object())
    except DomainError as error:
        if error.status == 404:
            abort(404)
        flash(str(error.message), "danger")
    else:
        flash(_("The message will be sent again."), "success")
    return redirect(url_for("outbox.manage", state=OutboxState.FAILED.value))

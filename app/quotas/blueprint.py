"""The quotas blueprint and what its three route modules share (loading objects, flashing errors)."""
from flask import Blueprint, flash
from flask_login import current_user

from app.calendar.personal import register_personal_source
from app.core.navigation import register_shown_to
from app.errors import NotFound
from app.events.models import Event
from app.extensions import db
from app.permissions import require
from app.quotas import feed, services, ui
from app.quotas.base import today

bp = Blueprint("quotas", __name__)


@bp.record_once
def _join_the_app(state) -> None:
    """Once per app: the template helpers, and the quota items of everyone's personal calendar feed."""
    ui.init_app(state.app)
    register_shown_to("quotas.mine", services.has_quota)
    register_personal_source("quotas", items=feed.quota_items, version=feed.quota_version)


def user():
    return current_user._get_current_object()


def load_quota(quota_id: int, action: str):
    """The quota, or 404 for anyone `action` does not allow (their object ids never leak)."""
    return require(action, services.get_quota(quota_id))


def load_event_plan(event_id: int):
    """The event (organisers of it only) and its plan (None before one is attached)."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound()
    require("quota_plan.manage", event)
    return event, services.plan_for_event(event.id)


def flash_invalid(form) -> None:
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")


def detail_context(quota) -> dict:
    row = services.row_for(quota)
    day = today(quota.plan.event.timezone)
    return {"quota": quota, "row": row, "plan": quota.plan, "event": quota.plan.event,
            "consultations": services.consultations_of(quota),
            "mentoring": services.sessions_for_quotas([quota.id])[quota.id],
            "chart": ui.pace_chart(row, services.accepted_dates(quota), day), "today": day}

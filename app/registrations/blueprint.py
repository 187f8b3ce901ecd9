"""The registrations blueprint and what its route modules share: the acting user and the event named in the URL."""
from flask import Blueprint
from flask_login import current_user

from app.events.models import Event
from app.registrations import ui
from app.routing import load

bp = Blueprint("registrations", __name__)


@bp.record_once
def _register_template_helpers(state) -> None:
    ui.init_app(state.app)


def user():
    return current_user._get_current_object()


def load_event(event_id: int, action: str) -> Event:
    return load(Event, event_id, action)

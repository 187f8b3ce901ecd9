"""The registrations blueprint and what its route modules share: the event named in the URL, loaded and allowed."""
from flask import Blueprint

from app.events.models import Event
from app.routing import load

bp = Blueprint("registrations", __name__)


def load_event(event_id: int, action: str) -> Event:
    return load(Event, event_id, action)

"""Registration rules: capacity without overbooking, approval rules, waitlist and offers, check-in."""
from sqlalchemy import func, select

from app.extensions import db
from app.registrations.models import Registration


def seats_taken(event_ids: list[int]) -> dict[int, int]:
    """Seats taken (confirmed + offered) per event, in one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, func.count(Registration.id))
        .where(Registration.event_id.in_(event_ids), Registration.takes_seat)
        .group_by(Registration.event_id)
    ).all()
    return {event_id: count for event_id, count in rows}


def after_event_change(event_id: int, changed: set[str], actor_id: int | None = None) -> None:
    """Called by the events area after it committed a change to an event.

    `changed` holds field names ("capacity", "sessions", "venue", "status", …). The registrations
    area reacts: promote the waitlist when capacity grows, mail registrants about time/place/status
    changes and cancellations.
    """

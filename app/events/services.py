"""Event rules: create, change, publish, cancel, duplicate, trip results, the public listing.

Every public function here is one transaction: it validates everything first, raises
`ValidationFailed` with messages keyed by the API field names (DESIGN §5) and saves nothing,
or commits once (`unit_of_work`). A change of time, place or status bumps `Event.sequence` and is
written to the change log; `signals.event_changed` tells the areas that react (registrations) inside
the same transaction, so the change and its consequences commit together.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app import clock
from app.core import bounds
from app.database import lock_row, unit_of_work
from app.errors import Conflict, FieldErrors, ValidationFailed
from app.events.changes import (
    SCALAR_FIELDS,
    TIME_PLACE_FIELDS,
    apply_change,
    denormalise_dates,
    record_change,
)
from app.events.meetings import cancel_meeting, change_meeting, record_outcome, reinstate_meeting
from app.events.models import (
    Event,
    EventKind,
    EventStatus,
    GroupDetails,
    Session,
    TripDetails,
    TripResult,
    TripService,
    TripTeamRole,
)
from app.events.parsing import TEXT_MAX, TITLE_MAX, check_text, to_int

# Readers live in queries.py; other areas reach them, with the commands below, through this module.
from app.events.queries import (
    EventFilters,
    Page,
    event_as_data,
    filter_clauses,
    get_event,
    list_events,
    list_manageable_events,
    listing_version,
    meeting_attendance,
    parse_filters,
    pending_approvals,
    people_to_mail,
    registration_counts,
    seats_left,
    team_places,
)
from app.events.series import create_meetings, moved_by_hand, preview, rule_of
from app.events.validation import validate
from app.extensions import db

__all__ = [
    "EventFilters", "MailConfirmationNeeded", "Page", "cancel_event", "cancel_meeting", "change_meeting", "reinstate_meeting",
    "create_event", "create_meetings", "delete_draft", "duplicate_event", "event_as_data", "filter_clauses",
    "get_event", "list_events", "list_manageable_events", "listing_version", "meeting_attendance", "parse_filters",
    "moved_by_hand", "pending_approvals", "people_to_mail", "preview", "publish_event", "record_outcome",
    "record_trip_results", "registration_counts", "rule_of", "seats_left", "team_places", "update_event",
]


PAST_NOT_CANCELLED = _l("This event is over: a past event cannot be cancelled.")


class MailConfirmationNeeded(Conflict):
    """A change would mail registrants and the caller asked to be told first; nothing was saved."""

    code = "confirm_mail"

    def __init__(self, recipients: int):
        self.recipients = recipients
        super().__init__(lazy_ngettext("This change will mail %(count)d person registered for the event.",
                                       "This change will mail %(count)d people registered for the event.",
                                       recipients, count=recipients))

# --- public operations ---------------------------------------------------------------------

def create_event(actor, data: dict) -> Event:
    """Create an event of any kind from API-shaped data (DESIGN §5) with its sessions."""
    with unit_of_work():
        clean, errors = validate(None, data, actor)
        errors.raise_if_any()
        event = Event(
            kind=clean["kind"],
            title=clean["title"],
            status=clean.get("status", EventStatus.DRAFT),
            timezone=clean.get("timezone", "Europe/Moscow"),
            created_by_id=getattr(actor, "id", None),
            sequence=0,
        )
        clean.pop("status", None)
        db.session.add(event)
        apply_change(event, clean)
    return event


def update_event(event: Event, actor, data: dict, *, mail_confirmed: bool = True,
                 keep_confirmed: bool = False) -> Event:
    """Change the keys present in `data`; a change of time, place or status bumps `sequence`.

    `mail_confirmed=False` (the edit form's first submit) raises MailConfirmationNeeded, saving
    nothing, when the change would mail registrants, so the organiser sees how many first.
    A capacity below the seats already held (confirmed + offered) is refused, naming them, unless
    `keep_confirmed`: then everyone keeps their seat and registration closes now.
    """
    with unit_of_work():
        locked = lock_row(Event, event.id)
        clean, errors = validate(locked, data, actor)
        errors.raise_if_any()
        if clean.get("status") == EventStatus.CANCELLED and locked.status != EventStatus.CANCELLED and locked.is_over:
            raise ValidationFailed(fields={"status": [PAST_NOT_CANCELLED]})
        if clean.get("capacity") is not None:
            _check_capacity(locked, clean, keep_confirmed)
        changes = apply_change(locked, clean)
        if not mail_confirmed and TIME_PLACE_FIELDS & changes.keys():
            recipients = people_to_mail(locked)
            if recipients:
                raise MailConfirmationNeeded(recipients)
        record_change(locked, actor, changes)
    return locked


def _check_capacity(event: Event, clean: dict, keep_confirmed: bool) -> None:
    counts = registration_counts([event.id]).get(event.id, {})
    confirmed, offered = counts.get("confirmed", 0), counts.get("offered", 0)
    if clean["capacity"] >= confirmed + offered:
        return
    if not keep_confirmed:
        if offered:
            message = _l("%(confirmed)d people are confirmed and %(offered)d hold an offered seat: the capacity "
                         "cannot be less than %(total)d. Keep them and close registration, or choose a larger "
                         "capacity.", confirmed=confirmed, offered=offered, total=confirmed + offered)
        else:
            message = _l("%(confirmed)d people are confirmed: the capacity cannot be less than %(confirmed)d. "
                         "Keep them and close registration, or choose a larger capacity.", confirmed=confirmed)
        raise ValidationFailed(fields={"capacity": [message]})
    now = clock.now()
    closes = clean.get("registration_closes_at", event.registration_closes_at)
    if closes is None or closes > now:
        clean["registration_closes_at"] = now


def _set_status(event: Event, actor, status: EventStatus, allowed, message, reason: str | None = None) -> Event:
    with unit_of_work():
        locked = lock_row(Event, event.id)
        if not allowed(locked):
            raise Conflict(message, field="status")
        changes = {"status": [locked.status.value, status.value]}
        locked.status = status
        if reason is not None:
            locked.cancellation_reason = reason
        record_change(locked, actor, changes)
    return locked


def publish_event(event: Event, actor) -> Event:
    """Draft → published. A cancelled event is reinstated instead (`reinstate_event`)."""
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_l("A cancelled event is not published again: reinstate it, and everyone registered "
                          "will be told."), field="status")
    return _set_status(event, actor, EventStatus.PUBLISHED, lambda e: e.can_be_published,
                       _l("The event is already published."))


def cancel_event(event: Event, actor, reason: str = "") -> Event:
    """Draft or published → cancelled, with the reason people are shown; registrants are told
    by the registrations area (approvals, offers and check-in close with it). An event that has
    ended is not cancelled: it happened."""
    errors = FieldErrors()
    reason = check_text(errors, "reason", reason, TEXT_MAX)
    errors.raise_if_any()
    if event.status != EventStatus.CANCELLED and event.is_over:
        raise Conflict(PAST_NOT_CANCELLED, field="status")
    return _set_status(event, actor, EventStatus.CANCELLED, lambda e: e.can_be_cancelled,
                       _l("The event is already cancelled."), reason=reason)


def delete_draft(event: Event, actor) -> None:
    """Delete a draft nobody is registered for, with its sessions and details (nothing else points at
    one: published events are cancelled instead, so their history stays)."""
    with unit_of_work():
        locked = lock_row(Event, event.id)
        if locked.status != EventStatus.DRAFT:
            raise Conflict(_l("Only a draft can be deleted; cancel a published event instead."), field="status")
        if sum(registration_counts([locked.id]).get(locked.id, {}).values()):
            raise Conflict(_l("People are registered for this draft: it cannot be deleted."), field="status")
        db.session.delete(locked)


def reinstate_event(event: Event, actor) -> Event:
    """Cancelled → published, deliberately: `sequence` is bumped and everyone still registered is
    mailed that the event takes place after all."""
    return _set_status(event, actor, EventStatus.PUBLISHED, lambda e: e.can_be_reinstated,
                       _l("Only a cancelled event can be reinstated."), reason="")


def duplicate_event(event: Event, actor) -> Event:
    """A draft copy with the same sessions, details and team roles; results are not copied."""
    with unit_of_work():
        copy_title = _("%(title)s (copy)", title=event.title)
        if len(copy_title) > TITLE_MAX:
            copy_title = copy_title[-TITLE_MAX:]
        copy = Event(created_by_id=getattr(actor, "id", None), status=EventStatus.DRAFT, sequence=0,
                     title=copy_title)
        for name in SCALAR_FIELDS:
            if name not in {"title", "status"}:
                setattr(copy, name, getattr(event, name))
        copy.sessions = [Session(starts_at=s.starts_at, ends_at=s.ends_at, title=s.title) for s in event.sessions]
        if event.trip is not None:
            t = event.trip
            copy.trip = TripDetails(settlement=t.settlement, district=t.district,
                                    departure_point=t.departure_point, departure_at=t.departure_at,
                                    seats=t.seats, services=list(t.services or []), media_invited=t.media_invited)
        copy.team_roles = [TripTeamRole(role=r.role, needed=r.needed) for r in event.team_roles]
        if event.group is not None:
            copy.group = GroupDetails(community=event.group.community, facilitator_id=event.group.facilitator_id,
                                      membership=event.group.membership)
        db.session.add(copy)
        if copy.sessions:
            denormalise_dates(copy)
    return copy


def record_trip_results(event: Event, actor, counts: dict, notes: str = "", *, recorded_at=None,
                        client_key: str | None = None) -> Event:
    """People served per offered service (counts only), once the trip has started.

    An entry made on a phone offline comes with the phone's time and its key: the same key sent again
    changes nothing, and per service the latest entry wins (an older one arriving late never overwrites
    a newer count); each count keeps who wrote it and when."""
    now = clock.now()
    recorded_at = min(recorded_at or now, now)
    with unit_of_work():
        errors = FieldErrors()
        if event.kind != EventKind.OUTREACH_TRIP or event.trip is None:
            raise Conflict(_l("Only outreach trips have results."))
        if event.starts_at is None or clock.now() < event.starts_at:
            raise Conflict(_l("Results can be recorded once the trip has started."))
        offered = set(event.trip.services or [])
        clean: dict[TripService, int] = {}
        for key, value in (counts or {}).items():
            if key not in offered:
                errors.add(str(key), _l("This service was not offered on the trip."))
                continue
            try:
                number = to_int(value)
                if number not in bounds.of("trip_results.people_served"):
                    raise ValueError
            except (TypeError, ValueError):
                errors.add(key, _l("Enter a count of zero or more."))
                continue
            clean[TripService(key)] = number
        notes_text = check_text(errors, "notes", notes, TEXT_MAX)
        errors.raise_if_any()
        existing = {r.service: r for r in event.results}
        for service, number in clean.items():
            row = existing.get(service)
            if row is None:
                row = TripResult(service=service)
                event.results.append(row)
            elif (client_key is not None and row.client_key == client_key) or \
                    (row.recorded_at is not None and recorded_at < row.recorded_at):
                continue
            row.people_served, row.recorded_at = number, recorded_at
            row.recorded_by_id, row.client_key = actor.id, client_key
        last = event.trip.results_recorded_at
        if last is None or recorded_at >= last:
            event.trip.results_notes = notes_text
            event.trip.results_recorded_at = recorded_at
    return event



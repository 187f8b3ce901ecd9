"""Applying a validated change to an event: what changed, the change log, the sequence, the announcement."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.accounts.regions import region_name
from app.core.i18n import local_datetime
from app.events.forms import LANGUAGES
from app.events.models import (
    PHASE_LABELS,
    Event,
    EventChange,
    EventKind,
    EventStatus,
    GroupDetails,
    Session,
    TeamRole,
    TripDetails,
    TripService,
    TripTeamRole,
)
from app.events.parsing import SessionInput
from app.events.signals import event_changed
from app.extensions import db
from app.programmes.models import Programme

# The one definition of "time or place changed": registrants are mailed, calendars re-read the event.
TIME_FIELDS = {"sessions", "trip.departure_at"}
PLACE_FIELDS = {"venue", "address", "is_online", "online_url", "trip.settlement", "trip.departure_point"}
TIME_PLACE_FIELDS = TIME_FIELDS | PLACE_FIELDS
STATUS_FIELDS = {"status"}
BUMPING_FIELDS = TIME_PLACE_FIELDS | STATUS_FIELDS
# One meeting of a series moved, cancelled or reinstated: registrants are mailed, but only that meeting's own
# sequence moves (app.events.series), so the other meetings' calendar entries stay as they are.
MEETING_FIELDS = {"meeting", "meeting_cancelled", "meeting_reinstated"}
LONG_TEXT_FIELDS = {"description", "speakers", "outcome_summary", "translations"}


# --- change log ----------------------------------------------------------------------------

def shown(value):
    """A JSON-friendly rendering of a field value for the change log."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [shown(v) for v in value]
    if isinstance(value, dict):
        return {str(k): shown(v) for k, v in value.items()}
    return str(value)


def _sessions_signature(sessions) -> list[str]:
    """Times in UTC: a session saved again from the form (local times) with the same moments is no change."""
    return [f"{s.starts_at.astimezone(UTC).isoformat()}/{s.ends_at.astimezone(UTC).isoformat()}"
            for s in sorted(sessions, key=lambda s: s.starts_at)]


def _session_titles(sessions) -> list[str]:
    return [s.title for s in sorted(sessions, key=lambda s: s.starts_at)]


def _shorten(value):
    if isinstance(value, str) and len(value) > 120:
        return value[:119] + "…"
    return value


# --- the change in words (the change log page and the "event changed" mail) ---------------------

CHANGE_LABELS = {
    "sessions": _l("Sessions"), "series": _l("Series rule"), "meeting": _l("One meeting moved"),
    "meeting_cancelled": _l("One meeting cancelled"),
    "meeting_reinstated": _l("One cancelled meeting takes place after all"), "session_titles": _l("Session titles"),
    "group.community": _l("Community or municipality"), "group.facilitator_id": _l("Facilitator"),
    "group.membership": _l("Membership"), "status": _l("Status"), "venue": _l("Venue"), "address": _l("Address"),
    "is_online": _l("Held online"), "online_url": _l("Join link"), "title": _l("Title"),
    "description": _l("Description"), "translations": _l("Translations"), "capacity": _l("Capacity"), "timezone": _l("Timezone"),
    "language": _l("Language"), "programme_id": _l("Programme"), "region_code": _l("Region"),
    "recording_url": _l("Recording link"), "speakers": _l("Speakers"), "outcome_summary": _l("Outcome summary"),
    "requires_approval": _l("Needs approval"), "max_per_region": _l("At most per region"),
    "max_per_organisation": _l("At most per organisation"), "offer_hours": _l("Offer hours"),
    "attendance_threshold": _l("Attendance threshold"), "registration_opens_at": _l("Registration opens"),
    "registration_closes_at": _l("Registration closes"), "latitude": _l("Latitude"), "longitude": _l("Longitude"),
    "team_roles": _l("Team needed"), "trip.settlement": _l("Settlement"), "trip.district": _l("District"),
    "trip.departure_point": _l("Departure point"), "trip.departure_at": _l("Departure time"),
    "trip.seats": _l("Seats in transport"), "trip.services": _l("Services offered"),
    "trip.media_invited": _l("Media invited"), "kind": _l("Kind"),
    "over_capacity": _l("Confirmed over capacity (seats held / capacity)"),
}


def _field_words(name: str, value):
    """A logged code in words: "draft" → "Draft", "RU-SAM" → "Samara Oblast", {"doctor": 2} → "Doctor: 2"."""
    if name == "status":
        return EventStatus(value).label
    if name == "kind":
        return EventKind(value).label
    if name == "language":
        return dict(LANGUAGES).get(value, value)
    if name == "region_code":
        return region_name(value)
    if name == "programme_id":
        programme = db.session.get(Programme, value)
        return programme.title if programme else value
    if name == "trip.services" and isinstance(value, list):
        return [TripService(code).label if code in set(TripService) else code for code in value]
    if name == "team_roles" and isinstance(value, dict):
        return [f"{TeamRole(role).label}: {needed}" if role in set(TeamRole) else f"{role}: {needed}"
                for role, needed in value.items()]
    return value


def change_value_formatter(timezone: str):
    """Render a logged value for people: codes in words, times in the event's zone, yes/no, lists joined."""
    def moment(text: str) -> str:
        try:
            return local_datetime(datetime.fromisoformat(text), timezone, "short")
        except ValueError:
            return text

    def show(value, name: str = "") -> str:
        if value is None or value == "":
            return "—"
        if name:
            value = _field_words(name, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return "; ".join(show(v) for v in value) or "—"
        if isinstance(value, dict):
            return "; ".join(f"{k}: {v}" for k, v in value.items()) or "—"
        if isinstance(value, str) and "/" in value and value[:4].isdigit():
            start, _sep, end = value.partition("/")
            return f"{moment(start)} – {moment(end)}"
        if isinstance(value, str) and len(value) >= 16 and value[:4].isdigit() and value[10:11] == "T":
            return moment(value)
        return str(value)

    return show


# Fields whose values only some people may read: the mail says they changed, the link comes separately.
SECRET_FIELDS = {"online_url"}


# Lists of session times ("start/end"): the mail shows one line per session that changed.
PER_SESSION_FIELDS = {"sessions", "meeting"}


def _session_rows(label: str, old: list, new: list, show) -> list[tuple[str, str, str]]:
    """Sessions that changed, one row each: "old → new" in order; a session only in the old list was
    removed, one only in the new list was added."""
    gone = [s for s in old if s not in new]
    came = [s for s in new if s not in old]
    rows = []
    for index in range(max(len(gone), len(came))):
        before = show(gone[index]) if index < len(gone) else ""
        after = show(came[index]) if index < len(came) else _("removed")
        rows.append((label, before, after))
    return rows


def describe_change(fields: dict, timezone: str) -> list[tuple[str, str, str]]:
    """(label, old, new) of a logged change, in words for people, times in `timezone`; call it in the
    reader's locale. Long texts are left out; secret values are not shown."""
    show = change_value_formatter(timezone)
    rows = []
    for name, (old, new) in fields.items():
        if name in LONG_TEXT_FIELDS or name == "session_titles":
            continue
        label = str(CHANGE_LABELS.get(name, name))
        if name in SECRET_FIELDS:
            rows.append((label, "", _("changed")))
        elif name == "status":
            rows.append((label, str(PHASE_LABELS.get(old, old)), str(PHASE_LABELS.get(new, new))))
        elif name in PER_SESSION_FIELDS and isinstance(old, list) and isinstance(new, list):
            rows.extend(_session_rows(_("Session") if name == "sessions" else label, old, new, show))
        else:
            rows.append((label, show(old, name), show(new, name)))
    return rows


# --- applying a change ---------------------------------------------------------------------

SCALAR_FIELDS = (
    "kind", "title", "description", "translations", "language", "timezone", "capacity", "status", "programme_id", "venue",
    "address", "online_url", "recording_url", "speakers", "outcome_summary", "requires_approval",
    "max_per_region", "max_per_organisation", "offer_hours", "attendance_threshold", "region_code",
    "is_online", "registration_opens_at", "registration_closes_at", "latitude", "longitude",
)


def apply_change(event: Event, clean: dict) -> dict[str, list]:
    """Write clean values onto the event; return {field: [old, new]} for what really changed."""
    changes: dict[str, list] = {}
    for name in SCALAR_FIELDS:
        if name not in clean:
            continue
        old, new = getattr(event, name), clean[name]
        if old != new:
            changes[name] = [shown(old), shown(new)]
            setattr(event, name, new)

    if clean.get("sessions") is not None:
        old_signature, old_titles = _sessions_signature(event.sessions), _session_titles(event.sessions)
        _replace_sessions(event, clean["sessions"])
        new_signature, new_titles = _sessions_signature(event.sessions), _session_titles(event.sessions)
        if old_signature != new_signature:
            changes["sessions"] = [old_signature, new_signature]
        if old_titles != new_titles:
            changes["session_titles"] = [old_titles, new_titles]
    if event.sessions:
        denormalise_dates(event)

    if "trip" in clean:
        changes.update(_apply_details(event, "trip", clean["trip"]))
        if event.trip is not None and event.trip.services is None:
            event.trip.services = []
    if "group" in clean:
        changes.update(_apply_details(event, "group", clean["group"]))
    if "team_roles" in clean and clean["team_roles"] is not None:
        old_roles = {r.role.value: r.needed for r in event.team_roles}
        new_roles = {role.value: needed for role, needed in clean["team_roles"].items()}
        if old_roles != new_roles:
            existing = {r.role: r for r in event.team_roles}
            for role, row in existing.items():
                if role not in clean["team_roles"]:
                    event.team_roles.remove(row)
            for role, needed in clean["team_roles"].items():
                if role in existing:
                    existing[role].needed = needed
                else:
                    event.team_roles.append(TripTeamRole(role=role, needed=needed))
            changes["team_roles"] = [old_roles, new_roles]
    return changes


def _replace_sessions(event: Event, wanted: list[SessionInput]) -> None:
    """Update sessions in place where possible so check-ins keep pointing at their day.

    Rows named by `id` are updated; the remaining rows are matched by position; leftovers
    are deleted and extra inputs become new rows.
    """
    current = sorted(event.sessions, key=lambda s: s.starts_at)
    by_id = {s.id: s for s in current if s.id is not None}
    used: set[int] = set()
    plan: list[tuple[Session | None, SessionInput]] = []
    for item in wanted:
        row = by_id.get(item.id) if item.id is not None else None
        if row is not None and id(row) not in used:
            used.add(id(row))
            plan.append((row, item))
        else:
            plan.append((None, item))
    spare = [s for s in current if id(s) not in used]
    for index, (row, item) in enumerate(plan):
        if row is None and spare:
            row = spare.pop(0)
            plan[index] = (row, item)
    for row in spare:
        event.sessions.remove(row)
    for row, item in plan:
        if row is None:
            event.sessions.append(Session(starts_at=item.start, ends_at=item.end, title=item.title))
        else:
            row.starts_at, row.ends_at, row.title = item.start, item.end, item.title
    event.sessions.sort(key=lambda s: s.starts_at)


def denormalise_dates(event: Event) -> None:
    tz = ZoneInfo(event.timezone)
    event.starts_at = min(s.starts_at for s in event.sessions)
    event.ends_at = max(s.ends_at for s in event.sessions)
    event.starts_on = event.starts_at.astimezone(tz).date()
    event.ends_on = event.ends_at.astimezone(tz).date()


# The kind-specific row an event may have, by relation: a new empty row, the fields a change may set, and
# the field whose old value the log keeps when the row goes.
DETAIL_ROWS = {
    "trip": (lambda: TripDetails(settlement="", services=[]),
             ("settlement", "district", "departure_point", "departure_at", "seats", "services", "media_invited"),
             "settlement"),
    "group": (lambda: GroupDetails(community=""), ("community", "facilitator_id", "membership"), "community"),
}


def _apply_details(event: Event, relation: str, given: dict | None) -> dict[str, list]:
    """Set, change or drop the event's trip or group row from `given` (None drops it); what changed, for the log."""
    new_row, fields, logged_on_removal = DETAIL_ROWS[relation]
    changes: dict[str, list] = {}
    details = getattr(event, relation)
    if given is None:
        if details is not None:
            changes[f"{relation}.{logged_on_removal}"] = [getattr(details, logged_on_removal), None]
            setattr(event, relation, None)
        return changes
    if details is None:
        details = new_row()
        setattr(event, relation, details)
    for name in fields:
        if name not in given:
            continue
        old, new = getattr(details, name), given[name]
        if old != new:
            changes[f"{relation}.{name}"] = [shown(old), shown(new)]
            setattr(details, name, list(new) if isinstance(new, list) else new)  # a JSON list: a copy of its own
    return changes


def record_change(event: Event, actor, changes: dict[str, list]) -> None:
    """Bump the sequence when time/place/status moved, log the change, and announce it to the areas
    that react (registrations mails and offers seats) inside the same unit of work."""
    if not changes:
        return
    if BUMPING_FIELDS & changes.keys():
        event.sequence = (event.sequence or 0) + 1
    event.updated_at = clock.now()  # also when only a child row (session, trip) changed: feeds key on it
    logged = {name: [_shorten(old), _shorten(new)] if name in LONG_TEXT_FIELDS else [old, new]
              for name, (old, new) in changes.items()}
    entry = EventChange(actor_id=getattr(actor, "id", None), sequence=event.sequence, fields=logged)
    event.changes.append(entry)
    db.session.flush()
    event_changed.send(event, changed=set(changes), moved=bool((TIME_PLACE_FIELDS | MEETING_FIELDS) & changes.keys()),
                       change_id=entry.id,
                       cancelled="status" in changes and event.status == EventStatus.CANCELLED,
                       reinstated="status" in changes and changes["status"][0] == EventStatus.CANCELLED.value
                       and event.status == EventStatus.PUBLISHED,
                       actor_id=getattr(actor, "id", None))



"""Event rules: create, change, publish, cancel, duplicate, trip results, the public listing.

Every public function here is one transaction: it validates everything first, raises
`ValidationFailed` with messages keyed by the API field names (DESIGN §5) and saves nothing,
or commits once (`unit_of_work`). A change of time, place or status bumps `Event.sequence` and is
written to the change log; `signals.event_changed` tells the areas that react (registrations) inside
the same transaction, so the change and its consequences commit together.
"""
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app import clock
from app.accounts.regions import is_region
from app.database import lock_row, unit_of_work
from app.errors import Conflict, FieldErrors
from app.events.models import (
    Event,
    EventChange,
    EventKind,
    EventStatus,
    Session,
    TeamRole,
    TripDetails,
    TripResult,
    TripService,
    TripTeamRole,
    search_key,
)
from app.events.signals import event_changed
from app.extensions import db

TITLE_MAX = 300
TEXT_MAX = 20_000
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

# The one definition of "time or place changed": registrants are mailed, calendars re-read the event.
TIME_FIELDS = {"sessions", "trip.departure_at"}
PLACE_FIELDS = {"venue", "address", "is_online", "online_url", "trip.settlement", "trip.departure_point"}
TIME_PLACE_FIELDS = TIME_FIELDS | PLACE_FIELDS
STATUS_FIELDS = {"status"}
BUMPING_FIELDS = TIME_PLACE_FIELDS | STATUS_FIELDS
LONG_TEXT_FIELDS = {"description", "speakers", "outcome_summary"}

STRING_FIELDS = {
    "title": TITLE_MAX, "description": TEXT_MAX, "venue": 300, "address": 500, "speakers": TEXT_MAX,
    "outcome_summary": TEXT_MAX,
}
OPTIONAL_URL_FIELDS = ("online_url", "recording_url")
OPTIONAL_POSITIVE_INT_FIELDS = ("capacity", "max_per_region", "max_per_organisation")
BOOL_FIELDS = ("requires_approval", "is_online")
TRIP_STRING_FIELDS = {"settlement": 200, "district": 200, "departure_point": 300}

MESSAGES = {
    "required": _l("This field is required."),
    "too_long": _l("At most %(n)d characters."),
    "not_text": _l("Enter text."),
    "not_int": _l("Enter a whole number."),
    "positive": _l("Enter a number greater than zero, or leave it empty."),
    "not_bool": _l("Enter true or false."),
    "url": _l("Enter a full web address starting with http:// or https://."),
    "kind": _l("Choose one of: seminar, webinar, round table, outreach trip."),
    "status": _l("Choose one of: draft, published, cancelled."),
    "language": _l("Enter a language code such as ru, en, bg or pl."),
    "timezone": _l("Choose a timezone such as Europe/Moscow or Asia/Yekaterinburg."),
    "region": _l("Choose a region from the list."),
    "programme": _l("There is no such programme."),
    "search_text": _l("Remove control characters from the search text."),
    "programme_forbidden": _l("You do not manage this programme."),
    "percent": _l("Enter a whole number from 0 to 100."),
    "latitude": _l("Enter a latitude between -90 and 90."),
    "longitude": _l("Enter a longitude between -180 and 180."),
    "datetime": _l("Enter a date and time."),
    "sessions_missing": _l("An event needs at least one session."),
    "sessions_shape": _l("Give the sessions as a list of objects with start, end and title."),
    "session_time": _l("Session %(n)d: enter the start and end as date and time."),
    "session_order": _l("Session %(n)d: the end must be after the start."),
    "session_overlap": _l("Session %(n)d overlaps the session before it."),
    "session_title": _l("Session %(n)d: the title has at most %(max)d characters."),
    "dst_gap": _l("%(time)s does not exist in %(tz)s: the clocks jump forward at that hour. "
                  "Choose another time."),
    "dst_fold": _l("%(time)s happens twice in %(tz)s: the clocks go back at that hour. Choose another time."),
    "window_order": _l("Registration must open before it closes."),
    "window_after_start": _l("Registration must close no later than the start of the first session."),
    "opens_after_start": _l("Registration must open before the first session starts."),
    "venue_required": _l("Enter the venue."),
    "address_required": _l("Enter the address."),
    "online_url_required": _l("An online event needs a join link."),
    "trip_only": _l("Only outreach trips have trip details."),
    "settlement_required": _l("Enter the settlement the trip goes to."),
    "region_required": _l("An outreach trip needs a region."),
    "trip_shape": _l("Give the trip details as an object."),
    "services": _l("Choose services from the list."),
    "team_roles": _l("Give team roles as a list of {role, needed} with a known role and a count above zero."),
    "team_roles_duplicate": _l("Each team role may appear once."),
}


def _msg(key: str, **params):
    message = MESSAGES[key]
    return message % params if params else message


# --- parsing and validation ----------------------------------------------------------------

def _to_int(value):
    """An int from JSON or a form; bools and fractions are refused."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise ValueError


def _to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
        return value.strip().lower() in {"true", "1", "yes", "on"}
    raise ValueError


def _zone(name) -> ZoneInfo | None:
    if not isinstance(name, str) or name not in _timezone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_TIMEZONES: frozenset[str] | None = None


def _timezone_names() -> frozenset[str]:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = frozenset(available_timezones())
    return _TIMEZONES


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach the event's timezone to a wall-clock time, refusing DST gaps and folds.

    Raises ValueError with a translated message when the time does not exist (the clocks
    jump over it) or exists twice (the clocks go back over it).
    """
    early = naive.replace(tzinfo=tz, fold=0)
    late = naive.replace(tzinfo=tz, fold=1)
    shown = naive.strftime("%Y-%m-%d %H:%M")
    round_trip = early.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        raise ValueError(str(_msg("dst_gap", time=shown, tz=tz.key)))
    if early.utcoffset() != late.utcoffset():
        raise ValueError(str(_msg("dst_fold", time=shown, tz=tz.key)))
    return early


def parse_moment(value, tz: ZoneInfo) -> datetime:
    """An aware datetime from an aware/naive datetime or an ISO string; naive means the event's local time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(str(_msg("datetime"))) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if not isinstance(value, datetime):
        raise ValueError(str(_msg("datetime")))
    if value.tzinfo is None:
        return localize(value, tz)
    return value


def _check_text(errors: FieldErrors, name: str, value, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, _msg("not_text"))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(name, _msg("required"))
    if len(value) > limit:
        errors.add(name, _msg("too_long", n=limit))
    return value


def _check_optional_positive(errors: FieldErrors, name: str, value):
    if value is None or value == "":
        return None
    try:
        number = _to_int(value)
    except ValueError:
        errors.add(name, _msg("not_int"))
        return None
    if number <= 0:
        errors.add(name, _msg("positive"))
    return number


@dataclass
class _SessionInput:
    start: datetime
    end: datetime
    title: str
    id: int | None = None


def _parse_sessions(errors: FieldErrors, raw, tz: ZoneInfo | None) -> list[_SessionInput] | None:
    if not isinstance(raw, list | tuple):
        errors.add("sessions", _msg("sessions_shape"))
        return None
    if not raw:
        errors.add("sessions", _msg("sessions_missing"))
        return None
    tz = tz or ZoneInfo("UTC")
    parsed: list[_SessionInput] = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors.add("sessions", _msg("sessions_shape"))
            return None
        if item.get("start") in (None, "") or item.get("end") in (None, ""):
            errors.add("sessions", _msg("session_time", n=n))
            continue
        try:
            start = parse_moment(item["start"], tz)
            end = parse_moment(item["end"], tz)
        except ValueError as error:
            message = str(error)
            errors.add("sessions", _("Session %(n)d: %(problem)s", n=n, problem=message))
            continue
        title = item.get("title") or ""
        if not isinstance(title, str):
            errors.add("sessions", _msg("sessions_shape"))
            continue
        title = title.strip()
        if len(title) > TITLE_MAX:
            errors.add("sessions", _msg("session_title", n=n, max=TITLE_MAX))
        if end <= start:
            errors.add("sessions", _msg("session_order", n=n))
        session_id = item.get("id")
        try:
            session_id = _to_int(session_id) if session_id not in (None, "") else None
        except ValueError:
            session_id = None
        parsed.append(_SessionInput(start=start, end=end, title=title, id=session_id))
    ordered = sorted(parsed, key=lambda s: s.start)
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if current.start < previous.end:
            errors.add("sessions", _msg("session_overlap", n=ordered.index(current) + 1))
    return ordered


def _parse_team_roles(errors: FieldErrors, raw) -> dict[TeamRole, int] | None:
    if raw is None:
        return {}
    if not isinstance(raw, list | tuple):
        errors.add("team_roles", _msg("team_roles"))
        return None
    roles: dict[TeamRole, int] = {}
    for item in raw:
        try:
            role = TeamRole(item["role"])
            needed = _to_int(item["needed"])
        except (KeyError, TypeError, ValueError):
            errors.add("team_roles", _msg("team_roles"))
            return None
        if needed <= 0:
            errors.add("team_roles", _msg("team_roles"))
            return None
        if role in roles:
            errors.add("team_roles", _msg("team_roles_duplicate"))
            return None
        roles[role] = needed
    return roles


def _validate(event: Event | None, data: dict, actor) -> tuple[dict, FieldErrors]:
    """Check `data` against the event it will change (None on create); return clean values.

    The rules that span fields (kind requirements, registration window, sessions) are checked
    on the merged result: the event's current values overlaid with the keys present in `data`.
    """
    errors = FieldErrors()
    clean: dict = {}

    if "kind" in data or event is None:
        try:
            clean["kind"] = EventKind(data.get("kind"))
        except ValueError:
            errors.add("kind", _msg("kind"))
    if "status" in data:
        try:
            clean["status"] = EventStatus(data["status"] or EventStatus.DRAFT)
        except ValueError:
            errors.add("status", _msg("status"))
    for name, limit in STRING_FIELDS.items():
        if name in data or (event is None and name == "title"):
            clean[name] = _check_text(errors, name, data.get(name), limit, required=name == "title")
    if "language" in data:
        language = data["language"]
        if not isinstance(language, str) or not LANGUAGE_RE.match(language.strip()):
            errors.add("language", _msg("language"))
        else:
            clean["language"] = language.strip()
    if "timezone" in data:
        if _zone(data["timezone"]) is None:
            errors.add("timezone", _msg("timezone"))
        else:
            clean["timezone"] = data["timezone"]
    for name in OPTIONAL_POSITIVE_INT_FIELDS:
        if name in data:
            clean[name] = _check_optional_positive(errors, name, data[name])
    if "offer_hours" in data:
        hours = _check_optional_positive(errors, "offer_hours", data["offer_hours"])
        if hours is None and "offer_hours" not in errors.fields:
            errors.add("offer_hours", _msg("required"))
        clean["offer_hours"] = hours
    for name in BOOL_FIELDS:
        if name in data:
            try:
                clean[name] = _to_bool(data[name]) if data[name] is not None else False
            except ValueError:
                errors.add(name, _msg("not_bool"))
    for name in OPTIONAL_URL_FIELDS:
        if name in data:
            url = data[name]
            if url in (None, ""):
                clean[name] = None
            elif not isinstance(url, str) or not URL_RE.match(url.strip()) or len(url.strip()) > 500:
                errors.add(name, _msg("url"))
            else:
                clean[name] = url.strip()
    if "region_code" in data:
        region = data["region_code"] or None
        if region is not None and not is_region(region):
            errors.add("region_code", _msg("region"))
        clean["region_code"] = region
    if "programme_id" in data:
        clean["programme_id"] = _check_programme(errors, data["programme_id"], actor,
                                                 event.programme_id if event is not None else None)
    if "attendance_threshold" in data:
        try:
            threshold = _to_int(data["attendance_threshold"])
            if not 0 <= threshold <= 100:
                raise ValueError
            clean["attendance_threshold"] = threshold
        except (TypeError, ValueError):
            errors.add("attendance_threshold", _msg("percent"))
    for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        if name in data:
            value = data[name]
            if value in (None, ""):
                clean[name] = None
                continue
            try:
                number = float(value)
                if isinstance(value, bool) or not math.isfinite(number) or not low <= number <= high:
                    raise ValueError
                clean[name] = number
            except (TypeError, ValueError):
                errors.add(name, _msg(name))

    kind = clean.get("kind", event.kind if event else None)
    tz_name = clean.get("timezone", event.timezone if event else "Europe/Moscow")
    tz = _zone(tz_name) or ZoneInfo("UTC")

    if "sessions" in data or event is None:
        clean["sessions"] = _parse_sessions(errors, data.get("sessions"), tz)
    for name in ("registration_opens_at", "registration_closes_at"):
        if name in data:
            if data[name] in (None, ""):
                clean[name] = None
                continue
            try:
                clean[name] = parse_moment(data[name], tz)
            except ValueError as error:
                errors.add(name, str(error))
    if "trip" in data:
        clean["trip"] = _parse_trip(errors, data["trip"], kind, tz)
    if "team_roles" in data:
        clean["team_roles"] = _parse_team_roles(errors, data["team_roles"])
        if clean["team_roles"] and kind != EventKind.OUTREACH_TRIP:
            errors.add("team_roles", _msg("trip_only"))

    if kind is not None:
        _check_whole(errors, event, clean)
    return clean, errors


def _check_programme(errors: FieldErrors, value, actor, current_id: int | None):
    """An existing programme the actor manages; keeping the event's current one needs no right."""
    if value in (None, ""):
        return None
    from app import permissions
    from app.programmes.models import Programme

    try:
        programme = db.session.get(Programme, _to_int(value))
    except ValueError:
        programme = None
    if programme is None:
        errors.add("programme_id", _msg("programme"))
        return None
    if programme.id != current_id and actor is not None and not permissions.can("programme.edit", programme,
                                                                                   user=actor):
        errors.add("programme_id", _msg("programme_forbidden"))
        return None
    return programme.id


def _parse_trip(errors: FieldErrors, raw, kind, tz: ZoneInfo) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.add("trip", _msg("trip_shape"))
        return None
    if kind != EventKind.OUTREACH_TRIP:
        errors.add("trip", _msg("trip_only"))
        return None
    trip: dict = {}
    for name, limit in TRIP_STRING_FIELDS.items():
        if name in raw:
            value = _check_text(errors, f"trip.{name}", raw.get(name), limit)
            trip[name] = value
    if "departure_at" in raw:
        if raw["departure_at"] in (None, ""):
            trip["departure_at"] = None
        else:
            try:
                trip["departure_at"] = parse_moment(raw["departure_at"], tz)
            except ValueError as error:
                errors.add("trip.departure_at", str(error))
    if "seats" in raw:
        trip["seats"] = _check_optional_positive(errors, "trip.seats", raw["seats"])
    if "services" in raw:
        services = raw["services"] or []
        try:
            if not isinstance(services, list | tuple):
                raise ValueError
            trip["services"] = sorted({TripService(s).value for s in services},
                                      key=[m.value for m in TripService].index)
        except (TypeError, ValueError):
            errors.add("trip.services", _msg("services"))
    if "media_invited" in raw:
        try:
            trip["media_invited"] = _to_bool(raw["media_invited"]) if raw["media_invited"] is not None else False
        except ValueError:
            errors.add("trip.media_invited", _msg("not_bool"))
    return trip


def _merged(event: Event | None, clean: dict, name: str, default=None):
    if name in clean:
        return clean[name]
    return getattr(event, name) if event is not None else default


def _check_whole(errors: FieldErrors, event: Event | None, clean: dict) -> None:
    """Rules spanning several fields, checked on the event as it would be after the change."""
    kind = _merged(event, clean, "kind")
    is_online = _merged(event, clean, "is_online", False)
    if kind == EventKind.WEBINAR:
        is_online = True
        clean["is_online"] = True
    if kind == EventKind.OUTREACH_TRIP:
        is_online = False
        clean["is_online"] = False
    venue = _merged(event, clean, "venue", "")
    address = _merged(event, clean, "address", "")
    online_url = _merged(event, clean, "online_url")

    if kind == EventKind.SEMINAR and not is_online:
        if not venue:
            errors.add("venue", _msg("venue_required"))
        if not address:
            errors.add("address", _msg("address_required"))
    if kind == EventKind.ROUND_TABLE and not is_online and not venue:
        errors.add("venue", _msg("venue_required"))
    if is_online and kind != EventKind.OUTREACH_TRIP and not online_url:
        errors.add("online_url", _msg("online_url_required"))
    if kind == EventKind.OUTREACH_TRIP:
        if not _merged(event, clean, "region_code"):
            errors.add("region_code", _msg("region_required"))
        current_trip = event.trip if event is not None else None
        trip = clean.get("trip")
        settlement = trip.get("settlement") if trip and "settlement" in trip else (
            current_trip.settlement if current_trip else "")
        if not settlement:
            errors.add("trip.settlement", _msg("settlement_required"))
    elif event is not None and event.kind == EventKind.OUTREACH_TRIP and "kind" in clean:
        clean["trip"] = None
        clean["team_roles"] = {}

    sessions = clean.get("sessions")
    first_start = sessions[0].start if sessions else (event.starts_at if event else None)
    opens = _merged(event, clean, "registration_opens_at")
    closes = _merged(event, clean, "registration_closes_at")
    if opens and closes and opens >= closes:
        errors.add("registration_opens_at", _msg("window_order"))
    if first_start and closes and closes > first_start:
        errors.add("registration_closes_at", _msg("window_after_start"))
    if first_start and opens and opens >= first_start:
        errors.add("registration_opens_at", _msg("opens_after_start"))


# --- change log ----------------------------------------------------------------------------

def _shown(value):
    """A JSON-friendly rendering of a field value for the change log."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_shown(v) for v in value]
    return str(value)


def _sessions_signature(sessions) -> list[str]:
    return [f"{s.starts_at.isoformat()}/{s.ends_at.isoformat()}" for s in sorted(sessions, key=lambda s: s.starts_at)]


def _session_titles(sessions) -> list[str]:
    return [s.title for s in sorted(sessions, key=lambda s: s.starts_at)]


def _shorten(value):
    if isinstance(value, str) and len(value) > 120:
        return value[:119] + "…"
    return value


# --- applying a change ---------------------------------------------------------------------

SCALAR_FIELDS = (
    "kind", "title", "description", "language", "timezone", "capacity", "status", "programme_id", "venue",
    "address", "online_url", "recording_url", "speakers", "outcome_summary", "requires_approval",
    "max_per_region", "max_per_organisation", "offer_hours", "attendance_threshold", "region_code",
    "is_online", "registration_opens_at", "registration_closes_at", "latitude", "longitude",
)


def _apply(event: Event, clean: dict) -> dict[str, list]:
    """Write clean values onto the event; return {field: [old, new]} for what really changed."""
    changes: dict[str, list] = {}
    for name in SCALAR_FIELDS:
        if name not in clean:
            continue
        old, new = getattr(event, name), clean[name]
        if old != new:
            changes[name] = [_shown(old), _shown(new)]
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
        _denormalise_dates(event)

    if "trip" in clean:
        changes.update(_apply_trip(event, clean["trip"]))
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


def _replace_sessions(event: Event, wanted: list[_SessionInput]) -> None:
    """Update sessions in place where possible so check-ins keep pointing at their day.

    Rows named by `id` are updated; the remaining rows are matched by position; leftovers
    are deleted and extra inputs become new rows.
    """
    current = sorted(event.sessions, key=lambda s: s.starts_at)
    by_id = {s.id: s for s in current if s.id is not None}
    used: set[int] = set()
    plan: list[tuple[Session | None, _SessionInput]] = []
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


def _denormalise_dates(event: Event) -> None:
    tz = ZoneInfo(event.timezone)
    event.starts_at = min(s.starts_at for s in event.sessions)
    event.ends_at = max(s.ends_at for s in event.sessions)
    event.starts_on = event.starts_at.astimezone(tz).date()
    event.ends_on = event.ends_at.astimezone(tz).date()


def _apply_trip(event: Event, trip: dict | None) -> dict[str, list]:
    changes: dict[str, list] = {}
    if trip is None:
        if event.trip is not None:
            changes["trip.settlement"] = [event.trip.settlement, None]
            event.trip = None
        return changes
    details = event.trip
    if details is None:
        details = TripDetails(settlement="", services=[])
        event.trip = details
    for name in ("settlement", "district", "departure_point", "departure_at", "seats", "services", "media_invited"):
        if name not in trip:
            continue
        old, new = getattr(details, name), trip[name]
        if old != new:
            changes[f"trip.{name}"] = [_shown(old), _shown(new)]
            setattr(details, name, list(new) if name == "services" else new)
    if details.services is None:
        details.services = []
    return changes


def _record_change(event: Event, actor, changes: dict[str, list]) -> None:
    """Bump the sequence when time/place/status moved, log the change, and announce it to the areas
    that react (registrations mails and offers seats) inside the same unit of work."""
    if not changes:
        return
    if BUMPING_FIELDS & changes.keys():
        event.sequence = (event.sequence or 0) + 1
    event.updated_at = clock.now()  # also when only a child row (session, trip) changed: feeds key on it
    logged = {name: [_shorten(old), _shorten(new)] if name in LONG_TEXT_FIELDS else [old, new]
              for name, (old, new) in changes.items()}
    event.changes.append(EventChange(actor_id=getattr(actor, "id", None), sequence=event.sequence, fields=logged))
    db.session.flush()
    event_changed.send(event, changed=set(changes), moved=bool(TIME_PLACE_FIELDS & changes.keys()),
                       cancelled="status" in changes and event.status == EventStatus.CANCELLED,
                       actor_id=getattr(actor, "id", None))


# --- public operations ---------------------------------------------------------------------

def create_event(actor, data: dict) -> Event:
    """Create an event of any kind from API-shaped data (DESIGN §5) with its sessions."""
    with unit_of_work():
        clean, errors = _validate(None, data, actor)
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
        _apply(event, clean)
    return event


def update_event(event: Event, actor, data: dict) -> Event:
    """Change the keys present in `data`; a change of time, place or status bumps `sequence`."""
    with unit_of_work():
        locked = lock_row(Event, event.id)
        clean, errors = _validate(locked, data, actor)
        errors.raise_if_any()
        _record_change(locked, actor, _apply(locked, clean))
    return locked


def _set_status(event: Event, actor, status: EventStatus, allowed, message) -> Event:
    with unit_of_work():
        locked = lock_row(Event, event.id)
        if not allowed(locked):
            raise Conflict(message, field="status")
        changes = {"status": [locked.status.value, status.value]}
        locked.status = status
        _record_change(locked, actor, changes)
    return locked


def publish_event(event: Event, actor) -> Event:
    """Draft (or cancelled) → published."""
    return _set_status(event, actor, EventStatus.PUBLISHED, lambda e: e.can_be_published,
                       _l("The event is already published."))


def cancel_event(event: Event, actor) -> Event:
    """Draft or published → cancelled; registrants are told by the registrations area."""
    return _set_status(event, actor, EventStatus.CANCELLED, lambda e: e.can_be_cancelled,
                       _l("The event is already cancelled."))


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
        db.session.add(copy)
        if copy.sessions:
            _denormalise_dates(copy)
    return copy


def record_trip_results(event: Event, actor, counts: dict, notes: str = "") -> Event:
    """People served per offered service (counts only), once the trip has started."""
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
                number = _to_int(value)
                if number < 0:
                    raise ValueError
            except (TypeError, ValueError):
                errors.add(key, _l("Enter a count of zero or more."))
                continue
            clean[TripService(key)] = number
        notes_text = _check_text(errors, "notes", notes, TEXT_MAX)
        errors.raise_if_any()
        existing = {r.service: r for r in event.results}
        for service, number in clean.items():
            if service in existing:
                existing[service].people_served = number
            else:
                event.results.append(TripResult(service=service, people_served=number))
        event.trip.results_notes = notes_text
        event.trip.results_recorded_at = clock.now()
    return event


# --- listing -------------------------------------------------------------------------------

UPCOMING, PAST = "upcoming", "past"


@dataclass
class EventFilters:
    kind: EventKind | None = None
    region: str | None = None
    programme: int | None = None
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    tab: str = UPCOMING

    def as_args(self) -> dict:
        """The GET parameters that reproduce these filters (for links and feeds)."""
        args = {"kind": self.kind.value if self.kind else None, "region": self.region,
                "programme": self.programme, "q": self.q or None,
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
                "tab": self.tab if self.tab != UPCOMING else None}
        return {k: v for k, v in args.items() if v is not None}


def listing_version() -> tuple:
    """Changes whenever anything the public listing shows changes: events, their sessions, seats taken."""
    from app.registrations import services as registrations

    # One scalar subquery per max(), so each is an index lookup (several max() in one SELECT scan).
    latest, newest, last_logged = db.session.execute(
        select(*(select(func.max(column)).scalar_subquery() for column in (Event.updated_at, Event.id, EventChange.id)))
    ).one()
    return latest, newest, last_logged, registrations.last_change()


def parse_filters(args) -> EventFilters:
    """Filters from GET parameters (`kind`, `region`, `programme`, `q`, `from`, `to`, `tab`).

    Raises ValidationFailed naming each bad parameter; empty values mean "any".
    """
    errors = FieldErrors()
    filters = EventFilters()
    kind = (args.get("kind") or "").strip()
    if kind:
        try:
            filters.kind = EventKind(kind)
        except ValueError:
            errors.add("kind", _msg("kind"))
    region = (args.get("region") or "").strip()
    if region:
        if is_region(region):
            filters.region = region
        else:
            errors.add("region", _msg("region"))
    programme = (args.get("programme") or "").strip() if isinstance(args.get("programme"), str) else args.get("programme")
    if programme not in (None, ""):
        try:
            filters.programme = _to_int(programme)
        except ValueError:
            errors.add("programme", _msg("programme"))
        else:
            if not 0 < filters.programme < 2**31:
                filters.programme = None
                errors.add("programme", _msg("programme"))
    q = args.get("q") or ""
    if any(ord(character) < 32 for character in q):
        errors.add("q", _msg("search_text"))
    if len(q) > 200:
        errors.add("q", _msg("too_long", n=200))
    filters.q = q.strip()[:200]
    for key, attr in (("from", "date_from"), ("to", "date_to")):
        raw = args.get(key)
        if isinstance(raw, date):
            setattr(filters, attr, raw)
        elif raw:
            try:
                setattr(filters, attr, date.fromisoformat(str(raw).strip()))
            except ValueError:
                errors.add(key, _l("Enter a date as YYYY-MM-DD."))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.add("to", _l("The end of the range must not be before its start."))
    tab = (args.get("tab") or UPCOMING).strip()
    filters.tab = PAST if tab == PAST else UPCOMING
    errors.raise_if_any()
    return filters


@dataclass
class Page:
    items: list[Event]
    total: int
    page: int
    per_page: int
    seats_left: dict[int, int | None] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, *, left_edge=2, left_current=2, right_current=4, right_edge=2):
        """Page numbers to link, None for a gap (Flask-SQLAlchemy's Pagination contract)."""
        pages_end = self.pages + 1
        left_end = min(1 + left_edge, pages_end)
        yield from range(1, left_end)
        if left_end == pages_end:
            return
        mid_start = max(left_end, self.page - left_current)
        mid_end = min(self.page + right_current + 1, pages_end)
        if mid_start - left_end > 0:
            yield None
        yield from range(mid_start, mid_end)
        if mid_end == pages_end:
            return
        right_start = max(mid_end, pages_end - right_edge)
        if right_start - mid_end > 0:
            yield None
        yield from range(right_start, pages_end)


def _filter_clauses(filters: EventFilters) -> list:
    clauses = []
    if filters.kind:
        clauses.append(Event.kind == filters.kind)
    if filters.region:
        clauses.append(Event.region_code == filters.region)
    if filters.programme is not None:
        clauses.append(Event.programme_id == filters.programme)
    for word in search_key(filters.q).split(" "):
        if word:
            clauses.append(Event.search_text.contains(word, autoescape=True))
    if filters.date_from:
        clauses.append(Event.ends_on >= filters.date_from)
    if filters.date_to:
        clauses.append(Event.starts_on <= filters.date_to)
    return clauses


def filter_clauses(filters: EventFilters) -> list:
    """The listing's WHERE clauses for `filters`, for unpaginated queries elsewhere (calendar feeds)."""
    return _filter_clauses(filters)


def list_events(filters: EventFilters | dict | None = None, page: int = 1, per_page: int = 20) -> Page:
    """The public listing: published events (and cancelled ones not yet over), newest last.

    Upcoming = not yet ended, by start; past = ended, most recent first (published only).
    A fixed number of queries whatever the page size: count, page (programme joined), trips,
    seats taken.
    """
    if not isinstance(filters, EventFilters):
        filters = parse_filters(filters or {})
    page = max(1, int(page or 1))
    per_page = max(1, min(int(per_page or 20), 100))
    now = clock.now()
    if filters.tab == PAST:
        visible = and_(Event.status == EventStatus.PUBLISHED, Event.ends_at < now)
        order = (Event.starts_at.desc(), Event.id.desc())
    else:
        visible = and_(Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)), Event.ends_at >= now)
        order = (Event.starts_at, Event.id)
    where = [visible, *_filter_clauses(filters)]
    total = db.session.execute(select(func.count(Event.id)).where(*where)).scalar_one()
    items = list(
        db.session.execute(
            select(Event)
            .where(*where)
            .options(selectinload(Event.trip), joinedload(Event.programme).options(lazyload("*")))
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).unique().scalars()
    )
    return Page(items=items, total=total, page=page, per_page=per_page, seats_left=seats_left(items))


def seats_left(events: list[Event]) -> dict[int, int | None]:
    """Free seats per event (None = unlimited), counted in one query."""
    from app.registrations import services as registrations

    return registrations.free_seats_by_event(events)


def list_manageable_events(actor, page: int = 1, per_page: int = 50, status: EventStatus | None = None) -> Page:
    """Events the actor may edit (permissions.editable_events_clause), soonest first."""
    from app import permissions

    page = max(1, int(page or 1))
    where = [permissions.editable_events_clause(actor)]
    if status is not None:
        where.append(Event.status == status)
    total = db.session.execute(select(func.count(Event.id)).where(*where)).scalar_one()
    items = list(
        db.session.execute(
            select(Event).where(*where)
            .options(selectinload(Event.trip), joinedload(Event.programme).options(lazyload("*")))
            .order_by(Event.starts_at.desc().nulls_last(), Event.id.desc())
            .limit(per_page).offset((page - 1) * per_page)
        ).unique().scalars()
    )
    return Page(items=items, total=total, page=page, per_page=per_page, seats_left=seats_left(items))


def get_event(event_id: int) -> Event | None:
    """One event with what its page shows, loaded up front."""
    return db.session.execute(
        select(Event).where(Event.id == event_id).options(
            selectinload(Event.sessions), selectinload(Event.trip), selectinload(Event.team_roles),
            selectinload(Event.results),
        )
    ).unique().scalar_one_or_none()


def event_as_data(event: Event) -> dict:
    """The event in the API JSON shape of DESIGN §5 (plus the extra keys), times as ISO strings.

    Includes `online_url`: callers that show it publicly must drop it (the join link is secret).
    """
    tz = ZoneInfo(event.timezone)
    data = {name: _shown(getattr(event, name)) for name in SCALAR_FIELDS}
    data.update({
        "kind": event.kind.value, "status": event.status.value,
        "registration_opens_at": event.registration_opens_at.astimezone(tz).isoformat()
        if event.registration_opens_at else None,
        "registration_closes_at": event.registration_closes_at.astimezone(tz).isoformat()
        if event.registration_closes_at else None,
        "sessions": [{"id": s.id, "start": s.starts_at.astimezone(tz).isoformat(),
                      "end": s.ends_at.astimezone(tz).isoformat(), "title": s.title} for s in event.sessions],
        "trip": None,
        "team_roles": [{"role": r.role.value, "needed": r.needed} for r in event.team_roles],
    })
    if event.trip is not None:
        t = event.trip
        data["trip"] = {"settlement": t.settlement, "district": t.district, "departure_point": t.departure_point,
                        "departure_at": t.departure_at.astimezone(tz).isoformat() if t.departure_at else None,
                        "seats": t.seats, "services": list(t.services or []), "media_invited": t.media_invited}
    return data




def team_places(event: Event) -> list[tuple[TeamRole, int, int]]:
    """(role, needed, places left) for a trip's team; places are counted by the registrations area."""
    if not event.team_roles:
        return []
    from app.registrations import services as registrations

    left = registrations.role_places(event)
    return [(r.role, r.needed, left.get(r.role, r.needed)) for r in event.team_roles]

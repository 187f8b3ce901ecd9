"""Parsing event input from the API's JSON and the HTML form alike: one set of coercions and bounds."""
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.core import bounds
from app.core.i18n import LOCALES
from app.database import INTEGER_MAX
from app.errors import FieldErrors
from app.events.models import (
    TeamRole,
)

TITLE_MAX = 300
TEXT_MAX = 20_000
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

STRING_FIELDS = {
    "title": TITLE_MAX, "description": TEXT_MAX, "venue": 300, "address": 500, "speakers": TEXT_MAX,
    "outcome_summary": TEXT_MAX,
}
OPTIONAL_URL_FIELDS = ("online_url", "recording_url")
OPTIONAL_INT_FIELDS = ("capacity", "max_per_region", "max_per_organisation")
BOOL_FIELDS = ("requires_approval", "is_online")
TRIP_STRING_FIELDS = {"settlement": 200, "district": 200, "departure_point": 300}
COMMUNITY_MAX = 200

MESSAGES = {
    "required": _l("This field is required."),
    "not_text": _l("Enter text."),
    "not_int": _l("Enter a whole number."),
    "positive": _l("Enter a number greater than zero, or leave it empty."),
    "too_big": _l("Enter a number no greater than %(n)d."),
    "range": _l("Enter a whole number from %(low)d to %(high)d."),
    "not_bool": _l("Enter true or false."),
    "url": _l("Enter a full web address starting with http:// or https://."),
    "kind": _l("Choose one of: seminar, webinar, round table, outreach trip, self-help group."),
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
    "year": _l("Enter a date between the years %(low)d and %(high)d."),
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
    "online_url_required": _l("An online event needs a join link."),
    "trip_only": _l("Only outreach trips have trip details."),
    "settlement_required": _l("Enter the settlement the trip goes to."),
    "region_required": _l("An outreach trip needs a region."),
    "trip_shape": _l("Give the trip details as an object."),
    "services": _l("Choose services from the list."),
    "team_roles": _l("Give team roles as a list of {role, needed} with a known role and a count above zero."),
    "team_roles_duplicate": _l("Each team role may appear once."),
    "group_only": _l("Only self-help groups have group details."),
    "group_shape": _l("Give the group details as an object."),
    "community_required": _l("Enter the community or municipality the group serves."),
    "facilitator": _l("There is no user with this e-mail or id."),
    "membership": _l("Choose open or closed membership."),
    "translations_shape": _l("Give translations as an object of language codes, each with a title and a "
                             "description."),
    "translation_language": _l("%(code)s is not a language of Praktika: use one of %(codes)s."),
    "translation_own": _l("This is the event's own language: change the title and description instead."),
}


YEAR_MIN, YEAR_MAX = 1900, 2999


def error_message(key: str, **params):
    message = MESSAGES[key]
    return message % params if params else message



# --- parsing and validation ----------------------------------------------------------------

def to_int(value, bounded: bool = True):
    """An int from JSON or a form; bools and floats (1.5, and 2.0 too) are refused, and (when
    `bounded`) anything an INTEGER column cannot hold."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,30}\s*", value):
        number = int(value)
    else:
        raise ValueError
    if bounded and abs(number) > INTEGER_MAX:
        raise ValueError
    return number


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
        return value.strip().lower() in {"true", "1", "yes", "on"}
    raise ValueError


def zone(name) -> ZoneInfo | None:
    if not isinstance(name, str) or name not in timezone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_TIMEZONES: frozenset[str] | None = None


def timezone_names() -> frozenset[str]:
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
        raise ValueError(str(error_message("dst_gap", time=shown, tz=tz.key)))
    if early.utcoffset() != late.utcoffset():
        raise ValueError(str(error_message("dst_fold", time=shown, tz=tz.key)))
    return early


def parse_moment(value, tz: ZoneInfo) -> datetime:
    """An aware datetime from an aware/naive datetime or an ISO string; naive means the event's local time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(str(error_message("datetime"))) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if not isinstance(value, datetime):
        raise ValueError(str(error_message("datetime")))
    if not YEAR_MIN <= value.year <= YEAR_MAX:  # 0001-01-01 would overflow the conversion to UTC
        raise ValueError(str(error_message("year", low=YEAR_MIN, high=YEAR_MAX)))
    if value.tzinfo is None:
        return localize(value, tz)
    return value


def check_text(errors: FieldErrors, name: str, value, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, error_message("not_text"))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(name, error_message("required"))
    if len(value) > limit:
        errors.add(name, lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", limit))
    return value


def check_bounded(errors: FieldErrors, name: str, value, column: str, *, optional: bool = True):
    """A whole number within the column's bound (app.core.bounds); None when empty and `optional`."""
    if value is None or value == "":
        if not optional:
            errors.add(name, error_message("required"))
        return None
    try:
        number = to_int(value, bounded=False)
    except ValueError:
        errors.add(name, error_message("not_int"))
        return None
    bound = bounds.of(column)
    if number in bound:
        return number
    if number > bound.high:
        errors.add(name, error_message("too_big", n=bound.high))
    elif optional and bound.low == 1:
        errors.add(name, error_message("positive"))
    else:
        errors.add(name, error_message("range", low=bound.low, high=bound.high))
    return None


@dataclass
class SessionInput:
    start: datetime
    end: datetime
    title: str
    id: int | None = None


def parse_sessions(errors: FieldErrors, raw, tz: ZoneInfo | None) -> list[SessionInput] | None:
    if not isinstance(raw, list | tuple):
        errors.add("sessions", error_message("sessions_shape"))
        return None
    if not raw:
        errors.add("sessions", error_message("sessions_missing"))
        return None
    tz = tz or ZoneInfo("UTC")
    parsed: list[SessionInput] = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors.add("sessions", error_message("sessions_shape"))
            return None
        if item.get("start") in (None, "") or item.get("end") in (None, ""):
            errors.add("sessions", error_message("session_time", n=n))
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
            errors.add("sessions", error_message("sessions_shape"))
            continue
        title = title.strip()
        if len(title) > TITLE_MAX:
            errors.add("sessions", error_message("session_title", n=n, max=TITLE_MAX))
        if end <= start:
            errors.add("sessions", error_message("session_order", n=n))
        session_id = item.get("id")
        try:
            session_id = to_int(session_id) if session_id not in (None, "") else None
        except ValueError:
            session_id = None
        parsed.append(SessionInput(start=start, end=end, title=title, id=session_id))
    ordered = sorted(parsed, key=lambda s: s.start)
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if current.start < previous.end:
            errors.add("sessions", error_message("session_overlap", n=ordered.index(current) + 1))
    return ordered


def parse_team_roles(errors: FieldErrors, raw) -> dict[TeamRole, int] | None:
    if raw is None:
        return {}
    if not isinstance(raw, list | tuple):
        errors.add("team_roles", error_message("team_roles"))
        return None
    roles: dict[TeamRole, int] = {}
    for item in raw:
        try:
            role = TeamRole(item["role"])
            needed = to_int(item["needed"])
        except (KeyError, TypeError, ValueError):
            errors.add("team_roles", error_message("team_roles"))
            return None
        if needed not in bounds.of("trip_team_roles.needed"):
            errors.add("team_roles", error_message("team_roles"))
            return None
        if role in roles:
            errors.add("team_roles", error_message("team_roles_duplicate"))
            return None
        roles[role] = needed
    return roles


def parse_translations(errors: FieldErrors, raw, own_language: str | None) -> dict:
    """{"bg": {"title": "…", "description": "…"}, …}: known languages other than the event's own, each
    with a title (the same limits as the event's); an entry left empty is dropped, so is `null`."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        errors.add("translations", error_message("translations_shape"))
        return {}
    clean: dict = {}
    for code, entry in raw.items():
        name = f"translations.{code}"
        if code not in LOCALES:
            errors.add("translations", error_message("translation_language", code=str(code)[:20],
                                                      codes=", ".join(LOCALES)))
            continue
        if entry is None:
            continue
        if not isinstance(entry, dict) or set(entry) - {"title", "description"}:
            errors.add(name, error_message("translations_shape"))
            continue
        description = check_text(errors, f"{name}.description", entry.get("description"), TEXT_MAX)
        title = check_text(errors, f"{name}.title", entry.get("title"), TITLE_MAX, required=bool(description))
        if not title and not description:
            continue
        if code == own_language:
            errors.add(name, error_message("translation_own"))
            continue
        clean[code] = {"title": title, "description": description}
    return dict(sorted(clean.items(), key=lambda item: LOCALES.index(item[0])))

"""Validating a whole event (create or change) before anything is saved: every field error at once."""
import math
from zoneinfo import ZoneInfo

from app import permissions
from app.accounts import services as accounts
from app.accounts.regions import is_region
from app.core import bounds
from app.errors import FieldErrors, NotFound
from app.events.models import (
    Event,
    EventKind,
    EventStatus,
    GroupMembership,
    TripService,
)
from app.events.parsing import (
    BOOL_FIELDS,
    COMMUNITY_MAX,
    LANGUAGE_RE,
    OPTIONAL_INT_FIELDS,
    OPTIONAL_URL_FIELDS,
    STRING_FIELDS,
    TRIP_STRING_FIELDS,
    URL_RE,
    check_bounded,
    check_text,
    error_message,
    parse_moment,
    parse_sessions,
    parse_team_roles,
    parse_translations,
    to_bool,
    to_int,
    zone,
)
from app.extensions import db
from app.programmes.models import Programme


def validate(event: Event | None, data: dict, actor) -> tuple[dict, FieldErrors]:
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
            errors.add("kind", error_message("kind"))
    if "status" in data:
        try:
            clean["status"] = EventStatus(data["status"] or EventStatus.DRAFT)
        except ValueError:
            errors.add("status", error_message("status"))
    for name, limit in STRING_FIELDS.items():
        if name in data or (event is None and name == "title"):
            clean[name] = check_text(errors, name, data.get(name), limit, required=name == "title")
    if "language" in data:
        language = data["language"]
        if not isinstance(language, str) or not LANGUAGE_RE.match(language.strip()):
            errors.add("language", error_message("language"))
        else:
            clean["language"] = language.strip()
    if "translations" in data:
        clean["translations"] = parse_translations(
            errors, data["translations"], clean.get("language", event.language if event else "ru"))
    elif event is not None and clean.get("language") in (event.translations or {}):
        # The event now speaks a language it had a translation into: its own fields say it now.
        clean["translations"] = {code: text for code, text in event.translations.items() if code != clean["language"]}
    if "timezone" in data:
        if zone(data["timezone"]) is None:
            errors.add("timezone", error_message("timezone"))
        else:
            clean["timezone"] = data["timezone"]
    for name in OPTIONAL_INT_FIELDS:
        if name in data:
            clean[name] = check_bounded(errors, name, data[name], f"events.{name}")
    if "offer_hours" in data:
        clean["offer_hours"] = check_bounded(errors, "offer_hours", data["offer_hours"], "events.offer_hours",
                                             optional=False)
    for name in BOOL_FIELDS:
        if name in data:
            try:
                clean[name] = to_bool(data[name]) if data[name] is not None else False
            except ValueError:
                errors.add(name, error_message("not_bool"))
    for name in OPTIONAL_URL_FIELDS:
        if name in data:
            url = data[name]
            if url in (None, ""):
                clean[name] = None
            elif not isinstance(url, str) or not URL_RE.match(url.strip()) or len(url.strip()) > 500:
                errors.add(name, error_message("url"))
            else:
                clean[name] = url.strip()
    if "region_code" in data:
        region = data["region_code"] or None
        if region is not None and not is_region(region):
            errors.add("region_code", error_message("region"))
        clean["region_code"] = region
    if "programme_id" in data:
        clean["programme_id"] = _check_programme(errors, data["programme_id"], actor,
                                                 event.programme_id if event is not None else None)
    if "attendance_threshold" in data:
        try:
            threshold = to_int(data["attendance_threshold"])
            if threshold not in bounds.of("events.attendance_threshold"):
                raise ValueError
            clean["attendance_threshold"] = threshold
        except (TypeError, ValueError):
            errors.add("attendance_threshold", error_message("percent"))
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
                errors.add(name, error_message(name))

    kind = clean.get("kind", event.kind if event else None)
    tz_name = clean.get("timezone", event.timezone if event else "Europe/Moscow")
    tz = zone(tz_name) or ZoneInfo("UTC")

    if "sessions" in data or event is None:
        clean["sessions"] = parse_sessions(errors, data.get("sessions"), tz)
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
    if "group" in data:
        clean["group"] = _parse_group(errors, data["group"], kind)
    if "team_roles" in data:
        clean["team_roles"] = parse_team_roles(errors, data["team_roles"])
        if clean["team_roles"] and kind != EventKind.OUTREACH_TRIP:
            errors.add("team_roles", error_message("trip_only"))

    if kind is not None:
        _check_whole(errors, event, clean)
    return clean, errors


def _check_programme(errors: FieldErrors, value, actor, current_id: int | None):
    """An existing programme the actor manages; keeping the event's current one needs no right."""
    if value in (None, ""):
        return None
    try:
        programme = db.session.get(Programme, to_int(value))
    except ValueError:
        programme = None
    if programme is None:
        errors.add("programme_id", error_message("programme"))
        return None
    if programme.id != current_id and actor is not None and not permissions.can("programme.edit", programme,
                                                                                   user=actor):
        errors.add("programme_id", error_message("programme_forbidden"))
        return None
    return programme.id


def _details_given(errors: FieldErrors, raw, kind, block: str, kind_with_block: EventKind) -> bool:
    """Whether `raw` is a `block` ("trip", "group") to read: absent is not; anything but an object, or a block
    for another kind of event, is not either and says why beside the block."""
    if raw is None:
        return False
    if not isinstance(raw, dict):
        errors.add(block, error_message(f"{block}_shape"))
        return False
    if kind != kind_with_block:
        errors.add(block, error_message(f"{block}_only"))
        return False
    return True


def _parse_trip(errors: FieldErrors, raw, kind, tz: ZoneInfo) -> dict | None:
    if not _details_given(errors, raw, kind, "trip", EventKind.OUTREACH_TRIP):
        return None
    trip: dict = {}
    for name, limit in TRIP_STRING_FIELDS.items():
        if name in raw:
            value = check_text(errors, f"trip.{name}", raw.get(name), limit)
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
        trip["seats"] = check_bounded(errors, "trip.seats", raw["seats"], "trip_details.seats")
    if "services" in raw:
        services = raw["services"] or []
        try:
            if not isinstance(services, list | tuple):
                raise ValueError
            trip["services"] = sorted({TripService(s).value for s in services},
                                      key=[m.value for m in TripService].index)
        except (TypeError, ValueError):
            errors.add("trip.services", error_message("services"))
    if "media_invited" in raw:
        try:
            trip["media_invited"] = to_bool(raw["media_invited"]) if raw["media_invited"] is not None else False
        except ValueError:
            errors.add("trip.media_invited", error_message("not_bool"))
    return trip


def _parse_group(errors: FieldErrors, raw, kind) -> dict | None:
    """`community`, the facilitator (`facilitator_id` or `facilitator_email`), `membership`."""
    if not _details_given(errors, raw, kind, "group", EventKind.SELF_HELP_GROUP):
        return None
    group: dict = {}
    if "community" in raw:
        group["community"] = check_text(errors, "group.community", raw.get("community"), COMMUNITY_MAX)
    if raw.get("facilitator_email") not in (None, ""):
        email = raw["facilitator_email"]
        user = accounts.find_user_by_email(email) if isinstance(email, str) else None
        if user is None:
            errors.add("group.facilitator_email", error_message("facilitator"))
        else:
            group["facilitator_id"] = user.id
    elif "facilitator_id" in raw or "facilitator_email" in raw:
        value = raw.get("facilitator_id")
        if value in (None, ""):
            group["facilitator_id"] = None
        else:
            try:
                user = accounts.get_user(to_int(value))
            except (ValueError, NotFound):
                errors.add("group.facilitator_id", error_message("facilitator"))
            else:
                group["facilitator_id"] = user.id
    if "membership" in raw:
        try:
            group["membership"] = GroupMembership(raw["membership"] or GroupMembership.OPEN)
        except ValueError:
            errors.add("group.membership", error_message("membership"))
    return group


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
    online_url = _merged(event, clean, "online_url")

    # `address` is optional everywhere (DESIGN §5): without it the venue text is the place shown
    if kind == EventKind.SEMINAR and not is_online and not venue:
        errors.add("venue", error_message("venue_required"))
    if kind == EventKind.ROUND_TABLE and not is_online and not venue:
        errors.add("venue", error_message("venue_required"))
    if is_online and kind != EventKind.OUTREACH_TRIP and not online_url:
        errors.add("online_url", error_message("online_url_required"))
    if kind == EventKind.OUTREACH_TRIP:
        if not _merged(event, clean, "region_code"):
            errors.add("region_code", error_message("region_required"))
        current_trip = event.trip if event is not None else None
        trip = clean.get("trip")
        settlement = trip.get("settlement") if trip and "settlement" in trip else (
            current_trip.settlement if current_trip else "")
        if not settlement:
            errors.add("trip.settlement", error_message("settlement_required"))
    elif event is not None and event.kind == EventKind.OUTREACH_TRIP and "kind" in clean:
        clean["trip"] = None
        clean["team_roles"] = {}
    if kind == EventKind.SELF_HELP_GROUP:
        current_group = event.group if event is not None else None
        group = clean.get("group") or {}
        community = group["community"] if "community" in group else (
            current_group.community if current_group else "")
        if not community and venue:  # DESIGN §5: without `group.community` the venue names the community
            clean["group"] = {**group, "community": venue[:COMMUNITY_MAX]}
        elif not community:
            errors.add("group.community", error_message("community_required"))
        membership = group.get("membership", current_group.membership if current_group else None)
        if membership == GroupMembership.CLOSED:
            clean["requires_approval"] = True  # a closed group: the organiser approves each new member
    elif event is not None and event.kind == EventKind.SELF_HELP_GROUP and "kind" in clean:
        clean["group"] = None

    sessions = clean.get("sessions")
    first_start = sessions[0].start if sessions else (event.starts_at if event else None)
    opens = _merged(event, clean, "registration_opens_at")
    closes = _merged(event, clean, "registration_closes_at")
    if opens and closes and opens >= closes:
        errors.add("registration_opens_at", error_message("window_order"))
    if first_start and closes and closes > first_start:
        errors.add("registration_closes_at", error_message("window_after_start"))
    if first_start and opens and opens >= first_start:
        errors.add("registration_opens_at", error_message("opens_after_start"))



"""Marshmallow schemas of the events API: the OpenAPI document is generated from these.

Input schemas check types and the closed vocabularies (kind, status, services, roles); the
rules (lengths, required venue, session order, registration window…) live in
app/events/services.py, which answers with messages keyed by the same field names.
"""
from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.core import bounds
from app.core.i18n import LOCALES
from app.database import INTEGER_MAX
from app.events.models import EventKind, EventStatus, GroupMembership, TeamRole, TripService

# Integers beyond PostgreSQL's INTEGER are refused here too (the services own the bound).
MAX_INT = INTEGER_MAX
ID = validate.Range(min=1, max=MAX_INT)


def whole(column: str | None = None, **kwargs) -> fields.Integer:
    """A JSON integer: 1.5, 2.0 and true are refused (strict), and so is anything outside the
    column's bound (app.core.bounds, which gives OpenAPI its minimum and maximum) or, for an id, ID."""
    return fields.Integer(strict=True, validate=bounds.api_range(column) if column else ID, **kwargs)

KINDS = [k.value for k in EventKind]
STATUSES = [s.value for s in EventStatus]
SERVICES = [s.value for s in TripService]
ROLES = [r.value for r in TeamRole]
MEMBERSHIPS = [m.value for m in GroupMembership]


class Text(fields.String):
    """A string without NUL characters (PostgreSQL cannot store them; refuse them as input)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError(_("Text must not contain NUL characters."))
        return text


class Moment(fields.DateTime):
    """An ISO 8601 date-time within 1970–2100 (beyond that, UTC conversions overflow)."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not 1970 <= moment.year <= 2100:
            raise ValidationError(_("Enter a date between 1970 and 2100."))
        return moment


def _text(description: str, **kwargs):
    return Text(metadata={"description": description}, **kwargs)


class _Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


# --- input ----------------------------------------------------------------------------

class SessionInSchema(_Strict):
    id = whole(allow_none=True,
                        metadata={"description": "Keep this existing session (PATCH)."})
    start = Moment(required=True, metadata={
        "description": "ISO 8601; without an offset it is read in the event's timezone."})
    end = Moment(required=True)
    title = Text(allow_none=True, load_default="")


class TripInSchema(_Strict):
    settlement = _text("Village or town the team travels to.")
    district = Text(allow_none=True)
    departure_point = Text(allow_none=True)
    departure_at = Moment(allow_none=True)
    seats = whole("trip_details.seats", allow_none=True, metadata={"description": "Seats in the transport."})
    services = fields.List(Text(validate=validate.OneOf(SERVICES)), allow_none=True)
    media_invited = fields.Boolean(allow_none=True)


class GroupInSchema(_Strict):
    community = _text("Community or municipality the self-help group serves.")
    facilitator_id = whole(allow_none=True, metadata={
        "description": "The facilitator (health mediator): a user id."})
    facilitator_email = Text(allow_none=True, metadata={
        "description": "Or the facilitator's e-mail instead of the id."})
    membership = Text(validate=validate.OneOf(MEMBERSHIPS), metadata={
        "description": "open: anyone joins the whole series; closed: each new member is approved."})


class TeamRoleSchema(_Strict):
    role = Text(required=True, validate=validate.OneOf(ROLES))
    needed = whole("trip_team_roles.needed", required=True,
                            metadata={"description": "How many people of this role (> 0)."})


class TranslationSchema(_Strict):
    title = Text(allow_none=True, metadata={"description": "At most 300 characters; required with a description."})
    description = Text(allow_none=True)


TRANSLATIONS_DESCRIPTION = ("Title and description in other languages than `language`, keyed by language code "
                            f"({', '.join(LOCALES)}); optional. The pages show the reader's language when given, "
                            "the event's otherwise. On PATCH the object sent replaces the translations.")


class EventInSchema(_Strict):
    """POST body: `kind`, `title` and `sessions` are required."""

    kind = Text(required=True, validate=validate.OneOf(KINDS))
    title = Text(required=True, metadata={"description": "At most 300 characters."})
    description = Text(allow_none=True)
    language = Text(metadata={"description": "ru, en, bg, pl…"})
    translations = fields.Dict(keys=Text(validate=validate.OneOf(LOCALES)),
                               values=fields.Nested(TranslationSchema, allow_none=True), allow_none=True,
                               metadata={"description": TRANSLATIONS_DESCRIPTION})
    timezone = Text(metadata={"description": "IANA name, e.g. Europe/Samara."})
    capacity = whole("events.capacity", allow_none=True)
    status = Text(validate=validate.OneOf(STATUSES))
    programme_id = whole(allow_none=True)
    venue = Text(allow_none=True)
    address = Text(allow_none=True)
    region_code = Text(allow_none=True, metadata={"description": "ISO 3166-2, e.g. RU-SMO."})
    is_online = fields.Boolean(allow_none=True)
    online_url = Text(allow_none=True, metadata={
        "description": "Join link: returned only to editors, never in public responses."})
    recording_url = Text(allow_none=True)
    speakers = Text(allow_none=True)
    outcome_summary = Text(allow_none=True)
    requires_approval = fields.Boolean(allow_none=True)
    max_per_region = whole("events.max_per_region", allow_none=True)
    max_per_organisation = whole("events.max_per_organisation", allow_none=True)
    offer_hours = whole("events.offer_hours", metadata={"description": "Hours an offered seat is held."})
    attendance_threshold = whole("events.attendance_threshold",
                                 metadata={"description": "Percent of sessions for a certificate."})
    registration_opens_at = Moment(allow_none=True)
    registration_closes_at = Moment(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    sessions = fields.List(fields.Nested(SessionInSchema), required=True)
    trip = fields.Nested(TripInSchema, allow_none=True)
    group = fields.Nested(GroupInSchema, allow_none=True, metadata={"description": "Self-help groups only."})
    team_roles = fields.List(fields.Nested(TeamRoleSchema), allow_none=True)


class EventPatchSchema(EventInSchema):
    """PATCH body: any subset of the POST fields; only the keys sent change."""


# --- output ---------------------------------------------------------------------------

def _moment(description: str = "ISO 8601 with the event's UTC offset.", **kwargs):
    """Times go out as the ISO strings the events service renders in the event's timezone."""
    return fields.String(metadata={"format": "date-time", "description": description}, **kwargs)


class SessionOutSchema(Schema):
    id = fields.Integer(required=True)
    start = _moment(required=True, description="In the event's timezone.")
    end = _moment(required=True)
    title = fields.String(required=True)


class TripOutSchema(Schema):
    settlement = fields.String(required=True)
    district = fields.String(required=True)
    departure_point = fields.String(required=True)
    departure_at = _moment(allow_none=True, required=True)
    seats = fields.Integer(allow_none=True, required=True)
    services = fields.List(fields.String(validate=validate.OneOf(SERVICES)), required=True)
    media_invited = fields.Boolean(required=True)


class GroupOutSchema(Schema):
    community = fields.String(required=True)
    facilitator_id = fields.Integer(allow_none=True, required=True)
    membership = fields.String(required=True, validate=validate.OneOf(MEMBERSHIPS))


class MeetingOutSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The session id."})
    sequence = fields.Integer(required=True, metadata={
        "description": "The session's calendar SEQUENCE: the event's plus this meeting's own changes."})
    cancelled = fields.Boolean(required=True)
    guests = fields.Integer(allow_none=True, required=True, metadata={"description": "After the meeting."})
    outcome = fields.String(required=True)


class TripResultSchema(Schema):
    service = fields.String(required=True, validate=validate.OneOf(SERVICES))
    people_served = fields.Integer(required=True)


class EventOutSchema(Schema):
    """An event as returned; `online_url` is present only for callers who may edit it."""

    class Meta:
        ordered = True

    id = fields.Integer(required=True)
    sequence = fields.Integer(required=True, metadata={"description": "Bumped on every change of time, place "
                                                                      "or status (iCalendar SEQUENCE)."})
    url = fields.String(required=True, metadata={"description": "The public event page."})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True)
    description = fields.String(required=True)
    language = fields.String(required=True)
    translations = fields.Dict(keys=fields.String(), values=fields.Nested(TranslationSchema), required=True,
                               metadata={"description": TRANSLATIONS_DESCRIPTION})
    timezone = fields.String(required=True)
    capacity = fields.Integer(allow_none=True, required=True)
    seats_left = fields.Integer(allow_none=True, required=True, metadata={"description": "null = unlimited."})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    programme_id = fields.Integer(allow_none=True, required=True)
    venue = fields.String(required=True)
    address = fields.String(required=True)
    region_code = fields.String(allow_none=True, required=True)
    is_online = fields.Boolean(required=True)
    online_url = fields.String(allow_none=True, metadata={"description": "Only for editors (token)."})
    recording_url = fields.String(allow_none=True, required=True)
    speakers = fields.String(required=True)
    outcome_summary = fields.String(required=True)
    requires_approval = fields.Boolean(required=True)
    max_per_region = fields.Integer(allow_none=True, required=True)
    max_per_organisation = fields.Integer(allow_none=True, required=True)
    offer_hours = fields.Integer(required=True)
    attendance_threshold = fields.Integer(required=True)
    registration_opens_at = _moment(allow_none=True, required=True)
    registration_closes_at = _moment(allow_none=True, required=True)
    latitude = fields.Float(allow_none=True, required=True)
    longitude = fields.Float(allow_none=True, required=True)
    sessions = fields.List(fields.Nested(SessionOutSchema), required=True)
    trip = fields.Nested(TripOutSchema, allow_none=True, required=True)
    group = fields.Nested(GroupOutSchema, allow_none=True, required=True)
    team_roles = fields.List(fields.Nested(TeamRoleSchema), required=True)
    meetings = fields.List(fields.Nested(MeetingOutSchema), required=True, metadata={
        "description": "Per session, in the order of `sessions`: cancellation, own changes, guests, outcome "
                       "(read-only)."})
    results = fields.List(fields.Nested(TripResultSchema), required=True, metadata={
        "description": "Outreach trips: people served per service (counts only)."})


class EventListQuerySchema(Schema):
    """The same filters as the /events page."""

    kind = Text(validate=validate.OneOf(KINDS))
    region = Text(metadata={"description": "ISO 3166-2 code, e.g. RU-SAM."})
    programme = fields.Integer(validate=ID)
    q = Text(metadata={"description": "Words searched in title and description (case-insensitive)."})
    date_from = fields.Date(data_key="from", metadata={"description": "Events ending on or after this day."})
    date_to = fields.Date(data_key="to", metadata={"description": "Events starting on or before this day."})
    tab = Text(validate=validate.OneOf(["upcoming", "past"]), load_default="upcoming")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))  # past the last page: 404 (service)
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class EventPageSchema(Schema):
    items = fields.List(fields.Nested(EventOutSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)

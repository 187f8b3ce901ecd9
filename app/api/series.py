"""/api/v1/events/<id>/series and /meetings: a group's recurrence rule and its meetings, one by one.

Reads follow the event (public when it is published, 404 otherwise); writes need an organiser's
token for an event they may edit (403 without the organiser role, 404 for someone else's event,
so ids do not leak). Rule and meeting messages come from app.events.series, keyed by these fields.
"""
import functools

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api import common
from app.api.schemas import Text, _Strict, whole
from app.events import services as events
from app.events.models import SeriesFrequency

bp = Blueprint("api_series", __name__, url_prefix="/api/v1/events",
               description="Meetings of a self-help group or any event made from a recurrence rule: list them, "
                           "make them from a rule, move, cancel or reinstate one.")
common.init_blueprint(bp)

FREQUENCIES = [f.value for f in SeriesFrequency]


class RuleSchema(_Strict):
    frequency = Text(required=True, validate=validate.OneOf(FREQUENCIES))
    every = whole("event_series.every", load_default=1, metadata={"description": "1 = every week (month)."})
    weekdays = fields.List(fields.Integer(strict=True, validate=validate.Range(min=0, max=6)), required=True,
                           metadata={"description": "0 = Monday … 6 = Sunday."})
    month_position = fields.Integer(strict=True, allow_none=True, load_default=None,
                                    validate=validate.OneOf([1, 2, 3, 4, -1]),
                                    metadata={"description": "Monthly rules: 1–4 or -1 (last)."})
    starts_on = fields.Date(required=True)
    until = fields.Date(allow_none=True, load_default=None, metadata={"description": "Or `count`, not both."})
    count = whole("event_series.count", allow_none=True, load_default=None, metadata={
        "description": "Meetings held: excluded dates do not count, the series runs on until this many."})
    start_time = Text(required=True, validate=validate.Regexp(r"^\d{2}:\d{2}$"),
                      metadata={"description": "HH:MM, local to the event's timezone all year."})
    duration_minutes = whole("event_series.duration_minutes", required=True)
    excluded_dates = fields.List(fields.Date(), load_default=list, metadata={"description": "Dates skipped."})


class RuleInSchema(RuleSchema):
    reset_moved = fields.Boolean(load_default=False, metadata={
        "description": "Also set meetings moved by hand to the rule's time (by default they keep theirs)."})


class MeetingSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The session id."})
    start = fields.String(required=True, metadata={"format": "date-time", "description": "In the event's timezone."})
    end = fields.String(required=True, metadata={"format": "date-time"})
    title = fields.String(required=True, metadata={"description": "The meeting's topic."})
    day = fields.Date(allow_none=True, required=True, metadata={"description": "The rule's date of this meeting."})
    sequence = fields.Integer(required=True, metadata={"description": "Its calendar SEQUENCE."})
    cancelled = fields.Boolean(required=True)
    moved_by_hand = fields.Boolean(required=True, metadata={"description": "Its time differs from the rule's."})


class SeriesOutSchema(Schema):
    rule = fields.Nested(RuleSchema, allow_none=True, required=True,
                         metadata={"description": "null when the meetings were not made from a rule."})
    meetings = fields.List(fields.Nested(MeetingSchema), required=True)


class MoveSchema(_Strict):
    day = fields.Date(required=True)
    start = Text(required=True, validate=validate.Regexp(r"^\d{2}:\d{2}$"), metadata={"description": "HH:MM local."})
    end = Text(required=True, validate=validate.Regexp(r"^\d{2}:\d{2}$"), metadata={"description": "HH:MM local."})
    title = Text(load_default="", validate=validate.Length(max=300))
    following = fields.Boolean(load_default=False, metadata={
        "description": "Give this time and length to every later meeting too (each keeps its date)."})


class NoFieldsSchema(_Strict):
    """No fields: send `{}` or no body at all."""


def series_out(event) -> dict:
    rule = events.rule_of(event)
    moved = events.moved_by_hand(event, rule)
    tz = event.tz
    return {
        "rule": None if rule is None else {
            "frequency": rule.frequency.value, "every": rule.every, "weekdays": list(rule.weekdays),
            "month_position": rule.month_position, "starts_on": rule.starts_on, "until": rule.until,
            "count": rule.count, "start_time": rule.start_time.strftime("%H:%M"),
            "duration_minutes": rule.duration_minutes, "excluded_dates": list(rule.excluded_dates)},
        "meetings": [{"id": s.id, "start": s.starts_at.astimezone(tz).isoformat(),
                      "end": s.ends_at.astimezone(tz).isoformat(), "title": s.title, "day": s.series_date,
                      "sequence": event.sequence + (s.sequence or 0), "cancelled": s.is_cancelled,
                      "moved_by_hand": s.id in moved} for s in event.sessions],
    }


def _editable(event_id: int):
    """The caller's event to change: 403 without the organiser role, 404 when it is not theirs."""
    user = common.token_user(required=True)
    common.require_allowed("manage.area", user)
    event = events.get_event(event_id)
    if event is None or not common.can("event.edit", event, user):
        raise common.ApiError(404)
    return event, user


def editable_before_body(func):
    """Above `@bp.arguments`: who may act is checked before the body is read (403/404 before 422)."""
    @functools.wraps(func)
    def check_first(*args, **kwargs):
        _editable(kwargs["event_id"])
        return func(*args, **kwargs)

    return check_first


def _meeting(event, session_id: int):
    if not any(s.id == session_id for s in event.sessions):
        raise common.ApiError(404)
    return session_id


@bp.route("/<int:event_id>/meetings")
class Meetings(MethodView):
    @bp.response(200, SeriesOutSchema)
    @common.error_responses(bp, 401, 404)
    def get(self, event_id: int):
        """The event's rule (or null) and every meeting, cancelled ones included. Public like the event."""
        user = common.token_user(required=False)
        event = events.get_event(event_id)
        if event is None or not common.can("event.view", event, user):
            raise common.ApiError(404)
        return series_out(event)


@bp.route("/<int:event_id>/series")
class Series(MethodView):
    @editable_before_body
    @bp.arguments(RuleInSchema)
    @bp.response(200, SeriesOutSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 400, 401, 403, 404, 409, 422)
    def put(self, data: dict, event_id: int):
        """Store the rule and make its meetings (organiser token). Held and cancelled meetings stay;
        registrants are mailed once about the new dates."""
        event, user = _editable(event_id)
        data = {**data, "excluded_dates": list(data["excluded_dates"])}
        events.create_meetings(event, user, data)
        return series_out(events.get_event(event_id))


@bp.route("/<int:event_id>/meetings/<int:session_id>")
class Meeting(MethodView):
    @editable_before_body
    @bp.arguments(MoveSchema)
    @bp.response(200, SeriesOutSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 400, 401, 403, 404, 409, 422)
    def patch(self, data: dict, event_id: int, session_id: int):
        """Move one meeting and/or set its topic (or, with `following`, the time of all later ones too);
        its SEQUENCE moves and registrants are mailed."""
        event, user = _editable(event_id)
        events.change_meeting(event, _meeting(event, session_id), user, data)
        return series_out(events.get_event(event_id))


@bp.route("/<int:event_id>/meetings/<int:session_id>/cancel")
class CancelMeeting(MethodView):
    @editable_before_body
    @bp.arguments(NoFieldsSchema, required=False)
    @bp.response(200, SeriesOutSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 400, 401, 403, 404, 409, 422)
    def post(self, _data: dict, event_id: int, session_id: int):
        """Cancel one meeting: calendars show it as cancelled; registrants are mailed."""
        event, user = _editable(event_id)
        events.cancel_meeting(event, _meeting(event, session_id), user)
        return series_out(events.get_event(event_id))


@bp.route("/<int:event_id>/meetings/<int:session_id>/reinstate")
class ReinstateMeeting(MethodView):
    @editable_before_body
    @bp.arguments(NoFieldsSchema, required=False)
    @bp.response(200, SeriesOutSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 400, 401, 403, 404, 409, 422)
    def post(self, _data: dict, event_id: int, session_id: int):
        """A cancelled meeting takes place after all: calendars show it again; registrants are mailed."""
        event, user = _editable(event_id)
        events.reinstate_meeting(event, _meeting(event, session_id), user)
        return series_out(events.get_event(event_id))

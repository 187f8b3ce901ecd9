"""/api/v1/events/<id>/registrations: an event's registrations for its organisers (token)."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api import common
from app.api.schemas import MAX_INT
from app.events import services as events
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus

bp = Blueprint("api_registrations", __name__, url_prefix="/api/v1/events",
               description="Registrations of an event: status, waitlist position, region, organisation, "
                           "attendance. Organiser or admin token.")
common.init_blueprint(bp)

STATUSES = [s.value for s in RegistrationStatus]


class RegistrationQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "Only this status."})
    region = fields.String(validate=validate.Length(max=10), metadata={"description": "ISO 3166-2 code."})
    organisation = fields.Integer(validate=validate.Range(min=1, max=MAX_INT),
                                  metadata={"description": "Organisation id."})


class PersonSchema(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    email = fields.String(required=True)


class OrganisationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AttendanceSchema(Schema):
    attended = fields.Integer(required=True, metadata={"description": "Sessions checked in."})
    held = fields.Integer(required=True, metadata={"description": "Sessions started so far."})
    percent = fields.Integer(allow_none=True, required=True,
                             metadata={"description": "attended / held, rounded; null before the first session."})


class RegistrationOutSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    user = fields.Nested(PersonSchema, required=True)
    region = fields.String(allow_none=True, required=True)
    organisation = fields.Nested(OrganisationSchema, allow_none=True, required=True)
    team_role = fields.String(allow_none=True, required=True)
    waitlist_position = fields.Integer(allow_none=True, required=True)
    queued_at = fields.DateTime(required=True)
    offer_expires_at = fields.DateTime(allow_none=True, required=True)
    attendance = fields.Nested(AttendanceSchema, required=True)


class RegistrationListSchema(Schema):
    event_id = fields.Integer(required=True)
    capacity = fields.Integer(allow_none=True, required=True)
    seats_taken = fields.Integer(required=True, metadata={"description": "Confirmed + offered."})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "Registrations per status (all of them, unfiltered)."})
    items = fields.List(fields.Nested(RegistrationOutSchema), required=True)


@bp.route("/<int:event_id>/registrations")
class EventRegistrations(MethodView):
    @bp.arguments(RegistrationQuerySchema, location="query", as_kwargs=True)
    @bp.response(200, RegistrationListSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 401, 403, 404, 422)
    def get(self, event_id: int, **filters):
        """Registrations with status, region, organisation and attendance (organiser or admin token)."""
        user = common.token_user(required=True)
        event = events.get_event(event_id) if 0 < event_id <= MAX_INT else None
        common.require_visible_then_allowed("event.view", "event.manage_registrations", event, user)
        listing = registrations.participants(event, filters)
        return {
            "event_id": event.id,
            "capacity": event.capacity,
            "seats_taken": registrations.seats_taken([event.id]).get(event.id, 0),
            "counts": {status.value: count for status, count in listing.by_status.items()},
            "items": [_registration_out(r, listing) for r in listing.rows],
        }


def _registration_out(registration, listing) -> dict:
    attendance = listing.attendance[registration.id]
    organisation = registration.organisation
    return {
        "id": registration.id,
        "status": registration.status.value,
        "user": {"id": registration.user.id, "full_name": registration.user.full_name,
                 "email": registration.user.email},
        "region": registration.region_code,
        "organisation": {"id": organisation.id, "name": organisation.name} if organisation else None,
        "team_role": registration.team_role.value if registration.team_role else None,
        "waitlist_position": listing.positions.get(registration.id),
        "queued_at": registration.queued_at,
        "offer_expires_at": registration.offer_expires_at,
        "attendance": {"attended": attendance.attended, "held": attendance.held, "percent": attendance.percent},
    }

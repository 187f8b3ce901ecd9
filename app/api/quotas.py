"""Consultation quotas in the API: an event's cohort (organiser token), the caller's own quotas and
logging one consultation (trainee token) — the same log as the web pages, for mobile or offline clients."""
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api import common
from app.api.schemas import MAX_INT, Text, _Strict, whole
from app.core.offline import valid_key
from app.errors import DomainError
from app.events import services as events
from app.quotas import services as quotas
from app.quotas.models import ClientType, ConsultationFormat, PaceStatus, ReviewState

bp = Blueprint("api_quotas", __name__, url_prefix="/api/v1",
                      description="Consultation quotas after a seminar: each trainee's target, deadline, "
                                  "accepted / submitted / returned counts and pace status; logging consultations. "
                                  "No field identifies a client.")
common.init_blueprint(bp)

FORMATS = [f.value for f in ConsultationFormat]
CLIENT_TYPES = [c.value for c in ClientType]
STATUSES = [s.value for s in PaceStatus]


class QuotaUserSchema(Schema):
    email = fields.String(required=True)
    full_name = fields.String(required=True)
    region = fields.String(allow_none=True, required=True, metadata={"description": "ISO 3166-2 code."})


class CuratorSchema(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    email = fields.String(required=True)


class QuotaOutSchema(Schema):
    class Meta:
        ordered = True

    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True, metadata={"description": "The seminar the quota follows."})
    user = fields.Nested(QuotaUserSchema, required=True)
    target = fields.Integer(required=True)
    starts_on = fields.Date(required=True, metadata={"description": "First day of the window."})
    deadline = fields.Date(required=True)
    accepted = fields.Integer(required=True)
    submitted = fields.Integer(required=True, metadata={"description": "Waiting for the curator's review."})
    returned = fields.Integer(required=True, metadata={"description": "Returned for a fix."})
    expected = fields.Integer(required=True, metadata={"description": "Expected accepted by today (rounded down)."})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    curator = fields.Nested(CuratorSchema, allow_none=True, required=True)


class QuotaListSchema(Schema):
    items = fields.List(fields.Nested(QuotaOutSchema), required=True)


class CohortTotalsSchema(Schema):
    class Meta:
        ordered = True

    trainees = fields.Integer(required=True, metadata={"description": "Quotas in the plan, one per trainee."})
    accepted = fields.Integer(required=True, metadata={
        "description": "All accepted consultations (the sum of the items' `accepted`); a trainee above target counts "
                       "in full."})
    accepted_to_target = fields.Integer(required=True, metadata={
        "description": "Accepted consultations, each trainee counted up to their own target."})
    targets = fields.Integer(required=True, metadata={
        "description": "The sum of the individual targets (not the plan's target × trainees)."})
    submitted = fields.Integer(required=True, metadata={"description": "Waiting for the curator's review."})
    returned = fields.Integer(required=True, metadata={"description": "Returned for a fix."})
    own_targets = fields.Integer(required=True, metadata={
        "description": "Trainees whose target differs from the plan's."})


class CohortSchema(QuotaListSchema):
    totals = fields.Nested(CohortTotalsSchema, required=True, metadata={
        "description": "The cohort page's totals, over every quota of the plan."})


class ConsultationInSchema(_Strict):
    """Exactly these fields; any other field is refused with 422. Never send who the client is."""

    quota_id = whole(required=True)
    date = fields.Date(required=True, metadata={"description": "The day it was held (ISO 8601 date)."})
    format = Text(required=True, validate=validate.OneOf(FORMATS))
    topic = Text(allow_none=True, load_default=None, validate=validate.Length(max=32),
                 metadata={"description": "A topic category code of the plan (optional)."})
    duration_minutes = whole("consultations.duration_minutes", required=True)
    client_type = Text(required=True, validate=validate.OneOf(CLIENT_TYPES))
    is_repeat = fields.Boolean(load_default=False)
    note = Text(allow_none=True, load_default="", validate=validate.Length(max=500),
                metadata={"description": "A short note about the consultation, never the client's identity."})


class ConsultationOutSchema(Schema):
    id = fields.Integer(required=True)
    quota_id = fields.Integer(required=True)
    review_state = fields.String(required=True, validate=validate.OneOf([s.value for s in ReviewState]))


def quota_out(row) -> dict:
    quota, user, curator = row.quota, row.quota.user, row.quota.curator
    return {
        "id": quota.id, "event_id": quota.plan.event_id,
        "user": {"email": user.email, "full_name": user.full_name, "region": user.region_code},
        "target": quota.target, "starts_on": quota.plan.starts_on, "deadline": quota.deadline,
        "accepted": row.accepted, "submitted": row.submitted, "returned": row.returned,
        "expected": row.pace.expected_count, "status": row.status.value,
        "curator": {"id": curator.id, "full_name": curator.full_name, "email": curator.email} if curator else None,
    }


def quota_json(row) -> dict:
    """`QuotaOutSchema().dump(quota_out(row))`, written out: the same keys and values (dates as ISO 8601),
    without the schema's per-field cost (tests/quotas/test_api.py checks that the two agree)."""
    item = quota_out(row)
    return {**item, "starts_on": item["starts_on"].isoformat(), "deadline": item["deadline"].isoformat()}


@bp.route("/events/<int:event_id>/quotas")
class EventQuotas(MethodView):
    @bp.response(200, CohortSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 401, 403, 404)
    def get(self, event_id: int):
        """Each trainee's quota in the event's plan (organiser or admin token), most urgent first."""
        user = common.token_user(required=True)
        event = events.get_event(event_id) if 0 < event_id <= MAX_INT else None
        common.require_visible_then_allowed("event.view", "quota_plan.manage", event, user)
        plan = quotas.plan_for_event(event.id)
        if plan is None:
            raise common.ApiError(404, message=quotas.MESSAGES["no_plan"])
        cohort = quotas.cohort(plan)
        # Items as JSON values straight away: a schema dump of a thousand items costs more than the cohort.
        body = {"items": [quota_json(row) for row in cohort.rows],
                "totals": CohortTotalsSchema().dump(cohort.totals.as_dict())}
        return current_app.json.response(body)


@bp.route("/me/quotas")
class MyQuotas(MethodView):
    @bp.response(200, QuotaListSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 401)
    def get(self):
        """The caller's own quotas (any signed-up user's token; every user is a trainee)."""
        user = common.token_user(required=True)
        return {"items": [quota_out(row) for row in quotas.my_rows(user)]}


@bp.route("/consultations")
class Consultations(MethodView):
    @bp.arguments(ConsultationInSchema)
    @bp.response(201, ConsultationOutSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 400, 401, 404, 422)
    def post(self, data: dict):
        """Log one consultation in the caller's own quota; it waits for the curator (`submitted`).

        An optional `Idempotency-Key` header (a UUID the client made for this entry) makes a retried send
        answer with the consultation logged the first time instead of logging a second one."""
        user = common.token_user(required=True)
        quota = quotas.find_quota(data["quota_id"])
        if quota is None or not common.can("quota.own", quota, user):
            raise common.ApiError(404)
        payload = {**data, "held_on": data["date"], "note": data.get("note") or ""}
        key = request.headers.get("Idempotency-Key")
        if key is not None and valid_key(key) is None:
            raise common.ApiError(422, {"Idempotency-Key": [str(quotas.MESSAGES["bad_key"])]})
        try:
            consultation, _created = quotas.log_keyed_consultation(quota, payload, user, valid_key(key))
        except DomainError as error:
            fields_ = {("date" if name == "held_on" else name): [str(m) for m in messages]
                       for name, messages in error.fields.items()}
            raise common.ApiError(error.status if error.status in (404, 409, 422) else 422, fields_,
                                  error.message) from error
        return {"id": consultation.id, "quota_id": quota.id, "review_state": consultation.review_state.value}

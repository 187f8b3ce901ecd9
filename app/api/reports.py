"""/api/v1/programmes/<id>/report: the plan-vs-fact report as JSON (organiser token)."""
from datetime import date, datetime

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app.api import common
from app.api.schemas import MAX_INT
from app.programmes import services as programmes
from app.reports import report

bp = Blueprint("api_reports", __name__, url_prefix="/api/v1/programmes",
               description="A programme's plan-vs-fact report, computed from the data. Organiser or admin token "
                           "of someone who manages the programme.")
common.init_blueprint(bp)


class IndicatorRowSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    plan = fields.Integer(allow_none=True, required=True,
                          metadata={"description": "Target; overall for the programme, or the stage's own target."})
    fact = fields.Integer(allow_none=True, required=True,
                          metadata={"description": "Computed from the data, or entered by hand; null if none yet."})
    percent = fields.Integer(allow_none=True, required=True, metadata={"description": "fact / plan, rounded."})
    source = fields.String(required=True, metadata={"description": "A computed source key, or `manual`."})
    status = fields.String(required=True, metadata={
        "description": "met, on_track, behind (below the share of the period elapsed), missed, no_plan, no_fact."})
    outside_period = fields.Integer(allow_none=True, metadata={
        "description": "What the same computed indicator finds dated outside the programme period: counted apart, "
                       "never in `fact`. Null for a fact entered by hand and in a stage's rows."})
    between_stages = fields.Integer(allow_none=True, metadata={
        "description": "In the programme period but in no stage (in `fact`, in no stage's fact). Null without "
                       "stages, for a fact entered by hand and in a stage's rows."})
    definition = fields.String(metadata={"description": "How the fact is counted (the help text of the pages)."})


class StageReportSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    indicators = fields.List(fields.Nested(IndicatorRowSchema), required=True)


class ReportSchema(Schema):
    programme_id = fields.Integer(required=True)
    generated_at = fields.DateTime(required=True)
    indicators = fields.List(fields.Nested(IndicatorRowSchema), required=True)
    stages = fields.List(fields.Nested(StageReportSchema), required=True)


def _row(row: dict) -> dict:
    return {**{key: row[key] for key in ("id", "name", "unit", "plan", "fact", "percent", "source", "status")},
            "outside_period": row.get("outside_period"), "between_stages": row.get("between_stages"),
            "definition": row.get("definition", "")}


@bp.route("/<int:programme_id>/report")
class ProgrammeReport(MethodView):
    @bp.response(200, ReportSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 401, 403, 404)
    def get(self, programme_id: int):
        """Indicators with plan, fact and % of plan, for the programme and per stage."""
        user = common.token_user(required=True)
        programme = programmes.load_programme(programme_id) if 0 < programme_id <= MAX_INT else None
        if programme is None:
            raise common.ApiError(404)
        common.require_allowed("programme.report", user, programme)
        data = report.build(programme.id)
        return {
            "programme_id": programme.id,
            "generated_at": datetime.fromisoformat(data["generated_at"]),
            "indicators": [_row(r) for r in data["indicators"]],
            "stages": [{"id": stage["id"], "number": stage["number"], "title": stage["title"],
                        "starts_on": date.fromisoformat(stage["starts_on"]),
                        "ends_on": date.fromisoformat(stage["ends_on"]),
                        "indicators": [_row(r) for r in stage["indicators"]]} for stage in data["stages"]],
        }

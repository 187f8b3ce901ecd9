"""The JSON API under /api/v1 (flask-smorest): blueprints, error shape, OpenAPI document."""
from flask_smorest.spec.plugins import integerconverter2paramschema

from app.api.common import ErrorSchema
from app.database import DatabaseIdConverter
from app.extensions import api


def blueprints():
    """Every API blueprint; add new ones here (they call common.init_blueprint themselves)."""
    # Imported on demand: the blueprints' schemas register with the Api object bound in init_app.
    from app.api.events import bp as events_bp
    from app.api.quotas import bp as quotas_bp
    from app.api.registrations import bp as registrations_bp
    from app.api.reports import bp as reports_bp
    from app.api.series import bp as series_bp

    return [events_bp, registrations_bp, quotas_bp, reports_bp, series_bp]


def init_app(app) -> None:
    # The documented error body must be the one we send: {"error", "fields"}.
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs={
        "info": {"description": "Praktika's public events feed for NGO sites and organisers' event editing. "
                                "Writes need `Authorization: Bearer <token>` (flask --app wsgi create-api-token)."},
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_converter(DatabaseIdConverter, integerconverter2paramschema)
    for blueprint in blueprints():
        api.register_blueprint(blueprint)

"""Praktika: the app factory (flaskr's create_app, Indico's one module per area)."""
import importlib
import logging
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from app import cache
from app import config as config_module
from app.database import DatabaseIdConverter
from app.extensions import (
    babel,
    bootstrap,
    configure_huey,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
)
from app.url_rules import LazilyBuiltRule

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    settings = config_module.from_env(test_config)
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.url_rule_class = LazilyBuiltRule
    app.config.update(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    _init_database(app)
    import_models()
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    configure_huey(app)
    cache.init_app(app)

    # Areas are imported while the app is built, after the extensions they use are bound.
    from app.core import i18n, navigation

    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    navigation.init_app(app)

    _register_blueprints(app)

    from app.privacy import registry as privacy  # above every area: it asks each for its hook

    privacy.init_app(app)

    from app import errors, security  # the same: handlers and headers bind to this app
    from app.core import request_guard  # the same: its hook renders the error page of this app

    errors.register_error_handlers(app)
    security.init_app(app)
    request_guard.init_app(app)

    from app import cli  # the commands import every area's services

    cli.init_app(app)

    import_tasks()
    return app


AREAS_WITH_TASKS = ("accounts", "certificates", "core", "messaging", "outbox", "quotas", "registrations", "reports")


def import_tasks() -> None:
    """Each area registers its Huey tasks and outbox handlers in its own tasks module."""
    for area in AREAS_WITH_TASKS:
        importlib.import_module(f"app.{area}.tasks")


def import_models() -> None:
    """Import every area's models so the metadata (and Alembic) sees the whole schema."""
    from app.accounts import models as _accounts  # noqa: F401
    from app.certificates import models as _certificates  # noqa: F401
    from app.events import models as _events  # noqa: F401
    from app.materials import models as _materials  # noqa: F401
    from app.messaging import models as _messaging  # noqa: F401
    from app.outbox import models as _outbox  # noqa: F401
    from app.programmes import models as _programmes  # noqa: F401
    from app.quotas import models as _quotas  # noqa: F401
    from app.registrations import models as _registrations  # noqa: F401
    from app.reports import models as _reports  # noqa: F401


def _init_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    db.init_app(app)
    if uri.startswith("sqlite"):
        with app.app_context():
            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()
                # SQLite's lower() folds ASCII only; PostgreSQL's folds Cyrillic too. Same behaviour
                # for case-insensitive emails, organisation names and searches on both engines.
                dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


BLUEPRINTS = ("core", "accounts", "programmes", "events", "registrations", "calendar", "outbox", "quotas",
              "certificates", "reports", "materials", "messaging", "privacy")


def _register_blueprints(app: Flask) -> None:
    """Each area's routes module, imported once the extensions are bound (they use them at import)."""
    app.url_map.converters["int"] = DatabaseIdConverter
    for area in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"app.{area}.routes").bp)
    importlib.import_module("app.api").init_app(app)

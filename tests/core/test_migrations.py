"""Migrations are the only way the schema changes: upgrade from empty, downgrade to base, upgrade
again, and the models agree with the migrated schema (no pending autogenerate diff)."""
import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests.conftest import require_postgres


@pytest.fixture(autouse=True)
def keep_logging():
    """Alembic's env.py calls logging.fileConfig(), which disables every existing logger; undo that."""
    manager = logging.Logger.manager
    enabled = {name for name, logger in manager.loggerDict.items()
               if isinstance(logger, logging.Logger) and not logger.disabled}
    root_level = logging.getLogger().level
    yield
    for name in enabled:
        logger = manager.loggerDict.get(name)
        if isinstance(logger, logging.Logger):
            logger.disabled = False
    logging.getLogger().setLevel(root_level)


def _app(tmp_path, url):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                       "SQLALCHEMY_DATABASE_URI": url})


def _flask_db(app, *args):
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, f"flask db {' '.join(args)} failed:\n{result.output}\n{result.exception!r}"


def _tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def _pending_diff(app) -> list:
    with app.app_context():
        options = dict(app.extensions["migrate"].configure_args)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": options.get("compare_type", True),
                "render_as_batch": options.get("render_as_batch", False),
            })
            return compare_metadata(context, db.metadata)


def _cycle(app) -> None:
    model_tables = set(db.metadata.tables)
    assert _tables(app) == set()

    _flask_db(app, "upgrade")
    assert model_tables <= _tables(app)

    _flask_db(app, "downgrade", "base")
    assert _tables(app) <= {"alembic_version"}

    _flask_db(app, "upgrade")
    assert model_tables <= _tables(app)
    diff = _pending_diff(app)
    assert diff == [], "models and migrations disagree; run `flask --app wsgi db migrate`:\n" + \
        "\n".join(repr(d) for d in diff)
    with app.app_context():
        db.engine.dispose()


def test_sqlite_upgrade_downgrade_upgrade_matches_models(tmp_path):
    _cycle(_app(tmp_path, f"sqlite:///{tmp_path / 'migrated.sqlite3'}"))


@pytest.mark.postgres
def test_postgres_upgrade_downgrade_upgrade_matches_models(tmp_path):
    """Runs in its own database (<test database>_migrations) so other tests' schema is untouched."""
    url = make_url(require_postgres())
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _cycle(_app(tmp_path, url.set(database=name).render_as_string(hide_password=False)))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

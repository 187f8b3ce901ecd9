"""Organisation names are matched in Python's terms (casefold, spaces collapsed), stored as `name_key`;
`import-users` reports any failing row by line and never prints a traceback (issue 10)."""
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from app.accounts import services
from app.accounts.models import Organisation, OrganisationKind, User
from app.extensions import db
from tests.conftest import make_app, require_postgres

HEADER = "email,full_name,organisation,region,roles,password\n"


def _organisations():
    return db.session.execute(select(Organisation).order_by(Organisation.id)).scalars().all()


def test_names_match_when_they_casefold_alike_and_the_key_is_unique_per_region(app):
    first = services.find_or_propose_organisation("Verein  Straße der Hoffnung", "RU-SAM", approved=True)
    db.session.commit()
    assert first.name_key == "verein strasse der hoffnung"
    again = services.find_or_propose_organisation(" VEREIN STRASSE DER HOFFNUNG ", "RU-SAM")
    assert again.id == first.id
    db.session.add(Organisation(name="verein strasse  der hoffnung", kind=OrganisationKind.PATIENT_NGO,
                                region_code="RU-SAM"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_import_users_reports_a_row_that_fails_for_any_reason_and_goes_on(runner, tmp_path):
    """A NUL byte passes our checks but no database stores it in text: that row fails, the rest import."""
    path = tmp_path / "users.csv"
    path.write_text(HEADER + "a@example.org,Анна\x00 Лидер,Лига,RU-SAM,,secret-123\n"
                    "b@example.org,Борис Лидер,Лига,RU-SAM,,secret-123\n", encoding="utf-8")
    result = runner.invoke(args=["import-users", str(path)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "line 3: created b@example.org" in result.output
    if "line 2: created" not in result.output:  # SQLite keeps the NUL; PostgreSQL refuses it
        assert "line 2: a@example.org: could not be saved" in result.output


@pytest.mark.postgres
def test_import_users_on_a_cluster_without_locale_folds_cyrillic_names(tmp_path):
    """`initdb --no-locale`: lower() leaves Cyrillic as it is; the second row of one organisation
    used to hit the unique index with a traceback and abort the import."""
    base = make_url(require_postgres())
    name = f"test_nolocale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                                "LC_COLLATE 'C' LC_CTYPE 'C'"))
    try:
        app = make_app(tmp_path, database_url=base.set(database=name).render_as_string(hide_password=False))
        with app.app_context():
            assert db.session.scalar(text("SELECT lower('ЛИГА')")) == "ЛИГА"  # the cluster really folds nothing
            path = tmp_path / "users.csv"
            path.write_text(HEADER + "a@example.org,Анна Лидер,Лига здоровья,RU-SAM,,secret-123\n"
                            "b@example.org,Борис Лидер,ЛИГА  Здоровья,RU-SAM,,secret-123\n", encoding="utf-8")
            result = app.test_cli_runner().invoke(args=["import-users", str(path)])
            assert result.exit_code == 0, result.output
            assert "Traceback" not in result.output
            assert db.session.scalar(select(func.count()).select_from(User)) == 2
            assert [o.name for o in _organisations()] == ["Лига здоровья"]
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_migration_0003_fills_name_keys_and_calendar_tokens(tmp_path):
    """Existing organisations get their key (a clash in one region is kept apart), existing accounts
    a calendar token, so that showing /me never has to make one."""
    import logging

    from app import create_app

    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": url})
    runner = app.test_cli_runner()
    disabled = {n: lg.disabled for n, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    try:
        assert runner.invoke(args=["db", "upgrade", "0002_outbox"]).exit_code == 0
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO organisations (id, name, kind, region_code, approved, created_at) VALUES "
                    "(1, 'Лига  Здоровья', 'patient_ngo', 'RU-SAM', 1, '2026-01-01 00:00:00'), "
                    "(2, 'Straße', 'patient_ngo', 'RU-SAM', 1, '2026-01-01 00:00:00'), "
                    "(3, 'STRASSE', 'patient_ngo', 'RU-SAM', 1, '2026-01-01 00:00:00')"))
                connection.execute(text(
                    "INSERT INTO users (id, email, full_name, locale, active, created_at) VALUES "
                    "(1, 'old@example.org', 'Старый Пользователь', 'ru', 1, '2026-01-01 00:00:00')"))
            db.engine.dispose()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with app.app_context():
            keys = dict(db.session.execute(text("SELECT id, name_key FROM organisations")).all())
            assert keys == {1: "лига здоровья", 2: "strasse", 3: "strasse #3"}
            user = db.session.get(User, 1)
            assert user.calendar_token and user.session_version == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        for name, was_disabled in disabled.items():
            logger = logging.Logger.manager.loggerDict.get(name)
            if isinstance(logger, logging.Logger):
                logger.disabled = was_disabled

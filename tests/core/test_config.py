"""Configuration from the environment (DESIGN §5)."""
import pytest

from app import create_app
from app.config import ConfigError, from_env


def test_production_without_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PRAKTIKA_PRODUCTION", "1")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app()


def test_development_generates_a_secret_key_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PRAKTIKA_PRODUCTION", raising=False)
    monkeypatch.delenv("FLASK_ENV", raising=False)
    first = from_env({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    second = from_env({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    assert len(first) >= 64
    assert first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_reach_the_config(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db.example.org/praktika")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example.org:6379/0")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("BASE_URL", "https://praktika.example.org/")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "Praktika <noreply@example.org>")
    monkeypatch.setenv("RATELIMIT_ENABLED", "0")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    storage = {"STORAGE_S3_BUCKET": "praktika-files", "STORAGE_S3_ENDPOINT_URL": "https://s3.example.org",
               "STORAGE_S3_REGION": "eu-central-1", "STORAGE_S3_ACCESS_KEY_ID": "AK",
               "STORAGE_S3_SECRET_ACCESS_KEY": "SK", "STORAGE_S3_PREFIX": "praktika/"}
    for name, value in storage.items():
        monkeypatch.setenv(name, value)
    config = from_env()
    assert {name: config[name] for name in storage} == storage
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql://user@db.example.org/praktika"
    assert config["REDIS_URL"] == "redis://cache.example.org:6379/0"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.example.org:6379/0"
    assert config["SECRET_KEY"] == "s3cret"
    assert config["BASE_URL"] == "https://praktika.example.org"
    assert config["MAIL_SERVER"] == "smtp.example.org"
    assert config["MAIL_PORT"] == 587
    assert config["MAIL_DEFAULT_SENDER"] == "Praktika <noreply@example.org>"
    assert config["RATELIMIT_ENABLED"] is False
    assert config["INSTANCE_PATH"] == str(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["MAIL_OUTBOX"] == str(tmp_path / "outbox")


def test_defaults_are_sqlite_in_the_instance_folder_with_memory_rate_limits(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "BASE_URL", "MAIL_SERVER", "RATELIMIT_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    config = from_env({"SECRET_KEY": "x"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'praktika.sqlite3'}"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["RATELIMIT_ENABLED"] is True
    assert config["HUEY_SQLITE_PATH"] == str(tmp_path / "huey.sqlite3")
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["BABEL_DEFAULT_LOCALE"] == "ru"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    """The embedded default, whichever database the rest of the suite runs on."""
    from sqlalchemy import text

    from app.extensions import db
    from tests.conftest import make_app

    sqlite_app = make_app(tmp_path, database_url="sqlite://")
    with sqlite_app.app_context():
        assert db.engine.dialect.name == "sqlite"
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


# --- rate limits are shared by every process in production (issue 20.11) --------------------------

def _production(monkeypatch, tmp_path, **environment):
    for name in ("REDIS_URL", "WEB_CONCURRENCY", "RATELIMIT_ENABLED", "FLASK_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRAKTIKA_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'praktika.sqlite3'}")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)


def test_production_refuses_to_start_with_rate_limits_counted_per_process(monkeypatch, tmp_path):
    _production(monkeypatch, tmp_path)
    with pytest.raises(ConfigError, match="REDIS_URL is not set"):
        create_app()
    _production(monkeypatch, tmp_path, WEB_CONCURRENCY="4")  # gunicorn's own variable for its workers
    with pytest.raises(ConfigError, match="WEB_CONCURRENCY=1"):
        create_app()


@pytest.mark.parametrize("environment", [
    {"REDIS_URL": "redis://cache.example.org:6379/0"},  # counters shared by every worker
    {"WEB_CONCURRENCY": "1"},  # one process: its memory is the only counter
    {"RATELIMIT_ENABLED": "0"},  # limits off (load tests)
])
def test_production_starts_when_the_counters_cannot_be_split(monkeypatch, tmp_path, environment):
    _production(monkeypatch, tmp_path, **environment)
    config = from_env()
    assert config["PRODUCTION"] is True
    if "REDIS_URL" in environment:
        assert config["RATELIMIT_STORAGE_URI"] == environment["REDIS_URL"]


def test_development_and_tests_keep_counting_in_memory(monkeypatch, tmp_path):
    for name in ("REDIS_URL", "WEB_CONCURRENCY", "PRAKTIKA_PRODUCTION", "FLASK_ENV"):
        monkeypatch.delenv(name, raising=False)
    assert from_env({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})["RATELIMIT_STORAGE_URI"] == "memory://"
    _production(monkeypatch, tmp_path)
    assert from_env({"TESTING": True})["RATELIMIT_STORAGE_URI"] == "memory://"

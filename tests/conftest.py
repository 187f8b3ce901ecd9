"""Shared fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), real services.

Tests that need PostgreSQL, Redis or Chromium skip with a reason when those are absent,
except under CI=true, where they must run (an absent service fails the test instead).
"""
import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require_service(available: bool, reason: str) -> None:
    """Skip locally when a service is absent; fail under CI=true."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


def _port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("postgresql+psycopg", "postgresql"))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def test_database_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def postgres_url() -> str:
    """TEST_DATABASE_URL when it is PostgreSQL, else the machine's default test database."""
    url = test_database_url()
    return url if url and url.startswith("postgresql") else DEFAULT_POSTGRES_URL


def require_postgres() -> str:
    url = postgres_url()
    require_service(_port_open(url, 5432), f"PostgreSQL is not reachable at {url}")
    return url


def require_redis() -> str:
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    require_service(_port_open(url, 6379), f"Redis is not reachable at {url}")
    return url


def require_chromium() -> str:
    require_service(shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM),
                    f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


def reset_schema(url: str) -> None:
    """Drop and recreate every table in a PostgreSQL test database."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


_postgres_schema_ready: set[str] = set()


def make_app(tmp_path, database_url: str | None = None, **overrides):
    """A fresh app with an empty schema. SQLite: a new file per test. PostgreSQL: truncated."""
    url = database_url or test_database_url()
    is_postgres = bool(url) and url.startswith("postgresql")
    if not is_postgres:
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "HUEY_IMMEDIATE": True,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "BASE_URL": "http://praktika.test",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        if is_postgres:
            if url not in _postgres_schema_ready:
                db.engine.dispose()
                reset_schema(url)
                db.create_all()
                _postgres_schema_ready.add(url)
            else:
                truncate_all(url)
        else:
            db.create_all()
    return app


@pytest.fixture
def app_overrides():
    """Override in a test module to change the app config."""
    return {}


@pytest.fixture
def app(tmp_path, app_overrides):
    app = make_app(tmp_path, **app_overrides)
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    ctx.pop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """login(user) signs the test client in as `user` (password "password123")."""

    def do_login(user, password="password123"):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return do_login

"""Shared fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), real services.

Tests that need PostgreSQL, Redis or Chromium skip with a reason when those are absent,
except under CI=true, where they must run (an absent service fails the test instead).
"""
import gc
import os
import shutil
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlparse
from uuid import uuid4

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from app import cache, create_app
from app.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"
# TEST_POSTGRES_URL lets several checkouts on one machine test side by side without sharing a database.
DEFAULT_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
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


XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
_worker_databases: dict[str, str] = {}


def _for_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (`<name>_gw0`, …), made on
    first use, since tests truncate and recreate the schema of the database they run on."""
    if not XDIST_WORKER:
        return url
    if url not in _worker_databases:
        base = make_url(url)
        name = f"{base.database}_{XDIST_WORKER}"
        if _port_open(url, 5432):
            admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
                if not exists:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
                # A test database needs no durability: commits do not wait for the disk.
                connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
            admin.dispose()
        _worker_databases[url] = base.set(database=name).render_as_string(hide_password=False)
    return _worker_databases[url]


def test_database_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL") or None
    return _for_this_worker(url) if url and url.startswith("postgresql") else url


def postgres_url() -> str:
    """TEST_DATABASE_URL when it is PostgreSQL, else the machine's default test database."""
    url = test_database_url()
    return url if url and url.startswith("postgresql") else _for_this_worker(DEFAULT_POSTGRES_URL)


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


_emptying_engines: dict[str, object] = {}


def empty_all_tables(url: str) -> None:
    """Delete the rows a test left and restart every sequence, as TRUNCATE … RESTART IDENTITY would.

    TRUNCATE of all ~50 tables makes new files for each of them and costs 0.3–2 s per test here; a
    test leaves rows in a few tables, and deleting a few rows is cheap. Children go before parents.
    """
    engine = _emptying_engines.get(url)
    if engine is None:
        engine = _emptying_engines[url] = create_engine(url)
    tables = list(reversed(db.metadata.sorted_tables))
    probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    with engine.begin() as connection:
        filled = set(connection.scalars(text(probe)))
        for table in tables:
            if table.name in filled:
                connection.execute(text(f'DELETE FROM "{table.name}"'))
        connection.execute(text("SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'"))


_postgres_schema_ready: set[str] = set()


class RequestIsolatingClient(FlaskClient):
    """A test client whose every request starts with an empty `g`.

    The `app` fixture keeps an app context pushed for the whole test, and Flask reuses it for
    requests, so `g` (Flask-Login's user, Flask-Babel's locale, the API token's user) would
    otherwise leak from one request, or one client, into the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def make_app(tmp_path, database_url: str | None = None, **overrides):
    """A fresh app with an empty schema. SQLite: a new file per test. PostgreSQL: truncated."""
    url = database_url or test_database_url()
    is_postgres = bool(url) and url.startswith("postgresql")
    sqlite_file = Path(tmp_path) / "test.sqlite3"
    if not is_postgres:
        url = f"sqlite:///{sqlite_file}"
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
        "ARGON2_PROFILE": "CHEAPEST",  # hashing at full cost takes ~0.5 s per password here
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = RequestIsolatingClient
    with app.app_context():
        if is_postgres:
            if url not in _postgres_schema_ready:
                db.engine.dispose()
                reset_schema(url)
                db.create_all()
                _postgres_schema_ready.add(url)
            else:
                empty_all_tables(url)
        elif not sqlite_file.exists():
            _copy_sqlite_schema(sqlite_file)
        else:
            db.create_all()
    return app


_sqlite_template: Path | None = None


def _copy_sqlite_schema(target: Path) -> None:
    """Copy an empty schema made once per process (create_all per test costs ~0.2 s)."""
    global _sqlite_template
    if _sqlite_template is None:
        path = Path(tempfile.mkdtemp(prefix="praktika-schema-")) / "schema.sqlite3"
        engine = create_engine(f"sqlite:///{path}")
        db.metadata.create_all(engine)
        engine.dispose()
        _sqlite_template = path
    shutil.copyfile(_sqlite_template, target)


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
def shared_cache_apps(tmp_path):
    """shared_cache_apps(n, redis_url=...) → n apps on one database, as n gunicorn workers would be.

    With `redis_url` (from require_redis()) they share their caches in Redis, under a key prefix
    of this test's own (tests of other runs use the same Redis database); without it each caches
    in its own memory. Entries are cleared and engines disposed at the end.
    """
    made = []

    def build(count: int = 2, redis_url: str | None = None, **overrides) -> list:
        overrides = {"REDIS_URL": redis_url, "CACHE_KEY_PREFIX": f"praktika-test-{uuid4().hex}:", **overrides}
        apps = [make_app(tmp_path, **overrides) for _ in range(count)]
        made.extend(apps)
        return apps

    yield build
    for flask_app in made:
        with flask_app.app_context():
            for region in cache.REGIONS:
                region.clear()
            db.session.remove()
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


# --- real services on loopback: SMTP, a live HTTP server, headless Chromium ----------------------

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _CollectingHandler:
    """aiosmtpd handler that keeps every received message as an EmailMessage."""

    def __init__(self):
        self.messages: list = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes
        from email.policy import default

        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(content, policy=default))
        return "250 Message accepted for delivery"


class SMTPServer:
    """A running aiosmtpd server: .host, .port, .messages (EmailMessage), .envelopes ((from, [to]))."""

    def __init__(self, controller, handler):
        self.host = controller.hostname
        self.port = controller.port
        self.messages = handler.messages
        self.envelopes = handler.envelopes


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, collecting what arrives."""
    from aiosmtpd.controller import Controller

    handler = _CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SMTPServer(controller, handler)
    finally:
        controller.stop()


@pytest.fixture
def mail_outbox(app, smtp_server):
    """Make `app` send mail over SMTP to `smtp_server`; return the list of received EmailMessages."""
    app.config["MAIL_SERVER"] = smtp_server.host
    app.config["MAIL_PORT"] = smtp_server.port
    return smtp_server.messages


class LiveServer(str):
    """The base URL of a running server (use it as a string); `.app` is the Flask app it serves."""

    app = None

    def __new__(cls, url: str, app):
        instance = super().__new__(cls, url)
        instance.app = app
        return instance

    @property
    def url(self) -> str:
        return str(self)


@pytest.fixture
def serve_app():
    """serve_app(app) runs `app` with werkzeug in a thread on 127.0.0.1 and returns its LiveServer URL."""
    import threading

    from werkzeug.serving import make_server

    running = []

    def start(flask_app) -> LiveServer:
        port = free_port()
        server = make_server("127.0.0.1", port, flask_app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name=f"live-server-{port}", daemon=True)
        thread.start()
        running.append((server, thread))
        return LiveServer(f"http://127.0.0.1:{port}", flask_app)

    yield start
    for server, thread in running:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def live_app_overrides():
    """Override in a test module to change the live server's app config."""
    return {}


@pytest.fixture
def live_app(tmp_path, live_app_overrides):
    """An app for a live server: its own SQLite file, CSRF on (as in production)."""
    directory = tmp_path / "live"
    directory.mkdir()
    overrides = {"WTF_CSRF_ENABLED": True, "BASE_URL": "http://127.0.0.1", **live_app_overrides}
    flask_app = make_app(directory, database_url=f"sqlite:///{directory / 'test.sqlite3'}", **overrides)
    yield flask_app
    with flask_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(live_app, serve_app):
    """Base URL (a str) of `live_app` served on 127.0.0.1; `live_server.app` is the app."""
    return serve_app(live_app)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def playwright_driver():
    """The one Playwright (sync API) driver of the session: a second one in the same thread fails."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """Headless Debian Chromium through Playwright, shared by the session's tests."""
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def browser_context(browser):
    """A fresh browser context (cookies, storage) per test, under the app's real Content-Security-Policy
    (tests/a11y.py evaluates axe without a <script> tag, so nothing needs bypassing)."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def csp_violations(page) -> list[str]:
    """Start collecting the page's Content-Security-Policy refusals (console errors); returns the list."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    return refused


@pytest.fixture
def page(browser_context):
    """A page in its own context; see `browser_context`. `page.csp_refusals` lists what the CSP blocked."""
    new_page = browser_context.new_page()
    new_page.csp_refusals = csp_violations(new_page)
    return new_page


def pytest_sessionstart(session):
    """Collect the young generation less often (every 100,000 allocations, not 700): a test makes an app, its
    schema and many rows, and the default threshold spent ~15% of the suite's time in the collector."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)

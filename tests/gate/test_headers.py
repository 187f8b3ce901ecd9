"""Headers and sessions over every page: CSP without inline script, frame-ancestors, Referrer- and
Permissions-Policy, HSTS under https, cookie flags, a new session at sign-in, and login limits
shared through Redis by two separate app processes."""
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import make_app, require_redis
from tests.factories import make_user
from tests.gate import builders
from tests.gate.routes import csrf_token_in, inventory, sign_in
from tests.gate.test_csrf import _allowed_user
from tests.gate.test_matrix import ROUTES

ROOT = Path(__file__).resolve().parents[2]
GETS = [(rule, method) for rule, method in ROUTES if method == "GET"]
# A JSON data block (type="application/json") is never run, so CSP need not allow it.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _directives(csp: str) -> dict[str, str]:
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())


@pytest.mark.parametrize(("rule", "method"), GETS, ids=[f"{m} {r}" for r, m in GETS])
def test_every_page_carries_the_security_headers(app, world, rule, method):
    route = next(r for r in inventory(app) if r.rule.rule == rule and r.method == method)
    target = builders.build(route.access.fixture, world)
    client = app.test_client()
    user = _allowed_user(route, target, world)
    headers = {}
    if user is not None and route.is_api:
        headers["Authorization"] = f"Bearer {world.token_of(user)}"
    elif user is not None:
        sign_in(client, user)
    # A page may send its reader on (check-in opens today's meeting): the page they land on counts.
    response = client.get(route.url(target.values), headers=headers, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == "'self'" and "unsafe" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # BASE_URL is http here
    if response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
        assert not HANDLER_ATTRIBUTE.search(html), HANDLER_ATTRIBUTE.search(html).group(0)


def test_hsts_and_secure_cookies_when_base_url_is_https(tmp_path):
    app = make_app(tmp_path, BASE_URL="https://praktika.example.org")
    client = app.test_client()
    with app.app_context():
        user = make_user()
        response = client.post("/auth/login", data={"email": user.email, "password": "password123"},
                               base_url="https://praktika.example.org")
        assert response.status_code == 302
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Strict-Transport-Security" in client.get("/healthz", base_url="https://praktika.example.org").headers
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_sign_in_starts_a_new_session(client, app_overrides):
    """Nothing of the session before sign-in survives it (session fixation), but the language does."""
    user = make_user()
    page = client.get("/auth/login").get_data(as_text=True)
    before = csrf_token_in(page)
    client.post("/language", data={"locale": "en", "csrf_token": before})
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        anonymous_csrf = session["csrf_token"]
    response = client.post("/auth/login", data={"email": user.email, "password": "password123",
                                                "csrf_token": before})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != anonymous_csrf
        assert session["locale"] == "en"
        assert session["_user_id"] == user.get_id()
    # the anonymous token is dead: the signed-in session has its own
    assert client.post("/account/calendar-token/reset", data={"csrf_token": before}).status_code == 400


def _post(base: str, path: str, data: dict) -> int:
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(data).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.redis
def test_login_limit_is_shared_by_two_app_processes_through_redis(tmp_path):
    redis_url = require_redis()
    # SQLite in tmp_path/test.sqlite3 (on the PostgreSQL pass too), shared by both processes
    app = make_app(tmp_path, database_url=f"sqlite:///{tmp_path / 'test.sqlite3'}")
    with app.app_context():
        make_user(email="limited@example.org")
        db.session.remove()
        db.engine.dispose()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}", "REDIS_URL": redis_url,
           "RATELIMIT_ENABLED": "1", "SECRET_KEY": "gate", "INSTANCE_PATH": str(tmp_path / "instance"),
           "GATE_LIMIT_PREFIX": f"gate-{uuid.uuid4().hex}", "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "gate" / "serve.py")], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, text=True)
                 for _ in range(2)]
    try:
        bases = [f"http://127.0.0.1:{int(p.stdout.readline())}" for p in processes]
        assert len(set(bases)) == 2
        wrong = {"email": "limited@example.org", "password": "wrong-password"}
        statuses = [_post(bases[n % 2], "/auth/login", wrong) for n in range(10)]
        assert statuses == [422] * 10  # five failures on each instance: neither alone reaches 10
        assert _post(bases[0], "/auth/login", {**wrong, "password": "password123"}) == 429
        assert _post(bases[1], "/auth/login", {**wrong, "password": "password123"}) == 429
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)

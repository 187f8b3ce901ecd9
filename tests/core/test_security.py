"""Security headers, cookie flags and CSRF."""
import re

import pytest

from tests.conftest import make_app
from tests.factories import make_user


def test_security_headers_on_every_page(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert client.get("/healthz").headers["X-Content-Type-Options"] == "nosniff"


def test_pages_carry_no_inline_script_or_style(client):
    html = client.get("/auth/register").get_data(as_text=True)
    assert "<script>" not in html and "<script type" not in html
    assert " style=" not in html
    assert " onclick=" not in html


def _session_cookie(response):
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_is_httponly_and_lax(client):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "password123"})
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_base_url_is_https(tmp_path):
    app = make_app(tmp_path, BASE_URL="https://praktika.example.org")
    client = app.test_client()
    with app.app_context():
        user = make_user()
        response = client.post("/auth/login", data={"email": user.email, "password": "password123"},
                               base_url="https://praktika.example.org")
    cookie = _session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_is_enforced_on_post(client, app_overrides):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "password123"})
    assert response.status_code == 400
    assert client.get("/me").status_code == 302  # not signed in

    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": user.email, "password": "password123", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_is_enforced_on_the_language_switch(client):
    assert client.post("/language", data={"locale": "en"}).status_code == 400


def test_passwords_are_stored_as_argon2_hashes(app):
    user = make_user(password="samara-2027")
    assert user.password_hash.startswith("$argon2id$")
    assert "samara-2027" not in user.password_hash


def test_full_argon2_cost_outside_tests(tmp_path):
    from argon2 import PasswordHasher, profiles

    from app.config import from_env

    assert from_env({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})["ARGON2_PROFILE"] == "RFC_9106_LOW_MEMORY"
    strong = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY).hash("samara-2027")
    assert "m=65536,t=3,p=4" in strong


def test_client_address_comes_from_a_trusted_proxy_only(tmp_path):
    from flask import request

    seen = []
    for count in (0, 1):
        app = make_app(tmp_path / str(count), PROXY_COUNT=count)
        app.add_url_rule("/whoami", "whoami", lambda: seen.append(request.remote_addr) or "ok")
        app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                              environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen == ["10.0.0.1", "203.0.113.7"]

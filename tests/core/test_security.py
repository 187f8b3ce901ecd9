"""Security headers, cookie flags and CSRF."""
import re
from urllib.parse import unquote

import pytest
from flask import render_template_string
from flask_babel import lazy_gettext

from app.accounts.models import Role
from app.extensions import db
from app.security import safe_next
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


# --- one check of `next` at every door (issue 20.4) ------------------------------------------------

# What browsers read as another host once they drop tabs and newlines and take "\" for "/", schemes,
# and the same percent-encoded (a `next` that was encoded twice arrives encoded once).
HOSTILE_NEXT = [
    "/\t/evil.example/phish", "/\r/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\x00/evil.example",
    "\t//evil.example", " //evil.example", "\x01//evil.example", "//evil.example", "///evil.example",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "\\/evil.example", "https://evil.example/",
    "https:evil.example", "http:/\\evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
    "/%09/evil.example", "/%0d/evil.example", "/%0a/evil.example", "/%00/evil.example", "/%2F/evil.example",
    "/%5Cevil.example", "%2F%2Fevil.example", "https%3A%2F%2Fevil.example", "evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT, ids=repr)
def test_safe_next_refuses_what_a_browser_reads_as_another_site(target):
    assert safe_next(target, "/fallback") == "/fallback"


def test_safe_next_keeps_local_paths_and_encodes_what_a_header_cannot_carry():
    assert safe_next("/events/5?kind=seminar&page=2", "/") == "/events/5?kind=seminar&page=2"
    assert safe_next("/events?q=Самара школа", "/") == "/events?q=%D0%A1%D0%B0%D0%BC%D0%B0%D1%80%D0%B0%20%D1%88%D0%BA%D0%BE%D0%BB%D0%B0"
    assert safe_next("  /me\t", "/") == "/me"
    assert safe_next(None, "/") == "/" and safe_next("", None) is None


def test_the_reported_addresses_no_longer_leave_the_site(client):
    user = make_user()
    credentials = {"email": user.email, "password": "password123"}
    response = client.post("/auth/login?next=%2F%09%2Fevil.example%2Fphish", data=credentials)
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/%0d/evil.example", data=credentials)  # was a 500
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    response = client.post("/language", data={"locale": "en", "next": "/\t/evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def _doors(app):
    """Every door that takes `next`: (name, how to knock with a target, where it goes when refused)."""
    trainee = make_user()
    trainee.email_verified_at = None  # the resend button is for an unconfirmed address
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    sign_up = {"email": "new@example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
               "organisation": "", "organisation_kind": "patient_ngo", "region": "RU-SAM", "consent": "y"}

    def signed_in(user):
        client = app.test_client()
        client.post("/auth/login", data={"email": user.email, "password": "password123"})
        return client

    return [
        ("login", lambda t: app.test_client().post("/auth/login", query_string={"next": t},
                                                   data={"email": trainee.email, "password": "password123"}), "/me"),
        ("register", lambda t: app.test_client().post("/auth/register", query_string={"next": t}, data=sign_up),
         "/auth/login"),
        ("language", lambda t: app.test_client().post("/language", data={"locale": "en", "next": t}), "/"),
        ("user roles", lambda t: signed_in(admin).post(f"/manage/users/{trainee.id}/roles",
                                                       data={"roles": ["trainee"], "next": t}), "/manage/users"),
        ("resend confirmation", lambda t: signed_in(trainee).post("/account/confirm-email/resend",
                                                                  data={"next": t}), "/me"),
    ]


def test_every_door_that_takes_next_refuses_every_hostile_value(app):
    wrong = []
    for door, knock, fallback in _doors(app):
        for target in HOSTILE_NEXT:
            response = knock(target)
            if "\x00" in target and response.status_code == 400:
                continue  # a NUL is refused at the request boundary before any door reads `next`
            if response.status_code != 302 or response.headers["Location"] != fallback:
                wrong.append(f"{door} {target!r}: {response.status_code} {response.headers.get('Location')}")
    assert wrong == []


def test_every_door_that_takes_next_keeps_a_local_path(app):
    for door, knock, _fallback in _doors(app):
        wanted = "/manage/users?q=x" if door == "user roles" else "/events?kind=seminar"
        response = knock(wanted)
        if door == "register":  # on to the login page, which then goes there
            wanted = "/auth/login?next=" + wanted
        assert (response.status_code, unquote(response.headers["Location"])) == (302, wanted), door


def test_a_lazy_string_with_a_value_in_it_is_escaped_on_a_page(app):
    """Flask-Babel's lazy strings claim to be markup; what was interpolated into one must still be escaped."""
    with app.test_request_context("/"):
        page = render_template_string("<p>{{ message }}</p>", message=lazy_gettext(
            "Your place is confirmed: %(title)s", title="<script>alert(1)</script>"))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

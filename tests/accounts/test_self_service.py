"""Accounts people look after themselves (issue 10): password reset and change, API tokens on /me,
an administrator disabling an account, sign-up that does not reveal addresses, sessions that end."""
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app import clock
from app.accounts import services
from app.accounts.models import ApiToken, PasswordResetToken, Role, User
from app.extensions import db
from tests.conftest import make_app, require_postgres
from tests.factories import make_user

T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
SIGN_UP = {"email": "leader@example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
           "organisation": "", "organisation_kind": "patient_ngo", "region": "RU-SAM",
           "consent": "y"}


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _reset_link(message) -> str:
    return re.search(r"http://praktika\.test(/auth/reset-password/\S+)", _text(message)).group(1)


def _signed_in(client) -> bool:
    return client.get("/me").status_code == 200


# --- password reset -------------------------------------------------------------------------------

def test_reset_mails_a_single_use_link_and_the_answer_does_not_tell_who_has_an_account(app, client, mail_outbox):
    user = make_user("anna@example.org")
    known = client.post("/auth/reset-password", data={"email": "ANNA@example.org"}, follow_redirects=True)
    unknown = client.post("/auth/reset-password", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    def page(response, address):  # CSRF tokens carry a timestamp: set aside
        return re.sub(r'value="[\w.-]{40,}"', "", response.get_data(as_text=True).replace(address, "X"))

    assert page(known, "ANNA@example.org") == page(unknown, "nobody@example.org")
    [message] = mail_outbox
    assert message["To"].addresses[0].addr_spec == "anna@example.org"
    link = _reset_link(message)
    token = link.rsplit("/", 1)[1]
    stored = db.session.execute(select(PasswordResetToken)).scalar_one()
    assert stored.token_hash != token and token not in stored.token_hash  # only the hash is kept

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "brand-new-secret"})
    assert response.status_code == 302 and response.location == "/me"
    assert services.authenticate(user.email, "brand-new-secret") is not None
    assert services.authenticate(user.email, "password123") is None
    assert client.post(link, data={"password": "another-secret-1"}).status_code == 404  # used up
    assert services.authenticate(user.email, "another-secret-1") is None


def test_reset_link_expires_after_an_hour(app, client, mail_outbox):
    user = make_user()
    with clock.frozen_at(T0):
        client.post("/auth/reset-password", data={"email": user.email})
        link = _reset_link(mail_outbox[0])
        clock.advance(timedelta(minutes=61))
        response = client.post(link, data={"password": "brand-new-secret"})
    assert response.status_code == 404 and "Запросите новую" in response.get_data(as_text=True)
    assert services.authenticate(user.email, "brand-new-secret") is None


def test_reset_with_a_short_password_keeps_the_link_usable(app, client, mail_outbox):
    user = make_user()
    client.post("/auth/reset-password", data={"email": user.email})
    link = _reset_link(mail_outbox[0])
    response = client.post(link, data={"password": "short"})
    assert response.status_code == 422 and 'id="password-error"' in response.get_data(as_text=True)
    assert client.post(link, data={"password": "long-enough-2"}).status_code == 302


def test_using_the_reset_link_signs_out_other_sessions(app, mail_outbox):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        browser.post("/auth/login", data={"email": user.email, "password": "password123"})
        assert _signed_in(browser)
    phone.post("/auth/reset-password", data={"email": user.email})
    phone.post(_reset_link(mail_outbox[0]), data={"password": "brand-new-secret"})
    assert _signed_in(phone)  # the browser that used the link goes on
    assert not _signed_in(laptop)  # the old session ended


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True}])
def test_reset_requests_are_limited_per_address_and_per_client(app, client):
    make_user("anna@example.org")
    for _ in range(5):
        assert client.post("/auth/reset-password", data={"email": "anna@example.org"}).status_code == 302
    assert client.post("/auth/reset-password", data={"email": "anna@example.org"}).status_code == 429
    other_client = app.test_client()  # another visitor is limited on the same address, too
    assert other_client.post("/auth/reset-password", data={"email": "anna@example.org"},
                             environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
    for n in range(4):  # the client: 10 requests an hour whatever addresses it tries
        assert client.post("/auth/reset-password", data={"email": f"x{n}@example.org"}).status_code == 302
    assert client.post("/auth/reset-password", data={"email": "y@example.org"}).status_code == 429


# --- change password ------------------------------------------------------------------------------

def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, login):
    user = login(make_user())
    other = app.test_client()
    other.post("/auth/login", data={"email": user.email, "password": "password123"})
    response = client.post("/account/password", data={"current_password": "wrong-one", "password": "new-secret-1"})
    assert response.status_code == 422 and 'id="current_password-error"' in response.get_data(as_text=True)
    assert _signed_in(other)
    response = client.post("/account/password", data={"current_password": "password123", "password": "new-secret-1"})
    assert response.status_code == 302
    assert services.authenticate(user.email, "new-secret-1") is not None
    assert _signed_in(client) and not _signed_in(other)


# --- API tokens on /me ----------------------------------------------------------------------------

def test_api_tokens_are_made_shown_once_listed_and_revoked_on_me(app, client, login):
    user = login(make_user(roles=(Role.ORGANISER,)))
    response = client.post("/account/api-tokens", data={"name": "Сайт НКО"})
    assert response.status_code == 201
    token = re.search(r'id="new-api-token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)
    assert services.user_for_api_token(token).id == user.id
    page = client.get("/me").get_data(as_text=True)
    assert "Сайт НКО" in page and token not in page  # listed, never shown again
    row = db.session.execute(select(ApiToken)).scalar_one()
    assert row.last_used_at is not None and row.token_hash != token

    stranger = make_user()
    stranger_token = services.create_api_token(stranger, "чужой")
    stranger_row = db.session.execute(select(ApiToken).where(ApiToken.user_id == stranger.id)).scalar_one()
    assert client.post(f"/account/api-tokens/{stranger_row.id}/revoke").status_code == 404
    assert services.user_for_api_token(stranger_token) is not None

    assert client.post(f"/account/api-tokens/{row.id}/revoke").status_code == 200  # asks first
    assert services.user_for_api_token(token) is not None
    assert client.post(f"/account/api-tokens/{row.id}/revoke", data={"confirm": "yes"}).status_code == 302
    assert services.user_for_api_token(token) is None
    assert client.post("/api/v1/events", json={}, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_an_api_token_needs_a_name(app, client, login):
    login(make_user())
    response = client.post("/account/api-tokens", data={"name": "  "})
    assert response.status_code == 422 and 'id="name-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def _writes_during(callable_):
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        callable_()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_last_used_is_written_at_most_once_a_minute(app, client):
    user = make_user(roles=(Role.ORGANISER,))
    token = services.create_api_token(user, "site")
    headers = {"Authorization": f"Bearer {token}"}
    with clock.frozen_at(T0):
        assert _writes_during(lambda: client.get("/api/v1/events", headers=headers))
        clock.advance(timedelta(seconds=59))
        assert _writes_during(lambda: client.get("/api/v1/events", headers=headers)) == []
        clock.advance(timedelta(seconds=2))
        assert _writes_during(lambda: client.get("/api/v1/events", headers=headers))
    row = db.session.execute(select(ApiToken)).scalar_one()
    db.session.refresh(row)
    assert row.last_used_at == T0 + timedelta(seconds=61)


def test_showing_me_writes_nothing_and_the_feed_token_exists_from_sign_up(app, client):
    client.post("/auth/register", data=SIGN_UP)
    client.post("/auth/login", data={"email": SIGN_UP["email"], "password": SIGN_UP["password"]})
    user = services.find_user_by_email(SIGN_UP["email"])
    token = user.calendar_token
    assert token
    assert _writes_during(lambda: client.get("/me")) == []
    assert token in client.get("/me").get_data(as_text=True)
    db.session.refresh(user)
    assert user.calendar_token == token


# --- administrators disable accounts -------------------------------------------------------------

def test_an_admin_disables_an_account_which_then_cannot_sign_in_or_use_tokens(app, client, login):
    member = make_user("member@example.org")
    token = services.create_api_token(member, "site")
    member_browser = app.test_client()
    member_browser.post("/auth/login", data={"email": member.email, "password": "password123"})
    admin = login(make_user(roles=(Role.ADMIN,)))

    response = client.post(f"/manage/users/{member.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.active is False
    assert not _signed_in(member_browser)
    assert member_browser.post("/auth/login", data={"email": member.email,
                                                    "password": "password123"}).status_code == 422
    assert services.user_for_api_token(token) is None
    assert db.session.get(User, member.id) is not None  # the data stays

    client.post(f"/manage/users/{admin.id}/active", data={"active": "0"})
    db.session.refresh(admin)
    assert admin.active is True  # not oneself
    client.post(f"/manage/users/{member.id}/active", data={"active": "1"})
    assert member_browser.post("/auth/login", data={"email": member.email,
                                                    "password": "password123"}).status_code == 302


def test_only_admins_disable_accounts(app, client, login):
    member = make_user()
    login(make_user(roles=(Role.ORGANISER,)))
    assert client.post(f"/manage/users/{member.id}/active", data={"active": "0"}).status_code == 403
    db.session.refresh(member)
    assert member.active is True


# --- sign-up does not reveal addresses -----------------------------------------------------------

def test_sign_up_with_a_taken_address_says_check_your_mail_and_mails_the_owner(app, client, mail_outbox):
    owner = make_user("leader@example.org", full_name="Ирина Петрова")
    response = client.post("/auth/register", data={**SIGN_UP, "email": "Leader@Example.org"})
    assert response.status_code == 302 and response.location == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Проверьте почту" in page and "уже есть" not in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    [message] = mail_outbox
    assert message["To"].addresses[0].addr_spec == owner.email
    assert "/auth/reset-password" in _text(message)


@pytest.mark.postgres
def test_two_sign_ups_with_one_address_at_once_both_get_a_friendly_answer(tmp_path):
    app = make_app(tmp_path, database_url=require_postgres())
    barrier = threading.Barrier(6)
    statuses = []

    def sign_up():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/auth/register", data=SIGN_UP).status_code)

    with app.app_context():
        threads = [threading.Thread(target=sign_up) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [302] * 6
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        db.session.remove()
        db.engine.dispose()


# --- logging out ends the session on the server (issue 20.10) --------------------------------------

def test_a_copied_session_cookie_no_longer_works_after_logout(app, client):
    user = make_user()
    client.post("/auth/login", data={"email": user.email, "password": "password123"})
    copied = client.get_cookie("session").value  # what a shared computer or a stolen cookie keeps
    assert client.post("/auth/logout").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/me").status_code == 302  # sent to log in: the version in the cookie is gone
    assert client.post("/auth/login", data={"email": user.email, "password": "password123"}).status_code == 302
    assert _signed_in(client)  # logging in again works


# --- a password reset revokes API tokens (issue 20.12) ---------------------------------------------

def test_a_password_reset_revokes_the_accounts_api_tokens_and_says_so(app, client, mail_outbox):
    user = make_user(roles=(Role.ORGANISER,))
    tokens = [services.create_api_token(user, "Сайт НКО"), services.create_api_token(user, "Таблица")]
    client.post("/auth/reset-password", data={"email": user.email})
    assert "API-токены" in _text(mail_outbox[0])  # the mail says what the reset will do
    link = _reset_link(mail_outbox[0])
    assert "API-токены будут отозваны" in client.get(link).get_data(as_text=True)

    response = client.post(link, data={"password": "brand-new-secret"}, follow_redirects=True)
    assert "2 API-токена вашей учётной записи отозваны" in response.get_data(as_text=True)
    assert [services.user_for_api_token(token) for token in tokens] == [None, None]
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    assert client.post("/api/v1/events", json={}, headers=headers).status_code == 401


def test_a_reset_without_tokens_says_nothing_about_them(app, client, mail_outbox):
    user = make_user()
    client.post("/auth/reset-password", data={"email": user.email})
    response = client.post(_reset_link(mail_outbox[0]), data={"password": "brand-new-secret"}, follow_redirects=True)
    assert response.status_code == 200 and "отозван" not in response.get_data(as_text=True)

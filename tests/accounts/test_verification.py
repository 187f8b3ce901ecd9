"""Sign-up tells nobody whether an address has an account, and a self-made account confirms its
address by a mailed link before it may register for events (issue 20.9, double opt-in)."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from app import clock
from app.accounts import services, verification
from app.accounts.models import Role, User
from app.errors import DomainError
from app.extensions import db
from app.registrations import manual
from app.registrations import services as registrations
from tests.core.test_migrations import _app, _flask_db, keep_logging  # noqa: F401 - the fixture restores logging
from tests.factories import make_event, make_user

T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
SIGN_UP = {"email": "leader@example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
           "organisation": "", "organisation_kind": "patient_ngo", "region": "RU-SAM", "consent": "y"}


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _confirm_link(message) -> str:
    return re.search(r"http://praktika\.test(/auth/confirm-email/\S+)", _text(message)).group(1)


def _login(client, email=SIGN_UP["email"], password=SIGN_UP["password"]):
    assert client.post("/auth/login", data={"email": email, "password": password}).status_code == 302


def _user(email=SIGN_UP["email"]) -> User:
    db.session.expire_all()
    return services.find_user_by_email(email)


# --- the same answer for a new and a taken address -------------------------------------------------

def test_sign_up_answers_alike_for_a_new_and_a_taken_address(app, monkeypatch):
    make_user("taken@example.org")
    hashes = []
    real_hash = PasswordHasher.hash
    monkeypatch.setattr(PasswordHasher, "hash", lambda self, secret, **kw: hashes.append(1) or real_hash(self, secret))

    answers = {}
    for address in ("new@example.org", "taken@example.org"):
        client = app.test_client()
        hashes.clear()
        response = client.post("/auth/register?next=/events", data={**SIGN_UP, "email": address})
        with client.session_transaction() as session:
            state = repr(dict(session)).replace(address, "X")
        answers[address] = (response.status_code, response.headers["Location"],
                            response.get_data(as_text=True).replace(address, "X"), state, len(hashes))
    assert answers["new@example.org"] == answers["taken@example.org"]
    status, location, _body, state, hashed = answers["new@example.org"]
    assert (status, location, hashed) == (302, "/auth/login?next=/events", 1)  # one argon2 hash either way
    assert "_user_id" not in state  # nobody is signed in by signing up


# --- double opt-in -------------------------------------------------------------------------------

def test_a_self_made_account_registers_for_events_only_after_following_the_mailed_link(app, client, mail_outbox):
    event = make_event(actor=make_user(roles=(Role.ORGANISER,)))
    client.post("/auth/register", data=SIGN_UP)
    [welcome] = mail_outbox
    assert welcome["To"].addresses[0].addr_spec == SIGN_UP["email"]
    link = _confirm_link(welcome)
    assert not _user().email_verified

    _login(client)
    me = client.get("/me").get_data(as_text=True)
    assert "Подтвердите адрес электронной почты" in me and 'action="/account/confirm-email/resend"' in me
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'action="/events/{event.id}/register"' not in page  # no button that would fail
    assert "чтобы записаться на это мероприятие" in page and 'action="/account/confirm-email/resend"' in page
    response = client.post(f"/events/{event.id}/register", follow_redirects=True)
    assert "Сначала подтвердите адрес электронной почты" in response.get_data(as_text=True)
    with pytest.raises(DomainError) as refused:  # whatever the door: the service refuses
        registrations.register(event.id, _user())
    assert refused.value.code == "email_unverified"
    assert registrations.registration_of(event, _user()) is None

    page = client.get(link)
    assert page.status_code == 200 and "Подтвердить адрес" in page.get_data(as_text=True)
    assert not _user().email_verified  # opening the link (a mail scanner does) confirms nothing
    response = client.post(link)
    assert response.status_code == 302 and response.location == "/me"
    assert _user().email_verified
    assert client.post(link).status_code == 404  # used up
    assert client.get(link).status_code == 404
    assert client.post(f"/events/{event.id}/register").status_code == 302
    assert registrations.registration_of(event, _user()).status.value == "confirmed"


def test_the_link_works_without_being_signed_in_then_asks_to_log_in(app, client, mail_outbox):
    client.post("/auth/register", data=SIGN_UP)
    response = app.test_client().post(_confirm_link(mail_outbox[0]))
    assert response.status_code == 302 and response.location == "/auth/login"
    assert _user().email_verified


def test_the_link_expires(app, client, mail_outbox):
    with clock.frozen_at(T0):
        client.post("/auth/register", data=SIGN_UP)
        link = _confirm_link(mail_outbox[0])
        clock.advance(verification.VERIFY_VALID_FOR + timedelta(minutes=1))
        assert client.get(link).status_code == 404
        assert client.post(link).status_code == 404
    assert not _user().email_verified


def test_a_forged_or_foreign_link_is_dead(app, client, mail_outbox):
    client.post("/auth/register", data=SIGN_UP)
    link = _confirm_link(mail_outbox[0])
    token = link.rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/auth/confirm-email/{forged}").status_code == 404
    user = _user()
    user.email = "other@example.org"  # a link names the address it was sent to
    db.session.commit()
    assert client.post(link).status_code == 404
    assert not _user("other@example.org").email_verified


def test_resend_mails_a_new_link_and_says_so(app, client, mail_outbox):
    client.post("/auth/register", data=SIGN_UP)
    _login(client)
    response = client.post("/account/confirm-email/resend", data={"next": "/events"}, follow_redirects=False)
    assert response.status_code == 302 and response.location == "/events"
    assert len(mail_outbox) == 2
    again = mail_outbox[1]
    assert again["To"].addresses[0].addr_spec == SIGN_UP["email"] and "Подтвердите адрес" in again["Subject"]
    assert client.post(_confirm_link(again)).status_code == 302
    assert client.post(_confirm_link(mail_outbox[0])).status_code == 404  # the older link died with it
    client.post("/account/confirm-email/resend")
    assert len(mail_outbox) == 2  # confirmed: nothing more is sent
    assert "уже подтверждён" in client.get("/me").get_data(as_text=True)


def test_a_password_reset_link_also_confirms_the_address(app, client, mail_outbox):
    client.post("/auth/register", data=SIGN_UP)
    client.post("/auth/reset-password", data={"email": SIGN_UP["email"]})
    link = re.search(r"http://praktika\.test(/auth/reset-password/\S+)", _text(mail_outbox[-1])).group(1)
    assert client.post(link, data={"password": "brand-new-secret"}).status_code == 302
    assert _user().email_verified


def test_accounts_made_by_organisers_and_administrators_count_as_verified(app):
    organiser = make_user(roles=(Role.ORGANISER,))
    event = make_event(actor=organiser)
    made = [
        services.create_user(email="cli@example.org", password="long-enough-1", full_name="Из командной строки"),
        services.import_user({"email": "csv@example.org", "full_name": "Из таблицы", "region": "RU-SAM"}).user,
        manual.add_participant(event, organiser, email="added@example.org", full_name="Добавлена организатором").user,
    ]
    assert all(_user(user.email).email_verified for user in made)


def test_migration_0011_counts_existing_accounts_as_verified(tmp_path):
    migrated = _app(tmp_path, f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    _flask_db(migrated, "upgrade", "0010_messaging")
    with migrated.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, email, full_name, locale, active, session_version, created_at) VALUES "
                "(1, 'old@example.org', 'Старый Пользователь', 'ru', 1, 1, '2026-01-01 00:00:00')"))
        db.engine.dispose()
    _flask_db(migrated, "upgrade")
    with migrated.app_context():
        assert db.session.get(User, 1).email_verified
        db.session.remove()
        db.engine.dispose()

"""The transactional outbox: a mail is a row before it is a message, delivered at least once (a repeat keeps
its Message-ID), never lost."""
import asyncio
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import clock
from app.accounts import mail as account_mail
from app.accounts.models import Role
from app.database import unit_of_work
from app.extensions import db
from app.notifications import services as notifications
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage, OutboxState
from tests.conftest import free_port
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_overrides(tmp_path):
    """The worker does not drain inline here: each test decides when delivery runs."""
    return {"HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "jobs.sqlite3")}


def _states() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    return {state.value: count for state, count in rows}


def _mail(user):
    account_mail.queue("welcome", user)


def test_emitting_outside_a_unit_of_work_is_refused(app):
    with pytest.raises(RuntimeError, match="unit_of_work"):
        outbox.emit("accounts.mail", kind="welcome", user_id=1, values={})


def test_a_rolled_back_change_leaves_no_mail(app, mail_outbox):
    user = make_user()
    with pytest.raises(ZeroDivisionError), unit_of_work():
        _mail(user)
        _ = 1 / 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert outbox.deliver_due() == 0 and mail_outbox == []


def test_mail_waits_as_a_row_and_goes_once(app, client, mail_outbox):
    response = client.post("/auth/register", data={
        "email": "irina@example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
        "organisation": "Самарская организация пациентов", "region": "RU-SAM", "consent": "y"})
    assert response.status_code == 302
    assert _states() == {"pending": 1} and mail_outbox == []
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0
    assert len(mail_outbox) == 1 and mail_outbox[0]["To"].addresses[0].addr_spec == "irina@example.org"
    assert _states() == {"sent": 1}


def test_an_unreachable_mail_server_retries_with_backoff_then_shows_the_failure(app, client, login):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    with unit_of_work():
        _mail(make_user(email="anna@example.org"))
    start = clock.now()
    with clock.frozen_at(start):
        assert outbox.deliver_due() == 0
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.state == OutboxState.PENDING and message.attempts == 1
        assert message.available_at == start + timedelta(minutes=1)
        assert "ConnectionRefusedError" in message.last_error
        assert outbox.deliver_due() == 0 and message.attempts == 1  # not due yet
        for _ in range(outbox.MAX_ATTEMPTS - 1):
            clock.advance(timedelta(hours=1))
            outbox.deliver_due()
    db.session.refresh(message)
    assert message.state == OutboxState.FAILED and message.attempts == outbox.MAX_ATTEMPTS

    admin = login(make_user(email="admin@example.org", roles=(Role.ADMIN,)))
    page = client.get("/manage/outbox?state=failed").get_data(as_text=True)
    assert "anna@example.org" in page and "ConnectionRefusedError" in page
    assert client.post(f"/manage/outbox/{message.id}/retry").status_code == 302
    db.session.refresh(message)
    assert message.state == OutboxState.PENDING and message.attempts == 0
    assert admin.is_admin


def test_only_admins_see_the_outbox(app, client, login):
    with unit_of_work():
        _mail(make_user(email="anna@example.org"))
    message_id = db.session.scalar(select(OutboxMessage.id))
    assert client.get("/manage/outbox").status_code == 302  # to the login page
    login(make_user(email="organiser@example.org", roles=(Role.ORGANISER,)))
    assert client.get("/manage/outbox").status_code == 403
    assert client.post(f"/manage/outbox/{message_id}/retry").status_code == 403


class _StallingHandler:
    """Accepts mail until `stall_at`, then never answers: the sender hangs mid-delivery."""

    def __init__(self, stall_at: int):
        self.stall_at = stall_at
        self.accepted: list[str] = []
        self.stalled = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        if len(self.accepted) + 1 == self.stall_at and not self.stalled:
            self.stalled = True
            await asyncio.sleep(3600)
        self.accepted.append(message["Message-ID"])
        return "250 Message accepted for delivery"


WORKER = """
import json, sys
from app import create_app
from app.outbox import services
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    services.deliver_due()
"""


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(app, tmp_path):
    from aiosmtpd.controller import Controller

    handler = _StallingHandler(stall_at=4)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
        with unit_of_work():
            for number in range(10):
                _mail(make_user(email=f"trainee{number}@example.org"))
        config = {key: app.config[key] for key in (
            "TESTING", "SECRET_KEY", "INSTANCE_PATH", "SQLALCHEMY_DATABASE_URI", "MAIL_SERVER", "MAIL_PORT",
            "BASE_URL", "RATELIMIT_ENABLED", "RATELIMIT_STORAGE_URI", "HUEY_SQLITE_PATH")}
        config.update(HUEY_IMMEDIATE=False, REDIS_URL=None, WTF_CSRF_ENABLED=False)
        worker = subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(config)], cwd=ROOT)
        deadline = time.monotonic() + 60
        while not handler.stalled and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        assert handler.stalled, "the worker never reached the fourth mail"
        worker.kill()
        worker.wait(timeout=10)

        db.session.expire_all()
        assert len(handler.accepted) == 3
        assert _states() == {"sent": 3, "sending": 1, "pending": 6}

        assert outbox.deliver_due() == 6  # the restarted worker takes what waits
        with clock.frozen_at(clock.now() + outbox.LEASE + timedelta(minutes=1)):
            assert outbox.deliver_due() == 1  # the interrupted one, once its lease ran out
            assert outbox.deliver_due() == 0
        assert _states() == {"sent": 10}
        assert len(handler.accepted) == 10 and len(set(handler.accepted)) == 10
    finally:
        controller.stop()


class _HangingAfterReceipt:
    """Keeps each message, but never answers the first one: the mail has arrived, the sender cannot know."""

    def __init__(self):
        self.received: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes
        from email.policy import default

        self.received.append(message_from_bytes(envelope.content, policy=default)["Message-ID"])
        if len(self.received) == 1:
            await asyncio.sleep(3600)
        return "250 Message accepted for delivery"


def test_a_repeated_delivery_carries_the_same_message_id(app):
    """At least once: SMTP took the mail, the worker died before marking the row sent, so the row goes
    again after its lease, and the repeat can be told apart by its Message-ID."""
    from aiosmtpd.controller import Controller

    handler = _HangingAfterReceipt()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
        with unit_of_work():
            _mail(make_user(email="anna@example.org"))
        row = db.session.scalars(select(OutboxMessage)).one()
        config = {key: app.config[key] for key in (
            "TESTING", "SECRET_KEY", "INSTANCE_PATH", "SQLALCHEMY_DATABASE_URI", "MAIL_SERVER", "MAIL_PORT",
            "BASE_URL", "RATELIMIT_ENABLED", "RATELIMIT_STORAGE_URI", "HUEY_SQLITE_PATH")}
        config.update(HUEY_IMMEDIATE=False, REDIS_URL=None, WTF_CSRF_ENABLED=False)
        worker = subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(config)], cwd=ROOT)
        deadline = time.monotonic() + 60
        while not handler.received and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        worker.kill()
        worker.wait(timeout=10)
        assert len(handler.received) == 1

        db.session.expire_all()
        assert _states() == {"sending": 1}
        with clock.frozen_at(clock.now() + outbox.LEASE + timedelta(minutes=1)):
            assert outbox.deliver_due() == 1
        assert _states() == {"sent": 1}
        assert len(handler.received) == 2
        assert handler.received[0] == handler.received[1] == notifications.message_id(row.id)
        assert handler.received[0].startswith(f"<outbox-{row.id}.") and handler.received[0].endswith("@praktika.test>")
    finally:
        controller.stop()

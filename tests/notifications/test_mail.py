"""Mail goes through the real pipeline: template → Huey task → SMTP (aiosmtpd) or the outbox folder."""
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from app.database import unit_of_work
from app.notifications import services as notifications
from tests.factories import make_user


def _sign_up(client, email, language):
    client.post("/language", data={"locale": language})
    response = client.post("/auth/register", data={
        "email": email, "password": "long-enough-1", "full_name": "Ирина Петрова",
        "organisation": "Самарская региональная общественная организация пациентов", "region": "RU-SAM",
        "consent": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:400]


@pytest.mark.parametrize(("language", "subject", "phrase"), [
    ("ru", "Добро пожаловать в Praktika", "Здравствуйте, Ирина Петрова!"),
    ("en", "Welcome to Praktika", "Hello, Ирина Петрова!"),
])
def test_welcome_mail_arrives_over_smtp_in_the_users_language(client, mail_outbox, smtp_server, language, subject,
                                                              phrase):
    _sign_up(client, "irina@example.org", language)

    assert len(mail_outbox) == 1
    message = mail_outbox[0]
    assert smtp_server.envelopes[0][1] == ["irina@example.org"]
    assert message["Subject"] == subject
    assert message["Content-Language"] == language
    assert "irina@example.org" in message["To"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert phrase in text
    assert phrase in html
    assert "http://praktika.test/events" in text
    assert 'href="http://praktika.test/events"' in html
    assert f'lang="{language}"' in html


def test_without_mail_server_the_message_lands_in_the_outbox(app, client):
    _sign_up(client, "outbox@example.org", "ru")

    files = sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes(), policy=default)
    assert message["To"].addresses[0].addr_spec == "outbox@example.org"
    assert message["Subject"] == "Добро пожаловать в Praktika"
    assert {part.get_content_type() for part in message.iter_parts()} == {"text/plain", "text/html"}


def test_attachments_travel_with_the_message(app, mail_outbox):
    user = make_user(locale="en")
    with unit_of_work():
        notifications.send(notifications.Mail(
            to=user, template="accounts_welcome", subject="Calendar",
            attachments=(notifications.Attachment("event.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                                  "text/calendar"),),
        ), message_id="<attachments@praktika.test>")
    message = mail_outbox[0]
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["event.ics"]
    assert attachments[0].get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in attachments[0].get_content()

"""Mail goes through the real pipeline: template → Huey task → SMTP (aiosmtpd) or the outbox folder."""
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.database import unit_of_work
from app.extensions import db
from app.notifications import services as notifications
from app.outbox.models import OutboxMessage, OutboxState
from app.registrations import services as registrations
from tests.factories import make_event, make_user


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


HOSTILE_NAMES = [
    "Ivan Petrov, attacker@evil.example, and a long tail to force folding",
    "Иван Петров, attacker@evil.example, and a long tail to force folding",
    "Иванова, Мария <maria@evil.example>, \"bcc\": other@evil.example; Пётр Сидоров-Длинноименный",
    '"Quoted, with a comma" <quoted@evil.example>',
    "<attacker@evil.example>",
    "Анна, Борис, Вера, Глеб, Дина — очень длинное имя, которое переносится на новую строку заголовка",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_never_adds_recipients(client, mail_outbox, smtp_server, name):
    response = client.post("/auth/register", data={
        "email": "ivan@example.org", "password": "long-enough-1", "full_name": name,
        "organisation": "Самарская организация пациентов", "region": "RU-SAM", "consent": "y"})
    assert response.status_code == 302
    client.post("/auth/reset-password", data={"email": "ivan@example.org"})

    assert len(mail_outbox) == 2  # the welcome and the reset link
    for (sender, recipients), message in zip(smtp_server.envelopes, mail_outbox, strict=True):
        assert recipients == ["ivan@example.org"]
        assert sender == "noreply@praktika.local"
        [address] = message["To"].addresses
        assert address.addr_spec == "ivan@example.org"
        # Python's parser puts a space between adjacent encoded-words of a long non-ASCII name (RFC 2047
        # says to drop it); the name is otherwise whole, and it is one address.
        assert address.display_name.replace(" ", "") == name.replace(" ", "")


def test_deleting_an_account_mails_nothing_to_its_placeholder_address(client, login, mail_outbox, smtp_server):
    organiser = make_user("olga@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")
    irina = make_user("irina@example.org", full_name="Ирина Петрова")
    event = make_event(actor=organiser, title="Весенний семинар")
    registrations.register(event.id, irina)
    login(irina)
    mail_outbox.clear()
    smtp_server.envelopes.clear()

    assert client.post("/account/delete", data={"password": "password123"}).status_code == 302

    cancelled = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.topic == registrations.MAIL_TOPIC, OutboxMessage.payload["kind"].as_string() == "cancelled"
    )).scalar_one()
    assert cancelled.state == OutboxState.SENT  # delivered: the composer dropped the recipient
    recipients = [address for _sender, addresses in smtp_server.envelopes for address in addresses]
    assert recipients == ["olga@example.org"]  # the organiser still hears of the cancellation
    assert not any("deleted.invalid" in str(message["To"]) for message in mail_outbox)


LONG_SUBJECT = ("Изменилось мероприятие: Поддерживающее консультирование в деятельности пациентской организации "
                "— выездной семинар-тренинг для руководителей НКО")


def test_a_long_cyrillic_subject_keeps_every_space_over_smtp_and_in_the_folder(app, mail_outbox, tmp_path):
    from email.header import decode_header, make_header
    from email.parser import BytesParser
    user = make_user(locale="ru")
    mail = notifications.Mail(to=user, template="accounts_welcome", subject=LONG_SUBJECT)
    with unit_of_work():
        notifications.send(mail, message_id="<subject@praktika.test>")
    assert mail_outbox[0]["Subject"] == LONG_SUBJECT
    app.config["MAIL_SERVER"], app.config["MAIL_OUTBOX"] = "", str(tmp_path)
    with unit_of_work():
        notifications.send(mail, message_id="<subject2@praktika.test>")
    raw = next(tmp_path.glob("*.eml")).read_bytes()
    assert max(len(line) for line in raw.splitlines()) <= 78  # folded, still
    assert BytesParser(policy=default).parsebytes(raw)["Subject"] == LONG_SUBJECT
    legacy = BytesParser().parsebytes(raw)["Subject"]  # the compat32 reader decodes it the same
    assert str(make_header(decode_header(legacy))) == LONG_SUBJECT

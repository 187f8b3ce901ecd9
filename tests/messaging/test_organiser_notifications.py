"""Organiser notifications: a new application, a participant's cancellation, a full event, an expired
offer — mailed at once, kept for the daily digest, or not at all, per organiser and topic."""
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.extensions import db
from app.messaging import services as messaging
from app.messaging import tasks
from app.messaging.models import DigestItem, OrganiserDigest, OrganiserPreference
from app.registrations import services as registrations
from tests.factories import make_trainees, make_user
from tests.gate.builders import programme_event

T0 = datetime(2027, 2, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def frozen(app):
    with clock.frozen_at(T0):
        yield


def _to(outbox, user):
    return [m for m in outbox if user.email in m["To"]]


def _text(message):
    return message.get_body(("plain",)).get_content()


def _prefer(organiser, **choices):
    messaging.save_preferences(organiser, choices)


def test_a_new_application_is_mailed_at_once_by_default(frozen, mail_outbox):
    organiser, event = programme_event(requires_approval=True)
    applicant = make_user(full_name="Ирина Петрова", password=None)
    registrations.register(event.id, applicant)
    [notice] = _to(mail_outbox, organiser)
    assert notice["Subject"] == f"Новая заявка: {event.title}"
    assert "Ирина Петрова подал(а) заявку, она ждёт вашего решения." in _text(notice)
    assert f"/manage/events/{event.id}/approvals" in _text(notice)
    assert "/manage/notifications" in _text(notice)


def test_the_notice_is_in_the_organisers_language(frozen, mail_outbox):
    organiser, event = programme_event(requires_approval=True)
    organiser.locale = "en"
    db.session.commit()
    registrations.register(event.id, make_user(full_name="Irina Petrova", password=None))
    [notice] = _to(mail_outbox, organiser)
    assert notice["Subject"] == f"New application: {event.title}"
    assert "Irina Petrova applied and awaits your approval." in _text(notice)


def test_off_sends_nothing_and_keeps_nothing(frozen, mail_outbox):
    organiser, event = programme_event(requires_approval=True)
    _prefer(organiser, application="off")
    registrations.register(event.id, make_user(password=None))
    assert _to(mail_outbox, organiser) == []
    assert db.session.query(DigestItem).count() == 0


def test_digest_keeps_rows_and_mails_one_digest_a_day(frozen, mail_outbox, runner):
    organiser, event = programme_event(requires_approval=True, capacity=2)
    _prefer(organiser, application="digest", cancellation="digest", event_full="at_once")
    first = make_user(full_name="Анна Смирнова", password=None)
    second = make_user(full_name="Борис Орлов", password=None)
    registrations.register(event.id, first)
    held = registrations.register(event.id, second)
    registrations.approve(held, organiser)
    registrations.cancel(held, second)
    assert _to(mail_outbox, organiser) == []
    assert db.session.query(DigestItem).count() == 3

    assert messaging.send_digests() == 1
    assert messaging.send_digests() == 0                      # run twice: still one mail
    assert tasks.send_organiser_digests.call_local() == 0     # the periodic job is the same call
    [digest] = _to(mail_outbox, organiser)
    text = _text(digest)
    assert digest["Subject"] == "3 новости о ваших мероприятиях"
    assert event.title in text
    assert "Анна Смирнова подал(а) заявку" in text and "Борис Орлов подал(а) заявку" in text
    assert "Борис Орлов отменил(а) свою регистрацию." in text
    assert "01.02.2027, 11:00" in text                        # 07:00 UTC in the event's Samara time

    clock.advance(timedelta(hours=2))                         # more news the same day waits for tomorrow
    registrations.register(event.id, make_user(full_name="Вера Лебедева", password=None))
    assert runner.invoke(args=["send-reminders"]).output.strip().endswith("organiser digests sent: 0")
    clock.advance(timedelta(days=1))
    assert runner.invoke(args=["send-reminders"]).output.strip().endswith("organiser digests sent: 1")
    latest = _to(mail_outbox, organiser)[-1]
    assert "Вера Лебедева" in _text(latest) and "Анна Смирнова" not in _text(latest)
    assert db.session.query(OrganiserDigest).count() == 2


def test_a_participants_own_cancellation_tells_the_organiser(frozen, mail_outbox):
    organiser, event = programme_event()
    trainee = make_user(full_name="Глеб Соколов", password=None)
    registration = registrations.register(event.id, trainee)
    registrations.cancel(registration, trainee)
    notices = [m for m in _to(mail_outbox, organiser) if m["Subject"].startswith("Отмена регистрации")]
    assert len(notices) == 1 and "Глеб Соколов отменил(а) свою регистрацию." in _text(notices[0])


def test_the_organisers_own_cancellation_does_not_notify(frozen, mail_outbox):
    organiser, event = programme_event()
    registration = registrations.register(event.id, make_user(password=None))
    registrations.cancel(registration, organiser)
    assert _to(mail_outbox, organiser) == []


def test_the_event_becoming_full_is_told_once(frozen, mail_outbox):
    organiser, event = programme_event(capacity=2)
    for trainee in make_trainees(3):
        registrations.register(event.id, trainee)        # the third goes to the waitlist
    [notice] = _to(mail_outbox, organiser)
    assert notice["Subject"] == f"Мест больше нет: {event.title}"
    assert "Все места (2) подтверждены" in _text(notice)


def test_an_expired_offer_is_told(frozen, mail_outbox):
    organiser, event = programme_event(capacity=1, offer_hours=24)
    _prefer(organiser, event_full="off", cancellation="off")
    first, second = make_user(password=None), make_user(full_name="Дина Крылова", password=None)
    held = registrations.register(event.id, first)
    registrations.register(event.id, second)
    registrations.cancel(held, first)                    # the seat is offered to the second
    clock.advance(timedelta(hours=25))
    assert registrations.expire_offers() == 1
    [notice] = _to(mail_outbox, organiser)
    assert notice["Subject"] == f"Предложение места истекло: {event.title}"
    assert "Место, предложенное Дина Крылова, не заняли вовремя" in _text(notice)


def test_preferences_page_shows_and_saves_the_choices(app, client, login):
    organiser, _event = programme_event()
    login(organiser)
    page = client.get("/manage/notifications").get_data(as_text=True)
    assert "Новая заявка ждёт одобрения" in page
    assert '<input checked class="form-check-input" id="application-0" name="application" type="radio" ' \
        'value="at_once">' in page
    response = client.post("/manage/notifications", data={"application": "digest", "cancellation": "off",
                                                           "event_full": "at_once", "offer_expired": "digest"})
    assert response.status_code == 302
    saved = {row.topic.value: row.delivery.value for row in db.session.query(OrganiserPreference)}
    assert saved == {"application": "digest", "cancellation": "off", "event_full": "at_once",
                     "offer_expired": "digest"}
    assert 'checked class="form-check-input" id="cancellation-2"' in client.get("/manage/notifications").get_data(
        as_text=True)
    refused = client.post("/manage/notifications", data={"application": "weekly", "cancellation": "off",
                                                          "event_full": "at_once", "offer_expired": "digest"})
    assert refused.status_code == 422
    assert db.session.get(OrganiserPreference, (organiser.id, "application")).delivery.value == "digest"


def test_a_trainee_has_no_preferences_page(app, client, login):
    login(make_user(password="password123"))
    assert client.get("/manage/notifications").status_code == 403

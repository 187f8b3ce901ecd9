"""Registration mail over real SMTP (aiosmtpd): content, language, event timezone, .ics, join link."""
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from app import clock
from app.accounts.models import Role
from app.events import services as events
from app.registrations import services
from tests.factories import make_event, make_trainees, make_user

T0 = datetime(2027, 2, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,), password=None)


def _text(message):
    return message.get_body(("plain",)).get_content()


def _html(message):
    return message.get_body(("html",)).get_content()


def _for(outbox, user):
    return [m for m in outbox if user.email in m["To"]]


def _ics(message):
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(parts[0].get_content()) if parts else None


def test_confirmation_in_russian_with_the_ics(app, mail_outbox, organiser):
    event = make_event(actor=organiser, days=3, start=datetime(2027, 3, 1, 5, 0, tzinfo=UTC))
    user = make_trainees(1)[0]
    services.register(event.id, user)
    [message] = _for(mail_outbox, user)
    assert "Школа пациентских лидеров" in message["Subject"]
    body = _text(message)
    assert "подтвержд" in body.lower()
    assert "01.03.2027, 09:00" in body          # 05:00 UTC is 09:00 in Samara (UTC+4)
    calendar = _ics(message)
    assert len(calendar.walk("VEVENT")) == 3
    assert "<html" in _html(message)


def test_webinar_join_link_only_in_confirmed_mail(app, mail_outbox, organiser):
    webinar = make_event(actor=organiser, kind="webinar", capacity=1)
    first, second = make_trainees(2)
    services.register(webinar.id, first)
    services.register(webinar.id, second)
    [confirmed] = _for(mail_outbox, first)
    [waiting] = _for(mail_outbox, second)
    assert "secret-room-42" in _text(confirmed) and "secret-room-42" in _html(confirmed)
    assert "secret-room-42" in str(_ics(confirmed).to_ical())
    assert "secret-room-42" not in waiting.as_string()
    assert "1" in _text(waiting) and "ожидани" in _text(waiting)


def test_offer_mail_has_the_deadline_in_the_event_timezone(app, mail_outbox, organiser):
    with clock.frozen_at(T0):
        event = make_event(actor=organiser, capacity=1, offer_hours=48)
        first, second = make_trainees(2)
        held = services.register(event.id, first)
        services.register(event.id, second)
        services.cancel(held, first)
        clock.advance(timedelta(hours=48))
        services.expire_offers()
    subjects = [m["Subject"] for m in _for(mail_outbox, second)]
    assert len(subjects) == 3                      # waitlisted, offered, expired
    offer = _for(mail_outbox, second)[1]
    assert "03.02.2027, 11:00" in _text(offer)      # 07:00 UTC + 48 h, shown in Samara time
    assert f"/events/{event.id}" in _text(offer)
    assert "Europe/Samara" in _text(offer)


def test_english_recipient_gets_english_mail(app, mail_outbox, organiser):
    event = make_event(actor=organiser, requires_approval=True)
    user = make_user(locale="en", password=None)
    registration = services.register(event.id, user)
    services.reject(registration, organiser, "One leader per region")
    pending, rejected = _for(mail_outbox, user)
    assert "Application received" in pending["Subject"]
    assert "declined" in rejected["Subject"] and "Reason: One leader per region" in _text(rejected)


def test_event_change_and_cancellation_reach_every_live_registrant(app, mail_outbox, organiser):
    event = make_event(actor=organiser, capacity=1)
    first, second, gone = make_trainees(3)
    services.register(event.id, first)
    services.register(event.id, second)
    services.cancel(services.register(event.id, gone), gone)
    mail_outbox.clear()
    start = event.sessions[0].starts_at + timedelta(days=1)
    events.update_event(event, organiser, {"sessions": [{"start": start.isoformat(),
                                                         "end": (start + timedelta(hours=8)).isoformat()}]})
    assert sorted(m["To"] for m in mail_outbox) == sorted(
        m["To"] for m in (_for(mail_outbox, first) + _for(mail_outbox, second)))
    assert len(mail_outbox) == 2 and all(_ics(m) is not None for m in mail_outbox)
    mail_outbox.clear()
    events.cancel_event(event, organiser)
    assert len(mail_outbox) == 2 and "отмен" in _text(mail_outbox[0]).lower()
    assert not _for(mail_outbox, gone)


def test_reminder_mail(app, mail_outbox, organiser):
    with clock.frozen_at(T0):
        event = make_event(actor=organiser, start=T0 + timedelta(hours=20))
        user = make_trainees(1)[0]
        services.register(event.id, user)
        mail_outbox.clear()
        assert services.send_reminders() == 1
    [reminder] = mail_outbox
    assert "Завтра" in reminder["Subject"] and _ics(reminder) is not None


def test_offer_mail_has_a_button_and_the_deadline_names_its_zone(app, mail_outbox, organiser):
    with clock.frozen_at(T0):
        event = make_event(actor=organiser, capacity=1, offer_hours=48)
        first, second = make_trainees(2)
        held = services.register(event.id, first)
        services.register(event.id, second)
        services.cancel(held, first)
    offer = _for(mail_outbox, second)[1]
    html = _html(offer)
    assert 'class="mail-button"' in html and f'/events/{event.id}#registration"' in html
    assert ">Занять место</a>" in html
    assert "03.02.2027, 11:00 (Самара, UTC+4)" in _text(offer)
    assert "Самара, UTC+4 — Europe/Samara" in _text(offer)

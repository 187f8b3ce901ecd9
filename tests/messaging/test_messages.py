"""Messages to participants: filters → recipients, placeholders, preview (writes nothing), sending
through the outbox to real SMTP, the page of a sent message, and who may see it."""
import pytest

from app.database import unit_of_work
from app.errors import ValidationFailed
from app.events.models import TeamRole
from app.extensions import db
from app.messaging import services
from app.messaging.models import EventMessage, MessageRecipient
from app.outbox.models import OutboxMessage, OutboxState
from tests.factories import make_event
from tests.gate.routes import row_counts
from tests.messaging.conftest import add_participant, check_in, make_organisation, other_organiser

A = services.Audience


def _names(registrations):
    return sorted(r.user.full_name for r in registrations)


@pytest.fixture
def crowd(seminar):
    """Six people of the seminar in every status, two regions, two organisations; two came on day 1."""
    organiser, event = seminar
    volga, penza = make_organisation("Волга"), make_organisation("Пенза", region_code="RU-PNZ")
    people = {
        "anna": add_participant(event, "confirmed", full_name="Анна", organisation=volga),
        "boris": add_participant(event, "confirmed", full_name="Борис", organisation=penza, region_code="RU-PNZ"),
        "vera": add_participant(event, "pending", full_name="Вера", organisation=volga),
        "gleb": add_participant(event, "waitlisted", full_name="Глеб", region_code="RU-PNZ"),
        "dina": add_participant(event, "offered", full_name="Дина"),
        "egor": add_participant(event, "cancelled", full_name="Егор", organisation=volga),
        "zhanna": add_participant(event, "rejected", full_name="Жанна"),
    }
    day1 = event.sessions[0]
    check_in(people["anna"], day1)
    return organiser, event, people, volga, penza


def test_filters_choose_the_recipients(crowd):
    _organiser, event, _people, volga, penza = crowd
    day1, day2 = event.sessions[0], event.sessions[1]
    assert _names(services.recipients(event, A())) == ["Анна", "Борис", "Вера", "Глеб", "Дина", "Егор"]
    assert _names(services.recipients(event, A(statuses=["confirmed"]))) == ["Анна", "Борис"]
    assert _names(services.recipients(event, A(statuses=["pending", "waitlisted", "offered"]))) == \
        ["Вера", "Глеб", "Дина"]
    assert _names(services.recipients(event, A(statuses=["cancelled"]))) == ["Егор"]
    assert _names(services.recipients(event, A(region="RU-PNZ"))) == ["Борис", "Глеб"]
    assert _names(services.recipients(event, A(organisation_id=volga.id))) == ["Анна", "Вера", "Егор"]
    assert _names(services.recipients(event, A(organisation_id=volga.id, statuses=["confirmed", "pending"]))) == \
        ["Анна", "Вера"]
    assert _names(services.recipients(event, A(statuses=["confirmed"], session_id=day1.id, attended="yes"))) == \
        ["Анна"]
    assert _names(services.recipients(event, A(statuses=["confirmed"], session_id=day1.id, attended="no"))) == \
        ["Борис"]
    assert _names(services.recipients(event, A(statuses=["confirmed"], session_id=day2.id, attended="no"))) == \
        ["Анна", "Борис"]
    assert services.recipients(event, A(region="RU-PNZ", organisation_id=volga.id)) == []
    assert _names(services.recipients(event, A(region="RU-PNZ", organisation_id=penza.id))) == ["Борис"]


def test_team_role_filter_on_a_trip(app):
    trip = make_event(kind="outreach_trip", capacity=10,
                      team_roles=[{"role": "doctor", "needed": 2}, {"role": "driver", "needed": 1}])
    add_participant(trip, "confirmed", full_name="Доктор Айболит", team_role=TeamRole.DOCTOR)
    add_participant(trip, "confirmed", full_name="Водитель Иван", team_role=TeamRole.DRIVER)
    assert _names(services.recipients(trip, A(role="doctor"))) == ["Доктор Айболит"]
    with pytest.raises(ValidationFailed) as error:
        services.check(trip, A(role="nurse"), "Тема", "Текст")
    assert "role" in error.value.fields


def test_unknown_placeholders_are_refused_beside_their_field(seminar):
    _organiser, event = seminar
    with pytest.raises(ValidationFailed) as error:
        services.check(event, A(), "Про {event} и {date}", "Здравствуйте, {name}! {0.__class__} {фамилия}")
    assert "{date}" in str(error.value.fields["subject"][0])
    body_message = str(error.value.fields["body"][0])
    assert "{0.__class__}" in body_message and "{фамилия}" in body_message and "{name}" in body_message
    services.check(event, A(), "Про {event}", "Здравствуйте, {name}! Начало: {starts}. {event_url}")


def test_attendance_needs_a_session_and_the_session_must_be_the_events(seminar):
    _organiser, event = seminar
    _other_organiser, other_event = seminar[0], make_event(days=1)
    with pytest.raises(ValidationFailed) as error:
        services.check(event, A(attended="yes"), "Тема", "Текст")
    assert "session" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        services.check(event, A(session_id=other_event.sessions[0].id, attended="no"), "Тема", "Текст")
    assert "session" in error.value.fields


def test_placeholders_are_filled_and_nothing_else_is_interpreted():
    values = {"name": "Анна", "event": "Школа", "event_url": "u", "starts": "s"}
    assert services.fill("{name}, {event}: {0} {x} {{name}}", values) == "Анна, Школа: {0} {x} {Анна}"


def _form(**fields):
    data = {"statuses": ["confirmed"], "region": "", "organisation": "", "role": "", "session": "", "attended": "",
            "subject": "Семинар «{event}»: важное", "body": "Здравствуйте, {name}!\n\nНе забудьте паспорт."}
    data.update(fields)
    return data


def test_preview_shows_the_count_and_one_mail_and_writes_nothing(crowd, client, login):
    organiser, event, _people, _volga, _penza = crowd
    login(organiser)
    before = row_counts()
    response = client.post(f"/manage/events/{event.id}/messages/preview", data=_form())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Письмо получат 2 человека." in page
    assert "Здравствуйте, Анна!" in page and "Так придёт письмо (получатель: Анна)" in page and f"Семинар «{event.title}»: важное" in page
    assert "Отправить 2 людям" in page
    assert row_counts() == before


def test_the_preview_keeps_the_line_breaks(crowd, client, login):
    import re
    organiser, event, _people, _volga, _penza = crowd
    login(organiser)
    page = client.post(f"/manage/events/{event.id}/messages/preview", data=_form()).get_data(as_text=True)
    body = re.search(r'data-testid="preview-body">(.*?)</div>', page, re.S).group(1)
    assert "Здравствуйте, Анна!<br><br>Не забудьте паспорт.<br>" in body
    assert "text-wrap" not in page  # Bootstrap's text-wrap is white-space: normal: it joins the lines


def test_preview_puts_an_unknown_placeholder_beside_the_field(crowd, client, login):
    organiser, event, _people, _volga, _penza = crowd
    login(organiser)
    response = client.post(f"/manage/events/{event.id}/messages/preview", data=_form(body="Привет, {имя}!"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="body-error"' in page and "Неизвестная подстановка {имя}" in page
    assert db.session.query(EventMessage).count() == 0


def test_nobody_matching_is_said_in_the_preview_and_refused_on_send(crowd, client, login):
    organiser, event, _people, _volga, _penza = crowd
    login(organiser)
    page = client.post(f"/manage/events/{event.id}/messages/preview",
                       data=_form(region="RU-MOW")).get_data(as_text=True)
    assert "Под эти условия никто не подходит" in page
    response = client.post(f"/manage/events/{event.id}/messages", data=_form(region="RU-MOW"))
    assert response.status_code == 422
    assert db.session.query(EventMessage).count() == 0 and db.session.query(OutboxMessage).count() == 0


def test_send_keeps_the_message_and_mails_each_recipient_over_smtp(crowd, client, login, mail_outbox):
    organiser, event, people, _volga, _penza = crowd
    people["boris"].user.locale = "en"
    db.session.commit()
    login(organiser)
    response = client.post(f"/manage/events/{event.id}/messages", data=_form())
    assert response.status_code == 302
    message = db.session.query(EventMessage).one()
    assert response.headers["Location"].endswith(f"/manage/events/{event.id}/messages/{message.id}")
    assert message.recipient_count == 2 and message.audience["statuses"] == ["confirmed"]
    assert message.author_id == organiser.id

    by_address = {m["To"].addresses[0].addr_spec: m for m in mail_outbox}
    assert set(by_address) == {people["anna"].user.email, people["boris"].user.email}
    russian, english = by_address[people["anna"].user.email], by_address[people["boris"].user.email]
    assert russian["Subject"] == f"Семинар «{event.title}»: важное"
    assert russian.get_body(("plain",)).get_content().count("Здравствуйте, Анна!") == 1  # no second greeting
    assert "Это письмо от организаторов мероприятия" in russian.get_body(("plain",)).get_content()
    assert russian["Content-Language"] == "ru"
    english_text = english.get_body(("plain",)).get_content()
    assert "Здравствуйте, Борис!" in english_text
    assert "This message comes from the organisers of" in english_text and english["Content-Language"] == "en"
    assert "Не забудьте паспорт.</p>" in english.get_body(("html",)).get_content()

    recipients = db.session.query(MessageRecipient).all()
    assert {db.session.get(OutboxMessage, r.outbox_message_id).state for r in recipients} == {OutboxState.SENT}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Анна" in page and "Борис" in page and page.count('data-state="sent"') == 2
    listing = client.get(f"/manage/events/{event.id}/messages").get_data(as_text=True)
    assert "Семинар «{event}»: важное" in listing and "Доставлено: 2" in listing


def test_a_failed_delivery_shows_on_the_recipient(crowd, client, login, app):
    """No SMTP server listening: the rows stay pending with their error, and the page says so."""
    organiser, event, people, _volga, _penza = crowd
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", 9
    message = services.send(event, organiser, A(statuses=["offered"]), "Место", "{name}, место ваше.")
    [recipient] = db.session.get(EventMessage, message.id).recipients
    assert recipient.user_id == people["dina"].user_id
    assert services.delivery_state(recipient) == "pending"
    login(organiser)
    page = client.get(f"/manage/events/{event.id}/messages/{message.id}").get_data(as_text=True)
    assert 'data-state="pending"' in page


def test_fan_out_twice_mails_each_recipient_once(crowd):
    organiser, event, _people, _volga, _penza = crowd
    message = services.send(event, organiser, A(statuses=["confirmed"]), "Тема", "Текст")
    before = db.session.query(OutboxMessage).count()
    with unit_of_work():  # the job runs inside the outbox's unit of work
        assert services.fan_out(message.id) == 0
    assert db.session.query(OutboxMessage).count() == before


def test_another_programmes_organiser_gets_404(crowd, client, login):
    organiser, event, _people, _volga, _penza = crowd
    message = services.send(event, organiser, A(), "Тема", "Текст")
    login(other_organiser())
    assert client.get(f"/manage/events/{event.id}/messages").status_code == 404
    assert client.get(f"/manage/events/{event.id}/messages/{message.id}").status_code == 404
    assert client.post(f"/manage/events/{event.id}/messages/preview", data=_form()).status_code == 404
    assert client.post(f"/manage/events/{event.id}/messages", data=_form()).status_code == 404
    assert db.session.query(EventMessage).count() == 1


def test_a_message_of_another_event_is_404_under_this_one(crowd, client, login):
    organiser, event, _people, _volga, _penza = crowd
    other = make_event(actor=organiser)
    add_participant(other, "confirmed")
    message = services.send(other, organiser, A(), "Тема", "Текст")
    login(organiser)
    assert client.get(f"/manage/events/{event.id}/messages/{message.id}").status_code == 404
    assert client.get(f"/manage/events/{other.id}/messages/{message.id}").status_code == 200


def test_too_long_texts_are_refused_by_the_service_too(seminar):
    organiser, event = seminar
    with pytest.raises(ValidationFailed) as error:
        services.send(event, organiser, A(), "Т" * 201, "Текст")
    assert "200" in str(error.value.fields["subject"][0])
    assert db.session.query(EventMessage).count() == 0


def test_a_participant_who_muted_the_event_gets_no_organisers_message(crowd, mail_outbox):
    from app.registrations import services as registrations
    organiser, event, people, _volga, _penza = crowd
    registrations.set_mail_muted(people["anna"], people["anna"].user, True)
    services.send(event, organiser, A(statuses=["confirmed"]), "Тема", "Текст")
    assert {m["To"].addresses[0].addr_spec for m in mail_outbox} == {people["boris"].user.email}

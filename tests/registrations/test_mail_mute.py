"""A registrant mutes one event's news: changes and reminders stop, mails about their own place do not."""
from datetime import timedelta

from app.events import services as events
from app.extensions import db
from app.registrations import services
from app.registrations.models import Registration
from tests.factories import make_event, make_user


def test_a_muted_event_sends_no_change_mail_but_the_place_mails_still_go(app, client, login, mail_outbox):
    organiser = make_user("org@example.org", roles=("organiser",))
    event = make_event(actor=organiser, capacity=1)
    person = make_user("p@example.org", locale="en")
    registration = services.register(event.id, person)
    login(person)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "data-mail-setting" in page
    assert client.post(f"/events/{event.id}/mail", data={"muted": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).mail_muted
    mail_outbox.clear()
    moved = [{"start": (s.starts_at + timedelta(hours=1)).isoformat(), "end": (s.ends_at + timedelta(hours=1)).isoformat(),
              "title": s.title} for s in event.sessions]
    events.update_event(event, organiser, {"sessions": moved})
    assert not [m for m in mail_outbox if person.email in m["To"]]
    services.cancel(db.session.get(Registration, registration.id), person)  # own place: still mailed
    assert [m["Subject"] for m in mail_outbox if person.email in m["To"]] == [
        f"You cancelled your registration: {event.title}"]


def test_unmuting_brings_the_news_back_and_someone_else_cannot_switch_it(app, client, login, mail_outbox):
    organiser = make_user("org@example.org", roles=("organiser",))
    event = make_event(actor=organiser)
    person, stranger = make_user("p@example.org", locale="en"), make_user("s@example.org")
    registration = services.register(event.id, person)
    services.set_mail_muted(registration, person, True)
    login(stranger)
    assert client.post(f"/events/{event.id}/mail", data={"muted": "0"}).status_code == 404
    client.post("/auth/logout")
    login(person)
    client.post(f"/events/{event.id}/mail", data={"muted": "0"})
    mail_outbox.clear()
    events.update_event(event, organiser, {"venue": "Дом дружбы"})
    assert [m["Subject"] for m in mail_outbox if person.email in m["To"]] == [f"The event has changed: {event.title}"]


def test_my_page_lists_the_muted_events_with_a_switch_back(app, client, login):
    organiser = make_user("org@example.org", roles=("organiser",))
    muted, heard = make_event(actor=organiser, title="Тихое"), make_event(actor=organiser, title="Громкое")
    person = make_user("p@example.org")
    services.set_mail_muted(services.register(muted.id, person), person, True)
    services.register(heard.id, person)
    login(person)
    page = client.get("/me").get_data(as_text=True)
    assert page.count("data-mail-setting") == 1 and f"/events/{muted.id}/mail" in page


def test_the_notification_settings_page_lists_muted_events(app, client, login):
    organiser = make_user("org@example.org", roles=("organiser",))
    other = make_user("org2@example.org", roles=("organiser",))
    event = make_event(actor=other, title="Чужой семинар")
    services.set_mail_muted(services.register(event.id, organiser), organiser, True)
    login(organiser)
    page = client.get("/manage/notifications").get_data(as_text=True)
    assert "Чужой семинар" in page and f"/events/{event.id}/mail" in page

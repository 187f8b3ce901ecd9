"""In headless Chromium with the service worker: two organisers' phones check people in with no
connection. Back online, the server holds one check-in per person (the second phone's duplicate is
merged and says so), a person cancelled meanwhile is flagged, never checked in, and a second scan
online says when and by whom the first was made."""
from datetime import timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.extensions import db
from app.registrations import services
from app.registrations.models import CheckIn, Registration
from tests.factories import make_event, make_trainees, make_user
from tests.offline import offline_context, wait_for

pytestmark = pytest.mark.browser


def check_ins(app):
    with app.app_context():
        rows = [(r.registration_id, r.offline) for r in db.session.query(CheckIn).order_by(CheckIn.registration_id)]
        db.session.remove()
        return rows


def test_two_phones_offline_one_check_in_each_and_a_flag(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        event = make_event(actor=organiser, start=clock.now() + timedelta(hours=2))
        people = make_trainees(3)
        anna, boris, vera = [services.register(event.id, person) for person in people]
        ids = {"anna": anna.id, "boris": boris.id, "vera": vera.id}
        boris_ticket = services.ticket_token(boris)
        url = f"{live_server}/manage/events/{event.id}/sessions/{event.sessions[0].id}/check-in"
        email = organiser.email
        db.session.remove()

    first, phone1 = offline_context(browser, live_server, email)
    second, phone2 = offline_context(browser, live_server, email)
    for phone in (phone1, phone2):
        phone.goto(url)
    first.set_offline(True)
    second.set_offline(True)

    def tick(phone, registration_id):
        phone.locator(f"#participant-{registration_id} button.check-in-button").click()

    tick(phone1, ids["anna"])
    phone1.locator(f"#participant-{ids['anna']} .not-yet-sent").wait_for()
    phone1.locator("[name=token]").fill(boris_ticket)
    phone1.locator("#ticket-form button[type=submit]").click()
    phone1.locator(f"#participant-{ids['boris']} .not-yet-sent").wait_for()
    phone1.locator("[name=token]").fill(boris_ticket)  # a second scan, offline
    phone1.locator("#ticket-form button[type=submit]").click()
    wait_for(lambda: "Ольга Организатор" not in phone1.locator("#offline-check-in-status").inner_text()
             and phone1.locator("#offline-check-in-status").inner_text().strip())
    tick(phone1, ids["vera"])
    wait_for(lambda: phone1.locator(".checkin-entry[data-state=waiting]").count() == 3)
    tick(phone2, ids["anna"])
    wait_for(lambda: phone2.locator(".checkin-entry[data-state=waiting]").count() == 1)
    assert check_ins(app) == []
    phone1.close()

    with app.app_context():
        services.cancel(db.session.get(Registration, ids["vera"]), organiser)
        db.session.remove()

    first.set_offline(False)
    phone1 = first.new_page()
    phone1.goto(url)
    wait_for(lambda: check_ins(app) == [(ids["anna"], True), (ids["boris"], True)])
    phone1.locator(".checkin-entry[data-state=flagged]").wait_for()
    assert phone1.locator(".checkin-entry").count() == 1

    second.set_offline(False)
    phone2.reload()
    merged = phone2.locator(".checkin-entry[data-state=merged]")
    merged.wait_for()
    assert "Ольга Организатор" in merged.inner_text()
    assert check_ins(app) == [(ids["anna"], True), (ids["boris"], True)]

    phone1.locator("[name=token]").fill(boris_ticket)  # online now: a second scan says when and by whom
    phone1.locator("#ticket-form button[type=submit]").click()
    phone1.locator(".flashes .alert-warning").wait_for()
    assert "Ольга Организатор" in phone1.locator(".flashes").inner_text()
    assert len(check_ins(app)) == 2
    first.close()
    second.close()

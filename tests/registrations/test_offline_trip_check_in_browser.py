"""Issue 24, done when: an organiser checks in twenty people on a trip with no signal and finds them all
on the list back in town. Headless Chromium with the service worker, a phone-sized page."""
from datetime import timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.extensions import db
from app.registrations import services
from app.registrations.models import CheckIn, RegistrationStatus
from tests.factories import make_event, make_trainees, make_user
from tests.offline import offline_context, wait_for

pytestmark = pytest.mark.browser


def check_ins(app, session_id):
    with app.app_context():
        rows = [(r.registration_id, r.offline) for r in db.session.query(CheckIn).filter_by(session_id=session_id)]
        db.session.remove()
        return sorted(rows)


def test_twenty_people_checked_in_on_a_trip_with_no_signal(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        trip = make_event(actor=organiser, kind="outreach_trip", title="Выезд в Кошки",
                          start=clock.now() + timedelta(hours=1))
        registrations = [services.register(trip.id, person) for person in make_trainees(20)]
        assert {r.status for r in registrations} == {RegistrationStatus.CONFIRMED}
        people = {r.id: r.user.full_name for r in registrations}
        session_id = trip.sessions[0].id
        url = f"{live_server}/manage/events/{trip.id}/sessions/{session_id}/check-in"
        email = organiser.email
        db.session.remove()

    context, page = offline_context(browser, live_server, email)
    page.goto(url)  # opened once in town
    context.set_offline(True)  # no signal on the trip
    for registration_id, name in people.items():
        page.get_by_role("button", name=f"Отметить: {name}", exact=True).click()
        page.locator(f"#participant-{registration_id} .not-yet-sent").wait_for()
    for registration_id in people:
        assert page.locator(f"#participant-{registration_id} .not-yet-sent").inner_text() == "ещё не отправлено"
    wait_for(lambda: page.locator(".checkin-entry[data-state=waiting]").count() == 20)
    wait_for(lambda: "ждут отправки: 20" in page.locator("#offline-indicator").inner_text())
    assert check_ins(app, session_id) == []
    page.close()

    context.set_offline(False)  # back in town
    page = context.new_page()
    loads = []
    page.on("load", lambda _page: loads.append(1))
    page.goto(url)
    wait_for(lambda: check_ins(app, session_id) == sorted((registration_id, True) for registration_id in people))
    # Once all is sent the page reloads itself (the list from the server): its second load is what we read.
    wait_for(lambda: page.locator(".checkin-entry").count() == 0 and len(loads) >= 2)
    page.wait_for_load_state()
    for name in people.values():
        assert page.get_by_role("button", name=f"Снять отметку: {name}", exact=True).count() == 1
    assert page.locator(".check-in-list").get_by_text("отмечено без связи").count() == 20
    assert page.locator(".not-yet-sent").count() == 0
    assert len(check_ins(app, session_id)) == 20
    context.close()

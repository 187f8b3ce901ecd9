"""In headless Chromium with the service worker: trip results entered on the spot with no connection,
the page closed, then back online: one update on the server, and the page says who wrote each count."""
from datetime import timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.events.models import TripResult
from app.extensions import db
from tests.factories import make_event, make_user
from tests.offline import offline_context, wait_for

pytestmark = pytest.mark.browser


def results(app):
    with app.app_context():
        rows = {r.service.value: (r.people_served, bool(r.client_key)) for r in db.session.query(TripResult)}
        db.session.remove()
        return rows


def test_trip_results_entered_offline_are_one_update(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        trip = make_event(actor=organiser, kind="outreach_trip", start=clock.now() - timedelta(hours=2),
                          trip={"settlement": "с. Кошки", "district": "Кошкинский район",
                                "services": ["checkups", "blood_donation"]})
        url, email = f"{live_server}/manage/events/{trip.id}/results", organiser.email
        db.session.remove()

    context, page = offline_context(browser, live_server, email)
    page.goto(url)
    context.set_offline(True)
    page.locator("[name=checkups]").fill("42")
    page.locator("[name=blood_donation]").fill("17")
    page.locator("#results-form button[type=submit]").click()
    page.locator(".results-entry[data-state=waiting]").wait_for()
    page.close()
    assert results(app) == {}

    context.set_offline(False)
    page = context.new_page()
    page.goto(url)
    wait_for(lambda: results(app) == {"checkups": (42, True), "blood_donation": (17, True)})
    # Once its queue is sent the page reloads itself, and then says who wrote each count last.
    page.locator("#results-form .form-text", has_text="Ольга Организатор").first.wait_for()
    context.close()

"""In headless Chromium with the service worker: a trainee logs consultations with no connection,
closes the page, comes back online, and the server holds exactly one of each; an entry the server
refuses comes back to the form with its reason."""
from datetime import UTC, datetime

import pytest

from app import clock
from app.extensions import db
from tests.offline import offline_context, wait_for
from tests.quotas.conftest import BEFORE, build_world, consultations, log_consultation, move_to

pytestmark = pytest.mark.browser


def test_consultations_logged_offline_are_sent_exactly_once(live_server, browser):
    app = live_server.app
    with clock.frozen_at(BEFORE):
        with app.app_context():
            world = build_world(1)
            trainee = world.trainees[0]
            quota_id, email = world.quota(trainee).id, trainee.email
            db.session.remove()
        move_to(datetime(2027, 3, 20, tzinfo=UTC).date())
        form_url = f"{live_server}/quotas/{quota_id}/consultations/new"

        context, page = offline_context(browser, live_server, email)
        page.goto(form_url)  # opened once with a connection: kept on the phone
        context.set_offline(True)

        def log(day, minutes, note=""):
            log_consultation(page, day, minutes, note)

        log("2027-03-11", "30")
        page.locator(".offline-consultation[data-state=waiting]").first.wait_for()
        log("2027-03-12", "45", "звонила с номера 8 927 123 45 67")  # refused on the phone itself
        page.locator(".offline-error").wait_for()
        assert page.locator(".offline-consultation").count() == 1
        log("2027-03-12", "45", "Родилась 12.05.1961, про льготы")  # only the server knows this is refused
        wait_for(lambda: page.locator(".offline-consultation[data-state=waiting]").count() == 2)
        assert "2" in page.locator("#offline-indicator").inner_text()
        assert consultations(app, quota_id) == []
        page.close()

        page = context.new_page()  # still offline: the form comes from the phone, the entries from IndexedDB
        page.goto(form_url)
        wait_for(lambda: page.locator(".offline-consultation[data-state=waiting]").count() == 2)
        page.close()

        context.set_offline(False)
        page = context.new_page()
        page.goto(f"{live_server}/quotas/{quota_id}")  # the next page load sends what waits
        rows = wait_for(lambda: consultations(app, quota_id))
        page.goto(form_url)
        refused = page.locator(".offline-consultation[data-state=refused]")
        refused.wait_for()
        assert refused.count() == 1 and refused.locator(".offline-reason").inner_text()
        page.reload()  # sending again changes nothing
        page.locator(".offline-consultation[data-state=refused]").wait_for()
        assert [(day, minutes) for day, minutes, _key in consultations(app, quota_id)] == [("2027-03-11", 30)]
        assert rows[0][2]  # logged with the phone's key

        assert page.evaluate("caches.has('praktika-pages')")
        with page.expect_navigation():
            page.evaluate("document.querySelector(\"form[action$='/auth/logout']\").requestSubmit()")
        page.wait_for_load_state()
        assert page.locator("#offline-indicator").get_attribute("data-user") == ""
        wait_for(lambda: not page.evaluate("caches.has('praktika-pages')"))  # nobody else sees these pages
        context.close()

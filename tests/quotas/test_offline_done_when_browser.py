"""Issue 24, done when: a trainee logs three consultations with the phone in airplane mode, closes the
browser, reopens it online and sees three, once each. Headless Chromium on a profile kept on disk, so
closing the browser is closing it: the queue survives only if it is really in IndexedDB."""
from datetime import UTC, datetime

import pytest

from app import clock
from app.extensions import db
from tests.offline import phone_browser, sign_in, wait_for
from tests.quotas.conftest import BEFORE, build_world, consultations, log_consultation, move_to

pytestmark = pytest.mark.browser

DAYS = ["2027-03-11", "2027-03-13", "2027-03-16"]


def test_three_consultations_in_airplane_mode_survive_closing_the_browser(live_server, playwright_driver, tmp_path):
    app = live_server.app
    profile = tmp_path / "phone-profile"
    with clock.frozen_at(BEFORE):
        with app.app_context():
            world = build_world(1)
            trainee = world.trainees[0]
            quota_id, email = world.quota(trainee).id, trainee.email
            db.session.remove()
        move_to(datetime(2027, 3, 20, tzinfo=UTC).date())
        form_url = f"{live_server}/quotas/{quota_id}/consultations/new"
        quota_url = f"{live_server}/quotas/{quota_id}"

        phone = phone_browser(playwright_driver, profile)
        page = sign_in(phone, live_server, email)
        page.goto(form_url)  # opened once with a connection: kept on the phone
        phone.set_offline(True)  # airplane mode
        for number, day in enumerate(DAYS, start=1):
            log_consultation(page, day, str(20 + 10 * number))
            wait_for(lambda n=number: page.locator(".offline-consultation[data-state=waiting]").count() == n)
        wait_for(lambda: "ждут отправки: 3" in page.locator("#offline-indicator").inner_text())
        assert consultations(app, quota_id) == []
        phone.close()  # the whole browser, not a tab

        phone = phone_browser(playwright_driver, profile)  # reopened, online
        page = phone.new_page()
        page.goto(quota_url)
        assert page.url.startswith(live_server + "/auth/login")  # the session cookie ended with the browser
        assert consultations(app, quota_id) == []
        page.close()
        page = sign_in(phone, live_server, email)  # the queue is this trainee's: sent once she is back
        page.goto(quota_url)
        rows = wait_for(lambda: (found := consultations(app, quota_id)) and len(found) >= 3 and found)
        assert sorted((day, minutes) for day, minutes, _key in rows) == [(DAYS[0], 30), (DAYS[1], 40), (DAYS[2], 50)]
        assert len({key for _day, _minutes, key in rows}) == 3 and all(rows[n][2] for n in range(3))
        wait_for(lambda: "ждут отправки" not in page.locator("#offline-indicator").inner_text())

        page.goto(quota_url)
        assert page.locator(".review-state").count() == 3
        page.reload()  # opening the page again sends nothing twice
        assert page.locator(".review-state").count() == 3
        assert len(consultations(app, quota_id)) == 3
        phone.close()

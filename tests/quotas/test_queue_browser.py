"""In headless Chromium, by keyboard: the curator's queue opens with its first decision focused, skips on,
filters by trainee, accepts two ticked consultations in one go, and accepts the last one from the
trainee's own page. The queue is checked with axe-core."""
from datetime import UTC, date, datetime

import pytest

from app import clock
from app.extensions import db
from app.quotas import services
from tests.a11y import assert_accessible
from tests.quotas.conftest import BEFORE, build_world, consultation_data, move_to
from tests.quotas.test_journey_browser import _log_in

pytestmark = pytest.mark.browser


def test_queue_by_keyboard_skip_filter_bulk_and_from_the_trainees_page(live_server, browser):
    app = live_server.app
    with clock.frozen_at(BEFORE):
        with app.app_context():
            world = build_world(2)
            move_to(date(2027, 3, 20))
            first, second = world.trainees
            for trainee in world.trainees:
                services.set_curator(world.quota(trainee), world.curator.id, world.organiser)
            ids = [services.log_consultation(world.quota(first), consultation_data(held_on=date(2027, 3, 11)), first).id,
                   services.log_consultation(world.quota(second), consultation_data(held_on=date(2027, 3, 12)),
                                             second).id,
                   services.log_consultation(world.quota(first), consultation_data(held_on=date(2027, 3, 13),
                                                                                   format="phone"), first).id]
            first_quota, first_id, email = world.quota(first).id, first.id, world.curator.email
            second_name = second.full_name
            db.session.remove()
        move_to(datetime(2027, 3, 20, tzinfo=UTC).date())

        context, page = _log_in(browser, live_server, email)
        page.goto(f"{live_server}/manage/curator/review")
        focused = page.evaluate("document.activeElement.textContent")
        assert "Принять и перейти к следующей" in focused
        assert_accessible(page)
        page.get_by_role("link", name="Пропустить пока").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/manage/curator/review?after={ids[0]}")
        assert second_name in page.locator("#consultation-heading").inner_text()

        page.get_by_label("Слушатель", exact=True).select_option(str(first_id))
        page.get_by_role("button", name="Показать").click()
        page.wait_for_url(f"{live_server}/manage/curator/review?trainee={first_id}&format=")
        assert page.locator(".review-bulk li").count() == 2
        page.goto(f"{live_server}/manage/curator/review")
        for consultation_id in ids[:2]:
            page.locator(f"#bulk-{consultation_id}").focus()
            page.keyboard.press("Space")
        page.get_by_role("button", name="Принять отмеченные").click()
        page.wait_for_url(f"{live_server}/manage/curator/review")
        assert "Приняты 2 консультации" in page.locator("body").inner_text()
        assert page.locator(".review-bulk li").count() == 1
        assert_accessible(page)

        page.goto(f"{live_server}/manage/quotas/{first_quota}")
        page.locator(f"form[action='/manage/curator/review/{ids[2]}'] button[value='accept']").press("Enter")
        page.wait_for_url(f"{live_server}/manage/quotas/{first_quota}")
        assert page.locator("main .review-state.state-submitted").count() == 0
        page.goto(f"{live_server}/manage/curator/review")
        assert "Ничего не ждёт вашей проверки" in page.locator("main").inner_text()
        context.close()

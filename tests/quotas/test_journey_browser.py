"""In headless Chromium: the trainee logs three consultations on a phone-sized screen, the curator
accepts two and returns one, the trainee fixes it, the curator accepts it, and the organiser sees
3 of 20 accepted with the pace status. Every page on the way is checked with axe-core."""
from datetime import UTC, datetime

import pytest

from app import clock
from app.extensions import db
from tests.a11y import assert_accessible
from tests.quotas.conftest import BEFORE, build_world, move_to

pytestmark = pytest.mark.browser


def _log_in(browser, live_server, email, **context_options):
    context = browser.new_context(bypass_csp=True, locale="ru-RU", **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server + "/auth/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill("password123")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")
    return context, page


def test_log_review_fix_and_cohort(live_server, browser):
    app = live_server.app
    with clock.frozen_at(BEFORE):
        with app.app_context():
            world = build_world(1)
            trainee, organiser = world.trainees[0], world.organiser
            quota = world.quota(trainee)
            ids = {"quota": quota.id, "event": world.event.id}
            name = trainee.full_name
            emails = {"trainee": trainee.email, "curator": quota.curator.email, "organiser": organiser.email}
            db.session.remove()
        move_to(datetime(2027, 3, 20, tzinfo=UTC).date())

        context, page = _log_in(browser, live_server, emails["trainee"], viewport={"width": 390, "height": 844})
        assert "Мои квоты консультаций" in page.locator("main").inner_text()
        assert_accessible(page)
        for day, minutes in (("2027-03-11", "30"), ("2027-03-12", "45"), ("2027-03-13", "60")):
            page.goto(f"{live_server}/quotas/{ids['quota']}/consultations/new")
            page.get_by_label("Дата", exact=True).fill(day)
            page.get_by_label("Телефон").check()
            page.get_by_label("Длительность, минут").fill(minutes)
            page.get_by_label("Пациент").check()
            page.get_by_role("button", name="Записать").click()
            page.wait_for_url(f"{live_server}/quotas/{ids['quota']}")
        assert page.locator("main .review-state.state-submitted").count() == 3
        assert_accessible(page)
        context.close()

        context, page = _log_in(browser, live_server, emails["curator"])
        page.goto(f"{live_server}/manage/curator/review")
        assert_accessible(page)
        page.get_by_role("button", name="Принять и перейти к следующей").click()
        page.wait_for_url(f"{live_server}/manage/curator/review")
        page.get_by_role("button", name="Принять и перейти к следующей").click()
        page.wait_for_url(f"{live_server}/manage/curator/review")
        page.get_by_role("button", name="Вернуть с комментарием").click()
        assert "Напишите комментарий" in page.locator("main").inner_text()
        assert_accessible(page)
        page.get_by_label("Комментарий для слушателя").fill("Уточните длительность: час или полтора?")
        page.get_by_role("button", name="Вернуть с комментарием").click()
        page.wait_for_url(f"{live_server}/manage/curator/review")
        assert "Ничего не ждёт вашей проверки" in page.locator("main").inner_text()
        context.close()

        context, page = _log_in(browser, live_server, emails["trainee"], viewport={"width": 390, "height": 844})
        page.goto(f"{live_server}/quotas/{ids['quota']}")
        assert "Уточните длительность" in page.locator("main").inner_text()
        page.get_by_role("link", name="Исправить и отправить снова").click()
        page.get_by_label("Длительность, минут").fill("90")
        page.get_by_role("button", name="Сохранить и отправить снова").click()
        page.wait_for_url(f"{live_server}/quotas/{ids['quota']}")
        context.close()

        context, page = _log_in(browser, live_server, emails["curator"])
        page.goto(f"{live_server}/manage/curator/review")
        page.get_by_role("button", name="Принять и перейти к следующей").click()
        page.wait_for_url(f"{live_server}/manage/curator/review")
        page.goto(f"{live_server}/manage/curator")
        assert_accessible(page)
        context.close()

        context, page = _log_in(browser, live_server, emails["organiser"])
        page.goto(f"{live_server}/manage/events/{ids['event']}/quotas")
        table = page.locator("main table.cohort-table").inner_text()
        assert "3 из 20" in table and "По графику" in table
        assert_accessible(page)
        page.get_by_role("link", name=name).click()
        assert "Консультация принята" in page.locator("main").inner_text()
        assert_accessible(page)
        context.close()


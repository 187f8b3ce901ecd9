"""An organiser builds a programme in headless Chromium: programme, stage, plan item, timeline.

Each page on the way is checked with axe-core: no serious or critical violations.
"""
import pytest

from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_organiser_builds_a_programme_with_its_calendar_plan(live_server, page):
    from app.accounts.models import Role
    from tests.factories import make_user

    with live_server.app.app_context():
        make_user("olga.mironova@example.org", roles=(Role.ORGANISER,), full_name="Ольга Миронова")

    page.goto(live_server + "/auth/login")
    page.get_by_label("Электронная почта").fill("olga.mironova@example.org")
    page.get_by_label("Пароль").fill("password123")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")

    page.get_by_role("link", name="Программы").first.click()
    assert page.locator("h1").inner_text() == "Программы"
    assert_accessible(page)
    page.get_by_role("link", name="Новая программа").click()
    assert_accessible(page)
    page.get_by_label("Название").fill("КПД НКО: команда пациентов в действии")
    page.get_by_label("Грантодатель").fill("Фонд президентских грантов")
    page.get_by_label("Дата начала").fill("2027-02-01")
    page.get_by_label("Дата окончания").fill("2027-12-21")
    page.get_by_label("Регионы").select_option(["RU-SAM", "RU-PNZ", "RU-SMO"])
    page.get_by_role("button", name="Сохранить").click()

    assert page.locator("h1").inner_text() == "КПД НКО: команда пациентов в действии"
    assert "3 региона" in page.locator("main").inner_text()
    page.get_by_role("link", name="Добавить этап").click()
    page.get_by_label("Название").fill("Поддерживающее консультирование")
    page.get_by_label("Дата начала").fill("2027-03-01")
    page.get_by_label("Дата окончания").fill("2028-06-30")
    page.get_by_role("button", name="Сохранить").click()
    error = page.locator("#ends_on-error")
    assert "в пределах периода программы" in error.inner_text()
    assert_accessible(page)
    page.get_by_label("Дата окончания").fill("2027-06-30")
    page.get_by_role("button", name="Сохранить").click()

    page.get_by_role("link", name="Добавить пункт плана").click()
    page.get_by_label("Этап").select_option(label="Этап 1: Поддерживающее консультирование")
    page.get_by_label("Мероприятие, его содержание, место проведения").fill(
        "Выездной 3-хдневный семинар-тренинг «Поддерживающее консультирование в деятельности пациентской "
        "организации»")
    page.get_by_label("Дата начала по плану").fill("2027-03-01")
    page.get_by_label("Дата окончания по плану").fill("2027-04-30")
    page.get_by_role("button", name="Сохранить").click()

    table = page.get_by_role("table", name="Календарный план: пункты, плановые даты и связанные мероприятия")
    assert "Выездной 3-хдневный семинар-тренинг" in table.inner_text()
    assert page.locator("svg.plan-timeline rect.tl-bar").count() == 1
    assert page.locator("svg.plan-timeline rect.tl-stage").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Публичная страница").click()
    assert page.locator("h1").inner_text() == "КПД НКО: команда пациентов в действии"
    assert_accessible(page)

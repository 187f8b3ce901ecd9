"""Over the demo data in headless Chromium: dashboard, reports with computed facts, a hand-entered fact,
deviations, freeze, compare, a breakdown and an export; axe-core on every page.

Set REPORTS_SCREENSHOT_DIR to keep full-page screenshots of the report and the dashboard.
"""
import os
import re
from pathlib import Path

import pytest

from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser


def _shot(page, name):
    directory = os.environ.get("REPORTS_SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=True)


def test_organiser_reports_on_the_demo_programmes(live_server, page):
    from app.demo import seed_demo

    with live_server.app.app_context():
        seed_demo()

    page.goto(live_server + "/auth/login")
    page.get_by_label("Электронная почта").fill("organiser@example.org")
    page.get_by_label("Пароль").fill("praktika-demo")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")

    page.get_by_role("link", name="Сводка").first.click()
    assert page.locator("h1").inner_text() == "Сводка"
    assert "КПД НКО: команда пациентов в действии" in page.locator("main").inner_text()
    assert_accessible(page)
    _shot(page, "dashboard.png")

    page.get_by_role("row").filter(has_text="#ДоброВСело").get_by_role("link", name="Отчёт").click()
    table = page.get_by_role("table", name="Отчёт: план и факт")
    text = table.inner_text()
    assert "Жители сёл, прошедшие профилактический осмотр" in text and "64" in text and "38" in text
    assert page.locator("svg.report-chart title").first.text_content() == "Факт в процентах от плана"
    assert_accessible(page)

    page.get_by_role("link", name="Показатели", exact=True).click()
    page.get_by_role("link", name="Добавить показатель").click()
    assert_accessible(page)
    page.get_by_label("Показатель", exact=True).fill("Посетители страницы акции")
    page.get_by_label("План на всю программу").fill("500")
    page.get_by_role("button", name="Сохранить").click()
    _shot(page, "after-indicator.png")
    assert "Показатель добавлен" in page.locator(".flashes").inner_text()
    page.get_by_role("link", name="Отчёт").last.click()
    page.get_by_role("link", name=re.compile(r"Ввести факт\s*:\s*Посетители страницы акции")).click()
    assert_accessible(page)
    page.get_by_label("Факт").fill("120")
    page.get_by_label("Заметка").fill("Статистика сайта за первые три месяца")
    page.get_by_label("Ссылка на подтверждение").fill("https://example.org/stats")
    page.get_by_role("button", name="Сохранить").click()
    assert "Статистика сайта за первые три месяца" in page.get_by_role("table", name="Отчёт: план и факт").inner_text()

    page.get_by_label("Отклонения от плана и их причины").fill("Выезд в Глинку перенесён из-за паводка.")
    page.get_by_role("button", name="Сохранить текст").click()
    assert "Текст об отклонениях сохранён" in page.locator(".flashes").inner_text()
    page.get_by_label("Название снимка").fill("Отчёт за полугодие")
    page.get_by_role("button", name="Зафиксировать отчёт").click()
    assert "Отчёт зафиксирован" in page.locator(".flashes").inner_text()
    main = page.locator("main").inner_text()
    assert "Отчёт за полугодие" in main and "Выезд в Глинку перенесён из-за паводка." in main and "120" in main
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать Excel (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="Отчёт", exact=True).click()
    page.get_by_role("link", name="Сравнить с текущим отчётом").first.click()
    assert page.locator("h1").inner_text() == "Сравнение отчётов"
    assert_accessible(page)

    page.get_by_role("link", name="Сводка").first.click()
    page.get_by_role("row").filter(has_text="КПД НКО").get_by_role("link", name="Отчёт").click()
    assert "Лидеры пациентских НКО — участники проекта" in page.locator("main").inner_text()
    assert page.get_by_role("table", name="Календарный план: плановые сроки, проведённые мероприятия и отклонения")
    _shot(page, "report.png")
    page.get_by_role("link", name="Этап 1").click()
    assert page.locator("h1").inner_text().startswith("Отчёт по этапу 1")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"Разбивка\s*:\s*Пациентские НКО — участники проекта")).click()
    page.get_by_role("link", name="По регионам").click()
    assert "Самарская область" in page.locator("table.breakdown-table").inner_text()
    assert_accessible(page)

"""In Chromium: an organiser creates a three-day seminar and a village trip, publishes both, and a
visitor finds them with the filters. Listing, event page and the create form pass axe."""
import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from tests.a11y import assert_accessible
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_organiser_publishes_visitor_finds(live_server, page):
    with live_server.app.app_context():
        make_user("olga@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор",
                  password="samara-2027")

    page.goto(live_server + "/auth/login")
    page.locator("#email").fill("olga@example.org")
    page.locator("#password").fill("samara-2027")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")

    page.goto(live_server + "/manage/events")
    page.get_by_role("link", name="Создать: Семинар").click()
    assert page.locator("h1").inner_text() == "Новое мероприятие: Семинар"
    assert_accessible(page)
    page.get_by_label("Название", exact=True).fill("Поддерживающее консультирование в деятельности пациентской организации")
    page.get_by_label("Описание", exact=True).fill("Трёхдневный выездной семинар для лидеров из 30 регионов.")
    page.get_by_label("Часовой пояс").select_option("Europe/Samara")
    page.locator("#sessions-0-day").fill("2027-03-01")
    page.locator("#sessions-0-start").fill("09:00")
    page.locator("#sessions-0-end").fill("18:00")
    page.locator("#sessions-0-title").fill("День 1")
    page.evaluate("() => { window.noReload = true; }")  # gone if "add a day" reloaded the page
    page.get_by_role("button", name="Добавить день").click()
    page.locator("#sessions-1-day").wait_for()
    assert page.evaluate("() => window.noReload === true"), "the add-a-day script did not run (CSP?)"
    page.get_by_role("button", name="Добавить день").click()
    page.locator("#sessions-2-day").wait_for()
    assert page.locator("#sessions-2-day").input_value() == "2027-03-03"
    page.get_by_label("Место проведения").fill("Гостиница «Волга»")
    page.get_by_label("Адрес").fill("Самара, ул. Молодогвардейская, 204")
    page.get_by_label("Регион", exact=True).select_option("RU-SAM")
    page.get_by_label("Число мест").fill("30")
    page.get_by_role("button", name="Сохранить черновик").click()
    page.wait_for_url("**/events/*")
    assert page.locator("h1").inner_text().startswith("Поддерживающее консультирование")
    assert page.locator(".event-page").get_by_text("3 марта 2027").count() >= 1
    page.get_by_role("button", name="Опубликовать").click()
    page.get_by_text("Мероприятие опубликовано.").wait_for()
    assert_accessible(page)

    page.goto(live_server + "/manage/events/new/outreach_trip")
    page.get_by_label("Название", exact=True).fill("#ДоброВСело: Кардымово")
    page.locator("#sessions-0-day").fill("2027-05-15")
    page.locator("#sessions-0-start").fill("08:00")
    page.locator("#sessions-0-end").fill("17:00")
    page.get_by_label("Населённый пункт").fill("пос. Кардымово")
    page.get_by_label("Район").fill("Кардымовский район")
    page.get_by_label("Регион", exact=True).select_option("RU-SMO")
    page.get_by_label("Место отправления").fill("Смоленск, СГМУ")
    page.get_by_label("Медицинские осмотры").check()
    page.get_by_label("Донорство крови").check()
    page.get_by_label("Врач").fill("3")
    page.get_by_role("button", name="Сохранить черновик").click()
    page.wait_for_url("**/events/*")
    page.get_by_role("button", name="Опубликовать").click()
    page.get_by_text("Мероприятие опубликовано.").wait_for()
    assert "Кардымовский район" in page.locator("main").inner_text()

    page.get_by_role("button", name="Выйти").click()
    page.goto(live_server + "/events")
    assert_accessible(page)
    assert not page.get_by_label("Формат").is_visible()  # filters fold away: events come first
    page.locator("summary", has_text="Фильтры").click()
    page.get_by_label("Формат").select_option("outreach_trip")
    page.get_by_role("button", name="Показать").click()
    cards = page.locator(".event-card")
    expect(cards).to_have_count(1)  # waits for the filtered page: a bare count() may read the old one
    assert "пос. Кардымово" in cards.first.inner_text()
    page.get_by_role("link", name="Сбросить фильтры").click()
    page.locator("summary", has_text="Фильтры").click()
    page.get_by_label("Слова из названия или описания").fill("КОНСУЛЬТИРОВАНИЕ")
    page.get_by_label("Регион").select_option("RU-SAM")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator(".event-card")).to_have_count(1)
    page.locator(".event-card").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Дни семинара")).to_be_visible()  # once the event page has loaded
    assert page.locator(".list-group-item").count() == 3
    assert_accessible(page)

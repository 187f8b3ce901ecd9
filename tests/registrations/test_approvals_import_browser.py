"""In headless Chromium at 390 px: the organiser works the approval table (filter, sort, tick all
shown, reject in bulk after the confirmation page, approve one) and imports participants (paste,
preview with a row error, correct, confirm). Pages on the way are checked with axe-core."""
import re

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.extensions import db
from app.registrations import services
from app.registrations.models import Registration, RegistrationStatus
from tests.a11y import assert_accessible
from tests.factories import make_event, make_user

pytestmark = pytest.mark.browser
S = RegistrationStatus


def _log_in(page, live_server, email):
    page.goto(live_server + "/auth/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill("password123")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")


def _fits(page) -> bool:
    """The page does not scroll sideways; a wide table scrolls inside its own box (positioned, so that the
    visually hidden labels in its cells stay inside it too)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_approval_table_on_a_phone(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user("table@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        event = make_event(actor=organiser, title="Школа лидеров", requires_approval=True, max_per_region=1)
        for email, name, region in (("a@example.org", "Борис Самарский", "RU-SAM"),
                                    ("b@example.org", "Анна Самарская", "RU-SAM"),
                                    ("c@example.org", "Вера Пензенская", "RU-PNZ")):
            services.register(event.id, make_user(email, full_name=name, region_code=region, password=None))
        event_id = event.id
        db.session.remove()

    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    page = context.new_page()
    _log_in(page, live_server, "table@example.org")
    page.goto(f"{live_server}/manage/events/{event_id}/approvals")
    assert_accessible(page)
    assert _fits(page)
    box = page.locator(".table-responsive").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table scrolls in its box
    rows = page.locator("#approval-table tbody th[scope=row]")
    assert rows.count() == 3
    page.locator("#approval-table thead").get_by_role("link", name="ФИО").click()
    assert rows.first.inner_text().startswith("Анна Самарская")
    page.get_by_label("Регион", exact=True).select_option("RU-SAM")
    page.get_by_role("button", name="Показать", exact=True).click()
    assert rows.count() == 2 and "region=RU-SAM" in page.url
    page.get_by_role("link", name="Отметить все показанные").click()
    assert page.locator("#approval-table input[type=checkbox]:checked").count() == 2
    page.get_by_label("Причина для отклонённых (придёт каждому)").fill("Один лидер от региона")
    page.get_by_role("button", name="Отклонить отмеченные").click()
    assert "Отклонить 2 заявки?" in page.locator("h1").inner_text()
    assert "Анна Самарская" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Да, отклонить их").click()
    assert "Отклонено 2 заявки" in page.locator(".flashes").inner_text()
    page.get_by_role("button", name=re.compile(r"^Одобрить\s?: Вера Пензенская$")).click()
    assert "Заявок на рассмотрении нет." in page.locator("main").inner_text()
    context.close()

    with app.app_context():
        statuses = {r.user.email: r.status for r in db.session.query(Registration)}
        assert statuses == {"a@example.org": S.REJECTED, "b@example.org": S.REJECTED, "c@example.org": S.CONFIRMED}
        db.session.remove()


def test_importing_participants(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user("importer@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        event = make_event(actor=organiser, title="Семинар", capacity=1, max_per_region=1)
        event_id = event.id
        db.session.remove()

    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    page = context.new_page()
    _log_in(page, live_server, "importer@example.org")
    page.goto(f"{live_server}/manage/events/{event_id}/registrations")
    page.get_by_role("link", name="Импортировать сразу многих (CSV или XLSX)").click()
    assert_accessible(page)
    table = page.get_by_label("Вставьте таблицу")
    table.fill("email;full_name;region\nanna@example.org;Анна Новая;RU-SAM\nboris@example.org;Борис Новый;RU-SAM\n")
    page.get_by_role("button", name="Предпросмотр").click()
    assert "В 1 строке ошибка" in page.locator("main").inner_text()
    assert "уже 1 из 1 мест" in page.locator("#import-preview").inner_text()
    assert _fits(page)
    assert_accessible(page)
    table.fill("email;full_name;region\nanna@example.org;Анна Новая;RU-SAM\nboris@example.org;Борис Новый;RU-PNZ\n")
    page.get_by_role("button", name="Предпросмотр").click()
    assert "Подтверждено: 1 · в листе ожидания: 1 · новых учётных записей: 2" in page.locator("main").inner_text()
    page.get_by_role("button", name="Импортировать 2 человека и отправить письма").click()
    page.wait_for_url(f"{live_server}/manage/events/{event_id}/registrations")
    assert "Импортированы 2 человека" in page.locator(".flashes").inner_text()
    context.close()

    with app.app_context():
        people = {u.email: u.region_code for u in db.session.execute(select(User)).scalars()}
        assert people["anna@example.org"] == "RU-SAM" and people["boris@example.org"] == "RU-PNZ"
        statuses = sorted(r.status.value for r in db.session.query(Registration))
        assert statuses == ["confirmed", "waitlisted"]
        db.session.remove()

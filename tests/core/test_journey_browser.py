"""A visitor's first visit in headless Chromium: sign up, confirm the address by the mailed link, log
in, log out, log in, switch to English, log out.

Each page on the way is checked with axe-core: no serious or critical violations.
"""
import pytest

from tests.a11y import assert_accessible
from tests.accounts.mail import confirmation_path

pytestmark = pytest.mark.browser


def test_sign_up_log_in_switch_language_log_out(live_server, page):
    page.goto(live_server + "/auth/register")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Регистрация"
    assert_accessible(page)

    page.get_by_label("Электронная почта").fill("Irina.Petrova@example.org")
    page.get_by_label("Пароль").fill("samara-2027")
    page.get_by_label("ФИО").fill("Ирина Петрова")
    page.get_by_label("Организация", exact=True).fill("Самарская региональная общественная организация пациентов")
    page.get_by_label("Регион").select_option("RU-SAM")
    page.get_by_label("Я согласен(на) на обработку", exact=False).check()
    page.get_by_role("button", name="Зарегистрироваться").click()

    page.wait_for_url(live_server + "/auth/login")  # not signed in: the address is confirmed by mail first
    assert "Проверьте почту" in page.locator(".flashes").inner_text()
    page.goto(live_server + confirmation_path(live_server.app, "irina.petrova@example.org"))
    assert_accessible(page)
    page.get_by_role("button", name="Подтвердить адрес").click()
    page.wait_for_url(live_server + "/auth/login")
    assert "Адрес подтверждён" in page.locator(".flashes").inner_text()
    assert_accessible(page)
    page.get_by_label("Электронная почта").fill("irina.petrova@example.org")
    page.get_by_label("Пароль").fill("samara-2027")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")
    assert page.locator("h1").inner_text() == "Ирина Петрова"
    assert "Самарская область" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/auth/login")
    assert_accessible(page)
    page.get_by_label("Электронная почта").fill("irina.petrova@example.org")
    page.get_by_label("Пароль").fill("samara-2027")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")

    page.locator("footer").get_by_role("button", name="English").click()
    page.wait_for_url(live_server + "/me")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Log out").is_visible()
    assert "Samara Oblast" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(live_server + "/account/profile")
    assert page.locator("h1").inner_text() == "Edit profile"
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/auth/login")
    assert page.locator("h1").inner_text() == "Log in"


def test_administration_pages_are_accessible(live_server, page):
    from app.accounts.models import Role
    from tests.factories import make_organisation, make_user

    with live_server.app.app_context():
        make_user("admin@example.org", roles=(Role.ADMIN,), full_name="Администратор Praktika")
        make_user("curator@example.org", roles=(Role.CURATOR,), full_name="Марина Куратова", region_code="RU-PNZ")
        organisation = make_organisation("Пензенская организация пациентов", region_code="RU-PNZ")
        organisation.approved = False
        from app.extensions import db

        db.session.commit()

    page.goto(live_server + "/auth/login")
    page.get_by_label("Электронная почта").fill("admin@example.org")
    page.get_by_label("Пароль").fill("password123")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")

    page.get_by_role("link", name="Пользователи").first.click()
    page.wait_for_url(live_server + "/manage/users")
    assert_accessible(page)
    page.get_by_label("Имя или электронная почта").fill("куратова")
    page.get_by_role("button", name="Найти").click()
    row = page.get_by_role("row", name="Марина Куратова")
    row.get_by_label("Организатор").check()
    row.get_by_role("button", name="Сохранить").click()
    assert page.get_by_text("Роли пользователя Марина Куратова сохранены.").is_visible()
    assert page.get_by_role("row", name="Марина Куратова").get_by_label("Организатор").is_checked()

    page.goto(live_server + "/manage/organisations")
    assert_accessible(page)
    page.get_by_role("button", name="Одобрить Пензенская организация пациентов").click()
    assert page.get_by_text("Организация «Пензенская организация пациентов» одобрена.").is_visible()

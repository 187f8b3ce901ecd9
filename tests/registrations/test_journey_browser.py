"""In headless Chromium: register, get waitlisted, another cancels, accept the offer; the organiser
checks the participant in by name. Pages on the way are checked with axe-core."""
import re
from datetime import timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.registrations import services
from app.registrations.models import Registration, RegistrationStatus
from tests.a11y import assert_accessible
from tests.factories import make_event, make_user

pytestmark = pytest.mark.browser


def _log_in(page, live_server, email):
    page.goto(live_server + "/auth/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill("password123")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")


def test_waitlist_offer_and_check_in(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user("organiser@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        holder = make_user("holder@example.org", full_name="Пётр Первый")
        make_user("irina@example.org", full_name="Ирина Петрова")
        event = make_event(actor=organiser, capacity=1, title="Школа пациентских лидеров",
                           start=clock.now() + timedelta(hours=2))  # check-in opens on the day
        held = services.register(event.id, holder)
        event_id, session_id, holder_id, held_id = event.id, event.sessions[0].id, holder.id, held.id
        leaders = make_event(actor=organiser, title="Школа лидеров", requires_approval=True, max_per_region=1)
        services.register(leaders.id, make_user("leader@example.org", full_name="Анна Лидер", password=None))
        leaders_id = leaders.id

    trainee = browser.new_context(locale="ru-RU")
    page = trainee.new_page()
    _log_in(page, live_server, "irina@example.org")
    page.goto(f"{live_server}/events/{event_id}")
    assert_accessible(page)
    page.get_by_role("button", name="Зарегистрироваться").click()
    page.wait_for_url(f"{live_server}/events/{event_id}")
    assert "вы в листе ожидания, ваш номер в очереди — 1" in page.locator(".flashes").inner_text()
    assert "№ 1 в листе ожидания" in page.locator("#registration").inner_text()

    with app.app_context():
        from app.extensions import db

        services.cancel(db.session.get(Registration, held_id), db.session.get(type(organiser), holder_id))
        db.session.remove()

    page.reload()
    assert "Место закреплено за вами до" in page.locator("#registration").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Занять место").click()
    page.wait_for_url(f"{live_server}/events/{event_id}")
    assert "Место ваше" in page.locator(".flashes").inner_text()
    assert "Подтверждена" in page.locator("#registration").inner_text()
    page.get_by_role("link", name="Мой билет").click()
    assert page.locator("svg").count() >= 1
    assert_accessible(page)
    trainee.close()

    staff = browser.new_context(locale="ru-RU")
    page = staff.new_page()
    _log_in(page, live_server, "organiser@example.org")
    page.goto(f"{live_server}/manage/events/{event_id}/sessions/{session_id}/check-in")
    assert_accessible(page)
    page.get_by_label("Поиск по ФИО").fill("Ирина")
    page.get_by_role("button", name="Найти").click()
    page.get_by_role("button", name="Отметить: Ирина Петрова").click()
    assert "Присутствует" in page.locator("main table").inner_text()
    page.goto(f"{live_server}/manage/events/{event_id}/registrations")
    assert_accessible(page)
    page.goto(f"{live_server}/manage/events/{leaders_id}/approvals")
    assert "регион: 1 из 1 после одобрения" in page.locator("main").inner_text()
    page.locator("#approval-table summary").click()  # the row's reason field opens under "Отклонить"
    page.locator("#approval-table").get_by_role("button", name="Отклонить", exact=True).click()
    assert "Укажите причину" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Одобрить\s?: Анна Лидер$")).click()
    assert "Заявок на рассмотрении нет." in page.locator("main").inner_text()
    staff.close()

    with app.app_context():
        from app.extensions import db

        statuses = {r.user.email: r.status for r in db.session.query(Registration)}
        assert statuses == {"holder@example.org": RegistrationStatus.CANCELLED,
                            "irina@example.org": RegistrationStatus.CONFIRMED,
                            "leader@example.org": RegistrationStatus.CONFIRMED}
        db.session.remove()

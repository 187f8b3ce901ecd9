"""At phone width (390 px), in headless Chromium: the organiser checks 30 people in by name and the list
keeps its place after every tick (no jump to the top); without JavaScript the #anchor keeps the row in view."""
from datetime import timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.registrations import services
from tests.a11y import assert_accessible
from tests.factories import make_event, make_trainees, make_user

pytestmark = pytest.mark.browser


def starting_soon():
    """A start two hours from now: check-in opens on the session's day."""
    return clock.now() + timedelta(hours=2)
PHONE = {"width": 390, "height": 844}


def _log_in(page, live_server, email):
    page.goto(live_server + "/auth/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill("password123")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] <= PHONE["height"] - 40  # on the screen, not under its edge


def _comes_into_view(page, locator) -> bool:
    """The browser jumps to the #anchor a moment after "load"; give it up to three seconds."""
    for _ in range(30):
        if _in_view(page, locator):
            return True
        page.wait_for_timeout(100)
    return False


def test_check_in_of_thirty_people_keeps_the_scroll_position(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user("organiser@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        event = make_event(actor=organiser, capacity=40, title="Школа пациентских лидеров", start=starting_soon())
        ids = [services.register(event.id, person).id for person in make_trainees(30)]
        url = f"/manage/events/{event.id}/sessions/{event.sessions[0].id}/check-in"
        names = {r.id: r.user.full_name for r in services.participants(event, {"status": "confirmed"}).rows}
    order = sorted(ids, key=lambda rid: (names[rid], rid))

    context = browser.new_context(locale="ru-RU", viewport=PHONE)
    page = context.new_page()
    _log_in(page, live_server, "organiser@example.org")
    page.goto(live_server + url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing overflows
    assert_accessible(page)
    for done, registration_id in enumerate(order, start=1):
        row = page.locator(f"#participant-{registration_id}")
        row.scroll_into_view_if_needed()
        before = row.bounding_box()["y"]  # where the thumb is: the row's place on the screen
        with page.expect_navigation():
            row.get_by_role("button", name=f"Отметить: {names[registration_id]}").click()
        page.wait_for_load_state("load")
        # the row settles where it was (the script's last restore runs just after "load"); else this times out
        page.wait_for_function("([id, y]) => Math.abs(document.getElementById(id).getBoundingClientRect().top - y) <= 2",
                               arg=[f"participant-{registration_id}", before], timeout=3000)
        row = page.locator(f"#participant-{registration_id}")
        assert "Присутствует" in row.inner_text()
        if done > 3:  # not back at the top of the page
            assert page.evaluate("window.scrollY") > 0
        assert _in_view(page, row)
    assert "30 из 30" in page.locator("main").inner_text()
    context.close()


def test_without_javascript_the_anchor_keeps_the_ticked_row_in_view(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user("organiser2@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        event = make_event(actor=organiser, capacity=40, start=starting_soon())
        rows = [services.register(event.id, person) for person in make_trainees(30)]
        last = max(rows, key=lambda r: (r.user.full_name, r.id))
        url = f"/manage/events/{event.id}/sessions/{event.sessions[0].id}/check-in"
        last_id, last_name = last.id, last.user.full_name

    context = browser.new_context(locale="ru-RU", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server, "organiser2@example.org")
    page.goto(live_server + url)
    row = page.locator(f"#participant-{last_id}")
    row.scroll_into_view_if_needed()
    with page.expect_navigation():
        row.get_by_role("button", name=f"Отметить: {last_name}").click()
    assert page.url.endswith(f"#participant-{last_id}")
    assert _comes_into_view(page, page.locator(f"#participant-{last_id}"))  # the last of 30: far below the top
    context.close()


def test_me_on_a_phone_shows_the_ticket_on_a_card_and_the_copy_button_says_it_copied(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = make_user("organiser3@example.org", roles=(Role.ORGANISER,))
        trainee = make_user("irina@example.org", full_name="Ирина Петрова")
        event = make_event(actor=organiser, title="Школа пациентских лидеров", start=starting_soon())
        services.register(event.id, trainee)

    context = browser.new_context(locale="ru-RU", viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    _log_in(page, live_server, "irina@example.org")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card = page.locator("article.registration-card")
    assert "Школа пациентских лидеров" in card.inner_text()
    assert card.locator(".ticket-qr-small svg").is_visible()
    assert card.get_by_role("link", name="Билет (PDF)").is_visible()
    assert_accessible(page)
    button = page.locator("button[data-copy-target=calendar-https]")
    button.click()
    page.wait_for_function("document.querySelector('button[data-copy-target=calendar-https]').textContent"
                           ".includes('Скопировано')", timeout=3000)
    assert "скопирован" in page.locator("#calendar-copy-status").inner_text().lower()
    context.close()

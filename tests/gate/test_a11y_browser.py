"""Every HTML page of the route table in headless Chromium under the app's real CSP (no bypass):
axe-core finds no serious or critical violation and the browser reports no CSP violation. And a
keyboard-only visitor signs up and registers for an event.

axe is run through the DevTools protocol (page.evaluate), which the page's CSP does not govern,
so the page itself runs exactly as in production.
"""
import pytest

from app.accounts.models import Role
from tests.a11y import AXE, BLOCKING, describe
from tests.accounts.mail import confirmation_path
from tests.factories import make_user
from tests.gate import builders
from tests.gate.conftest import World
from tests.gate.routes import csrf_token_in, inventory
from tests.gate.test_csrf import _allowed_user

pytestmark = pytest.mark.browser

NOT_HTML = (".ics", ".csv", ".xlsx", ".json", ".pdf", ".credential", "/credentials/status/", "<any(", "/static/",
            "/healthz", "/api/", "/sw.js", ".webmanifest",
            "/events/<int:event_id>/materials/<int:material_id>")  # a material is the uploaded file itself


def _html_pages(app):
    return [r for r in inventory(app) if r.method == "GET" and not any(part in r.rule.rule for part in NOT_HTML)]


def _strict_context(browser, violations: list):
    # CSP enforced; the service worker (its own journeys test it) would only fetch its shell in the background here
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(15_000)

    def watch(page):
        page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
    context.on("page", watch)
    return context


def _axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in BLOCKING]


def _sign_in_context(context, base, email):
    """Sign a browser context in by posting the login form over its own HTTP client (its cookies are the
    context's): the crawls visit pages as a user, and ~50 users' logins through the rendered form cost half a
    minute per crawl. The form itself is walked by the journeys (`_log_in`, and the keyboard-only test below)."""
    token = csrf_token_in(context.request.get(base + "/auth/login").text())
    response = context.request.post(base + "/auth/login", form={"csrf_token": token, "email": email,
                                                                "password": "password123"}, max_redirects=0)
    assert response.status == 302 and response.headers["location"].endswith("/me"), (email, response.status)


def _log_in(page, base, email):
    page.goto(base + "/auth/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill("password123")
    page.get_by_role("button", name="Войти").click()
    # The page itself, not every subresource: on a busy machine the service worker installing on the
    # first page of a context may hold up "load" while the next step needs only the document.
    page.wait_for_url(base + "/me", wait_until="domcontentloaded", timeout=30_000)


def test_every_page_is_accessible_under_the_real_csp(live_server, browser):
    app = live_server.app
    with app.app_context():
        world = World(trainee=make_user(), curator=make_user(roles=(Role.CURATOR,)),
                      other_organiser=make_user(roles=(Role.ORGANISER,)), admin=make_user(roles=(Role.ADMIN,)))
        visits = []  # (email or None, url)
        for route in _html_pages(app):
            target = builders.build(route.access.fixture, world)
            user = _allowed_user(route, target, world)
            visits.append((user.email if user else None, route.url(target.values), route.id))
    csp_violations: list[str] = []
    failures, checked = [], 0
    for email in sorted({v[0] for v in visits}, key=lambda e: e or ""):
        context = _strict_context(browser, csp_violations)
        if email:
            _sign_in_context(context, live_server, email)
        page = context.new_page()
        for _email, url, route_id in [v for v in visits if v[0] == email]:
            response = page.goto(live_server + url)
            assert response.status == 200, f"{route_id}: {response.status}"
            found = _axe(page)
            checked += 1
            if found:
                failures.append(f"{route_id} ({url}):\n{describe(found)}")
        context.close()
    assert checked >= 25
    assert not failures, "\n".join(failures)
    assert not csp_violations, "\n".join(csp_violations)


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector` (as a keyboard user would)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_sign_up_and_register_with_the_keyboard_only(live_server, browser):
    app = live_server.app
    with app.app_context():
        organiser = builders.new_organiser()
        event = builders.make_event(actor=organiser, title="Школа пациентских лидеров")
        event_id = event.id
    violations: list[str] = []
    context = _strict_context(browser, violations)
    page = context.new_page()
    page.goto(live_server + "/auth/register")
    for selector, text in (("input[name=email]", "keyboard.user@example.org"),
                           ("input[name=password]", "samara-2027-keys"),
                           ("input[name=full_name]", "Клавиатурная Ирина"),
                           ("input[name=organisation]", "Самарская организация пациентов")):
        _tab_to(page, selector)
        page.keyboard.type(text)
    _tab_to(page, "select[name=region]")
    region = "() => document.querySelector('select[name=region]').value"
    for _ in range(400):  # arrow keys move through the options of a focused select
        if page.evaluate(region) == "RU-SAM":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate(region) == "RU-SAM"
    consent = page.locator("input[name=consent]")
    if consent.count():
        _tab_to(page, "input[name=consent]")
        page.keyboard.press("Space")
    _tab_to(page, "form button[type=submit], form input[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/auth/login")  # the address is confirmed by the mailed link first

    page.goto(live_server + confirmation_path(app, "keyboard.user@example.org"))
    _tab_to(page, "main form button[type=submit], main form input[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/auth/login")
    for selector, text in (("input[name=email]", "keyboard.user@example.org"),
                           ("input[name=password]", "samara-2027-keys")):
        _tab_to(page, selector)
        page.keyboard.type(text)
    _tab_to(page, "main form button[type=submit], main form input[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/me")

    page.goto(f"{live_server}/events/{event_id}")
    _tab_to(page, f"form[action$='/events/{event_id}/register'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/events/{event_id}")
    assert "место подтверждено" in page.locator(".flashes").inner_text().lower() or \
        "вы зарегистрированы" in page.locator(".flashes").inner_text().lower()
    assert not violations, violations
    context.close()

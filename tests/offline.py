"""Helpers shared by the offline (service worker, IndexedDB queue) browser tests: a phone-sized Chromium
context, signed in with the worker in control; a persistent one, to close the browser and open it again."""
import time

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

PHONE = {"locale": "ru-RU", "service_workers": "allow", "viewport": {"width": 390, "height": 844}}


def wait_for(predicate, timeout: float = 15.0):
    """Poll `predicate` until it is truthy (the page sends in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def sign_in(context, live_server, email):
    """Sign in on a new page of `context` and wait until the service worker controls it."""
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server + "/auth/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill("password123")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/me")
    wait_for(lambda: page.evaluate("navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))"))
    page.reload()
    wait_for(lambda: page.evaluate("navigator.serviceWorker.controller !== null"))
    return page


def offline_context(browser, live_server, email):
    """A phone-sized context with the service worker allowed, signed in, the worker in control."""
    context = browser.new_context(**PHONE)
    return context, sign_in(context, live_server, email)


def phone_browser(playwright_driver, profile):
    """A whole browser on a profile directory kept on disk (IndexedDB, the worker, its caches):
    closing it and calling this again with the same `profile` is closing and reopening the browser."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **PHONE)
    context.set_default_timeout(15_000)
    return context

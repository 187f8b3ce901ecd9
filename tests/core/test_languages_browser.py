"""The visitor's main journey once in each new language (issue 23), in headless Chromium: choose the
language with the switch (its button names it in its own words), sign up, confirm, log in, open /me,
register for an event; each page has `<html lang>` of the language and passes axe-core.

Texts are found by field names and by the catalogs' own translations, so this passes before and after
the translators' catalogs land (before, the words are the English msgids).
"""
import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from tests.a11y import assert_accessible
from tests.accounts.mail import confirmation_path
from tests.factories import make_event

pytestmark = pytest.mark.browser

NAMES = {"bg": "Български", "pl": "Polski", "lt": "Lietuvių"}


def _in(app, locale: str, msgid: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return _(msgid)


@pytest.mark.parametrize("locale", NAMES)
def test_the_main_journey_in_each_new_language(live_server, page, locale):
    app = live_server.app
    with app.app_context():
        event_id = make_event(title="Школа пациентских лидеров").id
    email = f"journey.{locale}@example.org"

    page.goto(live_server + "/auth/register")
    page.locator("footer").get_by_role("button", name=NAMES[locale]).click()
    page.wait_for_url(live_server + "/auth/register")
    assert page.locator("html").get_attribute("lang") == locale
    assert_accessible(page)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "samara-2027-keys")
    page.fill("input[name=full_name]", "Мария Иванова")
    page.fill("input[name=organisation]", "Асоциация на пациентите")
    page.select_option("select[name=region]", "BG-02")
    page.check("input[name=consent]")
    page.locator("main form input[type=submit], main form button[type=submit]").first.click()
    page.wait_for_url(live_server + "/auth/login")

    page.goto(live_server + confirmation_path(app, email))
    assert page.locator("html").get_attribute("lang") == locale
    assert_accessible(page)
    page.locator("main form input[type=submit], main form button[type=submit]").first.click()
    page.wait_for_url(live_server + "/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "samara-2027-keys")
    page.locator("main form input[type=submit], main form button[type=submit]").first.click()
    page.wait_for_url(live_server + "/me")
    assert page.locator("html").get_attribute("lang") == locale
    assert page.get_by_role("button", name=_in(app, locale, "Log out")).is_visible()
    assert_accessible(page)

    page.goto(f"{live_server}/events/{event_id}")
    assert_accessible(page)
    page.locator(f"form[action$='/events/{event_id}/register'] button").click()
    page.wait_for_url(f"{live_server}/events/{event_id}")
    assert page.locator("html").get_attribute("lang") == locale
    assert page.locator(".flashes").inner_text().strip()
    assert_accessible(page)
    page.goto(live_server + "/account/profile")
    assert page.locator("select[name=locale]").input_value() == locale  # the choice was saved at sign-up
    assert not page.csp_refusals, page.csp_refusals

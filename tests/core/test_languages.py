"""Five languages (issue 23): the choice (account, visitor, browser), the switch, the formats of
Bulgarian, Polish and Lithuanian (dates, numbers, regions, countries, time zones), and which
language a mail or a PDF is in. None of these needs the bg/pl/lt catalogs."""
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, format_percent

from app import clock
from app.accounts import regions
from app.accounts.models import Role
from app.accounts.region_names import ENGLISH_NAMES
from app.core import i18n
from app.extensions import db
from tests.factories import make_event, make_user

NEW = ("bg", "pl", "lt")


def _lang(response) -> str:
    return response.get_data(as_text=True).split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_lists_of_languages_agree(app):
    assert i18n.LOCALES == ("ru", "en", "bg", "pl", "lt")
    assert tuple(app.config["LANGUAGES"]) == i18n.LOCALES
    import importlib.util

    spec = importlib.util.spec_from_file_location("i18n_script", "scripts/i18n.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert set(script.LOCALES) == set(i18n.LOCALES) - {"en"}  # English is the msgids themselves


def test_the_switch_offers_five_languages_by_their_own_names(client):
    page = client.get("/auth/login").get_data(as_text=True)
    switch = page.split('class="language-switch', 1)[1].split("</form>", 1)[0]
    for code, name in (("ru", "Русский"), ("en", "English"), ("bg", "Български"), ("pl", "Polski"),
                       ("lt", "Lietuvių")):
        assert f'value="{code}" lang="{code}"' in switch and f">{name}</button>" in switch


@pytest.mark.parametrize("locale", NEW)
def test_a_visitor_chooses_and_the_browser_proposes(client, locale):
    assert _lang(client.get("/auth/login", headers={"Accept-Language": f"{locale}-XX,{locale};q=0.9"})) == locale
    client.post("/language", data={"locale": locale, "next": "/auth/login"})
    assert _lang(client.get("/auth/login", headers={"Accept-Language": "en"})) == locale  # the choice wins


@pytest.mark.parametrize("locale", NEW)
def test_the_saved_language_wins_over_the_visitors_choice_and_the_browser(app, client, login, locale):
    user = make_user(locale="ru")
    login(user)
    client.post("/language", data={"locale": locale, "next": "/me"})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == locale
    other = app.test_client()  # another browser, asking for English, with the visitor's choice Russian
    other.post("/language", data={"locale": "ru"})
    other.post("/auth/login", data={"email": user.email, "password": "password123"})
    assert _lang(other.get("/me", headers={"Accept-Language": "en"})) == locale


def test_the_profile_offers_and_saves_every_language(client, login):
    user = login(make_user(locale="ru"))
    page = client.get("/account/profile").get_data(as_text=True)
    for code in i18n.LOCALES:
        assert f'<option value="{code}"' in page or f'<option selected value="{code}"' in page
    client.post("/account/profile", data={"full_name": user.full_name, "organisation": "", "region": "RU-SAM",
                                          "locale": "lt"})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "lt"


def test_supported_reads_a_locale_tag():
    assert [i18n.supported(x) for x in ("pl", "pl-PL", "lt_LT", "BG", "de", "", None)] == \
        ["pl", "pl", "lt", "bg", None, None, None]


@pytest.mark.parametrize(("locale", "day", "number", "percent"), [
    ("bg", "5 декември 2026\u202fг.", "12\xa0345,5", "76%"),
    ("pl", "5 grudnia 2026", "12\xa0345,5", "76%"),
    ("lt", "2026 m. gruodžio 5 d.", "12\xa0345,5", "76\xa0%"),
])
def test_dates_numbers_and_percentages_follow_babel(app, locale, day, number, percent):
    with app.test_request_context(), force_locale(locale):
        assert i18n.local_date(date(2026, 12, 5), fmt="long") == day
        assert app.jinja_env.filters["number"](12345.5) == number
        assert format_percent(0.755) == percent
        assert i18n.local_time(datetime(2026, 12, 5, 8, 30, tzinfo=UTC), "Europe/Warsaw").endswith("9:30")


@pytest.mark.parametrize(("locale", "warsaw", "vilnius"), [
    ("bg", "Варшава", "Вилнюс"), ("pl", "Warszawa", "Wilno"), ("lt", "Varšuva", "Vilnius")])
def test_time_zones_are_named_by_their_city_in_the_readers_language(app, locale, warsaw, vilnius):
    moment = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale(locale):
        assert i18n.zone_label(moment, "Europe/Warsaw") == f"{warsaw}, UTC+1"
        assert i18n.zone_label(moment, "Europe/Vilnius") == f"{vilnius}, UTC+2"
        from app.events.forms import timezone_choices

        with clock.frozen_at(moment):
            assert dict(timezone_choices())["Europe/Warsaw"] == f"{warsaw} (UTC+1)"


@pytest.mark.parametrize(("locale", "country", "burgas", "mazowieckie"), [
    ("bg", "Полша", "Бургас", "Mazowieckie"),
    ("pl", "Polska", "Burgas", "mazowieckie"),
    ("lt", "Lenkija", "Burgasas", "Mazovijos vaivadija"),
])
def test_countries_and_regions_come_from_iso_codes_in_the_readers_language(app, locale, country, burgas,
                                                                           mazowieckie):
    with app.test_request_context(), force_locale(locale):
        groups = dict(regions.region_groups())
        assert country in groups
        assert regions.region_name("BG-02") == burgas
        assert regions.region_name("PL-14") == mazowieckie


def test_a_region_without_a_translation_is_named_in_english(app, monkeypatch):
    """Neither our catalogs nor iso-codes name Karelia in Lithuanian: the common English name, not
    pycountry's transliteration ("Kareliya, Respublika")."""
    monkeypatch.setattr(regions, "_", lambda text: text)  # as if the catalogs had no entry
    with app.test_request_context(), force_locale("lt"):
        iso = regions._iso_translations("iso3166-2", "lt").gettext("Kareliya, Respublika")
        assert iso == "Kareliya, Respublika"  # iso-codes has no Lithuanian name for it
        assert regions.region_name("RU-KR") == ENGLISH_NAMES["RU-KR"] == "Karelia"
    # a language iso-codes does not have at all: its names are the English ones
    assert regions._iso_translations("iso3166-2", "xx").gettext("Burgas") == "Burgas"


@pytest.mark.parametrize("locale", NEW)
def test_mail_goes_out_in_the_recipients_language_at_delivery(app, mail_outbox, locale):
    from app.registrations import services as registrations

    event = make_event(translations={"pl": {"title": "Szkoła liderów pacjentów", "description": ""}})
    user = make_user(locale="ru")
    user.locale = locale  # changed after the registration was written: delivery reads it
    db.session.commit()
    registrations.register(event.id, user)
    message = mail_outbox[-1]
    assert message["Content-Language"] == locale
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'lang="{locale}"' in html
    title = "Szkoła liderów pacjentów" if locale == "pl" else "Школа пациентских лидеров"
    assert title in message["Subject"]


@pytest.mark.parametrize("locale", NEW)
def test_sign_in_sheets_badges_and_tickets_are_in_the_events_language(app, client, login, monkeypatch, locale):
    from app.core import pdf
    from app.registrations import services as registrations

    pages = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, *args, **kwargs: pages.append(html) or b"%PDF-1.7")
    organiser = make_user(roles=(Role.ORGANISER,), locale="ru")
    event = make_event(actor=organiser, language=locale)
    trainee = make_user(locale="ru")
    registration = registrations.register(event.id, trainee)
    login(organiser)
    for url in (f"/manage/events/{event.id}/sessions/{event.sessions[0].id}/sign-in-sheet.pdf",
                f"/manage/events/{event.id}/badges.pdf"):
        assert client.get(url, headers={"Accept-Language": "ru"}).status_code == 200, url
    client.post("/auth/logout")
    login(trainee)
    assert client.get(f"/events/{event.id}/registrations/{registration.id}/ticket.pdf").status_code == 200
    assert len(pages) == 3 and all(f'<html lang="{locale}">' in page for page in pages)

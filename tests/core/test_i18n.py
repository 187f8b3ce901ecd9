"""Russian by default, English complete; Accept-Language for visitors, the choice saved per user."""
from datetime import UTC, date, datetime

from flask_babel import force_locale

from app.core import i18n
from app.extensions import db
from tests.factories import make_user


def _h1(response):
    return response.get_data(as_text=True).split("<h1", 1)[1].split(">", 1)[1].split("</h1>", 1)[0]


def test_russian_is_the_default(client):
    response = client.get("/auth/login")
    assert '<html lang="ru">' in response.get_data(as_text=True)
    assert _h1(response) == "Войти"


def test_accept_language_chooses_for_visitors(client):
    assert _h1(client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.8"})) == "Log in"
    for header, lang in (("bg,ru;q=0.5", "bg"), ("pl-PL,pl;q=0.9,en;q=0.5", "pl"), ("lt", "lt"),
                         ("de-DE,ru;q=0.5", "ru"), ("de", "ru")):
        page = client.get("/auth/login", headers={"Accept-Language": header}).get_data(as_text=True)
        assert f'<html lang="{lang}">' in page, header


def test_a_visitors_choice_is_kept_in_the_session(client):
    response = client.post("/language", data={"locale": "en", "next": "/auth/login"})
    assert response.status_code == 302 and response.location == "/auth/login"
    assert _h1(client.get("/auth/login", headers={"Accept-Language": "ru"})) == "Log in"


def test_the_switch_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post("/language", data={"locale": "de", "next": "https://evil.example/"})
    assert response.location == "/"
    assert _h1(client.get("/auth/login")) == "Войти"


def test_a_signed_in_users_choice_is_saved_on_the_account(client, login, app):
    user = make_user(locale="ru")
    login(user)
    client.post("/language", data={"locale": "en", "next": "/me"})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "en"

    other = app.test_client()  # a new browser: the account's language wins over Accept-Language
    other.post("/auth/login", data={"email": user.email, "password": "password123"})
    assert "Edit profile" in other.get("/me", headers={"Accept-Language": "ru"}).get_data(as_text=True)


def test_dates_times_and_numbers_follow_the_locale(app):
    moment = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("ru"):
            assert i18n.local_date(moment, "Europe/Samara", "long") == "1 марта 2027\u202fг."
            assert i18n.local_time(moment, "Europe/Samara") == "10:00"
            assert app.jinja_env.filters["number"](12345.5) == "12\xa0345,5"
        with force_locale("en"):
            assert i18n.local_date(moment, "Europe/Samara", "long") == "1 March 2027"
            assert i18n.local_time(moment, "Europe/Samara") == "10:00"
            assert app.jinja_env.filters["number"](12345.5) == "12,345.5"
            assert i18n.local_date(date(2027, 8, 15)) == "15 Aug 2027"
        assert i18n.local_datetime(None) == ""


def test_every_russian_region_has_a_russian_and_an_english_name(app):
    import pycountry

    from app.accounts.regions import region_name

    subdivisions = list(pycountry.subdivisions.get(country_code="RU"))
    assert len(subdivisions) == 83
    with app.test_request_context():
        with force_locale("ru"):
            names = {s.code: region_name(s.code) for s in subdivisions}
        with force_locale("en"):
            assert region_name("RU-SAM") == "Samara Oblast"
            assert region_name("RU-MOW") == "Moscow"
            assert region_name("BG-02") == "Burgas"
    untranslated = [code for code, name in names.items() if not any("а" <= ch.lower() <= "я" for ch in name)]
    assert untranslated == []
    assert names["RU-SAM"] == "Самарская область"
    assert names["RU-PNZ"] == "Пензенская область"
    assert names["RU-MOW"] == "Москва"


def test_english_dates_are_unambiguous_and_times_name_their_zone(app):
    moment = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("en"):
            assert i18n.local_datetime(moment, "Europe/Samara", "short") == "10 Feb 2027, 12:00"
            assert i18n.local_datetime(moment, "Europe/Samara", "short", zone=True) == \
                "10 Feb 2027, 12:00 (Samara, UTC+4)"
            assert i18n.local_time(moment, "Asia/Kolkata", zone=True) == "13:30 (Kolkata, UTC+5:30)"
            assert i18n.zone_label(moment, "UTC") == "UTC"
        with force_locale("ru"):
            assert i18n.local_datetime(moment, "Europe/Samara", "short", zone=True) == \
                "10.02.2027, 12:00 (Самара, UTC+4)"

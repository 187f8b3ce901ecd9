"""An event's title and description in more languages (issue 23): the API, the organiser's form,
the pages (the reader's language when given, the event's otherwise), search, mails and certificates."""
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from app import clock
from app.accounts import services as accounts
from app.events import services
from app.events.models import Event
from app.extensions import db
from tests.events.conftest import seminar_data
from tests.events.test_forms import GOOD

NOW = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
POLISH = {"title": "Poradnictwo wspierające", "description": "Seminarium dla liderów organizacji pacjentów"}
BULGARIAN = {"title": "Подкрепящо консултиране", "description": "Семинар за лидери на пациентски организации"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


def _bearer(user) -> dict:
    return {"Authorization": f"Bearer {accounts.create_api_token(user, name='tests')}"}


def _published(organiser, **extra) -> Event:
    return services.create_event(organiser, seminar_data(status="published",
                                                         translations={"pl": POLISH, "bg": BULGARIAN}, **extra))


def test_the_api_takes_and_returns_translations(client, organiser):
    response = client.post("/api/v1/events", json=seminar_data(status="published", translations={"pl": POLISH}),
                           headers=_bearer(organiser))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["translations"] == {"pl": POLISH}
    assert body["title"] == "Поддерживающее консультирование"  # the plain fields stay the event's language

    public = client.get(f"/api/v1/events/{body['id']}").get_json()
    assert public["translations"] == {"pl": POLISH}
    patched = client.patch(f"/api/v1/events/{body['id']}", json={"translations": {"bg": BULGARIAN}},
                           headers=_bearer(organiser)).get_json()
    assert patched["translations"] == {"bg": BULGARIAN}  # the object sent replaces the translations
    cleared = client.patch(f"/api/v1/events/{body['id']}", json={"translations": None}, headers=_bearer(organiser))
    assert cleared.get_json()["translations"] == {}


def test_an_old_client_without_translations_keeps_working(client, organiser):
    response = client.post("/api/v1/events", json=seminar_data(status="published"), headers=_bearer(organiser))
    assert response.status_code == 201
    assert response.get_json()["translations"] == {}
    event_id = response.get_json()["id"]
    client.patch(f"/api/v1/events/{event_id}", json={"translations": {"lt": {"title": "Konsultavimas"}}},
                 headers=_bearer(organiser))
    again = client.patch(f"/api/v1/events/{event_id}", json={"capacity": 25}, headers=_bearer(organiser))
    assert again.get_json()["translations"] == {"lt": {"title": "Konsultavimas", "description": ""}}


@pytest.mark.parametrize(("translations", "field"), [
    ({"de": {"title": "Beratung"}}, "translations"),                      # not a language of Praktika
    ({"pl": {"title": "x" * 301}}, "translations.pl.title"),              # the title's limit
    ({"pl": {"description": "x" * 20_001, "title": "T"}}, "translations.pl.description"),
    ({"pl": {"description": "Tylko opis"}}, "translations.pl.title"),    # a description needs a title
    ({"ru": {"title": "Своё"}}, "translations.ru"),                       # the event's own language
    ({"pl": {"title": "T", "summary": "?"}}, "translations"),              # unknown key
    ({"pl": "Poradnictwo"}, "translations"),                              # not an object
    (["pl"], "translations"),
    ({"pl": {"title": "a\x00b"}}, "translations"),                         # a NUL
])
def test_bad_translations_are_a_4xx_json_error(client, organiser, translations, field):
    response = client.post("/api/v1/events", json=seminar_data(translations=translations),
                           headers=_bearer(organiser))
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "fields"}
    assert any(key == field or key.startswith(field) for key in body["fields"]), body
    assert db.session.query(Event).count() == 0


def test_pages_show_the_readers_language_else_the_events(client, organiser):
    event = _published(organiser)
    for language, title in (("pl", POLISH["title"]), ("bg", BULGARIAN["title"]),
                            ("lt", "Поддерживающее консультирование"), ("en", "Поддерживающее консультирование")):
        page = client.get(f"/events/{event.id}", headers={"Accept-Language": language}).get_data(as_text=True)
        assert f'lang="{language if title != event.title else "ru"}">{title}</h1>' in page, language
        listing = client.get("/events", headers={"Accept-Language": language}).get_data(as_text=True)
        assert title in listing
    polish = client.get(f"/events/{event.id}", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert POLISH["description"] in polish and "Семинар для лидеров" not in polish


def test_search_finds_an_event_by_its_translated_title(client, organiser):
    event = _published(organiser)
    assert f"/events/{event.id}" in client.get("/events?q=poradnictwo").get_data(as_text=True)
    assert services.event_as_data(event)["translations"]["pl"] == POLISH


def test_the_organiser_adds_and_removes_a_translation_in_the_form_without_js(client, login, organiser):
    login(organiser)
    form = client.get("/manage/events/new/seminar").get_data(as_text=True)
    for code, name in (("bg", "Български"), ("pl", "Polski"), ("lt", "Lietuvių"), ("en", "English")):
        assert f'<summary lang="{code}">{name}</summary>' in form
    assert 'name="translation_pl-title"' in form and 'name="translation_ru-title"' not in form  # own language
    response = client.post("/manage/events/new/seminar", data={
        **GOOD["seminar"], "translation_pl-title": POLISH["title"], "translation_pl-description": POLISH["description"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    event = db.session.query(Event).one()
    assert event.translations == {"pl": POLISH}

    edit = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert POLISH["title"] in edit and "<details class=\"mb-2 border rounded px-3 py-2\" open>" in edit
    data = {**GOOD["seminar"], "translation_pl-title": "", "translation_pl-description": "",
            **{f"sessions-{i}-id": str(s.id) for i, s in enumerate(event.sessions)}}
    assert client.post(f"/manage/events/{event.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).translations == {}


def test_a_bad_translation_in_the_form_is_shown_beside_its_box(client, login, organiser):
    login(organiser)
    response = client.post("/manage/events/new/seminar", data={
        **GOOD["seminar"], "translation_lt-description": "Tik aprašymas"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="translation_lt-title-error"' in page
    assert db.session.query(Event).count() == 0


def test_text_in_falls_back_to_the_events_language(organiser):
    event = _published(organiser)
    assert event.text_in("pl") == {**POLISH, "language": "pl"}
    assert event.text_in("pl-PL")["title"] == POLISH["title"]
    assert event.text_in("lt") == {"title": event.title, "description": event.description, "language": "ru"}
    assert event.text_in(None)["title"] == event.title
    with force_locale("bg"):
        assert event.local_title == BULGARIAN["title"] and event.local_language == "bg"


def test_a_duplicate_keeps_the_translations(organiser):
    copy = services.duplicate_event(_published(organiser), organiser)
    assert copy.translations == {"pl": POLISH, "bg": BULGARIAN}


def test_a_change_to_a_translated_language_drops_that_translation(organiser):
    event = _published(organiser)
    services.update_event(event, organiser, {"language": "pl", "title": POLISH["title"]})
    db.session.expire_all()
    changed = db.session.get(Event, event.id)
    assert changed.language == "pl" and changed.translations == {"bg": BULGARIAN}

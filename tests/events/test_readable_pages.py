"""Pages that read well: the change log in words ("Draft → Published"), the listing with folded filters."""
from app.accounts.models import Role
from app.events import services
from tests.factories import make_event, make_user


def test_status_kind_and_region_changes_read_as_words(client, login):
    organiser = make_user(roles=(Role.ORGANISER,), locale="en")
    event = make_event(actor=organiser, status="draft", kind="outreach_trip",
                       team_roles=[{"role": "doctor", "needed": 2}])
    services.publish_event(event, organiser)
    services.update_event(event, organiser, {"region_code": "RU-PNZ",
                                             "team_roles": [{"role": "doctor", "needed": 3},
                                                            {"role": "driver", "needed": 1}]})
    login(organiser)
    html = client.get(f"/manage/events/{event.id}/changes").get_data(as_text=True)
    assert "Draft → Published" in html
    assert "Samara Oblast → Penza Oblast" in html
    assert "Doctor: 2 → Doctor: 3; Driver: 1" in html
    client.post("/language", data={"locale": "ru", "next": "/"})
    html = client.get(f"/manage/events/{event.id}/changes").get_data(as_text=True)
    assert "Черновик → Опубликовано" in html and "Самарская область → Пензенская область" in html


def test_listing_folds_its_filters_away_until_one_is_set(client):
    html = client.get("/events").get_data(as_text=True)
    assert '<details class="mb-3 event-filters-toggle">' in html
    html = client.get("/events?kind=webinar&q=школа").get_data(as_text=True)
    assert '<details class="mb-3 event-filters-toggle" open>' in html and "(2)</summary>" in html


def test_required_fields_are_marked_and_carry_the_required_attribute(client, login):
    login(make_user(roles=(Role.ORGANISER,), locale="en"))
    html = client.get("/manage/events/new/seminar").get_data(as_text=True)
    label, rest = html.split('for="offer_hours"', 1)[1].split("</label>", 1)
    assert rest.lstrip().startswith('<span class="text-danger" aria-hidden="true">*</span>')
    field = rest.split('id="offer_hours"', 1)[0].rsplit("<input", 1)[1] + rest.split('id="offer_hours"', 1)[1].split(">", 1)[0]
    assert " required" in field


def test_event_times_name_their_zone_by_city_and_offset(client):
    organiser = make_user(roles=(Role.ORGANISER,), locale="en")
    event = make_event(actor=organiser, timezone="Europe/Samara")
    html = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Times are given in the event’s timezone, Samara, UTC+4." in html
    assert "(Samara, UTC+4)" in client.get("/events", headers={"Accept-Language": "en"}).get_data(as_text=True)

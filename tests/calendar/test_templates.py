"""The partials other pages include: event links, "subscribe to this view", the /me block."""
from flask import render_template

from app.accounts import services as accounts
from tests.factories import make_calendar_event, make_user


def test_event_links_offer_download_and_webcal(app):
    event = make_calendar_event()
    with app.test_request_context("/events/1"):
        html = render_template("calendar/_event_links.html", event=event)
    assert f'href="/events/{event.id}/event.ics"' in html
    assert f'href="webcal://praktika.test/events/{event.id}/event.ics"' in html


def test_listing_link_keeps_the_current_filters(app):
    with app.test_request_context("/events?kind=webinar&region=RU-SAM&page=3&q=права"):
        from flask import request

        html = render_template("calendar/_listing_link.html", request=request)
    assert "webcal://praktika.test/calendar.ics?kind=webinar&amp;region=RU-SAM&amp;q=" in html
    assert "page=" not in html
    assert "locale=ru" in html


def test_me_shows_both_addresses_with_labels_copy_buttons_and_reset(client, login):
    user = login(make_user())
    html = client.get("/me").get_data(as_text=True)
    token = accounts.calendar_token(user)
    assert f'value="webcal://praktika.test/calendar/{token}.ics"' in html
    assert f'value="http://praktika.test/calendar/{token}.ics"' in html
    assert '<label for="calendar-webcal"' in html and '<label for="calendar-https"' in html
    assert html.count('data-copy-target="calendar-') == 2
    assert 'action="/account/calendar-token/reset"' in html
    assert 'src="/static/js/calendar.js"' in html
    assert "onclick" not in html


def test_event_page_and_listing_carry_the_calendar_links(client):
    event = make_calendar_event(kind="webinar", title="Вебинар о льготных лекарствах")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="webcal://praktika.test/events/{event.id}/event.ics"' in page
    listing = client.get("/events?kind=webinar").get_data(as_text=True)
    assert 'href="webcal://praktika.test/calendar.ics?kind=webinar&amp;locale=ru"' in listing

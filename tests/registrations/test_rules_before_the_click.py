"""The event page says the rules before the click, and a rule that blocks the person replaces the button
with its reason; the register service refuses with the same words (one check: registration_blocker)."""
from datetime import timedelta
from urllib.parse import unquote

import pytest

from app import clock
from app.accounts.models import Role
from app.errors import DomainError
from app.registrations import services
from tests.factories import make_event, make_organisation, make_trainees, make_user

SIGN_UP = {"email": "newcomer@example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
           "organisation": "Самарская пациентская организация", "organisation_kind": "patient_ngo",
           "region": "RU-SAM", "consent": "y"}


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,), locale="en")


def _page(client, event) -> str:
    return client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)


def _register_button(html: str) -> bool:
    return f'>{"Register"}</button>' in html


def test_a_full_region_is_said_before_the_click_and_the_service_says_the_same(client, login, organiser):
    event = make_event(actor=organiser, max_per_region=1, requires_approval=False)
    services.register(event.id, make_trainees(1, region_code="RU-SAM")[0])
    user = login(make_user(locale="en", region_code="RU-SAM"))
    html = _page(client, event)
    assert "At most 1 participant per region — your region has 1 of 1." in html
    assert "The region Samara Oblast already has 1 of 1 place at this event." in html
    assert not _register_button(html)
    with pytest.raises(DomainError) as refused:
        services.register(event.id, user)
    assert refused.value.code == "region_full"

    other = make_user(locale="en", region_code="RU-PNZ")
    client.post("/auth/logout")
    login(other)
    html = _page(client, event)
    assert "your region has 0 of 1" in html and _register_button(html)


def test_a_full_organisation_blocks_with_its_reason(client, login, organiser):
    organisation = make_organisation()
    event = make_event(actor=organiser, max_per_organisation=2)
    for person in make_trainees(2, organisation=organisation, region_code="RU-PNZ"):
        services.register(event.id, person)
    login(make_user(locale="en", organisation=organisation))
    html = _page(client, event)
    assert "At most 2 participants per organisation — yours has 2 of 2." in html
    assert "Your organisation already has 2 of 2 places at this event." in html and not _register_button(html)


def test_approval_needed_is_said_and_visitors_see_the_rule_without_their_standing(client, organiser):
    event = make_event(actor=organiser, requires_approval=True, max_per_region=1)
    html = _page(client, event)
    assert "Approval needed: the organiser decides on each application." in html
    assert "At most 1 participant per region." in html
    assert f"/auth/register?next=/events/{event.id}" in html.replace("%2F", "/")


def test_closed_registration_replaces_the_button(client, login, organiser):
    event = make_event(actor=organiser, registration_closes_at=(clock.now() + timedelta(days=1)).isoformat())
    login(make_user(locale="en"))
    with clock.frozen_at(clock.now() + timedelta(days=2)):
        html = _page(client, event)
    assert "Registration for this event is closed." in html and not _register_button(html)


def test_trip_roles_show_places_left_and_all_filled_blocks(client, login, organiser):
    event = make_event(actor=organiser, kind="outreach_trip", capacity=5,
                       team_roles=[{"role": "doctor", "needed": 2}, {"role": "driver", "needed": 1}])
    services.register(event.id, make_trainees(1)[0], team_role="driver")
    user = login(make_user(locale="en"))
    html = _page(client, event)
    assert "Places by role: Doctor: 2 left, Driver: 0 left." in html and _register_button(html)
    for person in make_trainees(2):
        services.register(event.id, person, team_role="doctor")
    html = _page(client, event)
    assert "Every team role of this trip is filled" in html and not _register_button(html)
    with pytest.raises(DomainError) as refused:
        services.register(event.id, user, team_role="doctor")
    assert refused.value.code == "roles_full"


def test_signing_up_from_an_event_page_returns_to_that_event_after_login(client, organiser):
    event = make_event(actor=organiser)
    response = client.post(f"/auth/register?next=/events/{event.id}", data=SIGN_UP)
    assert response.status_code == 302 and unquote(response.location) == f"/auth/login?next=/events/{event.id}"
    response = client.post(response.location, data={"email": SIGN_UP["email"], "password": SIGN_UP["password"]})
    assert response.status_code == 302 and response.location == f"/events/{event.id}"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_sign_up_ignores_a_next_that_leaves_the_site(client, target):
    response = client.post("/auth/register", query_string={"next": target}, data=SIGN_UP)
    assert response.status_code == 302 and response.location == "/auth/login"

"""GET /api/v1/events: the listing's cached, constant-query path, with the contract's JSON shape."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

from app import cache, clock
from app.accounts.models import Role
from app.events.models import Event, Session, TeamRole, TripDetails, TripResult, TripService, TripTeamRole
from app.extensions import db
from app.registrations import services as registrations
from tests.factories import make_user

NOW = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
EVENT_KEYS = {"id", "kind", "title", "description", "language", "timezone", "capacity", "status", "programme_id",
              "venue", "requires_approval", "max_per_region", "max_per_organisation", "offer_hours", "sessions",
              "trip", "sequence", "url", "seats_left", "results"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


def _add_events(actor_id: int, first: int, count: int) -> None:
    """Published seminars and trips (with sessions, trip details, team roles and results) as rows."""
    for n in range(first, first + count):
        begin = NOW + timedelta(days=1 + n % 200, hours=n % 5)
        event = Event(kind="outreach_trip" if n % 2 else "seminar", title=f"Событие {n}", timezone="Europe/Samara",
                      status="published", capacity=20, venue="Зал", region_code="RU-SAM",
                      starts_at=begin, ends_at=begin + timedelta(days=1), starts_on=begin.date(),
                      ends_on=(begin + timedelta(days=1)).date(), created_by_id=actor_id)
        event.sessions = [Session(starts_at=begin, ends_at=begin + timedelta(hours=8), title="День 1"),
                          Session(starts_at=begin + timedelta(days=1), ends_at=begin + timedelta(days=1, hours=8),
                                  title="День 2")]
        if n % 2:
            event.trip = TripDetails(settlement=f"Село {n}", services=["checkups"])
            event.team_roles = [TripTeamRole(role=TeamRole.DOCTOR, needed=2)]
            event.results = [TripResult(service=TripService.CHECKUPS, people_served=n)]
        db.session.add(event)
    db.session.commit()


def _counted(client, url: str) -> tuple[int, dict]:
    seen = []

    def record(*_args):
        seen.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(seen), response.get_json()


@pytest.mark.parametrize("url", ["/api/v1/events", "/api/v1/events?per_page=100&kind=outreach_trip"])
def test_same_number_of_queries_for_10_and_300_events(app, client, url):
    organiser_id = make_user(roles=(Role.ORGANISER,)).id
    _add_events(organiser_id, 0, 10)
    db.session.expunge_all()
    cold_few, few = _counted(client, url)
    warm_few, again = _counted(client, url)
    assert again == few

    _add_events(organiser_id, 10, 290)
    db.session.expunge_all()
    cold_many, many = _counted(client, url)
    warm_many, _again = _counted(client, url)

    assert len(many["items"]) > len(few["items"])
    assert many["items"][0]["sessions"] and any(item["results"] for item in many["items"])
    assert cold_few == cold_many  # built: a fixed number of queries, whatever the number of events
    assert warm_few == warm_many == 2  # from the cache: the data version's queries only
    assert cache.pages.stats.hits == 2


def test_cached_listing_keeps_the_contract_shape_and_follows_seats(app, client):
    organiser = make_user(roles=(Role.ORGANISER,))
    _add_events(organiser.id, 0, 3)
    first = client.get("/api/v1/events")
    assert first.mimetype == "application/json"
    body = first.get_json()
    assert set(body) == {"items", "total", "page", "per_page", "pages"}
    assert body["total"] == 3 and {item["seats_left"] for item in body["items"]} == {20}
    for item in body["items"]:
        assert EVENT_KEYS <= set(item) and "online_url" not in item
    assert client.get("/api/v1/events").data == first.data

    trainee = make_user()
    registrations.register(body["items"][0]["id"], trainee)
    after = client.get("/api/v1/events").get_json()
    assert after["items"][0]["seats_left"] == 19  # a registration moves the version: no stale seat count


def test_invalid_filters_are_422_and_never_cached(client):
    response = client.get("/api/v1/events?region=XX-NOPE")
    assert response.status_code == 422 and set(response.get_json()) == {"error", "fields"}
    assert cache.pages.stats.stores == 0

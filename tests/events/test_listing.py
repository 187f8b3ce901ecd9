"""The public listing: filters, Cyrillic search on both databases, tabs, pagination, flat query count."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

from app import cache, clock
from app.events import services
from app.extensions import db
from tests.conftest import make_app, require_postgres
from tests.events.conftest import seminar_data, trip_data

NOW = datetime(2027, 1, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen_at(NOW):
        yield


def published(actor, **overrides):
    return services.create_event(actor, seminar_data(status="published", **overrides))


def day_session(day: str, tz="+04:00"):
    return [{"start": f"{day}T09:00:00{tz}", "end": f"{day}T18:00:00{tz}", "title": ""}]


def titles(page) -> list[str]:
    return [e.title for e in page.items]


def test_upcoming_published_only_by_start(app, organiser):
    published(organiser, title="Март", sessions=day_session("2027-03-01"))
    published(organiser, title="Февраль", sessions=day_session("2027-02-01"))
    services.create_event(organiser, seminar_data(title="Черновик"))
    published(organiser, title="Прошлое", sessions=day_session("2026-12-01"))
    cancelled = published(organiser, title="Отменено", sessions=day_session("2027-04-01"))
    services.cancel_event(cancelled, organiser)
    assert titles(services.list_events({})) == ["Февраль", "Март", "Отменено"]
    assert titles(services.list_events({"tab": "past"})) == ["Прошлое"]


def test_filters_kind_region_programme_dates(app, organiser, programme):
    published(organiser, title="Семинар в Самаре", programme_id=programme.id, sessions=day_session("2027-03-01"))
    services.create_event(organiser, trip_data(status="published"))
    published(organiser, title="Вебинар", kind="webinar", online_url="https://meet.example.org/1",
              region_code=None, sessions=day_session("2027-04-10"))
    assert titles(services.list_events({"kind": "outreach_trip"})) == ["#ДоброВСело: Кардымово"]
    assert titles(services.list_events({"region": "RU-SMO"})) == ["#ДоброВСело: Кардымово"]
    assert titles(services.list_events({"programme": str(programme.id)})) == ["Семинар в Самаре"]
    assert titles(services.list_events({"from": "2027-04-01", "to": "2027-04-30"})) == ["Вебинар"]
    assert titles(services.list_events({"to": "2027-03-01"})) == ["Семинар в Самаре"]
    assert titles(services.list_events({"from": "2027-05-15"})) == ["#ДоброВСело: Кардымово"]


def test_bad_filters_are_named(app):
    with pytest.raises(Exception) as caught:
        services.parse_filters({"kind": "party", "region": "XX", "from": "yesterday", "programme": "abc"})
    assert set(caught.value.fields) == {"kind", "region", "from", "programme"}


def _search_checks(actor):
    published(actor, title="Семинар для лидеров", description="Ёлки и ЕЖИ")
    published(actor, title="Webinar in English", description="Online", kind="webinar",
              online_url="https://meet.example.org/1")
    assert titles(services.list_events({"q": "СЕМИНАР"})) == ["Семинар для лидеров"]
    assert titles(services.list_events({"q": "семинар ЛИДЕРОВ"})) == ["Семинар для лидеров"]
    assert titles(services.list_events({"q": "елки ежи"})) == ["Семинар для лидеров"]
    assert titles(services.list_events({"q": "WEBINAR"})) == ["Webinar in English"]
    assert titles(services.list_events({"q": "100%_"})) == []


def test_cyrillic_search_is_case_insensitive_on_sqlite(app, organiser):
    _search_checks(organiser)


def test_cyrillic_search_is_case_insensitive_on_postgres(tmp_path):
    from app.accounts.models import Role
    from tests.factories import make_user

    url = require_postgres()
    pg_app = make_app(tmp_path, database_url=url)
    with pg_app.app_context(), clock.frozen_at(NOW):
        assert db.engine.dialect.name == "postgresql"
        _search_checks(make_user(roles=(Role.ORGANISER,)))
        db.session.remove()
        db.engine.dispose()


def _many(actor_id: int, n: int, programme_id: int):
    from app.events.models import Event, Session, TripDetails

    start = datetime(2027, 2, 1, 6, tzinfo=UTC)
    for i in range(n):
        begin = start + timedelta(days=i)
        event = Event(kind="outreach_trip" if i % 2 else "seminar", title=f"Событие {i}", timezone="Europe/Samara",
                      status="published", capacity=20, venue="Зал", programme_id=programme_id,
                      region_code="RU-SAM", starts_at=begin, ends_at=begin + timedelta(hours=8),
                      starts_on=begin.date(), ends_on=begin.date(), created_by_id=actor_id)
        event.sessions = [Session(starts_at=begin, ends_at=begin + timedelta(hours=8))]
        if i % 2:
            event.trip = TripDetails(settlement=f"Село {i}", services=["checkups"])
        db.session.add(event)
    db.session.commit()


def count_queries(work) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_listing_query_count_does_not_grow(app, client, organiser, programme):
    ids = (organiser.id, programme.id)
    _many(ids[0], 10, ids[1])
    db.session.expunge_all()
    few = count_queries(lambda: client.get("/events?per_page=100").get_data())
    _many(ids[0], 90, ids[1])
    db.session.expunge_all()
    page = services.list_events({}, per_page=100)
    assert len(page.items) == 100
    db.session.expunge_all()
    many = count_queries(lambda: client.get("/events?per_page=100").get_data())
    assert few == many, (few, many)
    db.session.expunge_all()
    service_few = count_queries(lambda: services.list_events({}, per_page=10))
    db.session.expunge_all()
    service_many = count_queries(lambda: services.list_events({}, per_page=100))
    assert service_few == service_many <= 5


def test_listing_page_html(client, organiser, programme):
    published(organiser, title="Поддерживающее консультирование", programme_id=programme.id)
    services.create_event(organiser, trip_data(status="published"))
    html = client.get("/").get_data(as_text=True)
    assert "Поддерживающее консультирование" in html and "пос. Кардымово" in html
    assert "КПД НКО" in html and "30" in html
    assert '<label class="form-label" for="from">' in html
    filtered = client.get("/events?kind=outreach_trip&q=кардымово").get_data(as_text=True)
    assert "пос. Кардымово" in filtered and "Поддерживающее консультирование" not in filtered
    bad = client.get("/events?from=someday")
    assert bad.status_code == 422 and 'id="from-error"' in bad.get_data(as_text=True)


def test_pagination_keeps_filters(client, organiser, programme):
    _many(organiser.id, 45, programme.id)
    first = client.get("/events?kind=seminar").get_data(as_text=True)
    assert "/events?page=2&amp;kind=seminar" in first or "/events?kind=seminar&amp;page=2" in first
    second = client.get("/events?kind=seminar&page=2").get_data(as_text=True)
    assert "Событие 40" in second and "Событие 41" not in second


def test_drafts_only_for_editors(client, login, organiser, other_organiser):
    draft = services.create_event(organiser, seminar_data())
    assert client.get(f"/events/{draft.id}").status_code == 404  # like a missing id (issue 20.15)
    login(other_organiser)
    assert client.get(f"/events/{draft.id}").status_code == 404
    client.post("/auth/logout")
    login(organiser)
    assert client.get(f"/events/{draft.id}").status_code == 200


def test_cached_listing_follows_every_change(app, client, organiser):
    """The listing body is cached per data version: a cache hit never hides a change."""
    event = published(organiser, title="Семинар в Самаре")
    assert "Семинар в Самаре" in client.get("/").get_data(as_text=True)
    client.get("/")
    assert cache.pages.stats.hits >= 1
    services.update_event(event, organiser, {"title": "Семинар в Тольятти"})
    html = client.get("/").get_data(as_text=True)
    assert "Семинар в Тольятти" in html and "Семинар в Самаре" not in html
    published(organiser, title="Вебинар для лидеров НКО")
    assert "Вебинар для лидеров НКО" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("query, field", [("programme=99999999999", "programme")])
def test_hostile_filter_values_get_a_message_not_a_500(client, query, field):
    response = client.get(f"/events?{query}")
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_a_nul_in_the_search_is_refused_at_the_request_boundary_with_the_reason(client):
    """Issue 20.8: one refusal for every route (app/core/request_guard.py), not one per filter."""
    response = client.get("/events?q=%00")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_event_page_keeps_the_interface_languages(client, organiser):
    """The event's own language (bg, pl…) is shown as a fact; the switch offers the five UI languages once."""
    event = services.create_event(organiser, seminar_data(status="published", language="bg", timezone="Europe/Sofia"))
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert html.count('name="locale" value="') == 2 * 5  # header and footer: ru, en, bg, pl, lt
    assert "Български" in html

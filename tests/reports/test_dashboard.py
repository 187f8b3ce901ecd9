"""The organiser's dashboard at /manage: programmes with progress, what needs attention, constant queries."""
from datetime import UTC, date, datetime, timedelta

import pytest

from app.accounts.models import Role
from app.events.models import EventKind
from app.extensions import db
from app.registrations.models import RegistrationStatus as S
from app.reports import dashboard, indicators
from tests.events.test_listing import count_queries
from tests.factories import make_user
from tests.reports.conftest import NOW, event_row, make_organiser, people, register


@pytest.fixture
def organiser(known):
    user = make_organiser()
    known["programme"].organisers = [user]
    db.session.commit()
    return user


def _attention(board) -> dict:
    return {item.key: [(e.title, e.count) for e in item.entries] for item in board.attention}


def test_attention_items_are_counted_per_event_and_scoped_to_the_user(known, organiser):
    programme = known["programme"]
    e3 = known["events"][2]  # future seminar
    u1, u2, u3, *_ = known["users"]
    register(e3, u1, status=S.PENDING)
    register(e3, u3, status=S.PENDING)
    offer = register(e3, known["users"][5], status=S.OFFERED)
    offer.offer_expires_at = NOW + timedelta(hours=5)
    late = register(known["events"][1], known["users"][4], status=S.OFFERED)
    late.offer_expires_at = NOW + timedelta(days=3)
    # A past webinar with a confirmed participant and no check-in; the seminar E1 has check-ins.
    silent = event_row(programme, EventKind.WEBINAR, "Вебинар без отметок", date(2027, 6, 2))
    register(silent, u2)
    # Someone else's event with a pending application never shows.
    stranger_event = event_row(known["other"], EventKind.SEMINAR, "Чужой семинар 2", date(2027, 8, 1))
    register(stranger_event, u1, status=S.PENDING)
    db.session.commit()
    board = dashboard.dashboard(organiser)
    found = _attention(board)
    assert found["pending_approvals"] == [("Семинар 1", 1), ("Семинар 2", 2)]  # u5 on E1; u1, u3 on E3
    assert found["expiring_offers"] == [("Семинар 2", 1)]
    assert found["no_check_ins"] == [("Вебинар без отметок", 1)]
    assert found["no_results"] == []  # T1 and T2 have results; T3 is in the future
    admin = make_user("admin@example.org", roles=(Role.ADMIN,))
    assert ("Чужой семинар 2", 1) in _attention(dashboard.dashboard(admin))["pending_approvals"]


def test_trips_without_results_and_indicators_below_plan_near_the_end(known, organiser):
    programme = known["programme"]
    event_row(programme, EventKind.OUTREACH_TRIP, "#ДоброВСело: Ельня", date(2027, 6, 10), region="RU-SMO")
    indicators.create_indicator(programme, organiser, {"name": "Выезды", "plan": 6, "source": "events_held",
                                                       "filter_event_kind": "outreach_trip"})
    indicators.create_indicator(programme, organiser, {"name": "Охвачено регионов", "plan": 3,
                                                       "source": "regions_covered"})
    db.session.commit()
    found = _attention(dashboard.dashboard(organiser))
    assert found["no_results"] == [("#ДоброВСело: Ельня", 1)]
    assert found["below_plan"] == []  # the programme ends on 31 December: not near its end yet
    progress = dashboard.dashboard(organiser).programmes[0].progress
    assert (progress["indicators"], progress["met"], progress["percent"]) == (2, 1, 75)  # (3/6 → 50, 3/3 → 100)
    from app import clock

    with clock.frozen_at(datetime(2027, 11, 20, tzinfo=UTC)):
        board = dashboard.dashboard(organiser)
    below = next(a for a in board.attention if a.key == "below_plan")
    assert [(e.title, e.count, e.extra["indicators"]) for e in below.entries] == [("КПД НКО", 1, ["Выезды"])]


def test_dashboard_page_links_to_the_places_to_act(client, login, known, organiser):
    register(known["events"][2], known["users"][0], status=S.PENDING)
    db.session.commit()
    login(organiser)
    html = client.get("/manage").get_data(as_text=True)
    assert f'href="/manage/events/{known["events"][2].id}/approvals"' in html
    assert f'href="/manage/programmes/{known["programme"].id}/report"' in html
    assert "Заявки ждут одобрения" in html and html.count("<h1") == 1


def test_dashboard_query_count_does_not_grow_with_the_data(client, login, known, organiser):
    programme = known["programme"]
    indicators.create_indicator(programme, organiser, {"name": "Обучено", "plan": 30, "source": "trainees_trained"})
    login(organiser)
    programme_id = programme.id
    db.session.expunge_all()
    small = count_queries(lambda: client.get("/manage").get_data())
    from app.programmes.models import Programme

    programme = db.session.get(Programme, programme_id)
    crowd = people([("RU-SAM", None)] * 30)
    for n in range(6):
        event = event_row(programme, EventKind.SEMINAR, f"Ещё {n}", date(2027, 8, 1) + timedelta(days=n))
        past = event_row(programme, EventKind.WEBINAR, f"Прошедший {n}", date(2027, 5, 1) + timedelta(days=n))
        trip = event_row(programme, EventKind.OUTREACH_TRIP, f"Выезд {n}", date(2027, 5, 20) + timedelta(days=n))
        for user in crowd:
            register(event, user, status=S.PENDING)
            register(past, user)
        assert trip
    db.session.commit()
    db.session.expunge_all()
    large = count_queries(lambda: client.get("/manage").get_data())
    assert small == large, (small, large)
    html = client.get("/manage").get_data(as_text=True)
    assert html.count("/approvals") == 7  # E1 (u5 pending) and the six new seminars

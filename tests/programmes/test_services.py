"""Programme services on the real database: validation lands on fields, nothing half-saved."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.errors import ValidationFailed
from app.events.models import (
    Event,
    EventKind,
    EventStatus,
    Session,
    TripResult,
    TripService,
)
from app.extensions import db
from app.programmes import services
from app.programmes.models import PlanItem, Programme, Stage
from tests.factories import make_user

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)


def programme_data(**overrides) -> dict:
    data = {
        "title": "КПД НКО: команда пациентов в действии",
        "funder": "Фонд президентских грантов",
        "grant_number": "23-1-012345",
        "starts_on": date(2027, 2, 1),
        "ends_on": date(2027, 12, 21),
        "regions": ["RU-SAM", "RU-PNZ"],
        "target_groups": "Лидеры пациентских НКО",
        "description": "",
        "organisers": [],
    }
    data.update(overrides)
    return data


def linked_event(programme: Programme, *, starts: datetime, status=EventStatus.PUBLISHED,
                 kind=EventKind.SEMINAR) -> Event:
    """An event row of the programme with one session (test setup, independent of the events UI)."""
    event = Event(programme_id=programme.id, kind=kind, title=f"{kind.value} {starts:%d.%m}", status=status,
                  timezone="Europe/Samara", starts_at=starts, ends_at=starts + timedelta(hours=8))
    event.sessions = [Session(starts_at=starts, ends_at=starts + timedelta(hours=8), title="День 1")]
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,))


@pytest.fixture
def programme(organiser):
    return services.create_programme(organiser, programme_data())


def test_create_programme_assigns_the_creating_organiser(programme, organiser):
    assert [u.id for u in programme.organisers] == [organiser.id]
    assert programme.region_codes == ["RU-SAM", "RU-PNZ"]


def test_admin_assigns_other_organisers_only(app):
    admin = make_user(roles=(Role.ADMIN,))
    organiser = make_user(roles=(Role.ORGANISER,))
    trainee = make_user()
    programme = services.create_programme(admin, programme_data(organisers=[organiser.id]))
    assert [u.id for u in programme.organisers] == [organiser.id]
    with pytest.raises(ValidationFailed) as caught:
        services.create_programme(admin, programme_data(organisers=[trainee.id]))
    assert "organisers" in caught.value.fields


@pytest.mark.parametrize("overrides, field", [
    ({"ends_on": date(2027, 1, 1)}, "ends_on"),
    ({"title": ""}, "title"),
    ({"title": "я" * 10_000}, "title"),
    ({"regions": ["RU-XXX"]}, "regions"),
    ({"starts_on": None}, "starts_on"),
])
def test_bad_programme_input_names_the_field_and_saves_nothing(organiser, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        services.create_programme(organiser, programme_data(**overrides))
    assert field in caught.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(Programme.id))) == 0


def test_stage_must_lie_inside_the_programme(programme, organiser):
    stage = services.add_stage(programme, organiser, {
        "number": 1, "title": "Поддерживающее консультирование",
        "starts_on": date(2027, 3, 1), "ends_on": date(2027, 6, 30)})
    assert stage.id
    with pytest.raises(ValidationFailed) as caught:
        services.add_stage(programme, organiser, {
            "number": 2, "title": "Комьюнити", "starts_on": date(2027, 8, 1), "ends_on": date(2028, 1, 31)})
    assert "ends_on" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        services.add_stage(programme, organiser, {
            "number": 1, "title": "Повтор", "starts_on": date(2027, 8, 1), "ends_on": date(2027, 9, 1)})
    assert "number" in caught.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(Stage.id))) == 1


def test_narrowing_the_period_cannot_strand_a_stage(programme, organiser):
    services.add_stage(programme, organiser, {
        "number": 2, "title": "Этап 2", "starts_on": date(2027, 8, 1), "ends_on": date(2027, 12, 20)})
    with pytest.raises(ValidationFailed) as caught:
        services.update_programme(programme, organiser, programme_data(ends_on=date(2027, 10, 1)))
    assert "ends_on" in caught.value.fields
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).ends_on == date(2027, 12, 21)


def test_plan_item_rules(programme, organiser):
    good = {"number": "1", "activity": "Выездной семинар-тренинг", "planned_start": date(2027, 3, 1),
            "planned_end": date(2027, 4, 30), "stage_id": None, "event_ids": []}
    item = services.add_plan_item(programme, organiser, good)
    assert item.position == 1
    good = {**good, "number": "2"}
    for overrides, field in [
        ({"planned_end": date(2027, 2, 1)}, "planned_end"),
        ({"planned_start": date(2027, 1, 1)}, "planned_start"),
        ({"stage_id": 999}, "stage_id"),
        ({"event_ids": [999]}, "event_ids"),
        ({"activity": ""}, "activity"),
        ({"number": "1"}, "number"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            services.add_plan_item(programme, organiser, {**good, **overrides})
        assert field in caught.value.fields, overrides
    db.session.rollback()
    assert db.session.scalar(select(func.count(PlanItem.id))) == 1


def test_plan_item_links_only_the_programmes_events(programme, organiser):
    other = services.create_programme(organiser, programme_data(title="Другая программа"))
    own_event = linked_event(programme, starts=NOW - timedelta(days=30))
    foreign_event = linked_event(other, starts=NOW - timedelta(days=30))
    data = {"number": "3", "activity": "3 вебинара", "planned_start": date(2027, 5, 1),
            "planned_end": date(2027, 6, 30), "stage_id": None, "event_ids": [own_event.id]}
    item = services.add_plan_item(programme, organiser, data)
    assert [e.id for e in item.events] == [own_event.id]
    with pytest.raises(ValidationFailed):
        services.update_plan_item(item, organiser, {**data, "event_ids": [own_event.id, foreign_event.id]})
    db.session.rollback()
    assert [e.id for e in db.session.get(PlanItem, item.id).events] == [own_event.id]


def test_event_outcomes(programme):
    past = linked_event(programme, starts=NOW - timedelta(days=10))
    future = linked_event(programme, starts=NOW + timedelta(days=10))
    cancelled = linked_event(programme, starts=NOW - timedelta(days=10), status=EventStatus.CANCELLED)
    draft = linked_event(programme, starts=NOW - timedelta(days=10), status=EventStatus.DRAFT)
    trip = linked_event(programme, starts=NOW - timedelta(days=3), kind=EventKind.OUTREACH_TRIP)
    trip_without_results = linked_event(programme, starts=NOW - timedelta(days=3), kind=EventKind.OUTREACH_TRIP)
    db.session.add(TripResult(event_id=trip.id, service=TripService.CHECKUPS, people_served=47))
    db.session.commit()
    db.session.refresh(trip)
    assert services.event_outcome(past, NOW) == services.Outcome.HELD
    assert services.event_outcome(future, NOW) == services.Outcome.PLANNED
    assert services.event_outcome(cancelled, NOW) == services.Outcome.CANCELLED
    assert services.event_outcome(draft, NOW) == services.Outcome.DRAFT
    assert services.event_outcome(trip, NOW) == services.Outcome.RESULTS
    assert services.event_outcome(trip_without_results, NOW) == services.Outcome.HELD


def test_timeline_geometry(programme, organiser):
    services.add_stage(programme, organiser, {
        "number": 1, "title": "Этап 1", "starts_on": date(2027, 3, 1), "ends_on": date(2027, 6, 30)})
    held = linked_event(programme, starts=NOW - timedelta(days=40))
    services.add_plan_item(programme, organiser, {
        "number": "1", "activity": "Семинар", "planned_start": date(2027, 2, 1), "planned_end": date(2027, 12, 21),
        "stage_id": None, "event_ids": [held.id]})
    services.add_plan_item(programme, organiser, {
        "number": "2", "activity": "Консультации", "planned_start": date(2027, 4, 1),
        "planned_end": date(2027, 6, 30), "stage_id": None, "event_ids": []})
    loaded = services.load_programme(programme.id)
    timeline = services.timeline(loaded, NOW)
    first, second = timeline.bars
    assert first.x == timeline.label_width
    assert first.x + first.width == pytest.approx(timeline.width, abs=0.2)
    assert first.done and not second.done
    assert timeline.label_width < second.x < second.x + second.width < timeline.width
    assert second.y > first.y
    assert [t.label.month for t in timeline.ticks] == list(range(2, 13))
    assert timeline.today_x is not None and second.x < timeline.today_x < second.x + second.width


def test_delete_stage_keeps_its_plan_items(programme, organiser):
    stage = services.add_stage(programme, organiser, {
        "number": 1, "title": "Этап 1", "starts_on": date(2027, 3, 1), "ends_on": date(2027, 6, 30)})
    item = services.add_plan_item(programme, organiser, {
        "number": "1", "activity": "Семинар", "planned_start": date(2027, 3, 1), "planned_end": date(2027, 4, 30),
        "stage_id": stage.id, "event_ids": []})
    services.delete_stage(stage, organiser)
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).stage_id is None


def test_programmes_for_scopes_to_assignment(app, programme):
    other_organiser = make_user(roles=(Role.ORGANISER,))
    admin = make_user(roles=(Role.ADMIN,))
    assert services.programmes_for(other_organiser) == []
    assert [p.id for p in services.programmes_for(admin)] == [programme.id]


def test_stage_and_plan_numbers_are_unique_in_the_database_too(programme, organiser):
    """Another request saved stage 3 and item "3" after this one read the programme: the database
    refuses the duplicate and the answer is the usual message beside the field (issue 10)."""
    assert programme.stages == [] and programme.plan_items == []  # read now, before the other request
    with db.engine.begin() as connection:
        connection.execute(Stage.__table__.insert().values(
            programme_id=programme.id, number=3, title="Этап 3", starts_on=date(2027, 3, 1),
            ends_on=date(2027, 4, 1), description=""))
        connection.execute(PlanItem.__table__.insert().values(
            programme_id=programme.id, position=1, number="3", activity="Семинар",
            planned_start=date(2027, 3, 1), planned_end=date(2027, 4, 1)))
    with pytest.raises(ValidationFailed) as caught:
        services.add_stage(programme, organiser, {
            "number": 3, "title": "Повтор", "starts_on": date(2027, 5, 1), "ends_on": date(2027, 6, 1)})
    assert "number" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        services.add_plan_item(programme, organiser, {
            "number": "3", "activity": "Повтор", "planned_start": date(2027, 5, 1),
            "planned_end": date(2027, 6, 1), "stage_id": None, "event_ids": []})
    assert "number" in caught.value.fields
    assert db.session.scalar(select(func.count(Stage.id))) == 1
    assert db.session.scalar(select(func.count(PlanItem.id))) == 1

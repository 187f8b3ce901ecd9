"""The events service: validation (nothing saved), sequence bumps and the change log, trip results."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app import clock
from app.errors import Conflict, ValidationFailed
from app.events import services
from app.events.models import (
    Event,
    EventChange,
    EventKind,
    EventStatus,
    Session,
    TripResult,
)
from app.events.signals import event_changed
from app.extensions import db
from tests.events.conftest import seminar_data, trip_data


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def errors_of(data, actor=None, event=None) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        if event is None:
            services.create_event(actor, data)
        else:
            services.update_event(event, actor, data)
    return caught.value.fields


def test_create_three_day_seminar_keeps_dates_denormalised(app, organiser):
    event = services.create_event(organiser, seminar_data())
    assert event.kind == EventKind.SEMINAR and event.status == EventStatus.DRAFT
    assert [s.title for s in event.sessions] == ["День 1", "День 2", "День 3"]
    assert event.starts_at == datetime(2027, 3, 1, 5, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 3, 3, 14, tzinfo=UTC)
    assert (event.starts_on.isoformat(), event.ends_on.isoformat()) == ("2027-03-01", "2027-03-03")
    assert event.created_by_id == organiser.id and event.sequence == 0
    assert event.search_text.startswith("поддерживающее консультирование")


def test_naive_session_times_are_local_to_the_event(app, organiser):
    event = services.create_event(organiser, seminar_data(
        timezone="Asia/Yekaterinburg",
        sessions=[{"start": "2027-03-01T09:00", "end": datetime(2027, 3, 1, 18), "title": ""}]))
    assert event.starts_at == datetime(2027, 3, 1, 4, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 3, 1, 13, tzinfo=UTC)


@pytest.mark.parametrize("overrides, field", [
    ({"title": "x" * 10_000}, "title"),
    ({"title": ""}, "title"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": -3}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"kind": "party"}, "kind"),
    ({"status": "archived"}, "status"),
    ({"language": "русский"}, "language"),
    ({"region_code": "RU-XXX"}, "region_code"),
    ({"programme_id": 999}, "programme_id"),
    ({"attendance_threshold": 101}, "attendance_threshold"),
    ({"offer_hours": 0}, "offer_hours"),
    ({"latitude": 91}, "latitude"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"sessions": []}, "sessions"),
    ({"sessions": "tomorrow"}, "sessions"),
    ({"sessions": [{"start": "2027-03-01T18:00:00+04:00", "end": "2027-03-01T09:00:00+04:00"}]}, "sessions"),
    ({"sessions": [{"start": "2027-03-01T09:00:00+04:00", "end": "2027-03-01T18:00:00+04:00"},
                   {"start": "2027-03-01T17:00:00+04:00", "end": "2027-03-01T19:00:00+04:00"}]}, "sessions"),
    ({"sessions": [{"start": "soon", "end": "later"}]}, "sessions"),
    ({"venue": ""}, "venue"),
    ({"is_online": True}, "online_url"),
    ({"registration_closes_at": "2027-03-01T10:00:00+04:00"}, "registration_closes_at"),
    ({"registration_opens_at": "2027-02-20T10:00:00+04:00", "registration_closes_at": "2027-02-10T10:00:00+04:00"},
     "registration_opens_at"),
    ({"trip": {"settlement": "Кошки"}}, "trip"),
    ({"team_roles": [{"role": "doctor", "needed": 1}]}, "team_roles"),
])
def test_bad_input_names_the_field_and_saves_nothing(app, organiser, overrides, field):
    fields = errors_of(seminar_data(**overrides), organiser)
    assert field in fields, fields
    assert count(Event) == 0 and count(Session) == 0


def test_dst_gap_and_fold_are_refused_for_local_times(app, organiser):
    gap = errors_of(seminar_data(timezone="Europe/Warsaw", sessions=[
        {"start": "2027-03-28T02:30", "end": "2027-03-28T05:00"}]), organiser)
    assert "2027-03-28 02:30" in str(gap["sessions"][0]) and "Europe/Warsaw" in str(gap["sessions"][0])
    fold = errors_of(seminar_data(timezone="Europe/Sofia", sessions=[
        {"start": "2027-10-31T03:30", "end": "2027-10-31T08:00"}]), organiser)
    assert "2027-10-31 03:30" in str(fold["sessions"][0]) and "дважды" in str(fold["sessions"][0])
    assert count(Event) == 0


def test_kind_specific_requirements(app, organiser):
    assert "online_url" in errors_of({**seminar_data(kind="webinar"), "online_url": None}, organiser)
    trip = errors_of(trip_data(region_code=None, trip={"district": "Кардымовский район"}), organiser)
    assert {"region_code", "trip.settlement"} <= trip.keys()
    webinar = services.create_event(organiser, seminar_data(kind="webinar", venue="", address="",
                                                            online_url="https://meet.example.org/r/1"))
    assert webinar.is_online
    round_table = services.create_event(organiser, seminar_data(kind="round_table", address=""))
    assert round_table.venue == "Гостиница «Волга»"


def test_trip_with_team_and_services(app, organiser):
    event = services.create_event(organiser, trip_data())
    assert event.trip.settlement == "пос. Кардымово"
    assert event.trip.services == ["checkups", "blood_donation", "career_guidance"]
    assert {r.role.value: r.needed for r in event.team_roles} == {"doctor": 3, "student_volunteer": 6}
    assert event.trip.departure_at == datetime(2027, 5, 15, 4, tzinfo=UTC)
    bad = errors_of(trip_data(trip={"settlement": "x", "services": ["haircuts"]}), organiser)
    assert "trip.services" in bad


def test_change_of_place_bumps_sequence_and_logs_old_and_new(app, organiser):
    event = services.create_event(organiser, seminar_data())
    heard = []

    def listener(sender, **details):
        heard.append((sender.id, details, db.session.info.get("praktika.unit_of_work") is not None))

    with event_changed.connected_to(listener):
        services.update_event(event, organiser, {"venue": "Дом дружбы", "capacity": 40})
    assert event.sequence == 1
    change = db.session.execute(select(EventChange)).scalar_one()
    assert change.fields == {"venue": ["Гостиница «Волга»", "Дом дружбы"], "capacity": [30, 40]}
    assert change.actor_id == organiser.id and change.sequence == 1
    # Heard inside the change's own unit of work: listeners' writes commit with it.
    assert heard == [(event.id, {"changed": {"venue", "capacity"}, "moved": True, "cancelled": False, "reinstated": False,
                                 "actor_id": organiser.id, "change_id": change.id}, True)]


def test_only_time_place_status_bump_but_every_change_is_logged(app, organiser):
    event = services.create_event(organiser, seminar_data())
    services.update_event(event, organiser, {"title": "Новое название", "capacity": 25})
    assert event.sequence == 0 and len(event.changes) == 1
    services.update_event(event, organiser, {"title": "Новое название"})
    assert len(event.changes) == 1


def test_changing_sessions_keeps_rows_and_bumps(app, organiser):
    event = services.create_event(organiser, seminar_data())
    ids = [s.id for s in event.sessions]
    data = services.event_as_data(event)
    data["sessions"][2]["start"] = "2027-03-03T10:00:00+04:00"
    services.update_event(event, organiser, {"sessions": data["sessions"]})
    assert [s.id for s in event.sessions] == ids
    assert event.sequence == 1 and "sessions" in event.changes[0].fields
    services.update_event(event, organiser, {"sessions": data["sessions"][:2]})
    assert [s.id for s in event.sessions] == ids[:2]
    assert event.ends_at == datetime(2027, 3, 2, 14, tzinfo=UTC)
    assert event.sequence == 2


def test_partial_update_leaves_other_fields(app, organiser):
    event = services.create_event(organiser, seminar_data(requires_approval=True, max_per_region=1))
    services.update_event(event, organiser, {"description": "Новое описание"})
    assert event.requires_approval and event.max_per_region == 1 and len(event.sessions) == 3
    assert "новое описание" in event.search_text


def test_failed_update_changes_nothing(app, organiser):
    event = services.create_event(organiser, seminar_data())
    with pytest.raises(ValidationFailed):
        services.update_event(event, organiser, {"venue": "Дом дружбы", "capacity": 0})
    db.session.expire_all()
    assert db.session.get(Event, event.id).venue == "Гостиница «Волга»"
    assert db.session.get(Event, event.id).sequence == 0


def test_publish_cancel_bump_and_refuse_repeats(app, organiser):
    event = services.create_event(organiser, seminar_data())
    services.publish_event(event, organiser)
    assert event.status == EventStatus.PUBLISHED and event.sequence == 1
    with pytest.raises(Conflict):
        services.publish_event(event, organiser)
    services.cancel_event(event, organiser)
    assert event.status == EventStatus.CANCELLED and event.sequence == 2
    with pytest.raises(Conflict):
        services.cancel_event(event, organiser)
    assert [c.fields for c in event.changes] == [{"status": ["published", "cancelled"]},
                                                 {"status": ["draft", "published"]}]


def test_duplicate_is_a_draft_copy(app, organiser, other_organiser):
    event = services.create_event(organiser, trip_data(status="published"))
    copy = services.duplicate_event(event, other_organiser)
    assert copy.id != event.id and copy.status == EventStatus.DRAFT and copy.sequence == 0
    assert copy.title.startswith(event.title) and copy.title != event.title
    assert [(s.starts_at, s.ends_at) for s in copy.sessions] == [(s.starts_at, s.ends_at) for s in event.sessions]
    assert copy.trip.services == event.trip.services and len(copy.team_roles) == 2
    assert copy.created_by_id == other_organiser.id and copy.starts_at == event.starts_at


def test_trip_results_only_after_start_for_offered_services(app, organiser):
    event = services.create_event(organiser, trip_data(status="published"))
    with clock.frozen_at(datetime(2027, 5, 1, tzinfo=UTC)), pytest.raises(Conflict):
        services.record_trip_results(event, organiser, {"checkups": 40}, "")
    with clock.frozen_at(datetime(2027, 5, 16, tzinfo=UTC)):
        with pytest.raises(ValidationFailed) as caught:
            services.record_trip_results(event, organiser, {"checkups": -1, "vaccination": 5}, "")
        assert {"checkups", "vaccination"} <= caught.value.fields.keys()
        assert count(TripResult) == 0
        services.record_trip_results(event, organiser, {"checkups": 84, "blood_donation": 23},
                                     "Сдали 10 литров крови")
        services.record_trip_results(event, organiser, {"checkups": 86}, "Уточнили")
    assert {r.service.value: r.people_served for r in event.results} == {"checkups": 86, "blood_donation": 23}
    assert event.trip.results_notes == "Уточнили"
    with pytest.raises(Conflict):
        services.record_trip_results(services.create_event(organiser, seminar_data()), organiser, {}, "")


def test_programme_link_needs_a_managed_programme(app, organiser, other_organiser, programme):
    event = services.create_event(organiser, seminar_data(programme_id=programme.id))
    assert event.programme_id == programme.id
    fields = errors_of(seminar_data(programme_id=programme.id), other_organiser)
    assert "programme_id" in fields


def test_keeping_a_programme_one_does_not_manage_is_allowed(app, organiser, other_organiser, programme):
    event = services.create_event(organiser, seminar_data(programme_id=programme.id))
    services.update_event(event, other_organiser, {"programme_id": programme.id, "title": "Другое"})
    assert event.programme_id == programme.id and event.title == "Другое"

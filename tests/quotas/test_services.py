"""Quota services on the real database: assignment, the log, review, changes, catch-up, mentoring."""
from datetime import date, timedelta

import pytest

from app import clock
from app.errors import ValidationFailed
from app.extensions import db
from app.quotas import services
from app.quotas.base import QuotaConflict
from app.quotas.models import (
    CatchUpState,
    ConsultationQuota,
    PaceStatus,
    QuotaEvent,
    ReviewState,
)
from app.registrations import services as registrations
from tests.factories import make_user
from tests.quotas.conftest import AFTER, WINDOW, build_world, consultation_data, move_to


def test_attending_participants_get_quotas_with_the_plan(world):
    quotas = db.session.query(ConsultationQuota).filter_by(plan_id=world.plan.id).all()
    assert {q.user_id for q in quotas} == {t.id for t in world.trainees}
    assert all(q.target == 20 and q.deadline == WINDOW[1] for q in quotas)
    # spread evenly over the two curators
    per_curator = sorted(sum(q.curator_id == c.id for q in quotas) for c in (world.curator, world.other_curator))
    assert per_curator == [1, 2]


def test_low_attendance_gets_no_quota_until_checked_in(app, frozen):
    world = build_world(2, check_in=False)
    assert db.session.query(ConsultationQuota).count() == 0
    trainee = world.trainees[0]
    registration = registrations.registration_of(world.event, trainee)
    registrations.check_in(registration, world.event.sessions[0], world.organiser)
    registrations.check_in(registration, world.event.sessions[1], world.organiser)
    assert db.session.query(ConsultationQuota).count() == 0            # 2 of 3 days < 75 %
    registrations.check_in(registration, world.event.sessions[2], world.organiser)
    [quota] = db.session.query(ConsultationQuota).all()                 # the check-in signal gave it
    assert quota.user_id == trainee.id


def test_a_later_confirmation_gives_a_quota_when_no_attendance_is_required(app, frozen):
    world = build_world(1, check_in=False, threshold=0)
    assert db.session.query(ConsultationQuota).count() == 1
    newcomer = make_user()
    with clock.frozen_at(AFTER - timedelta(days=10)):
        registrations.register(world.event.id, newcomer)
    assert world.quota(newcomer).target == 20


def test_log_validates_every_field_at_once(world):
    quota = world.quota(world.trainees[0])
    move_to(date(2027, 3, 20))
    with pytest.raises(ValidationFailed) as caught:
        services.log_consultation(quota, consultation_data(
            held_on=date(2027, 3, 25), format="carrier_pigeon", topic="nope", duration_minutes=0,
            client_type="neighbour", note="x" * 501), world.trainees[0])
    assert set(caught.value.fields) == {"held_on", "format", "topic", "duration_minutes", "client_type", "note"}
    with pytest.raises(ValidationFailed) as caught:
        services.log_consultation(quota, consultation_data(held_on=date(2027, 3, 1)), world.trainees[0])
    assert set(caught.value.fields) == {"held_on"}
    assert quota.id and db.session.query(QuotaEvent).filter_by(action="submitted").count() == 0


def test_log_review_return_fix_accept_and_met(world):
    trainee, curator = world.trainees[0], None
    quota = world.quota(trainee)
    curator = quota.curator
    move_to(date(2027, 3, 20))
    first = services.log_consultation(quota, consultation_data(), trainee)
    assert first.review_state == ReviewState.SUBMITTED
    assert services.next_for_review(curator).id == first.id
    with pytest.raises(ValidationFailed):
        services.review(first, curator, "return", "")
    services.review(first, curator, "return", "Уточните тему: это была консультация родственника?")
    assert first.review_state == ReviewState.RETURNED and services.next_for_review(curator) is None
    services.edit_consultation(first, consultation_data(client_type="relative"), trainee)
    assert first.review_state == ReviewState.SUBMITTED
    services.review(first, curator, "accept")
    with pytest.raises(QuotaConflict):
        services.review(first, curator, "accept")
    with pytest.raises(QuotaConflict):
        services.edit_consultation(first, consultation_data(), trainee)
    services.change_quota(quota, world.organiser, target=1, reason="Болезнь: по согласованию с куратором")
    assert quota.met_at is not None
    assert services.progress_for_event(world.event.id)[trainee.id].met is True
    services.reopen(first, curator, "Дата указана неверно")
    assert first.review_state == ReviewState.RETURNED and quota.met_at is None
    actions = [e.action for e in services.history_of(quota)]
    assert actions[:6] == ["reopened", "changed", "accepted", "resubmitted", "returned", "submitted"]


def test_change_needs_a_reason_and_a_change(world):
    quota = world.quota(world.trainees[0])
    with pytest.raises(ValidationFailed) as caught:
        services.change_quota(quota, world.organiser, target=15, reason="")
    assert "reason" in caught.value.fields
    with pytest.raises(ValidationFailed):
        services.change_quota(quota, world.organiser, target=20, reason="то же самое")
    services.change_quota(quota, world.organiser, deadline=date(2027, 6, 30), reason="Болела в мае")
    assert quota.deadline == date(2027, 6, 30)
    entry = services.history_of(quota)[0]
    assert entry.details == {"deadline": ["2027-06-07", "2027-06-30"]} and entry.reason == "Болела в мае"


def test_plan_change_moves_only_quotas_still_on_the_plan_values(world):
    first, second = (world.quota(t) for t in world.trainees[:2])
    services.change_quota(first, world.organiser, target=12, reason="Болезнь")
    services.save_plan(world.event, {"target": 25, "starts_on": WINDOW[0], "deadline": WINDOW[1],
                                     "formats": ["phone"], "topics": "", "curators": [world.curator.id]},
                       world.organiser)
    db.session.expire_all()
    assert (first.target, second.target) == (12, 25)


def test_pace_check_opens_tasks_asks_for_a_plan_and_closes_on_action(world, mail_outbox):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    move_to(date(2027, 4, 30))                                   # 52 of 90 days, nothing logged
    result = services.check_pace()
    assert result.tasks_opened == 2 * len(world.trainees)        # behind + inactive for everyone
    assert result.catch_up_requested == len(world.trainees)
    assert services.check_pace().tasks_opened == 0               # idempotent
    tasks = services.open_tasks_of_curator(quota.curator)
    assert {t.kind.value for t in tasks if t.quota_id == quota.id} == {"behind", "inactive"}
    services.log_consultation(quota, consultation_data(held_on=date(2027, 4, 29)), trainee)
    assert {t.kind.value for t in services.open_tasks_of_curator(quota.curator)
            if t.quota_id == quota.id} == {"behind"}
    plan = services.submit_catch_up(quota, trainee, 3, "По три консультации в неделю в районной больнице")
    assert plan.state == CatchUpState.SUBMITTED and plan.starts_on == date(2027, 4, 30)
    services.decide_catch_up(quota, quota.curator, True)
    assert not [t for t in services.open_tasks_of_curator(quota.curator) if t.quota_id == quota.id]
    subjects = [m["Subject"] for m in mail_outbox]
    assert any("план" in s.lower() for s in subjects)


def test_mentoring_with_own_trainees_only_closes_their_tasks(world):
    move_to(date(2027, 4, 30))
    services.check_pace()
    quota = world.quota(world.trainees[0])
    curator = quota.curator
    foreign = next(world.quota(t) for t in world.trainees if world.quota(t).curator_id != curator.id)
    with pytest.raises(ValidationFailed):
        services.record_session(world.plan, curator, {"kind": "group", "held_on": date(2027, 4, 30),
                                                      "topic": "Сложные случаи", "quota_ids": [foreign.id]})
    with pytest.raises(ValidationFailed):
        services.record_session(world.plan, curator, {"kind": "individual", "held_on": date(2027, 4, 30),
                                                      "topic": "Сложные случаи", "quota_ids": []})
    services.record_session(world.plan, curator, {"kind": "individual", "held_on": date(2027, 4, 30),
                                                  "topic": "Разбор консультаций", "quota_ids": [quota.id]})
    assert not [t for t in services.open_tasks_of_curator(curator) if t.quota_id == quota.id]
    assert services.sessions_for_quotas([quota.id])[quota.id][0].topic == "Разбор консультаций"


def test_returned_and_not_fixed_for_a_week_is_a_task(world):
    quota = world.quota(world.trainees[0])
    move_to(date(2027, 3, 20))
    c = services.log_consultation(quota, consultation_data(), world.trainees[0])
    services.review(c, quota.curator, "return", "Нет темы")
    move_to(date(2027, 3, 28))
    services.check_pace()
    kinds = {t.kind.value for t in services.open_tasks_of_curator(quota.curator) if t.quota_id == quota.id}
    assert "returned_unfixed" in kinds
    services.edit_consultation(c, consultation_data(), world.trainees[0])
    kinds = {t.kind.value for t in services.open_tasks_of_curator(quota.curator) if t.quota_id == quota.id}
    assert "returned_unfixed" not in kinds


def test_counts_for_other_areas(world):
    quota = world.quota(world.trainees[0])
    move_to(date(2027, 3, 20))
    for day in (11, 12, 13):
        c = services.log_consultation(quota, consultation_data(held_on=date(2027, 3, day)), world.trainees[0])
        services.review(c, quota.curator, "accept")
    progress = services.progress_for_event(world.event.id)
    assert progress[world.trainees[0].id].accepted == 3
    assert progress[world.trainees[0].id].status == PaceStatus.ON_TRACK.value
    assert services.accepted_consultations_count() == 3
    assert services.accepted_consultations_count(event_id=world.event.id, since=date(2027, 3, 12)) == 2
    assert services.accepted_consultations_count(programme_id=999) == 0
    assert services.progress_for_event(world.event.id + 1000) == {}

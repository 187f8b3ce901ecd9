"""The demo never contradicts itself (issue 22 item 8) and its people use their seed's language (issue 23 item 5).

The demo is loaded into a fresh database twice — on the real clock and on the last day of a 31-day month — and
checked by queries: the programme is mid-way (seminar held, consultations under way, some webinars held, the
round table ahead); no consultation outside its quota window, the programme or the past; quotas start after
their seminar, only for those who attended; certificates only for attendees, revocations with reasons; nothing
checked in, recorded or reported before it happened; report figures within their plans."""
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app import clock
from app.accounts.models import User
from app.certificates.models import Certificate
from app.events.models import Event, EventKind, Session, TripResult
from app.extensions import db
from app.programmes.models import PlanItem, Programme, plan_item_events
from app.quotas.models import Consultation, ConsultationQuota, MentoringSession, QuotaPlan
from app.registrations.models import CheckIn, Registration, RegistrationStatus
from app.reports import report
from app.reports.demo import TRIPS_PROGRAMME

KPD = "КПД НКО: команда пациентов в действии"


def _local(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def _ends(event_id: int) -> datetime:
    return db.session.scalar(select(func.max(Session.ends_at)).where(Session.event_id == event_id))


def _attended(event_id: int, user_id: int) -> int:
    return db.session.scalar(select(func.count(CheckIn.id)).join(Registration, CheckIn.registration_id == Registration.id)
                             .where(Registration.event_id == event_id, Registration.user_id == user_id))


def _check_timeline(now: datetime) -> None:
    kpd = db.session.execute(select(Programme).where(Programme.title == KPD)).scalar_one()
    today = _local(now, "Europe/Samara")
    assert kpd.starts_on < today < kpd.ends_on
    by_kind = {}
    for event in db.session.scalars(select(Event).where(Event.programme_id == kpd.id)):
        by_kind.setdefault(event.kind, []).append(_ends(event.id) <= now)
    assert sorted(by_kind[EventKind.SEMINAR]) == [False, True]           # seminar 1 held, seminar 2 ahead
    assert by_kind[EventKind.WEBINAR].count(True) == 2 and by_kind[EventKind.WEBINAR].count(False) == 1
    assert by_kind[EventKind.ROUND_TABLE] == [False]
    trainee_quota = db.session.execute(select(ConsultationQuota, QuotaPlan).join(QuotaPlan).join(
        User, User.id == ConsultationQuota.user_id).where(User.email == "trainee@example.org")).one()
    assert trainee_quota.QuotaPlan.starts_on <= today <= trainee_quota.ConsultationQuota.deadline


def _check_consultations(now: datetime) -> None:
    rows = db.session.execute(
        select(Consultation.held_on, Consultation.submitted_at, Consultation.reviewed_at, QuotaPlan.starts_on,
               ConsultationQuota.deadline, Programme.starts_on.label("p_start"), Programme.ends_on.label("p_end"),
               Event.timezone)
        .join(ConsultationQuota, Consultation.quota_id == ConsultationQuota.id)
        .join(QuotaPlan, ConsultationQuota.plan_id == QuotaPlan.id).join(Event, QuotaPlan.event_id == Event.id)
        .join(Programme, Event.programme_id == Programme.id)).all()
    assert len(rows) > 100
    for row in rows:
        assert row.starts_on <= row.held_on <= row.deadline, row
        assert row.p_start <= row.held_on <= row.p_end, row
        assert row.held_on <= _local(now, row.timezone) and _local(row.submitted_at, row.timezone) >= row.held_on
        assert row.reviewed_at is None or row.submitted_at <= row.reviewed_at <= now
    for held_on, starts_on in db.session.execute(select(MentoringSession.held_on, QuotaPlan.starts_on).join(QuotaPlan)):
        assert starts_on <= held_on <= now.date()


def _check_quotas() -> None:
    for plan, event, programme in db.session.execute(
            select(QuotaPlan, Event, Programme).join(Event, QuotaPlan.event_id == Event.id)
            .join(Programme, Event.programme_id == Programme.id)).all():
        assert plan.starts_on > _local(_ends(event.id), event.timezone)  # after the seminar ends
        assert plan.deadline <= programme.ends_on
        sessions = len(event.sessions)
        user_ids = db.session.scalars(select(ConsultationQuota.user_id).where(ConsultationQuota.plan_id == plan.id))
        for user_id in user_ids:
            assert 100 * _attended(event.id, user_id) >= event.attendance_threshold * sessions
        missing = db.session.scalar(select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CANCELLED))
        assert missing == 1  # the leader who fell ill has neither quota nor certificate


def _check_certificates() -> None:
    certificates = db.session.scalars(select(Certificate)).all()
    assert {c.event.kind for c in certificates} == {EventKind.SEMINAR, EventKind.OUTREACH_TRIP}
    for certificate in certificates:
        event = certificate.event
        assert 100 * _attended(event.id, certificate.user_id) >= event.attendance_threshold * len(event.sessions)
        assert certificate.issued_at >= _ends(event.id)
        if certificate.revoked_at is not None:
            assert certificate.revoke_reason.strip() and certificate.revoked_at >= certificate.issued_at
    revoked = [c for c in certificates if c.revoked_at is not None]
    assert sorted(c.superseded_by_id is None for c in revoked) == [False, True]  # one reissued, one revoked


def _check_nothing_before_it_happened(now: datetime) -> None:
    for checked_in_at, starts_at, ends_at in db.session.execute(
            select(CheckIn.checked_in_at, Session.starts_at, Session.ends_at).join(Session)):
        assert starts_at - timedelta(hours=1) <= checked_in_at <= ends_at and starts_at <= now
    for session in db.session.scalars(select(Session).where(Session.outcome_recorded_at.is_not(None))):
        assert session.ends_at <= session.outcome_recorded_at <= now
    for event_id in db.session.scalars(select(TripResult.event_id).distinct()):
        assert _ends(event_id) <= now
    for queued_at, starts_at in db.session.execute(
            select(Registration.queued_at, Event.starts_at).join(Event, Registration.event_id == Event.id)):
        assert queued_at < starts_at


def _check_programme_periods() -> None:
    for programme in db.session.scalars(select(Programme)):
        for event in db.session.scalars(select(Event).where(Event.programme_id == programme.id)):
            for session in event.sessions:
                local = _local(session.starts_at, event.timezone)
                assert programme.starts_on <= local <= programme.ends_on, (programme.title, event.title)
        for item in programme.plan_items:
            assert programme.starts_on <= item.planned_start <= item.planned_end <= programme.ends_on
    for item, event in db.session.execute(select(PlanItem, Event).join(
            plan_item_events, plan_item_events.c.plan_item_id == PlanItem.id).join(
            Event, plan_item_events.c.event_id == Event.id)).all():
        for session in event.sessions:
            assert item.planned_start <= _local(session.starts_at, event.timezone) <= item.planned_end, item.number


def _check_report_figures() -> dict:
    facts = {}
    for title in (KPD, TRIPS_PROGRAMME):
        programme = db.session.execute(select(Programme).where(Programme.title == title)).scalar_one()
        for row in report.build(programme.id)["indicators"]:
            if row["fact"] is not None:
                assert 0 <= row["fact"] <= row["plan"], row
            facts[row["name"]] = row["fact"]
    trained = facts["Обучено консультантов по технологии поддерживающего консультирования"]
    assert 0 < trained < 30
    assert facts["Консультанты, выполнившие квоту в 20 консультаций"] < trained / 4  # a funder believes it
    assert facts["Консультации, проведённые обученными консультантами (по 20 каждым)"] < 20 * trained * 0.6
    assert facts["Выдано сертификатов участникам семинаров"] <= trained
    assert facts["Обучено представителей НКО технологии построения комьюнити"] == 0  # stage 2 is ahead
    assert facts["Проведено вебинаров"] == 2
    assert facts["Проведено выездов #ДоброВСело"] == 1
    return facts


def _check_languages(output: str) -> None:
    locales = dict(db.session.execute(select(User.email, User.locale)).all())
    groups = db.session.scalars(select(Event).where(Event.kind == EventKind.SELF_HELP_GROUP)).all()
    assert {g.language for g in groups} == {"bg"}
    for group in groups:
        members = db.session.scalars(select(User.locale).join(Registration, Registration.user_id == User.id)
                                     .where(Registration.event_id == group.id)).all()
        assert set(members) == {"bg"} and group.group.facilitator.locale == "bg"
    training = db.session.execute(select(Event).where(Event.language == "pl")).scalar_one()
    people = db.session.scalars(select(User.locale).join(Registration, Registration.user_id == User.id)
                                .where(Registration.event_id == training.id)).all()
    assert sorted(set(people)) == ["lt", "pl"] and len(people) == 8
    russians = db.session.scalars(select(User.locale).join(Registration, Registration.user_id == User.id)
                                  .join(Event, Registration.event_id == Event.id)
                                  .where(Event.programme_id.is_not(None))).all()
    assert set(russians) == {"ru"}  # everyone in the Russian programmes
    printed = {line.split(":")[0].strip(): line for line in output.splitlines() if line.startswith("  ")}
    assert len(printed) == 8
    for email, line in printed.items():
        assert line.rstrip().endswith(f"({locales[email]})"), line
    assert {locales[email] for email in printed} == {"ru", "bg", "pl", "lt"}


@pytest.mark.parametrize("moment", [None, datetime(2027, 3, 31, 12, 0, tzinfo=UTC)], ids=["today", "month-end"])
def test_the_demo_tells_one_coherent_story(app, runner, moment):
    with clock.frozen_at(moment) if moment else nullcontext():
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        now = clock.now()
        _check_timeline(now)
        _check_consultations(now)
        _check_quotas()
        _check_certificates()
        _check_nothing_before_it_happened(now)
        _check_programme_periods()
        facts = _check_report_figures()
        _check_languages(result.output)
        print(f"\ndemo on {now:%Y-%m-%d}: " + "; ".join(f"{name}: {fact}" for name, fact in facts.items()))

"""The report: plans (overall and per stage), facts, % of plan, status, calendar-plan deviations, snapshots."""
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from app.errors import ValidationFailed
from app.extensions import db
from app.programmes.models import PlanItem
from app.reports import indicators, report, snapshots
from app.reports.models import ReportSnapshot, SnapshotImmutable
from tests.reports.conftest import make_organiser


def add(known, actor, **data):
    base = {"name": "Показатель", "unit": "", "plan": 10, "source": "manual"}
    return indicators.create_indicator(known["programme"], actor, {**base, **data})


@pytest.fixture
def organiser(app):
    return make_organiser()


def test_overall_plan_is_not_the_sum_of_stage_plans(known, organiser):
    s1, s2 = known["stages"]
    add(known, organiser, name="Обучено консультантов", plan=30, source="trainees_trained",
        **{f"stage_plan_{s1.id}": 20, f"stage_plan_{s2.id}": 20})
    data = report.build(known["programme"].id)
    row = data["indicators"][0]
    assert (row["plan"], row["fact"], row["percent"], row["unit"]) == (30, 3, 10, "человек")
    stage_1, stage_2 = data["stages"]
    assert (stage_1["indicators"][0]["plan"], stage_1["indicators"][0]["fact"]) == (20, 3)
    assert (stage_2["indicators"][0]["plan"], stage_2["indicators"][0]["fact"]) == (20, 0)
    # Stage 1 ended on 30 June but today is 15 June: 3 of 20 with ~92 % of the stage gone is behind.
    assert stage_1["indicators"][0]["status"] == "behind"


def test_status_against_the_elapsed_share_of_the_period():
    start, end = date(2027, 1, 1), date(2027, 12, 31)
    assert report.status(None, 10, start, end, date(2027, 6, 1)) == "no_fact"
    assert report.status(5, 0, start, end, date(2027, 6, 1)) == "no_plan"
    assert report.status(10, 10, start, end, date(2027, 2, 1)) == "met"
    assert report.status(6, 10, start, end, date(2027, 7, 1)) == "on_track"  # ~50 % elapsed
    assert report.status(4, 10, start, end, date(2027, 7, 1)) == "behind"
    assert report.status(9, 10, start, end, date(2028, 1, 1)) == "missed"
    assert report.status(0, 10, start, end, date(2026, 12, 1)) == "on_track"  # not started yet


def test_manual_fact_with_note_and_evidence_overall_or_summed_from_stages(known, organiser):
    s1, s2 = known["stages"]
    visitors = add(known, organiser, name="Посетители сайта", unit="человек", plan=50)
    indicators.record_manual_fact(visitors, organiser, {"stage_id": s1.id, "value": 30, "note": "Метрика, март–июнь"})
    indicators.record_manual_fact(visitors, organiser, {"stage_id": s2.id, "value": 20})
    row = report.build(known["programme"].id)["indicators"][0]
    assert (row["fact"], row["percent"], row["status"]) == (50, 100, "met")
    indicators.record_manual_fact(visitors, organiser, {"value": 77, "note": "Яндекс Метрика",
                                                        "evidence_url": "https://example.org/stats"})
    data = report.build(known["programme"].id)
    row = data["indicators"][0]
    assert (row["fact"], row["note"], row["evidence_url"]) == (77, "Яндекс Метрика", "https://example.org/stats")
    assert data["stages"][0]["indicators"][0]["fact"] == 30
    indicators.record_manual_fact(visitors, organiser, {"value": None})
    assert report.build(known["programme"].id)["indicators"][0]["fact"] == 50


def test_bad_definitions_name_their_fields_and_save_nothing(known, organiser):
    other_stage_id = 10**6
    with pytest.raises(ValidationFailed) as caught:
        add(known, organiser, name="", plan=-1, source="nonsense", filter_stage_id=other_stage_id,
            filter_date_from=date(2027, 5, 1), filter_date_to=date(2027, 4, 1))
    assert set(caught.value.fields) >= {"name", "plan", "source", "filter_stage_id", "filter_date_to"}
    with pytest.raises(ValidationFailed) as caught:
        add(known, organiser, source="people_served", filter_option="not-a-service",
            filter_event_id=known["events"][0].id + 1000)
    assert set(caught.value.fields) == {"filter_option", "filter_event_id"}
    with pytest.raises(ValidationFailed) as caught:
        add(known, organiser, source="manual", filter_event_kind="seminar")
    assert "source" in caught.value.fields
    assert indicators.indicators_of(known["programme"]) == []
    computed = add(known, organiser, source="events_held")
    with pytest.raises(ValidationFailed) as caught:
        indicators.record_manual_fact(computed, organiser, {"value": 5})
    assert "value" in caught.value.fields
    manual = add(known, organiser)
    with pytest.raises(ValidationFailed) as caught:
        indicators.record_manual_fact(manual, organiser, {"value": 5, "evidence_url": "javascript:alert(1)"})
    assert "evidence_url" in caught.value.fields
    assert manual.manual_facts == []


def test_filters_narrow_a_computed_source(known, organiser):
    s1, s2 = known["stages"]
    add(known, organiser, name="Выезды", plan=6, source="events_held", filter_event_kind="outreach_trip")
    add(known, organiser, name="Осмотрено", plan=200, source="people_served", filter_option="checkups")
    add(known, organiser, name="Участники этапа 2", plan=30, source="participants", filter_stage_id=s2.id)
    add(known, organiser, name="Весной", plan=5, source="participants",
        filter_date_from=date(2027, 3, 1), filter_date_to=date(2027, 3, 31))
    facts = [row["fact"] for row in report.build(known["programme"].id)["indicators"]]
    assert facts == [2, 94, 0, 3]  # stage 2's only event (E3, August) has not been held on 15 June


def test_calendar_plan_deviation_in_days(known, organiser, frozen):
    programme, e1 = known["programme"], known["events"][0]
    db.session.add_all([
        PlanItem(programme_id=programme.id, position=1, number="1", activity="Семинар",
                 planned_start=date(2027, 2, 1), planned_end=date(2027, 2, 27), events=[e1]),
        PlanItem(programme_id=programme.id, position=2, number="2", activity="Круглый стол",
                 planned_start=date(2027, 5, 1), planned_end=date(2027, 5, 31)),
        PlanItem(programme_id=programme.id, position=3, number="3", activity="Итоги",
                 planned_start=date(2027, 11, 1), planned_end=date(2027, 11, 30)),
        PlanItem(programme_id=programme.id, position=4, number="4", activity="Семинар в срок",
                 planned_start=date(2027, 1, 15), planned_end=date(2027, 3, 31), events=[e1]),
        PlanItem(programme_id=programme.id, position=5, number="5", activity="Семинар раньше плана",
                 planned_start=date(2027, 3, 5), planned_end=date(2027, 3, 31), events=[e1]),
    ])
    db.session.commit()
    plan = report.build(programme.id)["plan"]
    assert [(r["number"], r["state"], r["deviation_days"]) for r in plan] == [
        ("1", "held", 4), ("2", "overdue", 15), ("3", "planned", None), ("4", "held", 0), ("5", "held", -4)]
    assert plan[0]["events"][0]["outcome"] == "held"


def test_snapshot_never_changes_after_the_data_does(known, organiser):
    add(known, organiser, name="Обучено", plan=30, source="trainees_trained")
    indicators.save_deviations(known["programme"], organiser, "Болезнь двух участников.")
    snapshot = snapshots.freeze(known["programme"], organiser, "Отчёт за этап 1")
    frozen_data = snapshot.data
    assert frozen_data["indicators"][0]["fact"] == 3
    assert frozen_data["deviations"] == "Болезнь двух участников."
    # The data moves on: another trained person, new text, an edited indicator.
    e2, u2 = known["events"][1], known["users"][1]
    from tests.reports.conftest import register

    register(e2, u2, checked_in=1)
    db.session.commit()
    indicators.save_deviations(known["programme"], organiser, "Иной текст.")
    indicators.update_indicator(indicators.indicators_of(known["programme"])[0], organiser,
                                {"name": "Переименовано", "plan": 40, "source": "trainees_trained"})
    db.session.expire_all()
    again = db.session.get(ReportSnapshot, snapshot.id)
    assert again.data == frozen_data and snapshots.is_intact(again)
    live = report.build(known["programme"].id)
    assert (live["indicators"][0]["fact"], live["indicators"][0]["plan"]) == (4, 40)
    comparison = snapshots.compare(again.data, live)
    assert comparison[0]["fact_before"] == 3 and comparison[0]["fact_after"] == 4 and comparison[0]["delta"] == 1
    # The model refuses any change to a frozen row.
    again.label = "подмена"
    with pytest.raises(SnapshotImmutable):
        db.session.flush()
    db.session.rollback()
    assert db.session.execute(text("SELECT label FROM report_snapshots")).scalar() == "Отчёт за этап 1"


def test_report_query_count_does_not_grow_with_the_data(known, organiser):
    from tests.events.test_listing import count_queries
    from tests.reports.conftest import event_row, people, register

    add(known, organiser, name="Обучено", plan=30, source="trainees_trained")
    add(known, organiser, name="Регионы", plan=30, source="regions_covered")
    add(known, organiser, name="Посетители", plan=30)
    programme_id = known["programme"].id
    db.session.expunge_all()
    small = count_queries(lambda: report.build(programme_id))
    from app.events.models import EventKind
    from app.programmes.models import Programme

    programme = db.session.get(Programme, programme_id)
    crowd = people([("RU-SAM", None)] * 40)
    for n in range(5):
        event = event_row(programme, EventKind.SEMINAR, f"Ещё семинар {n}", date(2027, 4, 1) + timedelta(days=n))
        for user in crowd:
            register(event, user, checked_in=1)
    db.session.commit()
    db.session.expunge_all()
    large = count_queries(lambda: report.build(programme_id))
    assert small == large, (small, large)

"""Demo indicators (called by app/demo.py): seed 001's «Результаты проекта» and seed 004's six trips.

Idempotent like the rest of the demo: indicators are looked up by name, the trips programme by
title, the snapshot by its label. Everything goes through the services.
"""
from sqlalchemy import select

from app.accounts.models import User
from app.core.demo import Seeding
from app.events import services as events
from app.events.models import Event
from app.extensions import db
from app.programmes import services as programmes
from app.programmes.models import Programme
from app.reports import indicators, snapshots
from app.reports.models import ReportSnapshot

TRIPS_PROGRAMME = "#ДоброВСело: профилактические выезды в сёла Смоленской области"
SNAPSHOT_LABEL = "Промежуточный отчёт Министерству здравоохранения"


def kpd_indicators(stage_ids: dict[int, int]) -> list[dict]:
    """Seed 001: 60 leaders from 45 NGOs, 30 regions × 20 consultations, 15 initiatives with 300 people."""
    s1, s2 = stage_ids.get(1), stage_ids.get(2)
    rows = [
        {"name": "Лидеры пациентских НКО — участники проекта", "unit": "человек", "plan": 60,
         "source": "participants", "filter_event_kind": "seminar", "stage_plans": {s1: 30, s2: 30}},
        {"name": "Пациентские НКО — участники проекта", "unit": "организаций", "plan": 45,
         "source": "organisations_covered", "filter_event_kind": "seminar"},
        {"name": "Обучено консультантов по технологии поддерживающего консультирования", "unit": "человек",
         "plan": 30, "source": "trainees_trained", "filter_stage_id": s1, "filter_event_kind": "seminar",
         "stage_plans": {s1: 30}},
        {"name": "Регионы, где мультиплицирована технология поддерживающего консультирования", "unit": "регионов",
         "plan": 30, "source": "regions_covered", "filter_stage_id": s1, "stage_plans": {s1: 30}},
        {"name": "Консультации, проведённые обученными консультантами (по 20 каждым)", "unit": "консультаций",
         "plan": 600, "source": "consultations_accepted", "stage_plans": {s1: 600}},
        {"name": "Консультанты, выполнившие квоту в 20 консультаций", "unit": "человек", "plan": 30,
         "source": "quotas_met", "stage_plans": {s1: 30}},
        {"name": "Обучено представителей НКО технологии построения комьюнити", "unit": "человек", "plan": 30,
         "source": "trainees_trained", "filter_stage_id": s2, "filter_event_kind": "seminar",
         "stage_plans": {s2: 30}},
        {"name": "Регионы, где апробирована технология формирования комьюнити", "unit": "регионов", "plan": 15,
         "source": "regions_covered", "filter_stage_id": s2, "stage_plans": {s2: 15}},
        {"name": "Реализовано проектных инициатив", "unit": "инициатив", "plan": 15, "source": "manual",
         "stage_plans": {s2: 15}},
        {"name": "Участники проектных инициатив", "unit": "человек", "plan": 300, "source": "manual",
         "stage_plans": {s2: 300}},
        {"name": "Проведено вебинаров", "unit": "вебинаров", "plan": 6, "source": "events_held",
         "filter_event_kind": "webinar", "stage_plans": {s1: 3, s2: 3}},
        {"name": "Выдано сертификатов участникам семинаров", "unit": "сертификатов", "plan": 60,
         "source": "certificates_issued", "filter_option": "participation", "filter_event_kind": "seminar"},
        {"name": "Публикации о проекте в СМИ и социальных сетях", "unit": "публикаций", "plan": 20,
         "source": "manual", "fact": 4,
         "note": "Анонс и итоги выездного семинара-тренинга на сайтах партнёров и в группе ВКонтакте: "
                 "https://vk.com/kpd_nko?w=wall-1_12 https://ok.ru/group/kpdnko/topic/1",
         "evidence_url": "https://vk.com/kpd_nko",
         "deviation_note": "Часть публикаций перенесена на второй этап: в октябре и ноябре команда проекта долго "
                           "болела (коронавирусная инфекция)."},
    ]
    return rows


def trips_indicators() -> list[dict]:
    """Seed 004: six trips a school year, check-ups, career guidance for pupils, volunteers."""
    return [
        {"name": "Проведено выездов #ДоброВСело", "unit": "выездов", "plan": 6, "source": "events_held",
         "filter_event_kind": "outreach_trip"},
        {"name": "Жители сёл, прошедшие профилактический осмотр", "unit": "человек", "plan": 300,
         "source": "people_served", "filter_option": "checkups"},
        {"name": "Школьники на профориентации в медицину", "unit": "человек", "plan": 150,
         "source": "people_served", "filter_option": "career_guidance"},
        {"name": "Все обслуженные на выездах", "unit": "человек", "plan": 600, "source": "people_served"},
        {"name": "Волонтёры-медики в выездных командах", "unit": "человек", "plan": 20, "source": "participants",
         "filter_event_kind": "outreach_trip"},
    ]


def define(programme: Programme, organiser: User, rows: list[dict], note) -> None:
    have = {i.name for i in indicators.indicators_of(programme)}
    for row in rows:
        if row["name"] in have:
            continue
        data = {k: v for k, v in row.items() if k not in ("stage_plans", "fact", "note", "evidence_url")}
        for stage_id, plan in (row.get("stage_plans") or {}).items():
            if stage_id:
                data[f"stage_plan_{stage_id}"] = plan
        indicator = indicators.create_indicator(programme, organiser, data)
        if row.get("fact") is not None:
            indicators.record_manual_fact(indicator, organiser, {"value": row["fact"], "note": row.get("note", ""),
                                                                 "evidence_url": row.get("evidence_url", "")})
        note(f"indicator {row['name']}")


def trips_programme(seeding: Seeding, organiser: User, trips: list[Event], note) -> Programme:
    """A ten-month "school year" from the demo's first month: the past trip and the next one lie inside it."""
    programme = db.session.execute(select(Programme).where(Programme.title == TRIPS_PROGRAMME)).scalar_one_or_none()
    if programme is None:
        programme = programmes.create_programme(organiser, {
            "title": TRIPS_PROGRAMME,
            "funder": "Министерство здравоохранения Смоленской области",
            "starts_on": seeding.on(0, 1), "ends_on": seeding.on(9, 30),
            "regions": ["RU-SMO"],
            "target_groups": "Жители сельских населённых пунктов Смоленской области; школьники сельских школ.",
            "description": "Профилактические выезды Смоленского регионального отделения ВОД «Волонтёры-медики» "
                           "совместно со Смоленским государственным медицинским университетом: медицинские "
                           "осмотры в рамках диспансеризации, лекции о здоровье, донорство крови и профориентация "
                           "школьников в медицину. План учебного года — 6 выездов.",
            "organisers": [organiser.id],
        })
        note(f"programme {TRIPS_PROGRAMME}")
    for trip in trips:
        if trip.programme_id is None:
            events.update_event(trip, organiser, {"programme_id": programme.id})
            note(f"trip {trip.title} in {TRIPS_PROGRAMME}")
    return programme


def seed(seeding: Seeding, kpd: Programme, organiser: User, trips: list[Event], note) -> None:
    """Indicators of both demo programmes and one frozen snapshot of the trips programme."""
    kpd = programmes.load_programme(kpd.id)
    define(kpd, organiser, kpd_indicators({s.number: s.id for s in kpd.stages}), note)
    trips_prog = trips_programme(seeding, organiser, trips, note)
    define(trips_prog, organiser, trips_indicators(), note)
    frozen = db.session.execute(select(ReportSnapshot.id).where(
        ReportSnapshot.programme_id == trips_prog.id, ReportSnapshot.label == SNAPSHOT_LABEL)).scalar()
    if frozen is None:
        snapshots.freeze(trips_prog, organiser, SNAPSHOT_LABEL)
        note(f"snapshot {SNAPSHOT_LABEL}")

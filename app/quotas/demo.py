"""Demo quotas for `seed-demo`: the first seminar's leaders who attended, each owing 20 consultations
(seed 001).

The seminar was held in the programme's second month; the quota window is plan item 2's — from the first
day of the next month to the end of the programme's fifth — so today consultations are under way. The plan
was saved a week after the seminar and gave a quota to everyone whose attendance reached the threshold. Each
leader's consultations are spread from the window's first day to today, logged the evening they were held and
reviewed a day or two later, in numbers relative to the pace expected today, so every state shows on any day:
met, ahead, on track, behind, not started. Everything goes through the services: log, review, return, change,
catch-up plans, mentoring, the pace check. Nothing is done twice: with a plan on the seminar, nothing changes.
"""
import math
from datetime import date, timedelta

from app import clock
from app.core.demo import Seeding, at_moment
from app.database import unit_of_work
from app.quotas import services
from app.quotas.base import today
from app.quotas.models import ConsultationQuota
from app.quotas.queries import quota_rows

TARGET = 20
TOPICS = ("rights: Права пациентов и льготное лекарственное обеспечение\n"
          "support: Психологическая поддержка пациента и близких\n"
          "diet: Питание и образ жизни\n"
          "navigation: Маршрутизация в системе здравоохранения")
TOPIC_CODES = ("rights", "support", "diet", "navigation")
FORMATS = ("in_person", "phone", "online", "group", "home_visit")
NOTES = ("Разъяснили порядок получения льготных препаратов.", "Поддерживающая беседа после выписки.",
         "Обсудили питание на диализе.", "Помогли записаться к нефрологу областной больницы.", "")

# Per attendee (by position): accepted as a share of the count expected by today (None: the quota is met),
# submitted and waiting, returned. "Behind" is below 70 % of the expected count.
SCENARIOS = (
    (1.0, 1, 1),                                                    # trainee@example.org: on track, one to fix
    (None, 0, 0), (None, 1, 0),                                     # met
    (1.8, 1, 0), (1.6, 0, 0), (1.7, 2, 0), (1.5, 1, 0),             # ahead
    (1.1, 1, 0), (1.0, 2, 0), (1.05, 0, 1), (0.95, 1, 0), (1.0, 0, 0), (0.9, 1, 1), (1.1, 0, 0), (0.95, 0, 0),
    (0.4, 1, 0), (0.3, 0, 1), (0.45, 0, 0), (0.2, 1, 0), (0.4, 0, 0), (0.25, 0, 0),              # behind
    (0, 0, 0), (0, 1, 0), (0, 0, 0), (0, 0, 0),                     # not started (one waits for the first review)
    (1.1, 0, 0), (1.0, 0, 0), (0.95, 1, 0), (1.05, 0, 0),           # on track
)
CATCH_UP_ACCEPTED, CATCH_UP_ASKED = 17, 18
ILL, MENTORED = 22, 20


def seed_quotas(seeding: Seeding, seminar, organiser, curators, attendees) -> None:
    """Quotas in every state for the seminar's attendees (the seminar has ended).

    One unit of work around it all (the services join it): a few hundred reviews commit once."""
    if services.plan_for_event(seminar.id) is not None:
        return
    with unit_of_work():
        _seed(seeding, seminar, organiser, curators, attendees)
    seeding.note(f"quota plan of {seminar.title}")


def _seed(seeding: Seeding, seminar, organiser, curators, attendees) -> None:
    starts_on, deadline = seeding.on(2, 1), seeding.on(4, 30)
    with clock.frozen_at(seminar.ends_at + timedelta(days=7)):
        plan = services.save_plan(seminar, {
            "target": TARGET, "starts_on": starts_on, "deadline": deadline, "behind_percent": 70,
            "formats": list(FORMATS), "topics": TOPICS, "curators": [c.id for c in curators]}, organiser)
        services.spread_curators(plan, organiser)
    quotas = {row.quota.user_id: row.quota for row in quota_rows(ConsultationQuota.plan_id == plan.id)}
    day = today(seminar.timezone)
    expected = TARGET * ((day - starts_on).days + 1) / ((deadline - starts_on).days + 1)
    for index, leader in enumerate(attendees):
        share, waiting, returned = SCENARIOS[index % len(SCENARIOS)]
        accepted = TARGET if share is None else min(TARGET - 1, round(share * expected))
        _log(seeding, seminar.timezone, quotas[leader.id], leader, (accepted, waiting, returned), starts_on, index)
    services.change_quota(quotas[attendees[ILL].id], organiser, target=12, deadline=deadline + timedelta(days=14),
                          reason="Три недели на больничном с начала консультаций; по согласованию с куратором "
                                 "цель снижена до 12, срок продлён на две недели.")
    _catch_up(quotas[attendees[CATCH_UP_ACCEPTED].id], attendees[CATCH_UP_ACCEPTED], accepted=True)
    _catch_up(quotas[attendees[CATCH_UP_ASKED].id], attendees[CATCH_UP_ASKED], accepted=False)
    _mentoring(plan, curators, quotas, attendees, day)
    services.check_pace()


def _log(seeding: Seeding, timezone: str, quota, leader, counts: tuple[int, int, int], starts_on: date,
         seed: int) -> None:
    """Consultations spread over the window so far, each logged that evening; the accepted and returned ones
    reviewed a day or two later (the waiting ones are the latest)."""
    accepted, waiting, returned = counts
    total = accepted + waiting + returned
    span = max((today(timezone) - starts_on).days, 0)
    for n in range(total):
        held_on = starts_on + timedelta(days=min(span, math.ceil((n + 1) * span / (total + 1))))
        with clock.frozen_at(min(at_moment(held_on, 19, timezone), seeding.now)):
            consultation = _log_one(quota, leader, held_on, n, seed)
        if accepted <= n < accepted + waiting:
            continue
        with clock.frozen_at(min(at_moment(held_on + timedelta(days=1 + n % 2), 11, timezone), seeding.now)):
            if n < accepted:
                services.review(consultation, quota.curator, "accept")
            else:
                services.review(consultation, quota.curator, "return",
                                "Уточните тему консультации: в заметке речь о маршрутизации, а не о правах.")


def _log_one(quota, leader, held_on: date, n: int, seed: int):
    return services.log_consultation(quota, {
            "held_on": held_on, "format": FORMATS[(n + seed) % len(FORMATS)],
            "topic": TOPIC_CODES[(n * 3 + seed) % len(TOPIC_CODES)], "duration_minutes": 30 + 15 * ((n + seed) % 4),
            "client_type": ("patient", "patient", "relative", "other")[(n + seed) % 4],
            "is_repeat": n % 3 == 2, "note": NOTES[(n + seed) % len(NOTES)]}, leader)


def _catch_up(quota, leader, accepted: bool) -> None:
    services.request_catch_up(quota, quota.curator)
    if accepted:
        services.submit_catch_up(quota, leader, 3, "По три консультации в неделю: приём в школе пациентов по "
                                                   "вторникам и звонки по четвергам.")
        services.decide_catch_up(quota, quota.curator, True)


def _mentoring(plan, curators, quotas, leaders, day: date) -> None:
    for curator in curators:
        mine = [quotas[leader.id].id for leader in leaders if quotas[leader.id].curator_id == curator.id]
        services.record_session(plan, curator, {
            "kind": "group", "held_on": day - timedelta(days=21), "topic": "Разбор сложных случаев консультирования",
            "notes": "Групповая супервизия онлайн, 90 минут.", "quota_ids": mine[:8]})
    behind = quotas[leaders[MENTORED].id]
    services.record_session(plan, behind.curator, {
        "kind": "individual", "held_on": day - timedelta(days=3), "topic": "Как найти клиентов в районе",
        "notes": "Договорились о консультациях при областной больнице.", "quota_ids": [behind.id]})

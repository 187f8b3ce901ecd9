"""Demo quotas for `seed-demo`: the demo seminar's 30 leaders, each owing 20 consultations (seed 001).

The demo seminar itself lies in the future (the demo is dated from next month on), so to show
every state today the plan's window runs from six weeks ago to six weeks ahead, and the leaders
are given their quotas by hand (the organiser's exception for people whose attendance is not
recorded yet). Everything goes through the services: log, review, return, fix, catch-up plans,
mentoring, the pace check. Nothing is done twice: with a plan on the seminar, nothing changes.
"""
from datetime import date, timedelta

from app.database import unit_of_work
from app.quotas import services
from app.quotas.base import today

TOPICS = ("rights: Права пациентов и льготное лекарственное обеспечение\n"
          "support: Психологическая поддержка пациента и близких\n"
          "diet: Питание и образ жизни\n"
          "navigation: Маршрутизация в системе здравоохранения")
TOPIC_CODES = ("rights", "support", "diet", "navigation")
FORMATS = ("in_person", "phone", "online", "group", "home_visit")
NOTES = ("Разъяснили порядок получения льготных препаратов.", "Поддерживающая беседа после выписки.",
         "Обсудили питание на диализе.", "Помогли записаться к нефрологу областной больницы.", "")

# Per leader (by position in the demo list): accepted, submitted (waiting), returned. 20 is the target;
# today is day 43 of 85, about 10 expected, "behind" below 7.
SCENARIOS = (
    (9, 1, 1),                                              # trainee@example.org: on track, one to fix
    (20, 0, 0), (21, 0, 0), (20, 1, 0), (20, 0, 0),         # met
    (15, 1, 0), (14, 0, 0), (16, 2, 0), (14, 1, 0),         # ahead
    (10, 1, 0), (9, 2, 0), (11, 0, 1), (8, 1, 0), (10, 0, 0), (9, 1, 1), (11, 0, 0), (8, 0, 0),  # on track
    (4, 1, 0), (3, 0, 1), (5, 0, 0), (2, 1, 0), (4, 0, 0), (1, 0, 0),                           # behind
    (0, 0, 0), (0, 1, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0),  # not started (one waits for the first review)
    (12, 0, 0), (10, 0, 0),
)
CATCH_UP_ACCEPTED, CATCH_UP_ASKED = 17, 18


def seed_quotas(seminar, organiser, curators, leaders, note) -> None:
    """Quotas in every state for the demo seminar's leaders; `note(text)` records what was created.

    One unit of work around it all (the services join it): a few hundred reviews commit once."""
    if services.plan_for_event(seminar.id) is not None:
        return
    with unit_of_work():
        _seed(seminar, organiser, curators, leaders)
    note(f"quota plan of {seminar.title}")


def _seed(seminar, organiser, curators, leaders) -> None:
    day = today(seminar.timezone)
    starts_on, deadline = day - timedelta(days=42), day + timedelta(days=42)
    plan = services.save_plan(seminar, {
        "target": 20, "starts_on": starts_on, "deadline": deadline, "behind_percent": 70,
        "formats": list(FORMATS), "topics": TOPICS, "curators": [c.id for c in curators]}, organiser)
    for leader in leaders:
        services.add_trainee(plan, leader, organiser)
    services.spread_curators(plan, organiser)
    quotas = {row.quota.user_id: row.quota for row in services.cohort(plan).rows}
    for index, leader in enumerate(leaders):
        accepted, waiting, returned = SCENARIOS[index % len(SCENARIOS)]
        _log(quotas[leader.id], leader, accepted, waiting, returned, starts_on, day, index)
    illness = quotas[leaders[22].id]
    services.change_quota(illness, organiser, target=12, deadline=deadline + timedelta(days=14),
                          reason="Болела три недели в апреле; по согласованию с куратором цель снижена до 12.")
    _catch_up(quotas[leaders[CATCH_UP_ACCEPTED].id], leaders[CATCH_UP_ACCEPTED], accepted=True)
    _catch_up(quotas[leaders[CATCH_UP_ASKED].id], leaders[CATCH_UP_ASKED], accepted=False)
    _mentoring(plan, curators, quotas, leaders, day)
    services.check_pace()


def _log(quota, leader, accepted: int, waiting: int, returned: int, starts_on: date, day: date, seed: int) -> None:
    total = accepted + waiting + returned
    span = max((day - starts_on).days, 1)
    for n in range(total):
        held_on = starts_on + timedelta(days=min(span, (n + 1) * span // (total + 1)))
        consultation = services.log_consultation(quota, {
            "held_on": held_on, "format": FORMATS[(n + seed) % len(FORMATS)],
            "topic": TOPIC_CODES[(n * 3 + seed) % len(TOPIC_CODES)], "duration_minutes": 30 + 15 * ((n + seed) % 4),
            "client_type": ("patient", "patient", "relative", "other")[(n + seed) % 4],
            "is_repeat": n % 3 == 2, "note": NOTES[(n + seed) % len(NOTES)]}, leader)
        if n < accepted:
            services.review(consultation, quota.curator, "accept")
        elif n >= accepted + waiting:
            services.review(consultation, quota.curator, "return",
                            "Уточните тему консультации: в заметке речь о маршрутизации, а не о правах.")


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
    behind = quotas[leaders[20].id]
    services.record_session(plan, behind.curator, {
        "kind": "individual", "held_on": day - timedelta(days=3), "topic": "Как найти клиентов в районе",
        "notes": "Договорились о консультациях при областной больнице.", "quota_ids": [behind.id]})

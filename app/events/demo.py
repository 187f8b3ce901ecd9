"""The demo's events (`flask seed-demo`): KPD NKO's seminars, webinars and round table (seed 001), the
#ДоброВСело trips (seed 004), the Polish certified training (seed 003) and the self-help groups' meeting series
(seed 002). Each event is looked up by its title first, so a second run adds nothing."""
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.accounts.models import User
from app.core.demo import Seeding, at
from app.events import services as events
from app.events.models import Event
from app.extensions import db
from app.programmes.models import Programme

MOSCOW = "Europe/Moscow"
SEMINAR_1 = "Поддерживающее консультирование в деятельности пациентской организации"
SEMINAR_2 = "Активизация пациентских сообществ и построение комьюнити"
ROUND_TABLE = "Онлайн круглый стол «Поддерживающее консультирование: итоги направления»"
TRAINING_003 = "Szkolenie certyfikowane: postępowanie w stanach nagłych u dzieci"
# (title, month offset, day): two held in the first month of consultations, the third ahead (offset 4).
WEBINARS = (
    ("Вебинар 1. Личные границы консультанта и профилактика выгорания", 2, 12),
    ("Вебинар 2. Трудный разговор: тревога, гнев и отчаяние пациента", 2, 26),
    ("Вебинар 3. Разбор случаев из практики поддерживающего консультирования", 4, 14),
)


def event(seeding: Seeding, organiser: User, data: dict) -> Event:
    existing = db.session.execute(select(Event).where(Event.title == data["title"])).scalars().first()
    if existing is not None:
        return existing
    seeding.note(f"event {data['title']}")
    return events.create_event(organiser, {"status": "published", **data})


def kpd_events(seeding: Seeding, programme: Programme, organiser: User) -> dict[str, list[Event]]:
    """The programme's events, by the number of the plan item they carry out."""
    seminar_day = seeding.on(1, 16)
    seminar_1 = event(seeding, organiser, {
        "kind": "seminar", "title": SEMINAR_1, "programme_id": programme.id, "language": "ru",
        "timezone": "Europe/Samara", "region_code": "RU-SAM", "capacity": 30,
        "description": "Выездной 3-хдневный семинар-тренинг для руководителей и лидеров пациентских НКО — по "
                       "одному человеку от региона. Участники освоят подход и приёмы поддерживающего "
                       "консультирования, остановятся на соблюдении личных границ и методах построения "
                       "коммуникации, а затем проведут по 20 консультаций в своих регионах.",
        "venue": "Загородный учебный центр «Жигули»",
        "address": "Самарская область, Ставропольский район, с. Подгоры",
        "requires_approval": True, "max_per_region": 1, "attendance_threshold": 100,
        "registration_closes_at": at(seminar_day - timedelta(days=7), 18),
        "sessions": [
            {"start": at(seminar_day, 10), "end": at(seminar_day, 18),
             "title": "День 1. Технология системного консультирования"},
            {"start": at(seminar_day + timedelta(days=1), 9), "end": at(seminar_day + timedelta(days=1), 18),
             "title": "День 2. Активное слушание и поддерживающий диалог"},
            {"start": at(seminar_day + timedelta(days=2), 9), "end": at(seminar_day + timedelta(days=2), 15),
             "title": "День 3. Саморегуляция и самомотивация"},
        ],
    })
    webinars = [
        event(seeding, organiser, {
            "kind": "webinar", "title": title, "programme_id": programme.id, "language": "ru",
            "timezone": MOSCOW, "is_online": True, "online_url": f"https://meet.jit.si/kpd-nko-webinar-{n}",
            "description": "Вебинар для консультантов, прошедших выездной семинар-тренинг: экспертная "
                           "поддержка в период проведения консультаций в регионах.",
            "sessions": [{"start": at(seeding.on(offset, day), 15),
                          "end": at(seeding.on(offset, day), 16, 30), "title": ""}],
        })
        for n, (title, offset, day) in enumerate(WEBINARS, start=1)
    ]
    round_table_day = seeding.on(5, 16)
    round_table = event(seeding, organiser, {
        "kind": "round_table", "title": ROUND_TABLE, "programme_id": programme.id, "language": "ru",
        "timezone": MOSCOW, "is_online": True, "online_url": "https://meet.jit.si/kpd-nko-round-table",
        "description": "Итоги направления проекта «Поддерживающее консультирование»: опыт консультантов из "
                       "30 регионов, трудности и найденные решения.",
        "speakers": "Руководитель проекта, кураторы-эксперты, консультанты — лидеры пациентских НКО",
        "sessions": [{"start": at(round_table_day, 14), "end": at(round_table_day, 16, 30), "title": ""}],
    })
    seminar_2_day = seeding.on(6, 20)
    seminar_2 = event(seeding, organiser, {
        "kind": "seminar", "title": SEMINAR_2, "programme_id": programme.id, "language": "ru",
        "timezone": "Europe/Samara", "region_code": "RU-SAM", "capacity": 30,
        "description": "Выездной 3-хдневный семинар-тренинг для представителей 15 пациентских НКО — по два "
                       "человека от организации: построение комьюнити пациентов, команда активистов, "
                       "фасилитация, проектирование и управление проектными инициативами.",
        "venue": "Загородный учебный центр «Жигули»",
        "address": "Самарская область, Ставропольский район, с. Подгоры",
        "max_per_organisation": 2, "attendance_threshold": 100,
        "sessions": [
            {"start": at(seminar_2_day + timedelta(days=d), 9 if d else 10),
             "end": at(seminar_2_day + timedelta(days=d), 15 if d == 2 else 18), "title": f"День {d + 1}"}
            for d in range(3)
        ],
    })
    return {"1": [seminar_1], "3": webinars, "4": [round_table], "5": [seminar_2]}


def trips(seeding: Seeding, organiser: User) -> tuple[Event, Event]:
    local_today = seeding.now.astimezone(ZoneInfo(MOSCOW)).date()
    roles_past = [{"role": "doctor", "needed": 2}, {"role": "nurse", "needed": 1},
                  {"role": "student_volunteer", "needed": 6}, {"role": "driver", "needed": 1}]
    roles_next = [{"role": "doctor", "needed": 2}, {"role": "nurse", "needed": 2},
                  {"role": "student_volunteer", "needed": 8}, {"role": "driver", "needed": 1}]
    description = ("Профилактический выезд Всероссийской акции #ДоброВСело: медицинские осмотры в рамках "
                   "диспансеризации, лекции о здоровье и профориентация школьников в медицину. Выезд "
                   "проводится совместно с Министерством здравоохранения Смоленской области и Смоленским "
                   "государственным медицинским университетом.")
    past_day = local_today - timedelta(days=20)
    past = event(seeding, organiser, {
        "kind": "outreach_trip", "title": "#ДоброВСело: с. Пригорское, Смоленский район", "language": "ru",
        "timezone": MOSCOW, "region_code": "RU-SMO", "capacity": 10, "description": description,
        "sessions": [{"start": at(past_day, 8), "end": at(past_day, 17), "title": ""}],
        "trip": {"settlement": "с. Пригорское", "district": "Смоленский район",
                 "departure_point": "Смоленск, ул. Крупской, 28 (СГМУ)", "departure_at": at(past_day, 8),
                 "seats": 10, "services": ["checkups", "career_guidance", "lectures"], "media_invited": True},
        "team_roles": roles_past,
    })
    next_day = local_today + timedelta(days=12)
    upcoming = event(seeding, organiser, {
        "kind": "outreach_trip", "title": "#ДоброВСело: пгт Глинка, Глинковский район", "language": "ru",
        "timezone": MOSCOW, "region_code": "RU-SMO", "capacity": 13, "description": description,
        "sessions": [{"start": at(next_day, 7, 30), "end": at(next_day, 18), "title": ""}],
        "trip": {"settlement": "пгт Глинка", "district": "Глинковский район",
                 "departure_point": "Смоленск, ул. Крупской, 28 (СГМУ)", "departure_at": at(next_day, 7, 30),
                 "seats": 13, "services": ["checkups", "blood_donation", "career_guidance", "lectures"],
                 "media_invited": True},
        "team_roles": roles_next,
    })
    return past, upcoming


def trip_results(seeding: Seeding, trip: Event, organiser: User) -> None:
    if trip.results:
        return
    events.record_trip_results(trip, organiser, {"checkups": 64, "career_guidance": 38, "lectures": 52},
                               notes="Осмотрено 64 жителя, у 9 выявлены показания к дообследованию — переданы "
                                     "в ЦРБ. Профориентационное занятие для 38 школьников. Выезд освещён "
                                     "областным телевидением.")
    seeding.note(f"results of {trip.title}")


def abroad(seeding: Seeding, organiser: User) -> Event:
    """Seed 003 (Poland: certified training); seed 002's self-help groups are `group`."""
    day = seeding.now.astimezone(ZoneInfo("Europe/Warsaw")).date() + timedelta(days=40)
    return event(seeding, organiser, {
        "kind": "seminar", "language": "pl", "timezone": "Europe/Warsaw", "region_code": "PL-20",
        "title": TRAINING_003,
        "description": "Dwudniowe szkolenie certyfikowane prowadzone przez ekspertów zewnętrznych dla "
                       "personelu medycznego szpitali pogranicza polsko-litewskiego, połączone z koleżeńską "
                       "wymianą doświadczeń zawodowych.",
        "translations": {"lt": {
            "title": "Sertifikuoti mokymai: skubi pagalba vaikams",
            "description": "Dviejų dienų sertifikuoti mokymai, kuriuos veda išorės ekspertai Lenkijos ir Lietuvos "
                           "pasienio ligoninių medicinos personalui, kartu su kolegišku profesinės patirties "
                           "mainu.",
        }},
        "venue": "Wojewódzki Szpital Zespolony im. J. Śniadeckiego",
        "address": "ul. M. Skłodowskiej-Curie 26, 15-950 Białystok",
        "capacity": 20, "attendance_threshold": 100,
        "sessions": [{"start": at(day + timedelta(days=d), 9), "end": at(day + timedelta(days=d), 16),
                      "title": f"Dzień {d + 1}"} for d in range(2)],
    })


def group(seeding: Seeding, organiser: User, facilitator: User, *, town: str, title: str, weekday: int,
          first: date, venue: str, address: str) -> Event:
    """A fortnightly self-help group led by a health mediator, its ten meetings made from a series rule."""
    group_event = event(seeding, organiser, {
        "kind": "self_help_group", "language": "bg", "timezone": "Europe/Sofia", "region_code": "BG-02",
        "title": title, "capacity": 15,
        "description": "Група за самопомощ на майки и бъдещи майки, водена от здравния медиатор на "
                       "общината с подкрепата на Национална мрежа на здравните медиатори: взаимна "
                       "емоционална подкрепа, информация за майчиното и детското здраве, срещи на "
                       "всеки две седмици.",
        "venue": venue, "address": address,
        "sessions": [{"start": at(first, 17), "end": at(first, 18, 30), "title": ""}],
        "group": {"community": town, "facilitator_id": facilitator.id, "membership": "open"},
    })
    if group_event.series is None:
        events.create_meetings(group_event, organiser, {
            "frequency": "weekly", "every": 2, "weekdays": [weekday], "starts_on": first, "count": 10,
            "start_time": "17:00", "duration_minutes": 90})
        seeding.note(f"meetings of {title}")
    return events.get_event(group_event.id)

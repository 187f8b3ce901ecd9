"""Demo data that reads like the seed reports (`flask --app wsgi seed-demo`).

Everything goes through the areas' services, so the demo obeys the same rules as real use
(approval, one leader per region, two per organisation, trip team roles). Each object is
looked up by its natural key first (email, organisation name and region, programme title,
stage and plan-item number, event title), so running the command twice changes nothing.
Dates are computed from "next month" relative to clock.now().

Seeds: 001 — the KPD NKO programme and its calendar plan; 004 — #ДоброВСело trips of the
Smolensk volunteer medics; 002 — Bulgarian self-help groups (health mediators, Malko Tarnovo
and Burgas); 003 — certified trainings for medical staff in the Polish–Lithuanian project.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app import clock
from app.accounts import consent
from app.accounts import services as accounts
from app.accounts.models import Organisation, OrganisationKind, Role, User, organisation_key
from app.certificates import demo as certificate_demo
from app.database import unit_of_work
from app.errors import DomainError
from app.events import services as events
from app.events.models import Event
from app.extensions import db
from app.materials import demo as materials_demo
from app.messaging import demo as messaging_demo
from app.programmes import services as programmes
from app.programmes.models import PlanItem, Programme
from app.quotas import demo as quota_demo
from app.registrations import questions
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus
from app.reports import demo as reports_demo

PASSWORD = "praktika-demo"
SAMARA = ZoneInfo("Europe/Samara")
SOFIA = ZoneInfo("Europe/Sofia")
MOSCOW = "Europe/Moscow"

LOGINS = (
    # (role, email, full name, organisation key)
    (Role.ADMIN, "admin@example.org", "Андрей Воронцов", "applicant"),
    (Role.ORGANISER, "organiser@example.org", "Ольга Миронова", "applicant"),
    (Role.CURATOR, "curator@example.org", "Наталья Белова", "applicant"),
)
TRAINEE_EMAIL = "trainee@example.org"
SECOND_CURATOR = ("s.kuznetsova@example.org", "Светлана Кузнецова")

APPLICANT = ("Самарская региональная общественная организация «Центр поддержки инициатив»", "RU-SAM")

# Thirty leaders of patient NGOs, one per region of central and southern Russia (seed 001).
LEADERS = (
    ("RU-SAM", "Самарская областная организация пациентов с хроническими заболеваниями почек «Нефро-Надежда»",
     "Ирина Петрова", TRAINEE_EMAIL),
    ("RU-PNZ", "Пензенский союз пациентов", "Надежда Свиридова", "n.sviridova@example.org"),
    ("RU-SAR", "Саратовская региональная общественная организация «Диабет-Помощь»", "Марина Ковалёва",
     "m.kovaleva@example.org"),
    ("RU-ULY", "Ульяновская областная общественная организация больных рассеянным склерозом",
     "Елена Гаврилова", "e.gavrilova@example.org"),
    ("RU-ORE", "Оренбургская региональная общественная организация онкологических пациентов «Вместе»",
     "Татьяна Никитина", "t.nikitina@example.org"),
    ("RU-VGG", "Волгоградская региональная общественная организация «Пациенты с гемофилией»",
     "Сергей Литвинов", "s.litvinov@example.org"),
    ("RU-AST", "Астраханская общественная организация людей с сахарным диабетом", "Гульнара Исмаилова",
     "g.ismailova@example.org"),
    ("RU-ROS", "Ростовская региональная общественная организация пациентов с онкогематологическими "
     "заболеваниями", "Анна Шевченко", "a.shevchenko@example.org"),
    ("RU-KDA", "Кубанская ассоциация пациентов с ревматическими заболеваниями", "Оксана Кравец",
     "o.kravets@example.org"),
    ("RU-STA", "Ставропольская краевая общественная организация инвалидов «Почечные пациенты»",
     "Виктор Алиев", "v.aliev@example.org"),
    ("RU-BEL", "Белгородская региональная общественная организация «Рядом с пациентом»", "Людмила Ткаченко",
     "l.tkachenko@example.org"),
    ("RU-KRS", "Курская областная общественная организация пациентов с бронхиальной астмой",
     "Светлана Бондарева", "s.bondareva@example.org"),
    ("RU-BRY", "Брянская региональная общественная организация «Живи, малыш» (родители детей с диабетом)",
     "Юлия Фомина", "y.fomina@example.org"),
    ("RU-SMO", "Смоленская областная организация пациентов с болезнью Паркинсона", "Алексей Морозов",
     "a.morozov@example.org"),
    ("RU-VOR", "Воронежская региональная общественная организация «Пациент-Контроль»", "Наталья Зуева",
     "n.zueva@example.org"),
    ("RU-LIP", "Липецкая областная общественная организация больных ВИЧ «Позитивный диалог»",
     "Дмитрий Колесников", "d.kolesnikov@example.org"),
    ("RU-TAM", "Тамбовская региональная общественная организация пациентов с эпилепсией",
     "Ольга Рябова", "o.ryabova@example.org"),
    ("RU-ORL", "Орловская региональная общественная организация «Онкопомощь»", "Валентина Дёмина",
     "v.demina@example.org"),
    ("RU-TUL", "Тульская областная общественная организация пациентов с сердечно-сосудистыми заболеваниями",
     "Игорь Лебедев", "i.lebedev@example.org"),
    ("RU-KLU", "Калужская региональная общественная организация «Здоровое сердце»", "Мария Соколова",
     "m.sokolova@example.org"),
    ("RU-RYA", "Рязанская областная общественная организация «Содействие больным рассеянным склерозом»",
     "Галина Куликова", "g.kulikova@example.org"),
    ("RU-VLA", "Владимирская региональная общественная организация пациентов с редкими заболеваниями",
     "Евгения Смирнова", "e.smirnova@example.org"),
    ("RU-IVA", "Ивановская областная общественная организация «Диабетики Иваново»", "Александра Волкова",
     "a.volkova@example.org"),
    ("RU-YAR", "Ярославская региональная общественная организация «Пациенты на диализе»",
     "Павел Орлов", "p.orlov@example.org"),
    ("RU-TVE", "Тверская региональная общественная организация женщин с онкологическими заболеваниями «Надежда»",
     "Лариса Егорова", "l.egorova@example.org"),
    ("RU-MOS", "Московская областная общественная организация пациентов с ревматоидным артритом",
     "Вера Павлова", "v.pavlova@example.org"),
    ("RU-NIZ", "Нижегородская региональная общественная организация «Движение против рака»",
     "Роман Сергеев", "r.sergeev@example.org"),
    ("RU-TA", "Татарстанская республиканская общественная организация пациентов с хронической болью",
     "Алсу Хайруллина", "a.khayrullina@example.org"),
    ("RU-MO", "Мордовская республиканская общественная организация инвалидов «Преодоление»",
     "Николай Кирдяшкин", "n.kirdyashkin@example.org"),
    ("RU-CU", "Чувашская республиканская общественная организация пациентов с сахарным диабетом",
     "Ирина Васильева", "i.vasilyeva@example.org"),
)

# Stage 2: two people from each of fifteen organisations — the leader and a colleague.
COLLEAGUES = (
    ("Андрей Петров", "a.petrov@example.org"), ("Дмитрий Сафронкин", "d.safronkin@example.org"),
    ("Ксения Белова", "k.belova@example.org"), ("Олег Гаврилов", "o.gavrilov@example.org"),
    ("Инна Никитина", "i.nikitina@example.org"), ("Екатерина Литвинова", "e.litvinova@example.org"),
    ("Руслан Исмаилов", "r.ismailov@example.org"), ("Ольга Шевченко", "o.shevchenko@example.org"),
    ("Артём Кравец", "a.kravets@example.org"), ("Зарина Алиева", "z.alieva@example.org"),
    ("Михаил Ткаченко", "m.tkachenko@example.org"), ("Полина Бондарева", "p.bondareva@example.org"),
    ("Анастасия Фомина", "a.fomina@example.org"), ("Ирина Морозова", "i.morozova@example.org"),
    ("Кирилл Зуев", "k.zuev@example.org"),
)

SEMINAR_1 = "Поддерживающее консультирование в деятельности пациентской организации"
SEMINAR_2 = "Активизация пациентских сообществ и построение комьюнити"
SELECTION_SCHOOL = "Школа наставников пациентских НКО: отбор"
ROUND_TABLE = "Онлайн круглый стол «Поддерживающее консультирование: итоги направления»"
TRAINING_003 = "Szkolenie certyfikowane: postępowanie w stanach nagłych u dzieci"
WEBINARS = (
    ("Вебинар 1. Личные границы консультанта и профилактика выгорания", 3, 14),
    ("Вебинар 2. Трудный разговор: тревога, гнев и отчаяние пациента", 3, 28),
    ("Вебинар 3. Разбор случаев из практики поддерживающего консультирования", 4, 11),
)

# The ten items of seed 001's calendar plan: (number, activity, (month offset, day) start, end, stage).
# Month offsets count from the programme's first month (February in the seed).
PLAN = (
    ("1", "Выездной 3-хдневный семинар-тренинг «Поддерживающее консультирование в деятельности пациентской "
          "организации» для руководителей и лидеров пациентских НКО. Примерное содержание: 1. Технология и "
          "алгоритм работы по системному консультированию; 2. Приемы активного слушания и поддерживающего "
          "диалога; 3. Проблемно-ориентированное консультирование пациентов по вопросам, актуальным для "
          "регионов-участников проекта; 4. Методы саморегуляции и поддержки позитивного эмоционального "
          "состояния; 5. Приемы самомотивации и поддержания продуктивной деятельности",
     (1, 1), (2, 30), 1),
    ("2", "Проведение руководителями и лидерами пациентских НКО, прошедшими обучение, консультаций для "
          "пациентов своих территорий. Каждым участником обучения будет проведено не менее 20 консультаций по "
          "методике поддерживающего консультирования.",
     (2, 1), (4, 30), 1),
    ("3", "3 вебинара по поддерживающему консультированию (темы определятся на выездном тренинге)",
     (3, 1), (4, 30), 1),
    ("4", "Онлайн круглый стол по итогам направления проекта «Поддерживающее консультирование»",
     (5, 1), (5, 31), None),
    ("5", "Выездной 3-хдневный семинар-тренинг «Активизация пациентских сообществ и построение комьюнити». "
          "Примерное содержание: 1. Технология и алгоритм работы по построению комьюнити (сообществ) "
          "пациентов. 2. Команда активистов: построение отношений и распределение функций. 3. Методы "
          "построения конструктивного диалога, групповой работы, фасилитации процессов принятия решений и "
          "достижения договоренностей. 4. Выявление проблем пациентов и проектирование их решения. "
          "5. Управление проектными инициативами (привлечение ресурсов в неденежной форме). Приглашаются по "
          "2 человека от НКО",
     (6, 1), (7, 15), 2),
    ("6", "Организация работы онлайн коммуникативных площадок «Open Space» (открытое пространство) для "
          "поддержания комьюнити (сообществ) пациентов. На площадках будет организовано общение пациентов на "
          "наиболее волнующие их темы, обмен опытом реализации проектных инициатив. Пройдет не менее 3-х "
          "дискуссий на площадках «Open Space». Темы будут определены в соответствии с потребностями "
          "пациентов.",
     (7, 15), (9, 30), 2),
    ("7", "Практика построения комьюнити (сообществ) пациентов и реализация проектных инициатив на территории "
          "регионов. Каждая пара обученных представителей НКО реализует 1 инициативу. Проектные инициативы "
          "будут направлены как на решение внутренних проблем пациентов, так и на поддержку беженцев, людей, "
          "попавших в трудную жизненную ситуацию. Реализация проектных инициатив будет освещаться на "
          "информационных ресурсах организации-заявителя и организаций-партнеров.",
     (7, 15), (10, 15), 2),
    ("8", "3 вебинара по построению комьюнити. Примерные темы вебинаров: 1. Мотивация участников комьюнити для "
          "вовлечения в совместные инициативы. 2. Методы работы с группой по управлению и корректировке "
          "реализации проектных инициатив (построение обсуждения, принятие решений, конструктивное разрешение "
          "спорных ситуаций). 3. Построение комьюнити в онлайн пространстве",
     (8, 1), (9, 30), 2),
    ("9", "Представление результатов работы по направлениям «Поддерживающее консультирование», «Построение "
          "комьюнити (сообществ) пациентских НКО» на Всероссийском конгрессе пациентов",
     (9, 25), (10, 5), 2),
    ("10", "Проведение онлайн круглого стола по итогам реализации проектных инициатив пациентов для "
           "пациентских сообществ и иных граждан. На мероприятии будет обсуждена эффективность технологии "
           "построения комьюнити пациентов, выявлены проблемы и пути их решения.",
     (10, 1), (10, 15), 2),
)

SEMINAR_2_ROLES = ("Руководитель НКО", "Координатор волонтёров", "Специалист по работе с пациентами")
SEMINAR_2_QUESTIONS = {
    "consent": {"kind": "consent", "label": "Согласие на передачу данных организатору семинара",
                "help_text": "Я согласен(на), чтобы Самарская региональная общественная организация «Центр поддержки "
                             "инициатив» обрабатывала мои ФИО, контакты, организацию и регион для организации "
                             "семинара, проживания и отчёта перед Фондом президентских грантов (152-ФЗ)."},
    "role": {"kind": "choice", "label": "Ваша роль в НКО", "required": True, "options": "\n".join(SEMINAR_2_ROLES)},
    "hotel": {"kind": "yes_no", "label": "Нужно ли место в гостинице?", "required": True,
              "help_text": "Проживание в учебном центре «Жигули» оплачивает проект."},
    "years": {"kind": "number", "label": "Сколько лет вы работаете в НКО?", "min_value": "0", "max_value": "60"},
    "diet": {"kind": "text", "label": "Особенности питания",
             "help_text": "Например, вегетарианское питание или аллергия."},
}

SMOLENSK_BRANCH = ("Смоленское региональное отделение ВОД «Волонтёры-медики»", "RU-SMO")
SMOLENSK_UNIVERSITY = ("Смоленский государственный медицинский университет", "RU-SMO")
# Seed 002: self-help groups on maternal and child health, led by the municipalities' health mediators.
HEALTH_MEDIATORS = ("Национална мрежа на здравните медиатори", "BG-02")
GROUPS = (
    # (community, title, weekday of the meetings, (mediator name, e-mail), members, venue, address)
    ("Община Малко Търново", "Група за самопомощ „Майчино и детско здраве“ — Малко Търново", 2,
     ("mediator.mt@example.org", "Мария Стоянова"),
     (("Анелия Асенова", "a.asenova@example.org"), ("Радка Михайлова", "r.mihaylova@example.org"),
      ("Силвия Костова", "s.kostova@example.org"), ("Гергана Илиева", "g.ilieva@example.org"),
      ("Петя Русева", "p.ruseva@example.org"), ("Даниела Янкова", "d.yankova@example.org")),
     "Народно читалище „Просвета“", "гр. Малко Търново, ул. „Малкотърновска комуна“ 3"),
    ("Община Бургас, кв. Победа", "Група за самопомощ „Майчино и детско здраве“ — Бургас", 3,
     ("mediator.bs@example.org", "Елена Петкова"),
     (("Светла Николова", "s.nikolova@example.org"), ("Милена Георгиева", "m.georgieva@example.org"),
      ("Емилия Христова", "e.hristova@example.org"), ("Нели Атанасова", "n.atanasova@example.org"),
      ("Таня Димитрова", "t.dimitrova@example.org"), ("Камелия Тодорова", "k.todorova@example.org"),
      ("Ралица Маринова", "r.marinova@example.org")),
     "Читалище „Христо Ботев“", "гр. Бургас, кв. Победа, ул. „Цар Калоян“ 14"),
)
GROUP_TOPICS = (
    ("Запознаване и правила на групата", "Договорихме правилата на групата и темите за следващите срещи."),
    ("Бременност и пренатални прегледи", "Прегледахме кои изследвания са безплатни и къде се правят."),
    ("Кърмене и хранене на бебето", "Споделихме трудности с кърменето; две майки ще потърсят консултант."),
    ("Имунизации: календар и страхове", "Обсъдихме имунизационния календар; медиаторът ще придружи три семейства."),
    ("Детски болести: кога да търсим лекар", "Направихме списък с признаци, при които се търси спешна помощ."),
    ("Здравно осигуряване и права на пациента", "Разяснихме как се проверява здравноосигурителният статус."),
    ("Психично здраве на майката", "Говорихме за следродилната тъга; дадохме контакти за подкрепа."),
    ("Безопасен дом за малкото дете", "Прегледахме рисковете у дома: лекарства, препарати, печки."),
    ("Семейно планиране", "Гинеколог от общината отговори на въпросите на участничките."),
    ("Обобщение и следващи стъпки", "Групата реши да продължи срещите и през следващия сезон."),
)
GUESTS = (2, 1, 3, 0, 2)

# Trip teams (seed 004): medical students, doctors of the university clinic, a nurse, a driver.
VOLUNTEERS = (
    ("Илья Аристов", "i.aristov@example.org", "doctor", SMOLENSK_UNIVERSITY),
    ("Елена Крылова", "e.krylova@example.org", "doctor", SMOLENSK_UNIVERSITY),
    ("Татьяна Осипова", "t.osipova@example.org", "nurse", SMOLENSK_BRANCH),
    ("Виктор Степанов", "v.stepanov@example.org", "driver", SMOLENSK_BRANCH),
    ("Дарья Громова", "d.gromova@example.org", "student_volunteer", SMOLENSK_BRANCH),
    ("Максим Ефимов", "m.efimov@example.org", "student_volunteer", SMOLENSK_BRANCH),
    ("Алина Захарова", "a.zakharova@example.org", "student_volunteer", SMOLENSK_BRANCH),
    ("Никита Голубев", "n.golubev@example.org", "student_volunteer", SMOLENSK_BRANCH),
    ("Софья Романова", "s.romanova@example.org", "student_volunteer", SMOLENSK_BRANCH),
    ("Георгий Тихонов", "g.tikhonov@example.org", "student_volunteer", SMOLENSK_BRANCH),
)


@dataclass
class Report:
    """What the run created; `created` stays empty on a second run."""

    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _on(first_month: date, offset: int, day: int) -> date:
    """Day `day` of the month `offset` months after `first_month`, clamped to the month's length."""
    month = _add_months(first_month, offset)
    return month.replace(day=min(day, calendar.monthrange(month.year, month.month)[1]))


def _at(day: date, hour: int, minute: int = 0) -> str:
    """A wall-clock time in the event's timezone, as the API takes it (naive ISO)."""
    return datetime(day.year, day.month, day.day, hour, minute).isoformat()


class Demo:
    def __init__(self):
        self.report = Report()
        self.now = clock.now()
        today = self.now.astimezone(SAMARA).date()
        self.first_month = _add_months(today.replace(day=1), 1)

    # --- people ---------------------------------------------------------------------------

    def organisation(self, name: str, region: str, kind=OrganisationKind.PATIENT_NGO) -> Organisation:
        existing = db.session.execute(select(Organisation).where(
            Organisation.name_key == organisation_key(name), Organisation.region_code == region)).scalar_one_or_none()
        if existing is not None:
            return existing
        with unit_of_work():
            organisation = accounts.find_or_propose_organisation(name, region, kind=kind, approved=True)
        self.report.note(f"organisation {name}")
        return organisation

    def user(self, email: str, full_name: str, organisation, roles=(Role.TRAINEE,), password=None,
             locale: str = "ru") -> User:
        existing = accounts.find_user_by_email(email)
        if existing is not None:
            return existing
        user = accounts.create_user(email=email, password=password, full_name=full_name,
                                    organisation_id=organisation.id, region_code=organisation.region_code,
                                    locale=locale, roles=roles)
        self.report.note(f"user {email}")
        return user

    # --- programme ------------------------------------------------------------------------

    def programme(self, organiser: User) -> Programme:
        title = "КПД НКО: команда пациентов в действии"
        existing = db.session.execute(select(Programme).where(Programme.title == title)).scalar_one_or_none()
        if existing is not None:
            return existing
        self.report.note(f"programme {title}")
        return programmes.create_programme(organiser, {
            "title": title,
            "funder": "Фонд президентских грантов",
            "grant_number": "",
            "starts_on": self.first_month,
            "ends_on": _on(self.first_month, 10, 21),
            "regions": [region for region, *_ in LEADERS],
            "target_groups": "Лидеры и руководители пациентских НКО, осуществляющие консультационную поддержку "
                             "пациентов; пациенты с хроническими заболеваниями регионов РФ.",
            "description": "Проект Самарской региональной общественной организации «Центр поддержки "
                           "инициатив» направлен на повышение качества работы пациентских организаций в сфере "
                           "оказания социально-психологической поддержки и формирования сообществ пациентов. "
                           "География: 30 регионов центральной части и юга России, в приоритете приграничные "
                           "регионы. Всего в проекте примут участие 60 лидеров из 45 пациентских НКО.",
            "organisers": [organiser.id],
        })

    def stages(self, programme: Programme, organiser: User) -> dict[int, int]:
        wanted = (
            (1, "Поддерживающее консультирование", (1, 1), (4, 30),
             "Обучение лидеров и руководителей пациентских НКО (по 1 человеку от региона) технологии "
             "поддерживающего консультирования; 20 консультаций каждого консультанта в своём регионе, "
             "экспертная поддержка, вебинары, итоговый онлайн круглый стол."),
            (2, "Построение комьюнити пациентов", (6, 1), (10, 20),
             "Представители 15 организаций (по 2 человека от организации) обучаются методикам формирования и "
             "активизации сообществ пациентов и реализуют проектные инициативы в своих регионах."),
        )
        have = {s.number: s for s in programme.stages}
        for number, title, start, end, description in wanted:
            if number not in have:
                have[number] = programmes.add_stage(programme, organiser, {
                    "number": number, "title": title, "description": description,
                    "starts_on": _on(self.first_month, *start), "ends_on": _on(self.first_month, *end)})
                self.report.note(f"stage {number}")
        return {number: stage.id for number, stage in have.items()}

    def plan(self, programme: Programme, organiser: User, stage_ids: dict[int, int],
             linked: dict[str, list[int]]) -> None:
        have = {item.number for item in db.session.execute(
            select(PlanItem).where(PlanItem.programme_id == programme.id)).scalars()}
        for number, activity, start, end, stage in PLAN:
            if number in have:
                continue
            programmes.add_plan_item(programme, organiser, {
                "number": number, "activity": activity,
                "planned_start": _on(self.first_month, *start), "planned_end": _on(self.first_month, *end),
                "stage_id": stage_ids.get(stage) if stage else None, "event_ids": linked.get(number, []),
            })
            self.report.note(f"plan item {number}")

    # --- events ---------------------------------------------------------------------------

    def event(self, organiser: User, data: dict) -> Event:
        existing = db.session.execute(select(Event).where(Event.title == data["title"])).scalars().first()
        if existing is not None:
            return existing
        self.report.note(f"event {data['title']}")
        return events.create_event(organiser, {"status": "published", **data})

    def kpd_events(self, programme: Programme, organiser: User) -> dict[str, list[Event]]:
        seminar_day = _on(self.first_month, 1, 16)
        seminar_1 = self.event(organiser, {
            "kind": "seminar", "title": SEMINAR_1, "programme_id": programme.id, "language": "ru",
            "timezone": "Europe/Samara", "region_code": "RU-SAM", "capacity": 30,
            "description": "Выездной 3-хдневный семинар-тренинг для руководителей и лидеров пациентских НКО — по "
                           "одному человеку от региона. Участники освоят подход и приёмы поддерживающего "
                           "консультирования, остановятся на соблюдении личных границ и методах построения "
                           "коммуникации, а затем проведут по 20 консультаций в своих регионах.",
            "venue": "Загородный учебный центр «Жигули»",
            "address": "Самарская область, Ставропольский район, с. Подгоры",
            "requires_approval": True, "max_per_region": 1, "attendance_threshold": 100,
            "registration_closes_at": _at(seminar_day - timedelta(days=7), 18),
            "sessions": [
                {"start": _at(seminar_day, 10), "end": _at(seminar_day, 18),
                 "title": "День 1. Технология системного консультирования"},
                {"start": _at(seminar_day + timedelta(days=1), 9), "end": _at(seminar_day + timedelta(days=1), 18),
                 "title": "День 2. Активное слушание и поддерживающий диалог"},
                {"start": _at(seminar_day + timedelta(days=2), 9), "end": _at(seminar_day + timedelta(days=2), 15),
                 "title": "День 3. Саморегуляция и самомотивация"},
            ],
        })
        webinars = [
            self.event(organiser, {
                "kind": "webinar", "title": title, "programme_id": programme.id, "language": "ru",
                "timezone": MOSCOW, "is_online": True, "online_url": f"https://meet.jit.si/kpd-nko-webinar-{n}",
                "description": "Вебинар для консультантов, прошедших выездной семинар-тренинг: экспертная "
                               "поддержка в период проведения консультаций в регионах.",
                "sessions": [{"start": _at(_on(self.first_month, offset, day), 15),
                              "end": _at(_on(self.first_month, offset, day), 16, 30), "title": ""}],
            })
            for n, (title, offset, day) in enumerate(WEBINARS, start=1)
        ]
        round_table_day = _on(self.first_month, 5, 16)
        round_table = self.event(organiser, {
            "kind": "round_table", "title": ROUND_TABLE, "programme_id": programme.id, "language": "ru",
            "timezone": MOSCOW, "is_online": True, "online_url": "https://meet.jit.si/kpd-nko-round-table",
            "description": "Итоги направления проекта «Поддерживающее консультирование»: опыт консультантов из "
                           "30 регионов, трудности и найденные решения.",
            "speakers": "Руководитель проекта, кураторы-эксперты, консультанты — лидеры пациентских НКО",
            "sessions": [{"start": _at(round_table_day, 14), "end": _at(round_table_day, 16, 30), "title": ""}],
        })
        seminar_2_day = _on(self.first_month, 6, 20)
        seminar_2 = self.event(organiser, {
            "kind": "seminar", "title": SEMINAR_2, "programme_id": programme.id, "language": "ru",
            "timezone": "Europe/Samara", "region_code": "RU-SAM", "capacity": 30,
            "description": "Выездной 3-хдневный семинар-тренинг для представителей 15 пациентских НКО — по два "
                           "человека от организации: построение комьюнити пациентов, команда активистов, "
                           "фасилитация, проектирование и управление проектными инициативами.",
            "venue": "Загородный учебный центр «Жигули»",
            "address": "Самарская область, Ставропольский район, с. Подгоры",
            "max_per_organisation": 2, "attendance_threshold": 100,
            "sessions": [
                {"start": _at(seminar_2_day + timedelta(days=d), 9 if d else 10),
                 "end": _at(seminar_2_day + timedelta(days=d), 15 if d == 2 else 18), "title": f"День {d + 1}"}
                for d in range(3)
            ],
        })
        return {"1": [seminar_1], "3": webinars, "4": [round_table], "5": [seminar_2]}

    def trips(self, organiser: User) -> tuple[Event, Event]:
        local_today = self.now.astimezone(ZoneInfo(MOSCOW)).date()
        roles_past = [{"role": "doctor", "needed": 2}, {"role": "nurse", "needed": 1},
                      {"role": "student_volunteer", "needed": 6}, {"role": "driver", "needed": 1}]
        roles_next = [{"role": "doctor", "needed": 2}, {"role": "nurse", "needed": 2},
                      {"role": "student_volunteer", "needed": 8}, {"role": "driver", "needed": 1}]
        description = ("Профилактический выезд Всероссийской акции #ДоброВСело: медицинские осмотры в рамках "
                       "диспансеризации, лекции о здоровье и профориентация школьников в медицину. Выезд "
                       "проводится совместно с Министерством здравоохранения Смоленской области и Смоленским "
                       "государственным медицинским университетом.")
        past_day = local_today - timedelta(days=20)
        past = self.event(organiser, {
            "kind": "outreach_trip", "title": "#ДоброВСело: с. Пригорское, Смоленский район", "language": "ru",
            "timezone": MOSCOW, "region_code": "RU-SMO", "capacity": 10, "description": description,
            "sessions": [{"start": _at(past_day, 8), "end": _at(past_day, 17), "title": ""}],
            "trip": {"settlement": "с. Пригорское", "district": "Смоленский район",
                     "departure_point": "Смоленск, ул. Крупской, 28 (СГМУ)", "departure_at": _at(past_day, 8),
                     "seats": 10, "services": ["checkups", "career_guidance", "lectures"], "media_invited": True},
            "team_roles": roles_past,
        })
        next_day = local_today + timedelta(days=24)
        upcoming = self.event(organiser, {
            "kind": "outreach_trip", "title": "#ДоброВСело: пгт Глинка, Глинковский район", "language": "ru",
            "timezone": MOSCOW, "region_code": "RU-SMO", "capacity": 13, "description": description,
            "sessions": [{"start": _at(next_day, 7, 30), "end": _at(next_day, 18), "title": ""}],
            "trip": {"settlement": "пгт Глинка", "district": "Глинковский район",
                     "departure_point": "Смоленск, ул. Крупской, 28 (СГМУ)", "departure_at": _at(next_day, 7, 30),
                     "seats": 13, "services": ["checkups", "blood_donation", "career_guidance", "lectures"],
                     "media_invited": True},
            "team_roles": roles_next,
        })
        return past, upcoming

    def abroad(self, organiser: User) -> None:
        """Seed 003 (Poland: certified training); seed 002's self-help groups are `groups`."""
        day = self.now.astimezone(ZoneInfo("Europe/Warsaw")).date() + timedelta(days=40)
        self.event(organiser, {
            "kind": "seminar", "language": "pl", "timezone": "Europe/Warsaw", "region_code": "PL-20",
            "title": TRAINING_003,
            "description": "Dwudniowe szkolenie certyfikowane prowadzone przez ekspertów zewnętrznych dla "
                           "personelu medycznego szpitali pogranicza polsko-litewskiego, połączone z koleżeńską "
                           "wymianą doświadczeń zawodowych.",
            "venue": "Wojewódzki Szpital Zespolony im. J. Śniadeckiego",
            "address": "ul. M. Skłodowskiej-Curie 26, 15-950 Białystok",
            "capacity": 20, "attendance_threshold": 100,
            "sessions": [{"start": _at(day + timedelta(days=d), 9), "end": _at(day + timedelta(days=d), 16),
                          "title": f"Dzień {d + 1}"} for d in range(2)],
        })

    # --- self-help groups (seed 002) --------------------------------------------------------

    def groups(self, organiser: User) -> list[Event]:
        """Fortnightly self-help groups in Malko Tarnovo and Burgas, led by health mediators: meetings from a
        series rule, members, attendance by name plus guests, topics and outcomes of the meetings held."""
        network = self.organisation(*HEALTH_MEDIATORS, kind=OrganisationKind.PATIENT_NGO)
        today = self.now.astimezone(SOFIA).date()
        made = []
        for n, (town, title, weekday, mediator, members, venue, address) in enumerate(GROUPS):
            facilitator = self.user(*mediator, network, password=PASSWORD if n == 0 else None, locale="en")
            # the first meeting eight or nine weeks ago, on the group's weekday
            first = today - timedelta(days=56 + (today.weekday() - weekday) % 7)
            event = self.event(organiser, {
                "kind": "self_help_group", "language": "bg", "timezone": "Europe/Sofia", "region_code": "BG-02",
                "title": title, "capacity": 15,
                "description": "Група за самопомощ на майки и бъдещи майки, водена от здравния медиатор на "
                               "общината с подкрепата на Национална мрежа на здравните медиатори: взаимна "
                               "емоционална подкрепа, информация за майчиното и детското здраве, срещи на "
                               "всеки две седмици.",
                "venue": venue, "address": address,
                "sessions": [{"start": _at(first, 17), "end": _at(first, 18, 30), "title": ""}],
                "group": {"community": town, "facilitator_id": facilitator.id, "membership": "open"},
            })
            if event.series is None:
                events.create_meetings(event, organiser, {
                    "frequency": "weekly", "every": 2, "weekdays": [weekday], "starts_on": first, "count": 10,
                    "start_time": "17:00", "duration_minutes": 90})
                self.report.note(f"meetings of {title}")
            event = events.get_event(event.id)
            people = [self.user(email, name, network, locale="en") for name, email in members]
            with clock.frozen_at(event.starts_at - timedelta(days=5)):
                registrations_of = [self.register(event, person) for person in people]
            self.meetings(event, organiser, facilitator, registrations_of)
            made.append(event)
        return made

    def meetings(self, event: Event, organiser: User, facilitator: User, members: list) -> None:
        """Topics for every meeting; for those held, members checked in by name, guests and a short outcome."""
        tz = ZoneInfo(event.timezone)
        for index, session in enumerate(list(event.sessions)):
            topic, outcome = GROUP_TOPICS[index % len(GROUP_TOPICS)]
            if not session.title:
                start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
                events.change_meeting(event, session.id, organiser, {
                    "day": start.date(), "start": start.time(), "end": end.time(), "title": topic})
            if session.starts_at > self.now - timedelta(hours=2) or session.outcome_recorded_at is not None:
                continue
            for position, registration in enumerate(members):
                if (index + position) % 4 != 3:
                    registrations.check_in(registration, session, facilitator)
            with clock.frozen_at(session.ends_at + timedelta(hours=1)):
                events.record_outcome(event, session.id, facilitator,
                                      {"guests": GUESTS[index % len(GUESTS)], "outcome": outcome})
            self.report.note(f"attendance of {event.title} #{index + 1}")

    def selection_school(self, organiser: User, leaders: list[User]) -> None:
        """Applications waiting for the organiser (the header's badge, the approval queue): two of them
        from one region compete for its single place; and a draft the organiser may still delete."""
        day = _on(self.first_month, 3, 10)
        school = self.event(organiser, {
            "kind": "seminar", "title": SELECTION_SCHOOL, "language": "ru", "timezone": "Europe/Samara",
            "region_code": "RU-SAM", "capacity": 12, "requires_approval": True, "max_per_region": 1,
            "description": "Двухдневная школа для будущих наставников консультантов: по одному человеку от "
                           "региона, отбор по заявкам.",
            "venue": "Самарский дом НКО", "address": "Самара, ул. Галактионовская, 39",
            "sessions": [{"start": _at(day + timedelta(days=d), 10), "end": _at(day + timedelta(days=d), 17),
                          "title": f"День {d + 1}"} for d in range(2)],
        })
        for leader in leaders:
            self.register(school, leader)
        self.event(organiser, {
            "kind": "webinar", "title": f"{SELECTION_SCHOOL} — вводный вебинар", "language": "ru", "status": "draft",
            "timezone": MOSCOW, "is_online": True, "online_url": "https://meet.jit.si/kpd-nko-mentors-intro",
            "sessions": [{"start": _at(day - timedelta(days=7), 15), "end": _at(day - timedelta(days=7), 16),
                          "title": ""}],
        })

    # --- registrations ----------------------------------------------------------------------

    def register(self, event: Event, user: User, team_role: str | None = None, answers: dict | None = None):
        registration = registrations.registration_of(event, user)
        if registration is not None:
            return registration
        self.report.note(f"registration {user.email} → {event.title}")
        return registrations.register(event.id, user, team_role=team_role, answers=answers)

    def questions(self, event: Event) -> dict[str, int]:
        """Seminar 2 asks five questions, one of them the applicant NGO's own consent text."""
        have = {q.label: q.id for q in questions.event_questions(event.id)}
        for key, data in SEMINAR_2_QUESTIONS.items():
            if data["label"] not in have:
                have[data["label"]] = questions.add_question(event, data).id
                self.report.note(f"question {key} → {event.title}")
        return {key: have[data["label"]] for key, data in SEMINAR_2_QUESTIONS.items()}

    @staticmethod
    def answers(ids: dict[str, int], n: int) -> dict:
        """The n-th participant's answers to seminar 2's questions (varied, all valid)."""
        return {f"q{ids['consent']}": True,
                f"q{ids['role']}": SEMINAR_2_ROLES[n % len(SEMINAR_2_ROLES)],
                f"q{ids['hotel']}": "yes" if n % 3 else "no",
                f"q{ids['years']}": str(2 + n % 11),
                f"q{ids['diet']}": "вегетарианское" if n % 7 == 0 else ""}

    def approve(self, registration, organiser: User) -> None:
        if registration.status == RegistrationStatus.PENDING:
            registrations.approve(registration, organiser)
            self.report.note(f"approval {registration.id}")

    def trip_results(self, trip: Event, organiser: User) -> None:
        if trip.results:
            return
        events.record_trip_results(trip, organiser, {"checkups": 64, "career_guidance": 38, "lectures": 52},
                                   notes="Осмотрено 64 жителя, у 9 выявлены показания к дообследованию — переданы "
                                         "в ЦРБ. Профориентационное занятие для 38 школьников. Выезд освещён "
                                         "областным телевидением.")
        self.report.note(f"results of {trip.title}")

    # --- the whole demo ---------------------------------------------------------------------

    def run(self) -> Report:
        applicant = self.organisation(*APPLICANT)
        staff = {}
        for role, email, full_name, _org in LOGINS:
            staff[role] = self.user(email, full_name, applicant, roles=(role,), password=PASSWORD)
        organiser = staff[Role.ORGANISER]
        messaging_demo.seed_preferences(organiser)
        for person in staff.values():  # staff agreed themselves; the demo trainee is asked on /me
            consent.confirm_consent(person)

        leaders = []
        for region, name, full_name, email in LEADERS:
            organisation = self.organisation(name, region)
            password = PASSWORD if email == TRAINEE_EMAIL else None
            leaders.append(self.user(email, full_name, organisation, password=password))
        colleagues = [self.user(email, full_name, leaders[n].organisation)
                      for n, (full_name, email) in enumerate(COLLEAGUES)]

        programme = self.programme(organiser)
        stage_ids = self.stages(programme, organiser)
        linked = self.kpd_events(programme, organiser)
        self.plan(programme, organiser, stage_ids,
                  {number: [e.id for e in items] for number, items in linked.items()})

        seminar_1, seminar_2 = linked["1"][0], linked["5"][0]
        for leader in leaders:
            self.approve(self.register(seminar_1, leader), organiser)
        second_curator = self.user(*SECOND_CURATOR, applicant, roles=(Role.CURATOR,))
        quota_demo.seed_quotas(seminar_1, organiser, [staff[Role.CURATOR], second_curator], leaders, self.report.note)
        messaging_demo.seed_message(seminar_1, organiser, self.report.note)
        for n, webinar in enumerate(linked["3"]):
            for leader in leaders[5 * n:5 * n + 20]:
                self.register(webinar, leader)
        for leader in leaders[:24]:
            self.register(linked["4"][0], leader)
        asked = self.questions(seminar_2)
        for n, (leader, colleague) in enumerate(zip(leaders, colleagues, strict=False)):
            self.register(seminar_2, leader, answers=self.answers(asked, 2 * n))
            self.register(seminar_2, colleague, answers=self.answers(asked, 2 * n + 1))

        branch = self.organisation(*SMOLENSK_BRANCH, kind=OrganisationKind.VOLUNTEER_BRANCH)
        university = self.organisation(*SMOLENSK_UNIVERSITY, kind=OrganisationKind.UNIVERSITY)
        homes = {SMOLENSK_BRANCH: branch, SMOLENSK_UNIVERSITY: university}
        team = [(self.user(email, name, homes[home], password=PASSWORD if n == 0 else None), role)
                for n, (name, email, role, home) in enumerate(VOLUNTEERS)]
        past, upcoming = self.trips(organiser)
        with clock.frozen_at(past.starts_at - timedelta(days=10)):
            for volunteer, role in team:
                self.register(past, volunteer, role)
        self.trip_results(past, organiser)
        holders = certificate_demo.seed_certificates(past, organiser, self.report.note)
        for volunteer, role in team[:7]:
            self.register(upcoming, volunteer, role)

        self.groups(organiser)
        self.abroad(organiser)
        training = db.session.execute(select(Event).where(Event.title == TRAINING_003)).scalars().first()
        materials_demo.seed_training(training, organiser, self.report.note)
        for number, webinar in enumerate(linked["3"], start=1):
            materials_demo.seed_webinar(webinar, organiser, self.report.note, number)
        self.selection_school(organiser, [leaders[0], colleagues[0], leaders[1]])
        reports_demo.seed(programme, organiser, [past, upcoming], self.now.date(), self.report.note)

        self.report.logins = [(role.value, email, PASSWORD) for role, email, *_ in LOGINS]
        self.report.logins.append((Role.TRAINEE.value, TRAINEE_EMAIL, PASSWORD))
        self.report.logins.append(("facilitator", GROUPS[0][3][0], PASSWORD))  # leads the Malko Tarnovo group
        if any(c.user_id == team[0][0].id for c in holders):
            self.report.logins.append(("holder", team[0][0].email, PASSWORD))  # has a valid certificate
        return self.report


def seed_demo() -> Report:
    """Load the demo (idempotent). Returns what was created and the demo logins."""
    return Demo().run()


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo data (the seed reports' programmes, events and people); safe to run twice."""
    try:
        report = seed_demo()
    except DomainError as error:
        details = "; ".join(f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in error.fields.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from error
    if report.created:
        click.echo(f"Demo data loaded: {len(report.created)} objects created.")
    else:
        click.echo("Demo data already present: nothing changed.")
    click.echo("Demo logins, one 'email password' pair per line:")
    for _role, email, password in report.logins:
        click.echo(f"{email} {password}")

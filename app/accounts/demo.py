"""Demo people and organisations (seed-demo): the applicant NGO's staff, thirty patient-NGO leaders (seed 001)
and their colleagues, the Smolensk volunteer medics (seed 004), the Bulgarian health mediators (seed 002) and the
Polish and Lithuanian medical staff of the certified training (seed 003). Each uses the language of their seed:
Russian, Bulgarian, Polish or Lithuanian (their saved locale). Each is looked up by its natural key first
(email; organisation name and region), so a second run adds nobody."""
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import Organisation, OrganisationKind, Role, User, organisation_key
from app.database import unit_of_work
from app.extensions import db

PASSWORD = "praktika-demo"

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

SMOLENSK_BRANCH = ("Смоленское региональное отделение ВОД «Волонтёры-медики»", "RU-SMO")
SMOLENSK_UNIVERSITY = ("Смоленский государственный медицинский университет", "RU-SMO")
# Seed 002: self-help groups on maternal and child health, led by the municipalities' health mediators.
HEALTH_MEDIATORS = ("Национална мрежа на здравните медиатори", "BG-02")

# Seed 003: medical staff of the four border hospitals, Polish and Lithuanian, at the certified training.
# (full name, e-mail, locale, (hospital, region)); the first of each country has the demo password.
BIALYSTOK = ("Wojewódzki Szpital Zespolony im. J. Śniadeckiego w Białymstoku", "PL-20")
SUWALKI = ("Szpital Wojewódzki im. dr. Ludwika Rydygiera w Suwałkach", "PL-20")
MARIJAMPOLE = ("VšĮ Marijampolės ligoninė", "LT-MR")
ALYTUS = ("VšĮ Alytaus apskrities S. Kudirkos ligoninė", "LT-AL")
MEDICS = (
    ("Katarzyna Nowak", "k.nowak@example.org", "pl", BIALYSTOK),
    ("Tomasz Wiśniewski", "t.wisniewski@example.org", "pl", BIALYSTOK),
    ("Agnieszka Kowalczyk", "a.kowalczyk@example.org", "pl", SUWALKI),
    ("Marek Zieliński", "m.zielinski@example.org", "pl", SUWALKI),
    ("Rūta Kazlauskienė", "r.kazlauskiene@example.org", "lt", MARIJAMPOLE),
    ("Tomas Petrauskas", "t.petrauskas@example.org", "lt", MARIJAMPOLE),
    ("Jurgita Jankauskienė", "j.jankauskiene@example.org", "lt", ALYTUS),
    ("Andrius Stankevičius", "a.stankevicius@example.org", "lt", ALYTUS),
)

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


class People:
    """Finds or creates the demo's organisations and users, noting each one it creates."""

    def __init__(self, note):
        self.note = note

    def organisation(self, name: str, region: str, kind=OrganisationKind.PATIENT_NGO) -> Organisation:
        existing = db.session.execute(select(Organisation).where(
            Organisation.name_key == organisation_key(name), Organisation.region_code == region)).scalar_one_or_none()
        if existing is not None:
            return existing
        with unit_of_work():
            organisation = accounts.find_or_propose_organisation(name, region, kind=kind, approved=True)
        self.note(f"organisation {name}")
        return organisation

    def user(self, email: str, full_name: str, organisation, roles=(Role.TRAINEE,), password=None,
             locale: str = "ru") -> User:
        """`locale` is saved on the user as it is: the demo's Bulgarian, Polish and Lithuanian people use
        their language whether or not the interface offers it yet (it then falls back to Russian)."""
        existing = accounts.find_user_by_email(email)
        if existing is not None:
            return existing
        user = accounts.create_user(email=email, password=password, full_name=full_name,
                                    organisation_id=organisation.id, region_code=organisation.region_code,
                                    roles=roles)
        if locale != user.locale:
            with unit_of_work():
                user.locale = locale
        self.note(f"user {email}")
        return user

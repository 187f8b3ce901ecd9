"""The demo's registrations (`flask seed-demo`): seminar 2's questions and answers, approvals, the selection
school's competing applications, and the self-help groups' members with the attendance and outcomes of the
meetings already held (seed 002). A registration that exists is left as it is, so a second run adds nothing."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from app import clock
from app.accounts.demo import HEALTH_MEDIATORS, PASSWORD, People
from app.accounts.models import OrganisationKind, User
from app.core.demo import Seeding, at
from app.events import demo as events_demo
from app.events import services as events
from app.events.models import Event
from app.registrations import questions
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus

SOFIA = ZoneInfo("Europe/Sofia")
SELECTION_SCHOOL = "Школа наставников пациентских НКО: отбор"
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


def register(seeding: Seeding, event: Event, user: User, team_role: str | None = None, answers: dict | None = None):
    registration = registrations.registration_of(event, user)
    if registration is not None:
        return registration
    seeding.note(f"registration {user.email} → {event.title}")
    return registrations.register(event.id, user, team_role=team_role, answers=answers)


def check_in(seeding: Seeding, session, present: list, actor: User) -> None:
    """Check in everyone in `present` who is not checked in at `session` yet."""
    already = registrations.checked_in_ids(session)
    for registration in present:
        if registration.id not in already:
            registrations.check_in(registration, session, actor)
            seeding.note(f"check-in {registration.id} at session {session.id}")


def seminar_questions(seeding: Seeding, event: Event) -> dict[str, int]:
    """Seminar 2 asks five questions, one of them the applicant NGO's own consent text."""
    have = {q.label: q.id for q in questions.event_questions(event.id)}
    for key, data in SEMINAR_2_QUESTIONS.items():
        if data["label"] not in have:
            have[data["label"]] = questions.add_question(event, data).id
            seeding.note(f"question {key} → {event.title}")
    return {key: have[data["label"]] for key, data in SEMINAR_2_QUESTIONS.items()}


def answers(ids: dict[str, int], n: int) -> dict:
    """The n-th participant's answers to seminar 2's questions (varied, all valid)."""
    return {f"q{ids['consent']}": True,
            f"q{ids['role']}": SEMINAR_2_ROLES[n % len(SEMINAR_2_ROLES)],
            f"q{ids['hotel']}": "yes" if n % 3 else "no",
            f"q{ids['years']}": str(2 + n % 11),
            f"q{ids['diet']}": "вегетарианское" if n % 7 == 0 else ""}


def approve(seeding: Seeding, registration, organiser: User) -> None:
    if registration.status == RegistrationStatus.PENDING:
        registrations.approve(registration, organiser)
        seeding.note(f"approval {registration.id}")


def selection_school(seeding: Seeding, organiser: User, leaders: list[User]) -> None:
    """Applications waiting for the organiser (the header's badge, the approval queue): two of them
    from one region compete for its single place; and a draft the organiser may still delete."""
    day = seeding.on(4, 20)  # after the current month: applications still wait
    school = events_demo.event(seeding, organiser, {
        "kind": "seminar", "title": SELECTION_SCHOOL, "language": "ru", "timezone": "Europe/Samara",
        "region_code": "RU-SAM", "capacity": 12, "requires_approval": True, "max_per_region": 1,
        "description": "Двухдневная школа для будущих наставников консультантов: по одному человеку от "
                       "региона, отбор по заявкам.",
        "venue": "Самарский дом НКО", "address": "Самара, ул. Галактионовская, 39",
        "sessions": [{"start": at(day + timedelta(days=d), 10), "end": at(day + timedelta(days=d), 17),
                      "title": f"День {d + 1}"} for d in range(2)],
    })
    for leader in leaders:
        register(seeding, school, leader)
    events_demo.event(seeding, organiser, {
        "kind": "webinar", "title": f"{SELECTION_SCHOOL} — вводный вебинар", "language": "ru", "status": "draft",
        "timezone": events_demo.MOSCOW, "is_online": True, "online_url": "https://meet.jit.si/kpd-nko-mentors-intro",
        "sessions": [{"start": at(day - timedelta(days=7), 15), "end": at(day - timedelta(days=7), 16),
                      "title": ""}],
    })


def groups(seeding: Seeding, people: People, organiser: User) -> list[User]:
    """Fortnightly self-help groups in Malko Tarnovo and Burgas, led by health mediators: meetings from a
    series rule, members, attendance by name plus guests, topics and outcomes of the meetings held.
    Mediators and members use Bulgarian. Returns the two mediators."""
    network = people.organisation(*HEALTH_MEDIATORS, kind=OrganisationKind.PATIENT_NGO)
    today = seeding.now.astimezone(SOFIA).date()
    made = []
    for n, (town, title, weekday, mediator, members, venue, address) in enumerate(GROUPS):
        facilitator = people.user(*mediator, network, password=PASSWORD if n == 0 else None, locale="bg")
        # the first meeting eight or nine weeks ago, on the group's weekday
        first = today - timedelta(days=56 + (today.weekday() - weekday) % 7)
        event = events_demo.group(seeding, organiser, facilitator, town=town, title=title, weekday=weekday,
                                  first=first, venue=venue, address=address)
        members_of = [people.user(email, name, network, locale="bg") for name, email in members]
        with clock.frozen_at(event.starts_at - timedelta(days=5)):
            registrations_of = [register(seeding, event, person) for person in members_of]
        meetings(seeding, event, organiser, facilitator, registrations_of)
        made.append(facilitator)
    return made


def meetings(seeding: Seeding, event: Event, organiser: User, facilitator: User, members: list) -> None:
    """Topics for every meeting; for those held, members checked in by name, guests and a short outcome."""
    tz = ZoneInfo(event.timezone)
    for index, session in enumerate(list(event.sessions)):
        topic, outcome = GROUP_TOPICS[index % len(GROUP_TOPICS)]
        if not session.title:
            start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
            events.change_meeting(event, session.id, organiser, {
                "day": start.date(), "start": start.time(), "end": end.time(), "title": topic})
        if session.starts_at > seeding.now - timedelta(hours=2) or session.outcome_recorded_at is not None:
            continue
        with clock.frozen_at(session.starts_at + timedelta(minutes=5)):
            for position, registration in enumerate(members):
                if (index + position) % 4 != 3:
                    registrations.check_in(registration, session, facilitator)
        with clock.frozen_at(session.ends_at + timedelta(hours=1)):
            events.record_outcome(event, session.id, facilitator,
                                  {"guests": GUESTS[index % len(GUESTS)], "outcome": outcome})
        seeding.note(f"attendance of {event.title} #{index + 1}")

"""The participants list of an event with many registration questions stays usable on a laptop
(1,280 px): the answers fold into each row instead of one column per question, so the Actions
column keeps its width and a row stays a few lines tall. On a phone the list scrolls in its own box.
"""
import pytest

from app.accounts.models import Organisation, OrganisationKind
from app.extensions import db
from app.registrations import questions as registration_questions
from app.registrations import services as registrations
from tests.factories import make_user
from tests.gate.builders import programme_event
from tests.gate.test_a11y_browser import _log_in

pytestmark = pytest.mark.browser

QUESTIONS = (
    {"kind": "text", "label": "Какие темы семинара для вашей организации важнее всего?", "required": True},
    {"kind": "choice", "label": "Нужно ли место в гостинице на время семинара?", "options": "Да\nНет",
     "required": True},
    {"kind": "text", "label": "Особенности питания и другие пожелания организаторам", "required": False},
    {"kind": "number", "label": "Сколько лет вы работаете в некоммерческой организации?", "required": True},
    {"kind": "text", "label": "Ваша роль в организации пациентов", "required": True},
)


def _event_with_questions():
    organiser, event = programme_event(capacity=20)
    asked = [registration_questions.add_question(event, q) for q in QUESTIONS]
    organisation = Organisation(name="Самарская областная организация пациентов с хроническими заболеваниями почек "
                                     "«Нефро-Надежда»", kind=OrganisationKind.PATIENT_NGO, region_code="RU-SAM",
                                approved=True)
    db.session.add(organisation)
    db.session.commit()
    answers = {f"q{asked[0].id}": "Работа с региональным минздравом, привлечение волонтёров и отчётность по гранту",
               f"q{asked[1].id}": "Да", f"q{asked[2].id}": "Вегетарианское меню, без глютена",
               f"q{asked[3].id}": "7", f"q{asked[4].id}": "Координатор волонтёрской программы"}
    for k in range(3):
        person = make_user(email=f"konstantin.konstantinopolsky{k}@samara-nephro-nadezhda.example.org",
                           full_name=f"Константин Константинопольский {k}", organisation=organisation)
        registrations.register(event.id, person, answers=answers)
    return organiser.email, event.id


def test_many_questions_leave_room_for_the_actions(live_server, browser):
    with live_server.app.app_context():
        email, event_id = _event_with_questions()
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    _log_in(page, live_server, email)
    page.goto(f"{live_server}/manage/events/{event_id}/registrations")
    actions = page.locator("main table thead th", has_text="Действия").bounding_box()
    rows = [page.locator("main table tbody tr").nth(k).bounding_box() for k in range(3)]
    print(f"\nparticipants at 1280 px: Actions {actions['width']:.0f} px, rows {[round(r['height']) for r in rows]} px")
    assert actions["width"] >= 120
    assert all(r["height"] < 120 for r in rows), rows
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    table = page.evaluate("() => [document.querySelector('main table').scrollWidth, "
                          "document.querySelector('main .table-responsive').clientWidth]")
    assert table[0] <= table[1], f"the table scrolls sideways at 1280 px: {table}"

    answers = page.locator("main table tbody tr").first.locator("details", has_text="5 ответов")
    assert not answers.locator("dd").first.is_visible()
    answers.locator("summary").click()
    assert answers.get_by_text("Вегетарианское меню, без глютена").is_visible()
    change = page.locator("main table tbody tr").first.locator("details", has_text="Изменить статус или роль")
    change.locator("summary").click()
    assert change.get_by_role("button", name="Изменить статус").is_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    context.close()

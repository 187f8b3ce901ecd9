"""Registration questions: the organiser's page, answers at registration, corrections, lists and exports."""
import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.accounts.models import Role
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.registrations import questions, services
from app.registrations.models import Answer, Registration
from tests.factories import make_event, make_user


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,))


@pytest.fixture
def event(organiser):
    return make_event(actor=organiser, capacity=2)


def _add(event, **fields):
    data = {"kind": "text", "label": "Вопрос", "help_text": "", "required": False, "options": "",
            "min_value": "", "max_value": ""}
    data.update(fields)
    return questions.add_question(event, data)


@pytest.fixture
def asked(event):
    """The five kinds of question a seminar asks, plus a consent question of the organising NGO."""
    return {
        "diet": _add(event, kind="text", label="Особенности питания"),
        "format": _add(event, kind="choice", label="Форма участия", options="Очно\nОнлайн", required=True),
        "topics": _add(event, kind="multiple", label="Темы", options="Права пациентов\nФандрайзинг\nСМИ"),
        "hotel": _add(event, kind="yes_no", label="Нужна гостиница?", required=True),
        "years": _add(event, kind="number", label="Стаж в НКО, лет", min_value="0", max_value="60"),
        "consent": _add(event, kind="consent", label="Согласие Самарской организации пациентов",
                        help_text="Я согласен на передачу моих данных Самарской организации пациентов."),
    }


def _good(asked):
    return {f"q{asked['format'].id}": "Очно", f"q{asked['topics'].id}": ["СМИ", "Права пациентов"],
            f"q{asked['hotel'].id}": "yes", f"q{asked['years'].id}": "4", f"q{asked['consent'].id}": True,
            f"q{asked['diet'].id}": "без глютена"}


# --- services ---------------------------------------------------------------------------------

def test_answers_are_checked_all_at_once_and_nothing_is_saved(app, event, asked):
    user = make_user()
    bad = {f"q{asked['format'].id}": "Заочно", f"q{asked['years'].id}": "70", f"q{asked['topics'].id}": ["Спорт"]}
    with pytest.raises(ValidationFailed) as error:
        services.register(event.id, user, answers=bad)
    fields = {name: [str(m) for m in msgs] for name, msgs in error.value.fields.items()}
    assert fields[f"q{asked['format'].id}"] == ["Выберите один из предложенных вариантов."]
    assert fields[f"q{asked['years'].id}"] == ["Введите не больше 60."]
    assert fields[f"q{asked['topics'].id}"] == ["Выберите один из предложенных вариантов."]
    assert fields[f"q{asked['hotel'].id}"] == ["Ответьте на этот вопрос."]
    assert f"q{asked['consent'].id}" in fields and f"q{asked['diet'].id}" not in fields
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_number_must_be_a_number(app, event, asked):
    with pytest.raises(ValidationFailed) as error:
        services.register(event.id, make_user(), answers={**_good(asked), f"q{asked['years'].id}": "четыре"})
    assert [str(m) for m in error.value.fields[f"q{asked['years'].id}"]] == ["Введите число, например 12 или 2,5."]


def test_registration_stores_typed_answers_with_the_consent_time(app, event, asked):
    with clock.frozen_at(clock.now()):
        registration = services.register(event.id, make_user(), answers=_good(asked))
        now = clock.now()
    values = {a.question_id: a.value for a in registration.answers}
    assert values[asked["topics"].id] == ["Права пациентов", "СМИ"]  # in the options' order
    assert values[asked["hotel"].id] is True and values[asked["years"].id] == 4
    consent = next(a for a in registration.answers if a.question_id == asked["consent"].id)
    assert consent.value is True and consent.answered_at == now


def test_an_event_without_questions_registers_as_before(app, event):
    assert services.register(event.id, make_user()).status.value == "confirmed"


def test_a_question_with_answers_keeps_its_kind_and_a_consent_question_stays(app, event, asked):
    services.register(event.id, make_user(), answers=_good(asked))
    with pytest.raises(Conflict) as error:
        questions.update_question(asked["years"], {"kind": "text", "label": "Стаж"})
    assert "тип изменить нельзя" in str(error.value.message)
    questions.update_question(asked["years"], {"kind": "number", "label": "Стаж, полных лет", "max_value": "80"})
    assert asked["years"].label == "Стаж, полных лет" and asked["years"].max_value == 80
    with pytest.raises(Conflict):
        questions.delete_question(asked["consent"])
    with pytest.raises(Conflict) as error:
        questions.update_question(asked["consent"], {"kind": "consent", "label": "Согласие", "help_text": "Другой текст"})
    assert error.value.fields == {"help_text": [error.value.message]}
    questions.delete_question(asked["diet"])
    assert db.session.scalar(select(func.count(Answer.id))) == 5


def test_question_shape_is_checked(app, event):
    with pytest.raises(ValidationFailed) as error:
        questions.add_question(event, {"kind": "choice", "label": "", "options": "Одна"})
    assert set(error.value.fields) == {"label", "options"}
    with pytest.raises(ValidationFailed) as error:
        questions.add_question(event, {"kind": "number", "label": "Возраст", "min_value": "60", "max_value": "18"})
    assert set(error.value.fields) == {"max_value"}
    with pytest.raises(ValidationFailed) as error:
        questions.add_question(event, {"kind": "consent", "label": "Согласие", "help_text": ""})
    assert set(error.value.fields) == {"help_text"}
    assert questions.add_question(event, {"kind": "consent", "label": "Согласие", "help_text": "Текст"}).required


def test_reorder_moves_one_place(app, event, asked):
    questions.move_question(asked["hotel"], "up")
    labels = [q.label for q in questions.event_questions(event.id)]
    assert labels.index("Нужна гостиница?") == 2 and labels.index("Темы") == 3
    questions.move_question(questions.event_questions(event.id)[0], "up")  # the first stays first
    assert questions.event_questions(event.id)[0].label == "Особенности питания"


def test_answers_can_be_corrected_until_registration_closes(app, event, asked):
    registration = services.register(event.id, make_user(), answers=_good(asked))
    questions.update_answers(registration, {**_good(asked), f"q{asked['diet'].id}": "", f"q{asked['years'].id}": "5"})
    values = {a.question_id: a.value for a in db.session.get(Registration, registration.id).answers}
    assert asked["diet"].id not in values and values[asked["years"].id] == 5
    with clock.frozen_at(event.starts_at + timedelta(minutes=1)):
        assert not questions.can_change_answers(registration)
        with pytest.raises(Conflict) as error:
            questions.update_answers(registration, _good(asked))
    assert "Регистрация закрыта" in str(error.value.message)


# --- routes -----------------------------------------------------------------------------------

def test_organiser_manages_questions_on_their_page(app, client, login, organiser, event):
    login(organiser)
    page = client.get(f"/manage/events/{event.id}/questions")
    assert page.status_code == 200 and "Добавить вопрос" in page.get_data(as_text=True)
    response = client.post(f"/manage/events/{event.id}/questions",
                           data={"kind": "choice", "label": "Форма участия", "options": "Очно"})
    assert response.status_code == 422 and "Укажите не меньше двух вариантов" in response.get_data(as_text=True)
    response = client.post(f"/manage/events/{event.id}/questions",
                           data={"kind": "choice", "label": "Форма участия", "options": "Очно\nОнлайн",
                                 "required": "y"})
    assert response.status_code == 302
    [question] = questions.event_questions(event.id)
    assert question.required and question.options == ["Очно", "Онлайн"]
    response = client.post(f"/manage/events/{event.id}/questions/{question.id}/edit",
                           data={"kind": "choice", "label": "Как вы будете участвовать?", "options": "Очно\nОнлайн"})
    assert response.status_code == 302 and db.session.get(type(question), question.id).label.startswith("Как")
    assert client.post(f"/manage/events/{event.id}/questions/{question.id}/delete", data={"confirm": "yes"}).status_code == 302
    assert questions.event_questions(event.id) == []


def test_another_organiser_gets_404(app, client, login, event, asked):
    login(make_user(roles=(Role.ORGANISER,)))
    assert client.get(f"/manage/events/{event.id}/questions").status_code == 404
    other = make_event(actor=make_user(roles=(Role.ORGANISER,)))
    owner_of_other = other.created_by
    client.post("/auth/logout")
    login(owner_of_other)
    # a question id of another event, under an event this organiser owns
    assert client.get(f"/manage/events/{other.id}/questions/{asked['diet'].id}/edit").status_code == 404


def test_direct_post_without_answers_is_refused_with_the_form(app, client, login, event, asked):
    user = login(make_user())
    response = client.post(f"/events/{event.id}/register", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ответьте на этот вопрос." in html and f'id="q{asked["hotel"].id}-error"' in html
    assert services.registration_of(event, user) is None
    response = client.post(f"/events/{event.id}/register", data=_good(asked))
    assert response.status_code == 302
    assert services.registration_of(event, user).status.value == "confirmed"


def test_event_page_asks_the_questions_and_links_my_answers(app, client, login, event, asked):
    user = login(make_user())
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Нужна гостиница?" in html and "Я согласен на передачу" in html
    client.post(f"/events/{event.id}/register", data=_good(asked))
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/answers" in html
    page = client.get(f"/events/{event.id}/answers").get_data(as_text=True)
    assert "без глютена" in page
    response = client.post(f"/events/{event.id}/answers", data={**_good(asked), f"q{asked['years'].id}": "-1"})
    assert response.status_code == 422 and "Введите не меньше 0." in response.get_data(as_text=True)
    response = client.post(f"/events/{event.id}/answers", data={**_good(asked), f"q{asked['years'].id}": "7"})
    assert response.status_code == 302
    registration = services.registration_of(event, user)
    assert {a.question_id: a.value for a in registration.answers}[asked["years"].id] == 7


def test_participants_list_and_exports_show_answers(app, client, login, organiser, event, asked):
    services.register(event.id, make_user(full_name="Ирина Петрова"), answers=_good(asked))
    login(organiser)
    html = client.get(f"/manage/events/{event.id}/registrations").get_data(as_text=True)
    assert "Форма участия" in html and "Права пациентов; СМИ" in html
    text = client.get(f"/manage/events/{event.id}/registrations.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][-6:] == ["Особенности питания", "Форма участия", "Темы", "Нужна гостиница?",
                            "Стаж в НКО, лет", "Согласие Самарской организации пациентов"]
    assert rows[1][-6:] == ["без глютена", "Очно", "Права пациентов; СМИ", "Да", "4", "Согласие получено"]
    sheet = load_workbook(io.BytesIO(client.get(f"/manage/events/{event.id}/registrations.xlsx").data)).active
    assert [c.value for c in sheet[2]][-2:] == ["4", "Согласие получено"]


def test_event_consent_records_download(app, client, login, organiser, event, asked):
    services.register(event.id, make_user(email="irina@example.org"), answers=_good(asked))
    login(organiser)
    response = client.get(f"/manage/events/{event.id}/consents.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-1].startswith("Согласие Самарской организации пациентов")
    assert rows[1][2] == "irina@example.org" and rows[1][-1]  # the time of agreement


def test_me_links_my_answers_for_events_that_ask(app, client, login, event, asked, organiser):
    user = login(make_user())
    services.register(event.id, user, answers=_good(asked))
    plain = make_event(actor=organiser, title="Вебинар без вопросов", kind="webinar")
    services.register(plain.id, user)
    html = client.get("/me").get_data(as_text=True)
    assert f"/events/{event.id}/answers" in html and f"/events/{plain.id}/answers" not in html

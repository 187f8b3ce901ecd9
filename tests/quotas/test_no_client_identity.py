"""No model, form or API schema of the quotas area has a column or field for who a client is."""
import re

import pytest
from flask_babel import force_locale

from app.accounts import services as accounts
from app.api import quotas as api_quotas
from app.errors import ValidationFailed
from app.extensions import db
from app.quotas import forms, services
from app.quotas import models as quota_models
from app.quotas.base import MESSAGES
from app.quotas.identity import identity_in
from tests.events.test_forms import field_error
from tests.quotas.conftest import consultation_data, move_to

FORBIDDEN = re.compile(r"name|phone|e_?mail|address|birth|diagnos|snils|passport|contact|surname|patronymic|dob",
                       re.IGNORECASE)
# Names of things that are not a client: the curator's and trainee's own data shown to organisers, the
# topic category's name (plan metadata) — none of them is a column of a consultation.
ALLOWED_OUTSIDE_CONSULTATIONS = {"QuotaUserSchema.email", "QuotaUserSchema.full_name", "CuratorSchema.email",
                                 "CuratorSchema.full_name"}


def _quota_tables():
    return [t for t in db.metadata.sorted_tables
            if any(m.class_.__module__ == quota_models.__name__ and m.local_table is t
                   for m in db.Model.registry.mappers)] + [quota_models.quota_plan_curators,
                                                            quota_models.mentoring_participants]


def test_no_column_for_client_identity(app):
    columns = [f"{t.name}.{c.name}" for t in _quota_tables() for c in t.columns]
    assert "consultations.held_on" in columns            # the scan really covers the consultations table
    assert [c for c in columns if FORBIDDEN.search(c.split(".")[1])] == []


def test_no_form_field_for_client_identity(app):
    with app.test_request_context():
        names = [f"{form.__name__}.{field.name}"
                 for form in (forms.ConsultationForm, forms.MentoringForm, forms.CatchUpForm, forms.ReviewForm)
                 for field in form(meta={"csrf": False})]
    assert "ConsultationForm.note" in names
    assert [n for n in names if FORBIDDEN.search(n.split(".")[1])] == []


def test_no_api_field_for_client_identity():
    schemas = [api_quotas.ConsultationInSchema, api_quotas.ConsultationOutSchema, api_quotas.QuotaOutSchema,
               api_quotas.QuotaUserSchema, api_quotas.CuratorSchema]
    fields = [f"{s.__name__}.{name}" for s in schemas for name in s().fields]
    assert "ConsultationInSchema.client_type" in fields
    assert [f for f in fields if FORBIDDEN.search(f.split(".")[1]) and f not in ALLOWED_OUTSIDE_CONSULTATIONS] == []
    assert not [f for f in fields if f.startswith("Consultation") and FORBIDDEN.search(f.split(".")[1])]




# --- what a note says (issue 20.17): no phone, e-mail or date of birth, whatever the door ------------

IDENTIFYING = [
    ("Иванова Мария, тел. +7 927 123-45-67, диабет", "phone"),
    ("перезвонить 8 (927) 123-45-67", "phone"),
    ("мама, 89271234567", "phone"),
    ("домашний 123-45-67", "phone"),
    ("Мария, +359 88 123 4567", "phone"),
    ("обади се на 0888 123 456", "phone"),
    ("tel. +48 601 234 567", "phone"),
    ("tel. 601-234-567", "phone"),
    ("stacjonarny 22 123 45 67", "phone"),
    ("пишет на maria.ivanova@mail.ru", "email"),
    ("родилась 12.03.1980", "birth_date"),
    ("1980-03-12, первичная", "birth_date"),
    ("12/03/80", "birth_date"),
    ("1980 г.р., льготы", "birth_date"),
    ("д.р. 12 марта", "birth_date"),
    ("дата на раждане 3 май", "birth_date"),
    ("pacjentka ur. 1975", "birth_date"),
]
INNOCENT = ["20 минут о льготах", "2 консультации подряд", "диагноз не обсуждали, с 2019 года на диализе",
            "в 2019-2020 гг. уже обращалась", "с 10:30 до 12:00", "на 10-15 минут, 3 вопроса",
            "повторно через 2 недели, 12.03", "Про льготы", "1 500 000 руб. компенсации", "konsultacja 45 min, 2 razy",
            ""]
DATA = consultation_data(note="")


@pytest.mark.parametrize(("note", "found"), IDENTIFYING)
def test_a_phone_an_email_or_a_birth_date_is_found(note, found):
    assert identity_in(note) == found


@pytest.mark.parametrize("note", INNOCENT)
def test_counts_years_and_times_are_not_taken_for_identity(note):
    assert identity_in(note) is None


def test_the_service_refuses_an_identifying_note_and_saves_nothing(world):
    quota = world.quota(world.trainees[0])
    move_to(consultation_data()["held_on"])
    for note, found in IDENTIFYING[:1] + IDENTIFYING[9:11]:
        with pytest.raises(ValidationFailed) as caught:
            services.log_consultation(quota, {**DATA, "note": note}, world.trainees[0])
        assert caught.value.fields == {"note": [MESSAGES[f"note_{found}"]]}
    assert services.row_for(quota).submitted == 0
    services.log_consultation(quota, {**DATA, "note": INNOCENT[0]}, world.trainees[0])
    assert services.row_for(quota).submitted == 1


def test_the_form_says_why_beside_the_note_and_keeps_the_warning_about_names(client, login, world):
    trainee = login(world.trainees[0])
    quota = world.quota(trainee)
    move_to(consultation_data()["held_on"])
    response = client.post(f"/quotas/{quota.id}/consultations/new", data={
        "held_on": "2027-03-15", "format": "phone", "duration_minutes": "30", "client_type": "patient",
        "note": IDENTIFYING[0][0]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    with force_locale("ru"):
        assert str(MESSAGES["note_phone"]) in field_error(html, "note")
        assert str(forms.ConsultationForm.note.kwargs["description"]) in html
    assert services.row_for(quota).submitted == 0


def test_the_api_refuses_it_as_fields_note(client, world):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    move_to(consultation_data()["held_on"])
    body = {"quota_id": quota.id, "date": "2027-03-15", "format": "phone", "duration_minutes": 30,
            "client_type": "patient", "is_repeat": False}
    headers = {"Authorization": f"Bearer {accounts.create_api_token(trainee)}"}
    for note, _found in IDENTIFYING[:1] + IDENTIFYING[9:11]:
        response = client.post("/api/v1/consultations", json={**body, "note": note}, headers=headers)
        assert response.status_code == 422 and list(response.json["fields"]) == ["note"], response.json
    assert services.row_for(quota).submitted == 0
    assert client.post("/api/v1/consultations", json={**body, "note": INNOCENT[0]}, headers=headers).status_code == 201

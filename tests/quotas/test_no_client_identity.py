"""No model, form or API schema of the quotas area has a column or field for who a client is."""
import re

from app.api import quotas as api_quotas
from app.extensions import db
from app.quotas import forms
from app.quotas import models as quota_models

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



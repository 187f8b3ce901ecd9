"""The privacy registry: every area that keeps personal data registers its hook, the export is
assembled from the hooks (the same sections and rows as before the registry), and after a deletion
no area still holds the person's name or email."""
from datetime import date

import pytest
from sqlalchemy import JSON, String, Text, func, select

from app import clock
from app.accounts import consent
from app.accounts import services as accounts
from app.accounts.models import ApiToken, ConsentRecord, User
from app.certificates import files, issuance
from app.certificates.models import Certificate, CertificateKind
from app.core.storage import store
from app.extensions import db
from app.privacy import registry, services
from app.quotas import services as quotas
from app.quotas.models import Consultation, ConsultationQuota
from app.registrations import questions
from app.registrations import services as registrations
from app.registrations.models import Answer, CheckIn, Registration, RegistrationHistory
from tests.factories import make_event
from tests.quotas.conftest import BEFORE, build_world, consultation_data, move_to

P = CertificateKind.PARTICIPATION
NAME, EMAIL = "Ирина Петрова", "irina.petrova@example.org"


def _columns(model, *skip: str) -> set[str]:
    secret = {"password_hash", "calendar_token", "session_version", "token_hash"}
    return {c.key for c in model.__table__.columns} - secret - set(skip)


@pytest.fixture
def person(app):
    """A trainee with a bit of everything: consent, an API token, a seminar with check-ins and an
    answer, a quota with two consultations, a certificate and a revoked one, a future registration."""
    with clock.frozen_at(BEFORE):
        yield _person_with_data()


def _person_with_data():
    world = build_world(2)
    person = world.trainees[0]
    person.full_name, person.email = NAME, EMAIL
    db.session.commit()
    consent.confirm_consent(person)
    accounts.create_api_token(person, "сайт")
    move_to(date(2027, 3, 16))
    quota = world.quota(person)
    quotas.log_consultation(quota, consultation_data(), person)
    quotas.log_consultation(quota, consultation_data(topic="support"), person)
    issuance.issue_one(world.event, person, P, world.organiser)
    revoked = issuance.issue_one(world.event, person, CertificateKind.COMPLETION, world.organiser,
                                 override_reason="test")
    issuance.revoke(revoked, world.organiser, "Ошибка в часах")
    future = make_event(actor=world.organiser, title="Осенний семинар")
    asked = questions.add_question(future, {"kind": "text", "label": "Особенности питания"})
    registrations.register(future.id, person, answers={f"q{asked.id}": f"веган, {NAME}"})
    return world, person


def test_every_area_keeping_personal_data_has_a_hook_naming_each_reference(app):
    """Each foreign key to users.id belongs to a table of some area; that area registered a hook
    naming the column. A new column pointing at people fails here until its area says what it does."""
    hooks = registry.registry().hooks()
    named = {column: hook.area for hook in hooks for column in hook.columns}
    references = {f"{table.name}.{fk.parent.name}" for table in db.metadata.sorted_tables
                  for fk in table.foreign_keys if fk.column.table.name == "users"}
    assert sorted(references - set(named)) == [], "columns pointing at people with no privacy hook naming them"
    assert sorted(set(named) - references) == [], "hooks naming columns that do not point at people"
    owners = {}
    for mapper in db.Model.registry.mappers:
        owners[mapper.local_table.name] = mapper.class_.__module__.split(".")[1]
    for column, area in named.items():
        table = column.split(".")[0]
        assert owners.get(table, area) == area, f"{column} is registered by {area}, but belongs to {owners[table]}"
    assert [hook.area for hook in hooks] == list(registry.AREAS)


def test_the_export_has_the_same_sections_and_rows_as_before(app, person):
    world, person = person
    data = services.export_data(person)
    assert set(data) == {"exported_at", "profile", "consents", "registrations", "quotas", "certificates",
                         "api_tokens"}
    assert set(data["profile"]) == _columns(User) | {"organisation", "roles"}
    assert data["profile"]["email"] == EMAIL and data["profile"]["roles"] == ["trainee"]
    [agreed] = data["consents"]
    assert set(agreed) == _columns(ConsentRecord, "user_id") | {"text"} and agreed["text"] == consent.consent_text("ru")
    [token] = data["api_tokens"]
    assert set(token) == _columns(ApiToken, "user_id") and token["name"] == "сайт"

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    assert len(data["registrations"]) == count(Registration, Registration.user_id == person.id) == 2
    for row in data["registrations"]:
        assert set(row) == _columns(Registration, "user_id") | {"event", "history", "answers", "check_ins"}
        assert len(row["history"]) == count(RegistrationHistory, RegistrationHistory.registration_id == row["id"])
        assert len(row["check_ins"]) == count(CheckIn, CheckIn.registration_id == row["id"])
        assert len(row["answers"]) == count(Answer, Answer.registration_id == row["id"])
        assert all(set(h) == _columns(RegistrationHistory, "registration_id") for h in row["history"])
    assert [len(r["check_ins"]) for r in data["registrations"]] == [3, 0]
    assert data["registrations"][1]["answers"][0]["value"] == f"веган, {NAME}"
    [quota] = data["quotas"]
    assert set(quota) == _columns(ConsultationQuota, "user_id") | {"consultations"}
    assert len(quota["consultations"]) == count(Consultation, Consultation.quota_id == quota["id"]) == 2
    assert all(set(c) == _columns(Consultation, "quota_id") for c in quota["consultations"])
    assert len(data["certificates"]) == count(Certificate, Certificate.user_id == person.id) == 2
    assert all(set(c) == _columns(Certificate, "user_id") for c in data["certificates"])


def _places_holding(*texts: str) -> list[str]:
    """Every text or JSON column of every table whose value contains one of `texts`."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                for value in db.session.execute(select(column).where(column.is_not(None))).scalars():
                    if any(text in str(value) for text in texts):
                        found.append(f"{table.name}.{column.name}")
                        break
    return sorted(set(found))


def test_after_a_deletion_no_area_holds_the_name_or_email(app, person):
    world, person = person
    before = _places_holding(NAME, EMAIL)
    assert {"users.full_name", "users.email", "registration_answers.value", "certificates.holder_name"} <= set(before)
    services.delete_account(person, "password123")
    db.session.expire_all()
    # A certificate in force keeps the printed name (the holder may still show it; /verify confirms
    # it); the outbox is the mail already sent, not data an area keeps.
    allowed = {"certificates.holder_name", "outbox_messages.payload"}
    assert set(_places_holding(NAME, EMAIL)) <= allowed
    live = db.session.scalars(select(Certificate).where(Certificate.user_id == person.id)).all()
    assert {c.holder_name for c in live if c.revoked_at is None} == {NAME}
    assert {c.holder_name for c in live if c.revoked_at is not None} == {f"Deleted user #{person.id}"}
    # the revoked certificate's PDF printed the name: it is erased from the store; the one in force stays
    assert {c.revoked_at is None for c in live if store().exists(files.key_in_store(c.pdf_path))} == {True}
    assert len(store().list("certificates")) == 1


def test_a_new_hook_is_asked_for_its_part_and_to_forget(app, person):
    world, person = person
    forgotten = []
    app.extensions["privacy"].register(
        "notebook", columns=(), export=lambda user: {"notebook": [f"note of {user.id}"]},
        anonymise=lambda user: forgotten.append((user.id, user.full_name)),
        to_tell=lambda user: [world.curator])
    assert services.export_data(person)["notebook"] == [f"note of {person.id}"]
    told = services.withdraw_consent(person, "password123")
    assert told == 2  # the seminar's organiser (registrations' hook) and the notebook's curator
    # the areas above forget first: the new hook ran while the account still had its name
    assert forgotten == [(person.id, NAME)]
    with pytest.raises(RuntimeError, match="twice"):
        app.extensions["privacy"].register("notebook", columns=())

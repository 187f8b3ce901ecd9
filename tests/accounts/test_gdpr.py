"""The person's own data: download as JSON (a GET that writes nothing), delete the account, withdraw
consent (the organisers are mailed first). Counts in reports, attendance and certificates stay right."""
import base64
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from app import clock
from app.accounts import credentials, services
from app.accounts.models import ApiToken, ConsentRecord, Role, User
from app.certificates import issuance
from app.certificates.models import CertificateKind
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.privacy import services as privacy
from app.programmes import services as programmes
from app.registrations import questions
from app.registrations import services as registrations
from app.registrations.models import Answer, CheckIn, Registration, RegistrationStatus
from app.reports import sources
from tests.factories import make_event, make_organisation, make_user


@pytest.fixture
def organiser(app):
    return make_user("olga@example.org", roles=(Role.ORGANISER,), full_name="Ольга Организатор")


@pytest.fixture
def irina(app):
    organisation = make_organisation("Самарская организация пациентов")
    user = make_user("irina@example.org", full_name="Ирина Петрова", organisation=organisation)
    services.create_api_token(user, "сайт")
    return user


def _past_seminar_with_check_in(organiser, user):
    """A seminar held last week that `user` attended, with a certificate in force and a revoked one."""
    event = make_event(actor=organiser, title="Семинар прошлой недели", capacity=None, attendance_threshold=0,
                       start=clock.now() - timedelta(days=7))
    db.session.add(Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED,
                                region_code=user.region_code, organisation_id=user.organisation_id))
    db.session.commit()
    registration = registrations.registration_of(event, user)
    db.session.add(CheckIn(registration_id=registration.id, session_id=event.sessions[0].id))
    db.session.commit()
    valid = issuance.issue_one(event, user, CertificateKind.PARTICIPATION, organiser, override_reason="test")
    return event, registration, valid


def _row_counts() -> dict:
    tables = [t.name for t in db.metadata.sorted_tables]
    return {t: db.session.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in tables}


def test_my_data_is_a_json_download_that_writes_nothing(app, client, login, organiser, irina):
    event = make_event(actor=organiser, title="Школа пациентских лидеров")
    questions.add_question(event, {"kind": "text", "label": "Особенности питания"})
    registrations.register(event.id, irina, answers={f"q{questions.event_questions(event.id)[0].id}": "веган"})
    login(irina)
    before = _row_counts()
    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["email"] == "irina@example.org" and "password_hash" not in data["profile"]
    assert data["profile"]["organisation"] == "Самарская организация пациентов"
    [registration] = data["registrations"]
    assert registration["event"] == "Школа пациентских лидеров" and registration["status"] == "confirmed"
    assert registration["answers"] == [{"question": "Особенности питания", "kind": "text", "value": "веган",
                                        "answered_at": registration["answers"][0]["answered_at"]}]
    assert data["api_tokens"][0]["name"] == "сайт" and "token_hash" not in data["api_tokens"][0]
    assert set(data) >= {"consents", "quotas", "certificates"}
    assert _row_counts() == before


def test_delete_needs_the_password(app, client, login, irina):
    login(irina)
    assert client.get("/account/delete").status_code == 200
    response = client.post("/account/delete", data={"password": "wrong-password"})
    assert response.status_code == 422 and "Неверный пароль." in response.get_data(as_text=True)
    assert db.session.get(User, irina.id).deleted_at is None


def test_deleting_anonymises_and_keeps_the_counts(app, client, login, organiser, irina, mail_outbox):
    past, past_registration, valid = _past_seminar_with_check_in(organiser, irina)
    revoked = issuance.issue_one(past, irina, CertificateKind.COMPLETION, organiser, override_reason="test")
    issuance.revoke(revoked, organiser, "Ошибка в часах")
    future = make_event(actor=organiser, title="Весенний семинар", capacity=1)
    registrations.register(future.id, irina)
    waiting = make_user("anna@example.org", full_name="Анна Смирнова")
    registrations.register(future.id, waiting)
    organisation_id = irina.organisation_id
    login(irina)
    mail_outbox.clear()

    response = client.post("/account/delete", data={"password": "password123"})
    assert response.status_code == 302
    user = db.session.get(User, irina.id)
    db.session.refresh(user)
    assert user.full_name == f"Deleted user #{user.id}" and user.email == f"deleted-{user.id}@deleted.invalid"
    assert user.organisation_id is None and user.password_hash is None and not user.active
    assert user.calendar_token is None and user.deleted_at is not None
    assert db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id)) == 0
    assert client.get("/me").status_code == 302  # signed out
    assert services.authenticate("irina@example.org", "password123") is None
    # the future seat went to the waitlist, by mail
    status_of = {r.user_id: r.status for r in db.session.execute(
        select(Registration).where(Registration.event_id == future.id)).scalars()}
    assert status_of[user.id] == RegistrationStatus.CANCELLED
    assert status_of[waiting.id] == RegistrationStatus.OFFERED
    assert any("anna@example.org" in m["To"] for m in mail_outbox)
    # the past stays counted, with the organisation it was made with
    kept = db.session.get(Registration, past_registration.id)
    assert kept.status == RegistrationStatus.CONFIRMED and kept.organisation_id == organisation_id
    assert registrations.attendance_for([kept])[kept.id].attended == 1
    # a certificate in force keeps the printed name; a revoked one no longer shows it
    def holder(certificate):
        body = client.get(f"/verify/{certificate.serial}.json?c={certificate.check_code}").get_json()
        return body["details"]["holder_name"]

    assert holder(valid) == "Ирина Петрова"
    assert holder(revoked) == f"Deleted user #{user.id}"
    jwt = client.get(f"/verify/{revoked.serial}.credential?c={revoked.check_code}").get_data(as_text=True).strip()
    payload = jwt.split(".")[1]
    claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "Deleted user" in claims and "Ирина" not in claims
    records = db.session.execute(select(ConsentRecord).where(ConsentRecord.user_id == user.id)).scalars().all()
    assert all(r.withdrawn_at is not None for r in records)


def test_deleting_removes_answers_but_keeps_consent_agreements(app, organiser, irina):
    event = make_event(actor=organiser)
    text_question = questions.add_question(event, {"kind": "text", "label": "Диагноз в семье"})
    agreement = questions.add_question(event, {"kind": "consent", "label": "Согласие НКО", "help_text": "Текст"})
    registrations.register(event.id, irina, answers={f"q{text_question.id}": "сахарный диабет",
                                                     f"q{agreement.id}": True})
    privacy.delete_account(irina, "password123")
    assert db.session.execute(select(Answer.question_id)).scalars().all() == [agreement.id]


def test_withdrawing_consent_tells_the_organisers_then_anonymises(app, client, login, organiser, irina,
                                                                   mail_outbox):
    event = make_event(actor=organiser, title="Школа пациентских лидеров")
    registrations.register(event.id, irina)
    login(irina)
    mail_outbox.clear()
    response = client.post("/account/consent/withdraw", data={"withdraw-password": "password123"})
    assert response.status_code == 302
    to_organiser = [m for m in mail_outbox if "olga@example.org" in m["To"]]
    # the consent notice, and the cancellation of her registration that the withdrawal causes
    assert len(to_organiser) == 2
    [notice] = [m for m in to_organiser if "отозвал(а) согласие" in m.get_body(("plain",)).get_content()]
    assert "Ирина Петрова (irina@example.org) отозвал(а) согласие" in notice.get_body(("plain",)).get_content()
    assert db.session.get(User, irina.id).deleted_at is not None


def test_a_deleted_account_cannot_be_enabled_again(app, irina):
    admin = make_user(roles=(Role.ADMIN,))
    privacy.delete_account(irina, "password123")
    with pytest.raises(Conflict) as error:
        credentials.set_active(db.session.get(User, irina.id), True, actor=admin)
    assert "включить её снова нельзя" in str(error.value.message)


def test_service_refuses_a_wrong_password(app, irina):
    with pytest.raises(ValidationFailed):
        privacy.delete_account(irina, "nope")


def test_report_counts_by_organisation_and_region_stay_after_deletion(app, organiser, irina):
    programme = programmes.create_programme(organiser, {
        "title": "КПД НКО", "funder": "Фонд президентских грантов", "grant_number": "", "description": "",
        "starts_on": date(2020, 1, 1), "ends_on": date(2040, 12, 31), "regions": ["RU-SAM"],
        "target_groups": "Лидеры НКО", "organisers": [organiser.id]})
    event = make_event(actor=organiser, title="Семинар прошлой недели", capacity=None, attendance_threshold=0,
                       start=clock.now() - timedelta(days=7), programme_id=programme.id)
    db.session.add(Registration(event_id=event.id, user_id=irina.id, status=RegistrationStatus.CONFIRMED,
                                region_code=irina.region_code, organisation_id=irina.organisation_id))
    db.session.commit()
    issuance.issue_one(event, irina, CertificateKind.PARTICIPATION, organiser, override_reason="test")
    scope = sources.Scope(programme_id=programme.id)
    before = {by: sources.compute("certificates_issued", scope, by=by) for by in ("organisation", "region")}
    assert before["organisation"] == {irina.organisation_id: 1}
    privacy.delete_account(irina, "password123")
    after = {by: sources.compute("certificates_issued", scope, by=by) for by in ("organisation", "region")}
    assert after == before

"""Consent to the processing of personal data: at sign-up, collected by an organiser, confirmed on /me,
and the administrator's register of consents."""
import csv
import io

from sqlalchemy import select

from app import clock
from app.accounts import consent, services
from app.accounts.models import ConsentRecord, ConsentSource, Role
from app.extensions import db
from tests.factories import make_user

SIGN_UP = {"email": "leader@example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
           "organisation": "", "organisation_kind": "patient_ngo", "region": "RU-SAM"}


def _records(email):
    user = services.find_user_by_email(email)
    return db.session.execute(select(ConsentRecord).where(ConsentRecord.user_id == user.id)).scalars().all()


def test_sign_up_shows_the_text_and_needs_the_box(app, client):
    html = client.get("/auth/register").get_data(as_text=True)
    assert "152-ФЗ" in html and 'name="consent"' in html and consent.CURRENT_CONSENT_VERSION in html
    response = client.post("/auth/register", data=SIGN_UP)
    assert response.status_code == 422
    assert "Отметьте согласие на обработку персональных данных." in response.get_data(as_text=True)
    assert services.find_user_by_email(SIGN_UP["email"]) is None


def test_sign_up_records_the_version_and_the_time(app, client):
    with clock.frozen_at(clock.now()):
        assert client.post("/auth/register", data={**SIGN_UP, "consent": "y"}).status_code == 302
        now = clock.now()
    [record] = _records(SIGN_UP["email"])
    assert (record.version, record.source, record.given_at, record.recorded_by_id) == \
        (consent.CURRENT_CONSENT_VERSION, ConsentSource.SIGN_UP, now, None)
    assert "Ваше согласие на обработку" not in client.get("/me").get_data(as_text=True)


def test_english_visitors_read_the_english_text(app, client):
    client.post("/language", data={"locale": "en"})
    assert "Regulation (EU) 2016/679" in client.get("/auth/register").get_data(as_text=True)


def test_imported_people_confirm_on_their_next_visit(app, runner, client, login, tmp_path):
    organiser = make_user("olga@example.org", roles=(Role.ORGANISER,))
    path = tmp_path / "people.csv"
    path.write_text("email,full_name,organisation,region,roles,password\n"
                    "anna@example.org,Анна Смирнова,,RU-PNZ,,password123\n", encoding="utf-8")
    result = runner.invoke(args=["import-users", str(path), "--collected-by", "olga@example.org"])
    assert result.exit_code == 0, result.output
    [record] = _records("anna@example.org")
    assert record.source == ConsentSource.ORGANISER and record.recorded_by_id == organiser.id
    anna = services.find_user_by_email("anna@example.org")
    login(anna)
    for page in ("/me", "/account/profile"):
        html = client.get(page).get_data(as_text=True)
        assert "Ваше согласие на обработку персональных данных" in html and "152-ФЗ" in html
    assert client.post("/account/consent").status_code == 302
    sources = sorted(r.source.value for r in _records("anna@example.org"))
    assert sources == ["confirmed", "organiser"]
    assert "Ваше согласие на обработку" not in client.get("/me").get_data(as_text=True)


def test_create_user_command_records_consent_collected_by_the_organiser(app, runner):
    result = runner.invoke(args=["create-user", "--email", "curator@example.org", "--password", "samara-2027",
                                 "--name", "Кира Куратор"])
    assert result.exit_code == 0, result.output
    [record] = _records("curator@example.org")
    assert record.source == ConsentSource.ORGANISER and record.recorded_by_id is None


def test_admin_downloads_every_consent_record(app, client, login):
    admin = make_user(roles=(Role.ADMIN,))
    client.post("/auth/register", data={**SIGN_UP, "consent": "y"})
    client.post("/auth/logout")
    login(make_user())
    assert client.get("/manage/consents.csv").status_code == 403
    client.post("/auth/logout")
    login(admin)
    assert "/manage/consents.csv" in client.get("/manage/users").get_data(as_text=True)
    response = client.get("/manage/consents.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == list(consent.CSV_HEADER)
    assert [row[2] for row in rows[1:]] == ["leader@example.org"] and rows[1][4] == "sign_up"

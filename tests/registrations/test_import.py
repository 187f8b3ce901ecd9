"""Issue 25, item 2: bulk import of participants, previewed row by row before anything is saved, run
through add_participant (capacity, waitlist, one per region, new accounts invited) and saved all or
nothing; the people are mailed in their language; only .csv/.xlsx files are read."""
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.extensions import db
from app.registrations import imports, services
from app.registrations.models import Registration, RegistrationStatus
from tests.factories import make_event, make_user

S = RegistrationStatus
TABLE = ("email;full_name;organisation;region;role\n"
         "anna@example.org;Анна Иванова;Союз пациентов;RU-SAM;\n"
         "boris@example.org;Борис Петров;;ru-pnz;\n"
         "vera@example.org;Вера Смирнова;;RU-MOW;\n")


@pytest.fixture
def organiser(app):
    return make_user("import-org@example.org", roles=(Role.ORGANISER,), locale="en")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _registrations(event) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(Registration.id)).where(Registration.event_id == event.id)).scalar()


def test_preview_saves_nothing_then_confirm_saves_all_and_mails(client, login, organiser, mail_outbox):
    event = make_event(actor=organiser, capacity=2, language="ru")
    login(organiser)
    url = f"/manage/events/{event.id}/registrations/import"
    assert client.get(url).status_code == 200
    preview = client.post(url, data={"table": TABLE})
    page = _text(preview)
    assert preview.status_code == 200 and 'id="import-preview"' in page
    assert "Confirmed: 2 · waitlisted: 1 · new accounts: 3" in page
    assert _registrations(event) == 0 and not mail_outbox
    assert db.session.execute(select(User).where(User.email == "anna@example.org")).scalar() is None
    response = client.post(url, data={"table": imports.as_csv(imports.table_rows(imports.read_text(TABLE))),
                                      "save": "yes"})
    assert response.status_code == 302
    assert _registrations(event) == 3
    statuses = sorted(r.status.value for r in db.session.execute(
        select(Registration).where(Registration.event_id == event.id)).scalars())
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    anna = db.session.execute(select(User).where(User.email == "anna@example.org")).scalar_one()
    assert anna.region_code == "RU-SAM" and anna.organisation.name == "Союз пациентов" and anna.locale == "ru"
    to_anna = [m for m in mail_outbox if "anna@example.org" in m["To"]]
    assert len(to_anna) == 2  # the registration and the invitation to set a password
    assert any("/auth/" in m.get_body(("plain",)).get_content() for m in to_anna)


def test_a_bad_row_is_named_and_nothing_is_saved(client, login, organiser, mail_outbox):
    event = make_event(actor=organiser, capacity=10, max_per_region=1)
    make_user("known@example.org", region_code="RU-SAM")
    login(organiser)
    table = ("email,full_name,region\n"
             "known@example.org,,\n"           # an existing account: its own region (RU-SAM)
             "new@example.org,Новый Человек,RU-SAM\n"  # the second of RU-SAM: the one-per-region rule
             "nameless@example.org,,\n"         # a new address needs a name
             "new@example.org,Дубль,RU-PNZ\n")  # the same address twice
    response = client.post(f"/manage/events/{event.id}/registrations/import", data={"table": table})
    page = _text(response)
    assert response.status_code == 422 and "3 rows have problems" in page
    assert "already has 1 of 1 place" in page and "give the person" in page and "in the table twice" in page
    # a forged save of the same rows is refused as a whole
    response = client.post(f"/manage/events/{event.id}/registrations/import", data={"table": table, "save": "yes"})
    assert response.status_code == 422 and _registrations(event) == 0 and not mail_outbox


def test_uploads_csv_and_xlsx_and_refuses_other_files(client, login, organiser):
    event = make_event(actor=organiser, capacity=10)
    login(organiser)
    url = f"/manage/events/{event.id}/registrations/import"
    book = Workbook()
    book.active.append(["Email", "Name", "Region"])
    book.active.append(["xlsx@example.org", "Из Таблицы", "RU-SAM"])
    data = io.BytesIO()
    book.save(data)
    response = client.post(url, data={"file": (io.BytesIO(data.getvalue()), "people.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "xlsx@example.org" in _text(response) and _registrations(event) == 0
    csv_bytes = "\ufeffemail,full_name\ncsv@example.org,Из CSV\n".encode()
    response = client.post(url, data={"file": (io.BytesIO(csv_bytes), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "csv@example.org" in _text(response)
    for name, body in (("people.pdf", b"%PDF-1.4"), ("people.xlsx", b"email\nx@example.org"),
                       ("people.csv", b"PK\x03\x04zip")):
        response = client.post(url, data={"file": (io.BytesIO(body), name)}, content_type="multipart/form-data")
        assert response.status_code == 422 and "Upload a .csv or .xlsx file" in _text(response), name
    big = b"email\n" + b"a@example.org\n" * (imports.MAX_BYTES // 14 + 10)
    response = client.post(url, data={"file": (io.BytesIO(big), "big.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "larger than" in _text(response)
    response = client.post(url, data={"table": "name\nno email column"})
    assert response.status_code == 422 and "at least email" in _text(response)


def test_only_the_events_editors_import(client, login, organiser):
    event = make_event(actor=organiser, capacity=10)
    login(make_user(roles=(Role.ORGANISER,)))
    url = f"/manage/events/{event.id}/registrations/import"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"table": TABLE, "save": "yes"}).status_code == 404
    assert _registrations(event) == 0


def test_the_service_rolls_the_preview_back(app, organiser):
    event = make_event(actor=organiser, capacity=10)
    rows = imports.table_rows(imports.read_text(TABLE))
    result = imports.import_participants(event, organiser, rows, save=False)
    assert not result.saved and not result.failed and result.count(S.CONFIRMED) == 3
    assert _registrations(event) == 0
    assert services.registration_of(event, organiser) is None

"""Exports that open right: CSV in UTF-8 with a BOM and a ";" option for Russian Excel; XLSX with real
dates and columns as wide as their content."""
import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.accounts.models import Role
from app.registrations import services
from tests.factories import make_event, make_organisation, make_trainees, make_user


@pytest.fixture
def event_with_people(app):
    organiser = make_user(roles=(Role.ORGANISER,), locale="ru")
    event = make_event(actor=organiser)
    organisation = make_organisation("Региональная общественная организация «Открытые сердца», Самара")
    for person in make_trainees(3, organisation=organisation):
        services.register(event.id, person)
    return organiser, event


def test_csv_has_a_bom_and_a_semicolon_option(client, login, event_with_people):
    organiser, event = event_with_people
    login(organiser)
    plain = client.get(f"/manage/events/{event.id}/registrations.csv").data
    assert plain.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(plain.decode("utf-8-sig"))))
    assert rows[0][0] == "ФИО" and len(rows) == 4
    semicolon = client.get(f"/manage/events/{event.id}/registrations.csv?delimiter=semicolon").data
    assert semicolon.startswith("\ufeff".encode())
    text = semicolon.decode("utf-8-sig")
    assert text.splitlines()[0].count(";") == len(rows[0]) - 1
    rows_sc = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows_sc == rows  # the same table, only the separator differs (a comma inside a name stays put)
    assert "registrations.csv?delimiter=semicolon" in client.get(
        f"/manage/events/{event.id}/registrations").get_data(as_text=True)


def test_xlsx_has_real_dates_and_fitted_columns(client, login, event_with_people):
    organiser, event = event_with_people
    login(organiser)
    sheet = load_workbook(io.BytesIO(client.get(f"/manage/events/{event.id}/registrations.xlsx").data)).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("Дата регистрации") + 1
    registered = sheet.cell(row=2, column=column)
    assert isinstance(registered.value, datetime) and registered.number_format == "yyyy-mm-dd hh:mm"
    organisation_column = header.index("Организация") + 1
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    organisation_width = widths[sheet.cell(row=1, column=organisation_column).column_letter]
    assert organisation_width == 60  # as wide as the name, up to a cap that keeps the sheet readable
    assert widths[sheet.cell(row=1, column=column).column_letter] < organisation_width

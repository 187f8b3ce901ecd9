"""Issue 20.6: text that a spreadsheet would run as a formula stays text in every report export."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.programmes.models import PlanItem
from app.reports import indicators, snapshots
from tests.reports.conftest import make_organiser

HOSTILE = {
    "name": '=HYPERLINK("http://evil.example","x")',
    "unit": "+7 people",
    "number": "-1",
    "activity": "@SUM(A1:A9)",
    "title": "=1+2",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(known):
    programme = known["programme"]
    organiser = make_organiser()
    programme.organisers = [organiser]
    trip = known["events"][5]
    trip.title = HOSTILE["title"]
    db.session.add(PlanItem(programme_id=programme.id, position=1, number=HOSTILE["number"],
                            activity=HOSTILE["activity"], planned_start=date(2027, 4, 1),
                            planned_end=date(2027, 4, 30), events=[trip]))
    db.session.commit()
    indicators.create_indicator(programme, organiser, {"name": HOSTILE["name"], "unit": HOSTILE["unit"], "plan": 5,
                                                       "source": "manual"})
    return programme, organiser


def _assert_inert_workbook(data: bytes) -> None:
    workbook = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), (sheet.title, cell.coordinate, cell.value)
                    texts.append(cell.value)
    joined = "\n".join(texts)
    for value in (HOSTILE["name"], HOSTILE["unit"], HOSTILE["number"], HOSTILE["activity"]):
        assert "'" + value in texts, value
    assert "'" + HOSTILE["title"] in joined  # the trip on the Trips sheet and in the plan's linked events


def _assert_inert_csv(text: str) -> None:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value
    fields = [value for row in rows for value in row]
    assert "'" + HOSTILE["name"] in fields and "'" + HOSTILE["unit"] in fields


def test_live_report_exports_keep_formulas_as_text(client, login, hostile):
    programme, organiser = hostile
    login(organiser)
    response = client.get(f"/manage/programmes/{programme.id}/report.xlsx")
    assert response.status_code == 200
    _assert_inert_workbook(response.data)
    response = client.get(f"/manage/programmes/{programme.id}/report.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    _assert_inert_csv(response.get_data(as_text=True))


def test_snapshot_exports_keep_formulas_as_text(client, login, hostile):
    programme, organiser = hostile
    snapshot = snapshots.freeze(programme, organiser, "Q2")
    login(organiser)
    base = f"/manage/programmes/{programme.id}/report/snapshots/{snapshot.id}"
    response = client.get(f"{base}.xlsx")
    assert response.status_code == 200
    _assert_inert_workbook(response.data)
    response = client.get(f"{base}.csv")
    assert response.status_code == 200
    _assert_inert_csv(response.get_data(as_text=True))

"""The one export helper: every text cell a spreadsheet would evaluate is kept as text, in CSV and XLSX."""
import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from app.core.exports import csv_text, inert, xlsx_bytes

HOSTILE = ["=1+2", "+7", "-3", "@SUM(A1)", "\t=cmd", "\r=cmd"]


def test_inert_prefixes_formula_text_only():
    assert [inert(value) for value in HOSTILE] == ["'" + value for value in HOSTILE]
    assert inert("Иван") == "Иван" and inert(-3) == -3 and inert(None) is None and inert("") == ""


def test_csv_has_a_bom_a_delimiter_option_and_inert_cells():
    text = csv_text(["=head", "b"], [[value, 1] for value in HOSTILE] + [[None, datetime(2027, 1, 2, 3, 4)]],
                    delimiter=";")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["'=head", "b"]
    assert [row[0] for row in rows[1:-1]] == ["'" + value for value in HOSTILE]
    assert rows[-1] == ["", "2027-01-02 03:04"]


def test_xlsx_cells_are_never_formulas_and_dates_stay_dates():
    rows = [[value, date(2027, 1, 2), datetime(2027, 1, 2, 3, 4)] for value in HOSTILE]
    sheet = load_workbook(io.BytesIO(xlsx_bytes("T", ["=a", "b", "c"], rows))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    written = [sheet.cell(row=n, column=1).value for n in range(2, 8)]
    # Whether a lone CR reads back as CR or LF depends on openpyxl's XML parser (lxml keeps it).
    assert [cell.replace("\r", "\n") for cell in written] == ["'" + value.replace("\r", "\n") for value in HOSTILE]
    assert sheet["B2"].number_format == "DD.MM.YYYY" and sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.freeze_panes == "A2"


def test_a_csv_download_names_its_charset_once(app):
    from app.core.exports import csv_response, table_response
    assert csv_response("a,b\n", "x.csv").headers["Content-Type"] == "text/csv; charset=utf-8"
    assert table_response("csv", "T", ["a"], [["1"]], "t").headers["Content-Type"] == "text/csv; charset=utf-8"

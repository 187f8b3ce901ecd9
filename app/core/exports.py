"""The one way Praktika writes a spreadsheet: CSV (UTF-8 with a BOM, `,` or `;`) and XLSX (real dates,
fitted columns, a frozen header).

Every cell passes through `inert`: text that a spreadsheet would run as a formula (it starts with `=`, `+`,
`-`, `@`, a tab or a carriage return) gets a leading apostrophe, as OWASP recommends against CSV injection.
Names, titles and answers come from users, so no export may skip it.
"""
import csv
import io
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITERS = {"comma": ",", "semicolon": ";"}  # ";" is what Excel expects where the decimal mark is ","
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "DD.MM.YYYY"
SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def inert(value):
    """The value, or, for text a spreadsheet would evaluate, the same text kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return inert(value)


def csv_text(header: list, rows, *, delimiter: str = ",") -> str:
    """A table as CSV text with a BOM (Excel then reads Cyrillic right); None becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([_csv_value(value) for value in header])
    writer.writerows([[_csv_value(value) for value in row] for row in rows])
    return "\ufeff" + buffer.getvalue()


def sheet_title(text: str) -> str:
    return str(text).translate(SHEET_FORBIDDEN)[:31]


def write_sheet(sheet, header: list, rows, *, formats: dict[int, str] | None = None) -> None:
    """A bold header, inert cells, dates as spreadsheet dates, `formats` (column number → number format)
    applied, columns as wide as their content (at most 60) and the header frozen."""
    sheet.append([inert(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([inert(value) for value in row])
    formats = formats or {}
    widths = [max(len(str(title)), 6) for title in header]
    for row in sheet.iter_rows(min_row=2, max_col=len(header)):
        for index, cell in enumerate(row):
            if cell.column in formats:
                cell.number_format = formats[cell.column]
            elif isinstance(cell.value, datetime):
                cell.number_format = XLSX_DATETIME
            elif isinstance(cell.value, date):
                cell.number_format = XLSX_DATE
            if cell.is_date:
                widths[index] = max(widths[index], len(cell.number_format))
            elif cell.value is not None:
                widths[index] = max(widths[index], len(str(cell.value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(title: str, header: list, rows) -> bytes:
    """A workbook of one sheet."""
    workbook = Workbook()
    workbook.active.title = sheet_title(title)
    write_sheet(workbook.active, header, rows)
    return workbook_bytes(workbook)


CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_response(text: str, filename: str) -> Response:
    """A CSV download; the content type is given whole (a `mimetype` with a charset gets a second one)."""
    return Response(text, content_type=CSV_CONTENT_TYPE,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def xlsx_response(body: bytes, filename: str) -> Response:
    return Response(body, mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f"attachment; filename={filename}"})


def table_response(fmt: str, title: str, header: list, rows, filename: str, *, delimiter: str = ",") -> Response:
    """`<filename>.csv` or `<filename>.xlsx` of one table, by `fmt`."""
    if fmt == "xlsx":
        return xlsx_response(xlsx_bytes(title, header, rows), f"{filename}.xlsx")
    return csv_response(csv_text(header, rows, delimiter=delimiter), f"{filename}.csv")

"""Funder-ready exports of a report dict (live or frozen): XLSX with a native chart, CSV, PDF.

Numbers stay numbers (cells hold ints and fractions with a number format, never text).
"""
import csv
import io
from datetime import date

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.reports import charts
from app.reports.report import status_label

SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_title(text: str) -> str:
    return text.translate(SHEET_FORBIDDEN)[:31]


def _indicator_header() -> list[str]:
    return [_("Indicator"), _("Unit"), _("Plan"), _("Fact"), _("Percent of plan"), _("Source"), _("Status")]


def _indicator_cells(row: dict) -> list:
    share = row["percent"] / 100 if row["percent"] is not None else None
    return [row["name"], row["unit"], row["plan"], row["fact"], share, row["source_label"], status_label(row["status"])]


def _write_table(sheet, header: list[str], rows: list[list], percent_column: int | None = None) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
    if percent_column:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=percent_column, max_col=percent_column):
            cell.number_format = "0%"
    for index, _title in enumerate(header, start=1):
        longest = max((len(str(c.value)) for c in sheet[get_column_letter(index)] if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 60)
    sheet.freeze_panes = "A2"


def _plan_vs_fact_chart(sheet, rows: int, anchor: str) -> None:
    chart = BarChart()
    chart.type = "bar"
    chart.title = _("Plan and fact")
    chart.y_axis.title = _("Value")
    data = Reference(sheet, min_col=3, max_col=4, min_row=1, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.height, chart.width = max(7, 1.2 * rows), 18
    sheet.add_chart(chart, anchor)


def xlsx(data: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Indicators"))
    _write_table(sheet, _indicator_header(), [_indicator_cells(r) for r in data["indicators"]], percent_column=5)
    if data["indicators"]:
        _plan_vs_fact_chart(sheet, len(data["indicators"]), "I2")
    for stage in data["stages"]:
        stage_sheet = workbook.create_sheet(_sheet_title(_("Stage %(number)d", number=stage["number"])))
        _write_table(stage_sheet, _indicator_header(), [_indicator_cells(r) for r in stage["indicators"]],
                     percent_column=5)
    plan = workbook.create_sheet(_sheet_title(_("Calendar plan")))
    _write_table(plan, [_("No."), _("Activity, its content and place"), _("Planned start"), _("Planned end"),
                        _("Linked events"), _("State"), _("Deviation, days")],
                 [[row["number"], row["activity"], date.fromisoformat(row["planned_start"]),
                   date.fromisoformat(row["planned_end"]), "; ".join(e["title"] for e in row["events"]),
                   plan_state_label(row["state"]), row["deviation_days"]] for row in data["plan"]])
    for (cell,) in plan.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column in (3, 4):
        for (cell,) in plan.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "DD.MM.YYYY"
    regions = workbook.create_sheet(_sheet_title(_("Regions")))
    _write_table(regions, [_("Region"), _("Code"), _("Participants")],
                 [[r["name"], r["code"], r["value"]] for r in data["charts"]["regions"]])
    trips = workbook.create_sheet(_sheet_title(_("Trips")))
    _write_table(trips, [_("Trip"), _("People served")], [[t["title"], t["value"]] for t in data["charts"]["trips"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(data: dict) -> str:
    """One table: the programme's rows (stage empty), then each stage's rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Stage"), *_indicator_header()[:5], _("Source"), _("Status")])
    for stage_number, rows in [(None, data["indicators"])] + [(s["number"], s["indicators"]) for s in data["stages"]]:
        for row in rows:
            writer.writerow([stage_number if stage_number is not None else "", row["name"], row["unit"],
                             "" if row["plan"] is None else row["plan"], "" if row["fact"] is None else row["fact"],
                             "" if row["percent"] is None else row["percent"], row["source_label"],
                             status_label(row["status"])])
    return "\ufeff" + out.getvalue()


def plan_state_label(state: str) -> str:
    return {"held": _("Held"), "overdue": _("Not held, overdue"), "planned": _("Planned")}.get(state, state)


def pdf(data: dict, locale: str, snapshot=None) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, only exports need it

    with force_locale(locale):
        html = render_template("reports/pdf.html", data=data, snapshot=snapshot,
                               plan_chart=charts.plan_vs_fact(data["indicators"]),
                               trips_chart=charts.horizontal([(t["title"], t["value"]) for t in data["charts"]["trips"]]),
                               regions_chart=charts.horizontal([(r["name"], r["value"])
                                                                for r in data["charts"]["regions"]]),
                               consultations_chart=charts.pace_line(data["charts"].get("consultations"),
                                                                    label=lambda m: f"{m[5:]}.{m[2:4]}"),
                               status_label=status_label, plan_state_label=plan_state_label)
    return HTML(string=html).write_pdf()

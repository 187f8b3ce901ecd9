"""Funder-ready exports of a report dict (live or frozen): XLSX with a native chart, CSV, PDF.

Numbers stay numbers (cells hold ints and fractions with a number format, never text); every text cell
goes through the one export helper, so a name that starts with "=" stays text.
"""
from datetime import date

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment

from app.core.exports import csv_text as table_csv
from app.core.exports import sheet_title, workbook_bytes, write_sheet
from app.reports import charts
from app.reports.report import status_label, status_labeller

PERCENT = {5: "0%"}


def _apart_header() -> list[str]:
    """What is counted beside the fact, and how the fact is counted (app/reports/figures.py)."""
    return [_("Outside the programme period"), _("Between stages"), _("How is this counted?")]


def _apart_cells(row: dict) -> list:
    return [row.get("outside_period"), row.get("between_stages"), row.get("definition", "")]


def _indicator_header() -> list[str]:
    return [_("Indicator"), _("Unit"), _("Plan"), _("Fact"), _("Percent of plan"), _("Source"), _("Status"),
            *_apart_header()]


def _indicator_cells(row: dict) -> list:
    share = row["percent"] / 100 if row["percent"] is not None else None
    return [row["name"], row["unit"], row["plan"], row["fact"], share, row["source_label"], status_label(row["status"]),
            *_apart_cells(row)]


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
    sheet.title = sheet_title(_("Indicators"))
    write_sheet(sheet, _indicator_header(), [_indicator_cells(r) for r in data["indicators"]], formats=PERCENT)
    if data["indicators"]:
        _plan_vs_fact_chart(sheet, len(data["indicators"]), "L2")
    for stage in data["stages"]:
        stage_sheet = workbook.create_sheet(sheet_title(_("Stage %(number)d", number=stage["number"])))
        write_sheet(stage_sheet, _indicator_header(), [_indicator_cells(r) for r in stage["indicators"]],
                    formats=PERCENT)
    plan = workbook.create_sheet(sheet_title(_("Calendar plan")))
    write_sheet(plan, [_("No."), _("Activity, its content and place"), _("Planned start"), _("Planned end"),
                       _("Linked events"), _("State"), _("Deviation, days")],
                [[row["number"], row["activity"], date.fromisoformat(row["planned_start"]),
                  date.fromisoformat(row["planned_end"]), "; ".join(e["title"] for e in row["events"]),
                  plan_state_label(row["state"]), row["deviation_days"]] for row in data["plan"]])
    for (cell,) in plan.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    regions = workbook.create_sheet(sheet_title(_("Regions")))
    write_sheet(regions, [_("Region"), _("Code"), _("Participants")],
                [[r["name"], r["code"], r["value"]] for r in data["charts"]["regions"]])
    trips = workbook.create_sheet(sheet_title(_("Trips")))
    write_sheet(trips, [_("Trip"), _("People served")], [[t["title"], t["value"]] for t in data["charts"]["trips"]])
    return workbook_bytes(workbook)


def csv_text(data: dict) -> str:
    """One table: the programme's rows (stage empty), then each stage's rows."""
    rows = []
    for stage_number, indicators in [(None, data["indicators"])] + [(s["number"], s["indicators"])
                                                                   for s in data["stages"]]:
        rows += [[stage_number, row["name"], row["unit"], row["plan"], row["fact"], row["percent"],
                  row["source_label"], status_label(row["status"]), *_apart_cells(row)] for row in indicators]
    return table_csv([_("Stage"), *_indicator_header()], rows)


def plan_state_label(state: str) -> str:
    return {"held": _("Held"), "overdue": _("Not held, overdue"), "planned": _("Planned")}.get(state, state)


def chart_set(data: dict) -> dict:
    """The report's charts (app/reports/charts.py geometry) for the page and the PDF."""
    return {
        "plan_chart": charts.plan_vs_fact(data["indicators"]),
        "trips_chart": charts.horizontal([(t["title"], t["value"]) for t in data["charts"]["trips"]]),
        "regions_chart": charts.horizontal([(r["name"], r["value"]) for r in data["charts"]["regions"]]),
        "consultations_chart": charts.pace_line(data["charts"].get("consultations"),
                                                label=lambda month: f"{month[5:]}.{month[2:4]}"),
    }


def pdf(data: dict, locale: str, snapshot=None, timezone: str | None = None) -> bytes:
    """The report as a PDF in `locale`; its "as of" date and snapshot time in `timezone` (the programme's)."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, only exports need it

    with force_locale(locale):
        html = render_template("reports/pdf.html", data=data, snapshot=snapshot, zone=timezone,
                               **chart_set(data), status_label=status_labeller(), plan_state_label=plan_state_label)
    return HTML(string=html).write_pdf()

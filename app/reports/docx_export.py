"""The analytical report as a Word document (python-docx), in the order the fund's portal asks its parts.

Tables are plain Word tables ("Table Grid") so that a cell pastes into the portal's form as text; links
are real hyperlinks whose text is the address itself, so they survive a paste as plain text too.
"""
import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import get_locale
from flask_babel import gettext as _

from app.reports.analytical import PGF, AnalyticalReport, date_text


def _hyperlink(paragraph, url: str, text: str) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    run.append(properties)
    content = OxmlElement("w:t")
    content.text = text
    content.set(qn("xml:space"), "preserve")
    run.append(content)
    link.append(run)
    paragraph._p.append(link)


def _table(document, header: list[str], rows: list[list[str]], widths: list[float] | None = None):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Pt(width)
    return table


def _number(value) -> str:
    return "—" if value is None else str(value)


def _signed(value) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else str(value)


def _about(document, data: AnalyticalReport) -> None:
    layout = data.layout
    rows = [
        (_("Project implementer (organisation)"), "; ".join(data.organisations) or "—"),
        (_("Project team"), ", ".join(data.team) or "—"),
        (_("Funder"), data.funder or "—"),
        (_("Grant number"), data.grant_number or "—"),
        (_("Implementation period"), f"{date_text(data.starts_on, layout)} – {date_text(data.ends_on, layout)}"),
        (_("Project geography"), ", ".join(data.regions) or "—"),
        (_("Target groups"), data.target_groups or "—"),
        (_("Report date"), date_text(data.generated_on, layout)),
    ]
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = ""
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value
    if data.description:
        document.add_paragraph(data.description)


def _plan(document, data: AnalyticalReport) -> None:
    if not data.plan:
        document.add_paragraph(_("The calendar plan is empty."))
        return
    layout = data.layout
    _table(document, [_("No."), _("Activity, its content and place"), _("Planned dates"), _("Actual dates"),
                      _("Linked events"), _("State"), _("Deviation, days")],
           [[row.number, row.activity,
             f"{date_text(row.planned_start, layout)} – {date_text(row.planned_end, layout)}",
             f"{date_text(row.actual_start, layout)} – {date_text(row.actual_end, layout)}" if row.actual_start else "—",
             "; ".join(row.events) or "—", row.state_label, _signed(row.deviation_days)] for row in data.plan])
    document.add_paragraph(_("Actual dates: the first and the last day of the sessions held of the linked events."))


def _milestones(document, data: AnalyticalReport) -> None:
    layout = data.layout
    _table(document, [_("Milestone"), _("Period"), _("Calendar-plan items held"), _("Indicators met"), _("State")],
           [[m.title, f"{date_text(m.starts_on, layout)} – {date_text(m.ends_on, layout)}",
             f"{m.items_held} / {m.items_total}", f"{m.indicators_met} / {m.indicators_total}", m.state_label]
            for m in data.milestones])


def _indicators(document, data: AnalyticalReport) -> None:
    if not data.indicators:
        document.add_paragraph(_("No indicators yet."))
        return
    rows = []
    for row in data.indicators:
        note = "\n".join(text for text in (row.deviation_note, row.fact_note) if text)
        rows.append([row.name, row.unit, _number(row.plan), _number(row.fact), _signed(row.deviation),
                     f"{row.percent} %" if row.percent is not None else "—", row.status_label, note or "—"])
    _table(document, [_("Indicator"), _("Unit"), _("Plan"), _("Fact"), _("Deviation"), _("Percent of plan"),
                      _("Status"), _("Deviation note")], rows)


def _deviations(document, data: AnalyticalReport) -> None:
    if not data.deviations:
        document.add_paragraph(_("No deviations described."))
    for whose, text in data.deviations:
        paragraph = document.add_paragraph()
        if whose:
            paragraph.add_run(f"{whose}. ").bold = True
        paragraph.add_run(text)


def _qualitative(document, data: AnalyticalReport) -> None:
    layout = data.layout
    if not data.has_qualitative:
        document.add_paragraph(_("No results recorded yet."))
        return
    if data.summaries:
        document.add_heading(_("Round tables and other events: outcomes"), level=2)
        for item in data.summaries:
            paragraph = document.add_paragraph(style="List Number")
            paragraph.add_run(f"{item.title} ({item.kind_label}, {date_text(item.held_on, layout)}). ").bold = True
            paragraph.add_run(item.summary)
    if data.groups:
        document.add_heading(_("Self-help groups: outcomes"), level=2)
        for group in data.groups:
            paragraph = document.add_paragraph()
            paragraph.add_run(group.title).bold = True
            paragraph.add_run(" — " + _("%(community)s; meetings held: %(count)d", community=group.community or "—",
                                        count=group.meetings_held))
            for day, outcome in group.outcomes:
                document.add_paragraph(f"{date_text(day, layout)}: {outcome}", style="List Bullet")
    if data.trips:
        document.add_heading(_("Outreach trips: people served"), level=2)
        services = data.trip_services
        _table(document, [_("Trip"), _("Date"), *services, _("Total")],
               [[f"{trip.title} ({trip.settlement})" if trip.settlement else trip.title,
                 date_text(trip.held_on, layout),
                 *[str(dict(trip.served).get(label, 0)) for label in services], str(trip.total)]
                for trip in data.trips])
        for trip in data.trips:
            if trip.notes:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{trip.title}: ").bold = True
                paragraph.add_run(trip.notes)


def _publications(document, data: AnalyticalReport) -> None:
    if not data.publications:
        document.add_paragraph(_("No publications listed yet: add the links as the evidence of the media "
                                 "indicator's fact."))
        return
    for publication in data.publications:
        paragraph = document.add_paragraph(style="List Number")
        paragraph.add_run(f"{publication.title} — ")
        _hyperlink(paragraph, publication.url, publication.url)


def render(data: AnalyticalReport) -> bytes:
    """The report as DOCX bytes, in the current locale."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman" if data.layout == PGF else "Calibri"
    normal.font.size = Pt(12 if data.layout == PGF else 11)
    properties = document.core_properties
    properties.title = f"{data.headings.title}: {data.title}"
    properties.language = str(get_locale() or "ru")
    properties.author = "; ".join(data.organisations) or "Praktika"
    heading = document.add_heading(data.headings.title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(f"«{data.title}»").bold = True
    sections = [
        (data.headings.about, _about), (data.headings.plan, _plan), (data.headings.milestones, _milestones),
        (data.headings.quantitative, _indicators), (data.headings.deviations, _deviations),
        (data.headings.qualitative, _qualitative), (data.headings.publications, _publications),
    ]
    for number, (title, write) in enumerate(sections, start=1):
        document.add_heading(f"{number}. {title}", level=1)
        write(document, data)
    if data.layout == PGF:
        signature = document.add_paragraph()
        signature.add_run(_("Date: %(date)s", date=date_text(data.generated_on, data.layout)))
        signature.add_run("\t\t" + (data.team[0] if data.team else "____________________"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

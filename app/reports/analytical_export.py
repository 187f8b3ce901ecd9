"""The analytical report as a file: DOCX (app/reports/docx_export.py) or PDF (templates/reports/analytical.html
through the core's WeasyPrint helper), built and rendered in the layout's language."""
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import force_locale

from app.core import pdf as core_pdf
from app.programmes.models import Programme
from app.reports import analytical, docx_export

MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class File:
    body: bytes
    mimetype: str
    filename: str
    ascii_filename: str


def render_pdf(data: analytical.AnalyticalReport) -> bytes:
    html = render_template("reports/analytical.html", report=data, date_text=analytical.date_text,
                           pgf=data.layout == analytical.PGF)
    return core_pdf.html_to_pdf(html)


def document(programme: Programme, layout: str, fmt: str, locale: str, now: datetime | None = None) -> File:
    with force_locale(locale):
        data = analytical.build(programme, layout, now)
        body = docx_export.render(data) if fmt == "docx" else render_pdf(data)
    return File(body, MIMETYPES[fmt], analytical.filename(programme, layout, fmt),
                analytical.ascii_filename(programme, layout, fmt))

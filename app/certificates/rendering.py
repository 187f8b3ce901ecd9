"""Certificate PDFs: layouts from certificates/<name>/, one WeasyPrint document per batch, split with pypdf.

A batch is rendered as ONE document (one page per certificate; the stylesheet, fonts and logo are
loaded once) and split into one PDF per certificate, which is several times faster than one
`write_pdf()` per person (bench/certificates.py measures both). Rendering touches no database.
"""
import base64
import io
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject
from weasyprint import CSS, HTML

from app.core import pdf
from app.errors import ValidationFailed

LAYOUTS_DIR = pdf.ROOT / "certificates"

STRING_KEYS = ("heading", "participation", "participation_after", "completion", "completion_after",
               "kind_participation", "kind_completion", "programme", "hours", "dates", "serial",
               "verify", "code", "issued")


class RenderError(ValidationFailed):
    code = "render"


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    page_size: str
    languages: tuple[str, ...]
    strings: dict
    directory: Path


@dataclass
class CertificateView:
    """Everything printed on one certificate, already formatted in its language."""

    serial: str
    language: str
    kind: str
    holder_name: str
    event_title: str
    programme_title: str
    dates: str
    place: str
    hours: str  # with its unit, in the certificate's language ("2 ак. ч."): app/certificates/hours.py
    issued_on: str
    issuer_name: str
    organisation_name: str
    verify_url: str
    signatories: list[dict] = field(default_factory=list)

    @property
    def qr_svg(self) -> Markup:
        """The QR code of the verify URL (a PNG data URI: WeasyPrint draws it far faster than SVG paths)."""
        # A fixed mask: segno's search for the best of eight costs more than the rest of the page's layout.
        code = segno.make(self.verify_url, error="m", mask=2, boost_error=False)
        uri = code.png_data_uri(scale=4, border=0, dark="#111111")
        return Markup('<img src="%s" alt="">') % uri


def _read_layout(directory: Path) -> Layout:
    meta = tomllib.loads((directory / "meta.toml").read_text(encoding="utf-8"))
    languages = tuple(meta["languages"])
    strings = meta.get("strings", {})
    for language in languages:
        missing = [key for key in STRING_KEYS if key not in strings.get(language, {})]
        if missing:
            raise RuntimeError(f"layout {directory.name}: language {language} lacks {', '.join(missing)}")
    return Layout(name=directory.name, title=meta.get("title", directory.name), page_size=meta["page_size"],
                  languages=languages, strings=strings, directory=directory)


@lru_cache(maxsize=1)
def _all_layouts(root: str) -> dict[str, Layout]:
    return {d.name: _read_layout(d) for d in sorted(Path(root).iterdir())
            if d.is_dir() and (d / "meta.toml").exists() and (d / "layout.html").exists()}


def layouts() -> dict[str, Layout]:
    return _all_layouts(str(LAYOUTS_DIR))


def get_layout(name: str) -> Layout:
    layout = layouts().get(name)
    if layout is None:
        raise ValidationFailed(_l("There is no certificate layout of that name."), field="layout")
    return layout


def language_for(layout: Layout, wanted: str) -> str:
    """The event's language when the layout has it, else English, else the layout's first."""
    for candidate in (wanted, "en"):
        if candidate in layout.languages:
            return candidate
    return layout.languages[0]


@lru_cache(maxsize=1)
def _jinja() -> Environment:
    return Environment(loader=FileSystemLoader(str(LAYOUTS_DIR)), autoescape=select_autoescape(["html"]))


@lru_cache(maxsize=8)
def _stylesheet(name: str) -> CSS:
    layout = get_layout(name)
    page = f"@page {{ size: {layout.page_size}; margin: 0 }}\n"
    css = page + (layout.directory / "style.css").read_text(encoding="utf-8")
    return CSS(string=css, base_url=str(layout.directory) + "/", font_config=pdf.font_config())


@lru_cache(maxsize=4)
def _logo_data_uri(path: str) -> str:
    data = Path(path).read_bytes()
    mimetype = "image/svg+xml" if path.endswith(".svg") else "image/png"
    return f"data:{mimetype};base64,{base64.b64encode(data).decode()}"


def logo_uri() -> str:
    return _logo_data_uri(str(current_app.config.get("CERTIFICATE_LOGO_PATH") or LAYOUTS_DIR / "logo.svg"))


def render_html(layout: Layout, views: list[CertificateView], logo: str) -> str:
    return _jinja().get_template(f"{layout.name}/layout.html").render(
        certificates=views, strings=layout.strings, logo=logo, title=layout.title)


def render_document(layout: Layout, views: list[CertificateView], logo: str) -> bytes:
    """One PDF with one page per view."""
    return pdf.html_to_pdf(render_html(layout, views, logo), str(layout.directory) + "/", [_stylesheet(layout.name)])


def split_pages(pdf: bytes) -> list[bytes]:
    """One PDF per page of `pdf` (fonts and images the page uses go with it)."""
    reader = PdfReader(io.BytesIO(pdf))
    parts = []
    for page in reader.pages:
        _keep_own_images(page)
        writer = PdfWriter()
        writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        parts.append(buffer.getvalue())
    return parts


_DO_OPERATOR = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s+Do\b")


def _keep_own_images(page) -> None:
    """WeasyPrint gives every page of a document one shared /XObject dictionary (all pages' QR codes).
    Keep only the images this page draws, so a split certificate carries no one else's QR code."""
    resources = page.get("/Resources")
    xobjects = resources.get("/XObject") if resources is not None else None
    if not xobjects:
        return
    used = {b"/" + name for name in _DO_OPERATOR.findall(page.get_contents().get_data())}
    own = DictionaryObject({NameObject(name): ref for name, ref in xobjects.items() if name.encode() in used})
    new_resources = DictionaryObject(resources)
    new_resources[NameObject("/XObject")] = own
    page[NameObject("/Resources")] = new_resources


def render_batch(layout: Layout, views: list[CertificateView], logo: str) -> list[bytes]:
    """One PDF per view, rendered as one document and split; each certificate must fill one page."""
    if not views:
        return []
    parts = split_pages(render_document(layout, views, logo))
    if len(parts) != len(views):
        raise RenderError(_l("The layout did not fit each certificate on one page."))
    return parts


def render_one(layout: Layout, view: CertificateView, logo: str) -> bytes:
    """One certificate on its own, with the cached stylesheet and fonts (previews)."""
    return render_document(layout, [view], logo)


def render_naive(layout: Layout, view: CertificateView, logo: str) -> bytes:
    """The bench's naive baseline: one plain `HTML(...).write_pdf()` per certificate, which parses the
    stylesheet and sets up fonts every time (what issuing one by one without this module would do)."""
    css = f"@page {{ size: {layout.page_size}; margin: 0 }}\n" + (layout.directory / "style.css").read_text("utf-8")
    html = HTML(string=render_html(layout, [view], logo), base_url=str(layout.directory) + "/")
    return html.write_pdf(stylesheets=[CSS(string=css, base_url=str(layout.directory) + "/")])

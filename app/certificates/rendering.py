"""Certificate PDFs: layouts from certificates/<name>/, one WeasyPrint document per batch, split with pypdf.

A batch is rendered as ONE document (one page per certificate; the stylesheet, fonts and logo are
loaded once) and split into one PDF per certificate, which is several times faster than one
`write_pdf()` per person (bench/certificates.py measures both). Rendering touches no database.

Most of a page is the same for every holder of one event (frame, logo, title, event, dates, hours,
signatures): the layout marks what differs with `data-variable` (name, serial, verify URL, QR). Such
a batch is laid out in full once, with the marked parts hidden, as a background (kept for the next
batch of the same event). The holders' own text parts are then laid out together on ONE WeasyPrint page,
at the places the full layout gave them, each holder in a stacking context of its own; holder_pdf.py
cuts that page into one PDF per holder, writing the file itself: the background as a form XObject
(serialised once per batch), the holder's QR code as an image of its modules, then their own text.
A holder whose part would not take the same room (a name that wraps, a serial of another width) gets
the full layout.
"""
import base64
import dataclasses
import io
import re
import tomllib
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, StreamObject
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder

from app.certificates import holder_pdf
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

    def qr_code(self) -> segno.QRCode:
        # A fixed mask: segno's search for the best of eight costs more than the rest of the page's layout.
        return segno.make(self.verify_url, error="m", mask=2, boost_error=False)

    @property
    def qr_data_uri(self) -> str:
        """The QR code of the verify URL as a PNG data URI: WeasyPrint draws it far faster than SVG paths
        (holder_pdf.qr_image draws the same pixels over a background)."""
        return self.qr_code().png_data_uri(scale=holder_pdf.QR_SCALE, border=0, dark="#111111")

    @property
    def qr_svg(self) -> Markup:
        return Markup('<img src="%s" alt="" data-variable="qr_svg">') % self.qr_data_uri


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


def _render_in_full(layout: Layout, views: list[CertificateView], logo: str) -> list[bytes]:
    parts = split_pages(render_document(layout, views, logo))
    if len(parts) != len(views):
        raise RenderError(_l("The layout did not fit each certificate on one page."))
    return parts


def render_batch(layout: Layout, views: list[CertificateView], logo: str) -> list[bytes]:
    """One PDF per view; each certificate must fill one page. Views sharing everything but the marked
    parts are drawn over one background, the others (and a lone view) laid out in full."""
    if not views:
        return []
    groups: dict[str, list[int]] = {}
    for index, view in enumerate(views):
        groups.setdefault(_shared_part(view), []).append(index)
    parts: list[bytes | None] = [None] * len(views)
    for indices in groups.values():
        overlaid = _render_overlaid(layout, [views[i] for i in indices], logo) if len(indices) > 1 else {}
        for index, part in overlaid.items():
            parts[indices[index]] = part
    rest = [index for index, part in enumerate(parts) if part is None]
    if rest:
        for index, part in zip(rest, _render_in_full(layout, [views[i] for i in rest], logo), strict=True):
            parts[index] = part
    return parts


# --- one background per event, each holder's part laid over it --------------------------------------

VARIABLE_FIELDS = ("holder_name", "serial", "verify_url", "qr_svg")
BACKGROUND_NAME = NameObject("/PraktikaBackground")
BACKGROUNDS_KEPT = 8
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
_HIDE_VARIABLE = "[data-variable] { visibility: hidden }"
_EXACT = 0.01  # px: what "the same room" means


def _shared_part(view: CertificateView) -> str:
    return repr(dataclasses.replace(view, holder_name="", serial="", verify_url=""))


@dataclass(frozen=True)
class Slot:
    """Where a marked part goes on the page (px, as laid out in full) and what it must measure there."""

    name: str
    x: float
    y: float
    width: float
    height: float
    text_align: str = "left"
    line_css: str = ""
    css: str = ""
    measured: float = 0
    any_width: bool = False  # alone on its line, in no shrink-to-fit box: any width that fits one line


@dataclass(frozen=True)
class Background:
    width: float
    height: float
    slots: tuple[Slot, ...]
    form: StreamObject | None  # the page drawn as a form XObject; None: these views cannot be overlaid


def _boxes(box, ancestors=()):
    """Every box of a laid out page with its ancestors, absolutely positioned ones included."""
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    yield box, ancestors
    for child in getattr(box, "children", ()):
        yield from _boxes(child, (*ancestors, box))


def _marked(page_box) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for box, ancestors in _boxes(page_box):
        element = getattr(box, "element", None)
        outermost = not ancestors or getattr(ancestors[-1], "element", None) is not element
        if element is not None and element.get("data-variable") and outermost:
            found.setdefault(element.get("data-variable"), []).append((box, ancestors))
    return found


def _font_css(style) -> str:
    families = ", ".join(name if name in GENERIC_FAMILIES else '"%s"' % name.replace('"', "")
                         for name in style["font_family"])
    css = [f"font-family: {families}", f"font-size: {style['font_size']}px", f"font-weight: {style['font_weight']}",
           f"font-style: {style['font_style']}", f"color: {style['color']}", f"text-transform: {style['text_transform']}"]
    for name in ("letter_spacing", "line_height"):
        value = style[name]
        if value != "normal":
            css.append(f"{name.replace('_', '-')}: {value.value}{value.unit or ''}")
    return "; ".join(css)


def _slot(name: str, box, ancestors) -> Slot | None:
    if isinstance(box, boxes.ReplacedBox):
        return Slot(name, box.content_box_x(), box.content_box_y(), box.width, box.height)
    lines = [n for n, ancestor in enumerate(ancestors) if isinstance(ancestor, boxes.LineBox)]
    if not isinstance(box, boxes.InlineBox) or not lines:
        return None
    line = ancestors[lines[-1]]
    block = ancestors[lines[-1] - 1]
    alone = len(line.children) == 1 and line.children[0] is box
    in_flow = all(type(a) in (boxes.PageBox, boxes.BlockBox, boxes.LineBox) and not a.is_absolutely_positioned()
                  and not a.is_floated() for a in ancestors)
    if alone:
        return Slot(name, block.content_box_x(), line.position_y, block.width, line.height,
                    text_align=block.style["text_align_all"], line_css=_font_css(block.style),
                    css=_font_css(box.style), measured=box.width, any_width=in_flow)
    return Slot(name, box.position_x, line.position_y, block.width, line.height, line_css=_font_css(block.style),
                css=_font_css(box.style), measured=box.width)


_backgrounds: OrderedDict = OrderedDict()


def _background(layout: Layout, reference: CertificateView, logo: str) -> Background:
    """The page of `reference` with its marked parts hidden; kept for the next batch of the same event
    (unless it cannot be used: that may be the reference's own doing, a name that wraps)."""
    key = (layout.name, logo, _shared_part(reference), len(reference.serial), len(reference.verify_url))
    if key in _backgrounds:
        _backgrounds.move_to_end(key)
        return _backgrounds[key]
    base_url = str(layout.directory) + "/"
    html = render_html(layout, [reference], logo)
    stylesheets = [_stylesheet(layout.name), CSS(string=_HIDE_VARIABLE, font_config=pdf.font_config())]
    document = HTML(string=html, base_url=base_url).render(stylesheets=stylesheets, font_config=pdf.font_config())
    [page] = document.pages
    marked = _marked(page._page_box)
    slots = tuple(_slot(name, *marked[name][0]) for name in VARIABLE_FIELDS
                  if name in marked and len(marked[name]) == 1)
    form = None
    if len(slots) == len(VARIABLE_FIELDS) and all(slots) and set(marked) == set(VARIABLE_FIELDS):
        form = _form(document.write_pdf(), reference)
    background = Background(page.width, page.height, slots, form)
    if form is None:
        return background
    _backgrounds[key] = background
    while len(_backgrounds) > BACKGROUNDS_KEPT:
        _backgrounds.popitem(last=False)
    return background


def _form(background_pdf: bytes, reference: CertificateView) -> StreamObject | None:
    """The background page as a form XObject, unless some of the reference holder's data is still printed
    on it (a layout that shows it unmarked somewhere): then that layout is always laid out in full."""
    page = PdfReader(io.BytesIO(background_pdf)).pages[0]
    text = " ".join(page.extract_text().split())
    if any(value in text for value in (reference.holder_name, reference.serial, reference.verify_url)):
        return None
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject(page.mediabox), NameObject("/Resources"): page["/Resources"]})
    return form.flate_encode()


def _overlay_css(background: Background) -> str:
    """One rule per marked part (inline styles would be parsed again on every page)."""
    rules = [f"@page {{ size: {background.width}px {background.height}px; margin: 0 }}",
             "html, body { margin: 0 }",
             f".holder {{ position: absolute; left: 0; top: 0; width: {background.width}px; "
             f"height: {background.height}px; overflow: hidden; z-index: 0 }}"]
    for number, slot in enumerate(background.slots):
        place = (f"position: absolute; left: {slot.x}px; top: {slot.y}px; width: {slot.width}px; "
                 "margin: 0; padding: 0; border: 0")
        if slot.name == "qr_svg":
            continue
        wrap = "normal" if slot.any_width else "nowrap"
        rules.append(f".slot{number} {{ {place}; text-align: {slot.text_align}; white-space: {wrap}; {slot.line_css} }}")
        rules.append(f".slot{number} span {{ {slot.css} }}")
    return "\n".join(rules)


def _overlay_html(background: Background, views: list[CertificateView]) -> str:
    pages = []
    for view in views:
        parts = []
        for number, slot in enumerate(background.slots):
            if slot.name != "qr_svg":  # drawn by holder_pdf
                parts.append(Markup('<div class="slot%d"><span data-variable="%s">%s</span></div>')
                             % (number, slot.name, getattr(view, slot.name)))
        pages.append(Markup('<div class="holder" data-holder="%d">%s</div>') % (len(pages), Markup("").join(parts)))
    return str(Markup('<!doctype html><html><head><meta charset="utf-8"><style>%s</style></head><body>%s</body></html>')
               % (Markup(_overlay_css(background)), Markup("").join(pages)))  # our own CSS: numbers and font names


def _marked_by_holder(page_box) -> dict[int, dict[str, list[tuple]]]:
    """The marked parts of an overlay page, by the holder (data-holder) whose group they are in."""
    found: dict[int, dict[str, list[tuple]]] = {}
    for name, parts in _marked(page_box).items():
        for box, ancestors in parts:
            holder = next(int(a.element.get("data-holder")) for a in ancestors
                          if getattr(a, "element", None) is not None and a.element.get("data-holder"))
            found.setdefault(holder, {}).setdefault(name, []).append((box, ancestors))
    return found


def _fits(background: Background, marked: dict[str, list[tuple]]) -> bool:
    """Each marked part of this holder takes the room the full layout gave it."""
    slots = {slot.name: slot for slot in background.slots}
    for name, found in marked.items():
        slot = slots[name]
        if len(found) != 1:  # split over lines
            return False
        [(box, ancestors)] = found
        if isinstance(box, boxes.ReplacedBox):
            continue
        line = ancestors[-1]
        if len(ancestors[-2].children) != 1 or abs(line.height - slot.height) > _EXACT:
            return False
        if not slot.any_width and abs(box.width - slot.measured) > _EXACT:
            return False
    return True


def _render_overlaid(layout: Layout, views: list[CertificateView], logo: str) -> dict[int, bytes]:
    """PDFs of the views whose marked parts fit where the background leaves room, by index in `views`.
    Every holder's parts are laid out on ONE page, each holder in a group of its own (a stacking context,
    drawn between q and Q), which holder_pdf cuts out: far cheaper than one WeasyPrint page per holder."""
    background = _background(layout, min(views, key=lambda view: len(view.holder_name)), logo)
    if background.form is None:
        return {}
    document = HTML(string=_overlay_html(background, views)).render(font_config=pdf.font_config())
    if len(document.pages) != 1:
        return {}
    marked = _marked_by_holder(document.pages[0]._page_box)
    fitting = [n for n in range(len(views)) if n in marked and _fits(background, marked[n])]
    [qr] = [(slot.x, slot.y, slot.width, slot.height) for slot in background.slots if slot.name == "qr_svg"]
    files = holder_pdf.HolderFiles(document.write_pdf(), len(views), background.form, BACKGROUND_NAME, qr)
    if not files.holders:
        return {}
    return {n: files.pdf(n, views[n].qr_code().matrix) for n in fitting}


def render_one(layout: Layout, view: CertificateView, logo: str) -> bytes:
    """One certificate on its own, with the cached stylesheet and fonts (previews)."""
    return render_document(layout, [view], logo)


def render_naive(layout: Layout, view: CertificateView, logo: str) -> bytes:
    """The bench's naive baseline: one plain `HTML(...).write_pdf()` per certificate, which parses the
    stylesheet and sets up fonts every time (what issuing one by one without this module would do)."""
    css = f"@page {{ size: {layout.page_size}; margin: 0 }}\n" + (layout.directory / "style.css").read_text("utf-8")
    html = HTML(string=render_html(layout, [view], logo), base_url=str(layout.directory) + "/")
    return html.write_pdf(stylesheets=[CSS(string=css, base_url=str(layout.directory) + "/")])

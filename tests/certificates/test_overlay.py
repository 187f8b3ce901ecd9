"""Holders of one event drawn over one background: each PDF has its own name, serial and QR, embedded fonts,
and every text run and image where the full layout puts it; a name that would wrap gets the full layout.
Checked with pypdf only (test_rendering.py checks the same PDFs with poppler and zbar where installed)."""
import base64
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from app.certificates import rendering
from app.certificates.rendering import CertificateView

LONG_NAME = "Константинопольская-Преображенская Александра Вячеславовна фон Штауффенберг-Гогенцоллерн"


def _view(serial: str, name: str) -> CertificateView:
    return CertificateView(serial=serial, language="ru", kind="participation", holder_name=name,
                           event_title="Школа пациентских лидеров", programme_title="Программа 2027",
                           dates="1–3 марта 2027 г.", place="Самара", hours="27 ч.", issued_on="10 марта 2027 г.",
                           issuer_name="Praktika", organisation_name="Фонд «Здоровье»",
                           verify_url=f"http://praktika.test/verify/{serial}?c=ABCDEF",
                           signatories=[{"name": "Петрова А. С.", "role": "Организатор"}])


def _placed_text(pdf: bytes) -> list[tuple]:
    """Every text run with where it lands on the page, forms included."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((text.strip(), round(x, 1), round(y, 1)))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return sorted(runs)


def _fonts(resources) -> list:
    fonts = [font.get_object() for font in (resources.get("/Font") or {}).values()]
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            fonts += _fonts(xobject["/Resources"])
    return fonts


def _has_background(pdf: bytes) -> bool:
    xobjects = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"].get("/XObject") or {}
    return rendering.BACKGROUND_NAME in xobjects


@pytest.mark.parametrize("layout_name", ["classic", "modern"])
def test_holders_of_one_event_share_a_background_and_keep_their_own_parts(app, layout_name):
    layout = rendering.get_layout(layout_name)
    logo = rendering._logo_data_uri(str(rendering.LAYOUTS_DIR / "logo.svg"))
    views = [_view("PRK-2027-000201", "Щукина Ёлка Петровна"), _view("PRK-2027-000202", "Żółkiewska Małgorzata"),
             _view("PRK-2027-000203", LONG_NAME), _view("PRK-2027-000204", "Ли Ян")]
    parts = rendering.render_batch(layout, views, logo)
    assert [_has_background(pdf) for pdf in parts] == [True, True, False, True]
    for view, pdf in zip(views, parts, strict=True):
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        text = "".join(reader.pages[0].extract_text().split())  # a wrapped name is on two lines
        assert "".join(view.holder_name.split()) in text and view.serial in text and view.verify_url in text
        assert all(other.serial not in text for other in views if other is not view)
        fonts = _fonts(reader.pages[0]["/Resources"])
        assert fonts and all("DejaVu" in font["/BaseFont"] for font in fonts)
        assert all("/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts)
        [qr] = reader.pages[0].images  # its own QR code only
        own = Image.open(io.BytesIO(base64.b64decode(view.qr_data_uri.split(",", 1)[1])))
        assert qr.image.convert("L").tobytes() == own.convert("L").tobytes()
        assert _placed_text(pdf) == _placed_text(rendering.render_one(layout, view, logo))

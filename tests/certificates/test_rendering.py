"""The PDFs, checked with independent tools: pdffonts (every font embedded), pdftotext (Cyrillic and
Polish text, the serial), pdftoppm + zbarimg (the QR code decodes to the verify URL under BASE_URL)."""
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from app.certificates import issuance, rendering
from app.certificates.models import CertificateKind
from app.certificates.rendering import CertificateView
from app.core.storage import store

P = CertificateKind.PARTICIPATION
TOOLS = ("pdffonts", "pdftotext", "pdftoppm", "zbarimg")


@pytest.fixture(autouse=True)
def tools():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.skip(f"missing {', '.join(missing)} (apt-get install poppler-utils zbar-tools)")


def _run(args, data: bytes) -> str:
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()


def _text(pdf: bytes) -> str:
    return _run(["pdftotext", "-layout", "-", "-"], pdf)


def _fonts(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout.splitlines()
    return [line.split() for line in lines[2:]]


def _qr_codes(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "q.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "-q", "--raw", *map(str, pages)], capture_output=True, text=True).stdout
    return out.split()


def _view(serial: str, language: str, name: str) -> CertificateView:
    return CertificateView(serial=serial, language=language, kind="participation", holder_name=name,
                           event_title="Школа пациентских лидеров", programme_title="", dates="1–3 марта 2027 г.",
                           place="Самара", hours="27", issued_on="10 марта 2027 г.", issuer_name="Praktika",
                           organisation_name="", verify_url=f"http://praktika.test/verify/{serial}?c=ABCDEF",
                           signatories=[{"name": "Петрова А. С.", "role": "Организатор"}])


def test_issued_pdf_embeds_fonts_prints_the_name_and_serial_and_its_qr_leads_to_verify(app, seminar, organiser,
                                                                                        tmp_path):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    pdf = issuance.pdf_bytes(certificate)
    fonts = _fonts(pdf, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    assert all("DejaVu" in row[0] for row in fonts)
    text = _text(pdf)
    assert "Ёлкина Жанна Щукина" in text
    assert certificate.serial in text
    assert "СЕРТИФИКАТ" in text.upper()
    [code] = _qr_codes(pdf, tmp_path)
    assert code == f"http://praktika.test/verify/{certificate.serial}?c={certificate.check_code}"
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


@pytest.mark.parametrize("layout_name, landscape", [("classic", True), ("modern", False)])
def test_both_layouts_in_four_languages_one_page_each_with_only_its_own_qr(tmp_path, layout_name, landscape):
    layout = rendering.get_layout(layout_name)
    assert set(layout.languages) >= {"ru", "en", "bg", "pl"}
    names = {"ru": "Щукина Ёлка", "en": "Mary Smith", "bg": "Цветелина Щерева", "pl": "Zażółć Gęślą Jaźń"}
    views = [_view(f"PRK-2027-00010{i}", lang, names[lang]) for i, lang in enumerate(["ru", "en", "bg", "pl"])]
    logo = rendering._logo_data_uri(str(rendering.LAYOUTS_DIR / "logo.svg"))
    parts = rendering.render_batch(layout, views, logo)
    assert len(parts) == 4
    for view, pdf in zip(views, parts, strict=True):
        box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        assert (box.width > box.height) is landscape
        assert round(min(box.width, box.height)) == 595  # A4: 210 mm
        assert view.holder_name in _text(pdf)
        folder = tmp_path / view.serial
        folder.mkdir()
        assert _qr_codes(pdf, folder) == [view.verify_url]  # no other certificate's QR travels along
    assert "Certyfikat".upper() in _text(parts[3]).upper() and "удостоверява" in _text(parts[2])


def test_preview_renders_sample_data_without_storing(app, seminar, organiser, login, client):
    event, _users = seminar
    login(organiser)
    response = client.get(f"/manage/events/{event.id}/certificates/preview.pdf?layout=modern&language=pl")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "PRK-0000-000000" in text and "Małgorzata Żółkiewska" in text
    assert store().list("certificates") == []

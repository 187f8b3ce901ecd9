"""The report PDF's charts (issue 22, item 6), checked on the printed page: pdftoppm's pixels show the bars in
the chart's colours (WeasyPrint once drew them black) and pdftotext finds every long indicator name whole,
wrapped between words (it once lost its first letters off the left edge)."""
import shutil
import subprocess

import pytest
from PIL import Image

from app.extensions import db
from app.reports import charts, indicators
from tests.reports.conftest import make_organiser

LONG = "Лидеры пациентских НКО — участники обучения, прошедшие итоговую аттестацию и получившие сертификаты"


@pytest.fixture(autouse=True)
def tools():
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("missing poppler-utils")


@pytest.fixture
def report_pdf(known, client, login, tmp_path):
    organiser = make_organiser()
    known["programme"].organisers = [organiser]
    db.session.commit()
    for data in ({"name": LONG, "plan": 30, "source": "trainees_trained"},
                 {"name": "Охвачено регионов", "plan": 30, "source": "regions_covered"}):
        indicators.create_indicator(known["programme"], organiser, {"unit": "", **data})
    login(organiser)
    response = client.get(f"/manage/programmes/{known['programme'].id}/report.pdf")
    assert response.status_code == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    return path


def _pixels(pdf, tmp_path) -> list[tuple[int, int, int]]:
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pixels = []
    for page in sorted(tmp_path.glob("page*.png")):
        pixels.extend(Image.open(page).convert("RGB").getdata())
    return pixels


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _near(pixel, colour, tolerance=6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_the_bars_print_in_the_charts_colours_not_black(report_pdf, tmp_path):
    pixels = _pixels(report_pdf, tmp_path)
    bar_colours = {_rgb(c) for c in (charts.BAR_COLOUR, *charts.STATUS_COLOURS.values())}
    coloured = sum(1 for p in pixels if any(_near(p, c) for c in bar_colours))
    black = sum(1 for p in pixels if p == (0, 0, 0))
    print(f"bar-coloured pixels {coloured}, pure black {black}")
    assert coloured > 300  # a bar of 100 px × 18 px at 60 dpi is ~ 450 px
    assert black < coloured


def test_long_indicator_names_are_printed_whole_and_wrapped(report_pdf):
    text = subprocess.run(["pdftotext", "-layout", str(report_pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = charts.wrap(LONG)
    print("chart label lines:", lines)
    assert len(lines) > 1
    for line in lines:
        assert line in text, line
    chart_part = text[text.index(lines[0]):]
    assert all(line in chart_part for line in lines)
    assert "\nидеры" not in text and " ациентских" not in text

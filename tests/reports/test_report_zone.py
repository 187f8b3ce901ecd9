"""The report's dates are the programme's (issue 22, item 5): at 02:30 in Samara on 16 June the PDF is
"as of 16 June", not the UTC date; snapshot times are Samara times and say so."""
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from app import clock
from app.extensions import db
from app.reports import snapshots
from tests.reports.conftest import make_organiser

LATE = datetime(2027, 6, 15, 22, 30, tzinfo=UTC)  # 16 June, 02:30 in Samara (UTC+4)


@pytest.fixture
def organiser(known):
    user = make_organiser()
    known["programme"].organisers = [user]
    db.session.commit()
    return user


def test_as_of_and_snapshot_times_are_in_the_programmes_zone(known, organiser, client, login, tmp_path):
    programme = known["programme"]
    assert programme.timezone == "Europe/Samara"
    clock.advance(LATE - clock.now())
    snapshots.freeze(programme, organiser, "Этап 1")
    login(organiser)
    page = client.get(f"/manage/programmes/{programme.id}/report").get_data(as_text=True)
    assert "16 июн. 2027\u202fг., 02:30 (Самара, UTC+4)" in page and "22:30" not in page
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(client.get(f"/manage/programmes/{programme.id}/report.pdf").data)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        print([line for line in text.splitlines() if "Отчёт на" in line])
        assert "Отчёт на 16 июня 2027" in text

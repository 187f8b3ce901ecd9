"""Printables checked with independent tools: pdftotext (Cyrillic names, headers, page numbers), pdffonts
(every font embedded), pdftoppm + zbarimg (the ticket's QR code is the token the check-in accepts)."""
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from app.accounts.models import Role
from app.registrations import services
from tests.factories import make_event, make_organisation, make_trainees, make_user

TOOLS = ("pdffonts", "pdftotext", "pdftoppm", "zbarimg")


@pytest.fixture(autouse=True)
def tools():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.skip(f"missing {', '.join(missing)} (apt-get install poppler-utils zbar-tools)")


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,), locale="en")


def _pdf(response, tmp_path, name="p.pdf"):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    path = tmp_path / name
    path.write_bytes(response.data)
    return path


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def _fonts_embedded(path) -> list[bool]:
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout.splitlines()
    rows = [line.split() for line in lines[2:]]
    assert rows, "the PDF names no fonts"
    return [row[-5] == "yes" for row in rows]  # name type encoding emb sub uni object ID


def _pages(path) -> int:
    return len(PdfReader(str(path)).pages)


def test_sign_in_sheet_lists_confirmed_people_with_cyrillic_names_and_numbered_pages(client, login, organiser,
                                                                                    tmp_path):
    # An English event: printables are in the event's language (issue 23), whatever the reader's.
    event = make_event(actor=organiser, capacity=60, days=2, title="Школа пациентских лидеров", language="en")
    organisation = make_organisation("АНО «Здоровье Поволжья»", region_code="RU-PNZ")
    people = make_trainees(40, organisation=organisation, region_code="RU-PNZ")
    for person in people:
        services.register(event.id, person)
    services.cancel(services.registration_of(event, people[0]), people[0])
    login(organiser)
    session = event.sessions[1]
    path = _pdf(client.get(f"/manage/events/{event.id}/sessions/{session.id}/sign-in-sheet.pdf"), tmp_path)
    text = _text(path)
    assert "Sign-in sheet: Школа пациентских лидеров" in text
    assert "День 2" in text and "(Samara, UTC+4)" in text
    assert "Гостиница «Волга»" in text
    assert people[1].full_name in text and people[39].full_name in text
    assert not re.search(rf"\b{people[0].full_name}\b", text)  # cancelled: not expected at the door
    assert "39 confirmed participants" in text
    assert "АНО «Здоровье Поволжья»" in text and "Penza Oblast" in text
    pages = _pages(path)
    assert pages >= 2
    assert text.count("Signature") == pages  # the table header repeats on every page
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert all(_fonts_embedded(path))


def test_sign_in_sheet_of_a_russian_event_is_russian_even_for_an_english_organiser(client, login, tmp_path):
    organiser = make_user(roles=(Role.ORGANISER,), locale="en")
    event = make_event(actor=organiser)
    services.register(event.id, make_trainees(1)[0])
    login(organiser)
    text = _text(_pdf(client.get(f"/manage/events/{event.id}/sessions/{event.sessions[0].id}/sign-in-sheet.pdf"),
                      tmp_path))
    assert "Лист регистрации" in text and "Подпись" in text and "Самарская область" in text
    assert "Страница 1 из 1" in text


def test_ticket_pdf_carries_the_qr_the_check_in_accepts_the_venue_and_zoned_times(client, login, organiser,
                                                                                  tmp_path):
    event = make_event(actor=organiser, days=2, language="en")
    user = login(make_user(locale="en", full_name="Анна Петрова"))
    registration = services.register(event.id, user)
    ticket_page = client.get(f"/events/{event.id}/registrations/{registration.id}/ticket").get_data(as_text=True)
    url = f"/events/{event.id}/registrations/{registration.id}/ticket.pdf"
    assert url in ticket_page
    path = _pdf(client.get(url), tmp_path)
    text = _text(path)
    assert "Анна Петрова" in text and "Гостиница «Волга»" in text and "Молодогвардейская" in text
    assert "День 1" in text and "День 2" in text and "(Samara, UTC+4)" in text
    assert all(_fonts_embedded(path))
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "t")], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", *map(str, sorted(tmp_path.glob("t*.png")))],
                             capture_output=True, text=True).stdout.split()
    assert decoded == [services.ticket_token(registration)]
    assert services.registration_for_ticket(event, decoded[0]).id == registration.id
    assert url in client.get("/me").get_data(as_text=True)


def test_badges_fill_a4_sheets_eight_to_a_page(client, login, organiser, tmp_path):
    event = make_event(actor=organiser, title="Семинар для лидеров", language="en")
    people = make_trainees(9, organisation=make_organisation("Фонд «Вместе»"))
    for person in people:
        services.register(event.id, person)
    login(organiser)
    assert f"/manage/events/{event.id}/badges.pdf" in client.get(
        f"/manage/events/{event.id}/registrations").get_data(as_text=True)
    path = _pdf(client.get(f"/manage/events/{event.id}/badges.pdf"), tmp_path)
    reader = PdfReader(str(path))
    assert len(reader.pages) == 2
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait in points
    text = _text(path)
    assert all(person.full_name in text for person in people)
    assert text.count("Семинар для лидеров") == 9 and "Фонд «Вместе»" in text and "Samara Oblast" in text
    assert all(_fonts_embedded(path))


def test_printables_are_for_their_people_only(client, login, organiser):
    event = make_event(actor=organiser)
    owner = make_user()
    registration = services.register(event.id, owner)
    login(make_user())
    assert client.get(f"/manage/events/{event.id}/badges.pdf").status_code == 404
    assert client.get(f"/manage/events/{event.id}/sessions/{event.sessions[0].id}/sign-in-sheet.pdf"
                      ).status_code == 404
    assert client.get(f"/events/{event.id}/registrations/{registration.id}/ticket.pdf").status_code == 404

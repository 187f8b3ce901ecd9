"""Materials over HTTP: who gets which file, what the event page lists, uploads through the form."""
import io
import re
from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.materials import services
from app.materials.models import Material
from tests.factories import make_event
from tests.materials.conftest import LIMIT, stored_files
from tests.materials.files import HTML_AS_PDF, minimal_pdf, minimal_png, pdf_upload, upload, zip_bomb

VIEWERS = ("anonymous", "other_trainee", "waitlisted", "confirmed", "other_organiser", "organiser", "admin")


def _viewer(people, name):
    return None if name == "anonymous" else getattr(people, name)


@pytest.fixture
def files(event, people):
    public = services.add_file(event, people.organiser, {"title": "Программа семинара", "visibility": "public"},
                               pdf_upload("Программа семинара.pdf"))
    private = services.add_file(event, people.organiser, {
        "title": "Слайды дня 1", "visibility": "participants", "session_id": str(event.sessions[0].id)},
        pdf_upload("slides-day-1.pdf"))
    return public, private


def _download(client, material):
    return client.get(f"/events/{material.event_id}/materials/{material.id}")


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_public_file_is_served_to_everyone(app, files, people, client_as, viewer):
    response = _download(client_as(_viewer(people, viewer)), files[0])
    assert response.status_code == 200
    assert response.data == minimal_pdf()


@pytest.mark.parametrize(("viewer", "status"), [
    ("anonymous", 302), ("other_trainee", 404), ("waitlisted", 404), ("confirmed", 200),
    ("other_organiser", 404), ("organiser", 200), ("admin", 200)])
def test_a_participants_only_file_is_served_to_confirmed_participants_organisers_and_admins(
        app, files, people, client_as, viewer, status):
    response = _download(client_as(_viewer(people, viewer)), files[1])
    assert response.status_code == status
    if status == 302:
        assert "/auth/login" in response.headers["Location"]
    if status == 200:
        assert response.data == minimal_pdf()
    else:
        assert minimal_pdf() not in response.data


def test_a_file_is_served_as_what_it_is_with_its_name_encoded(app, files, client_as):
    response = _download(client_as(None), files[0])
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%D0%9F%D1%80%D0%BE%D0%B3%D1%80%D0%B0%D0%BC%D0%BC%D0%B0%20" in disposition


def test_an_image_is_shown_inline_and_a_private_file_is_not_cached(app, event, people, files, client_as):
    image = services.add_file(event, people.organiser, {"title": "Фото", "visibility": "public"},
                              upload(minimal_png(), "group.png", content_type="text/html"))
    response = _download(client_as(None), image)
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline;")
    private = _download(client_as(people.confirmed), files[1])
    assert private.headers["Cache-Control"] == "private, no-store"


def test_a_material_is_found_only_through_its_own_event(app, files, people, client_as):
    other = make_event(actor=people.organiser)
    response = client_as(people.admin).get(f"/events/{other.id}/materials/{files[0].id}")
    assert response.status_code == 404


def _page(client, event) -> str:
    response = client.get(f"/events/{event.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_event_page_lists_what_the_viewer_may_see_grouped_by_session(app, event, files, people, client_as):
    anonymous = _page(client_as(None), event)
    assert "Программа семинара" in anonymous and "Слайды дня 1" not in anonymous
    for viewer in (people.confirmed, people.organiser, people.admin):
        page = _page(client_as(viewer), event)
        assert "Программа семинара" in page and "Слайды дня 1" in page
        whole, session = page.index("Программа семинара"), page.index("Слайды дня 1")
        assert whole < page.index(event.sessions[0].title, whole) < session
    for viewer in (people.waitlisted, people.other_trainee, people.other_organiser):
        assert "Слайды дня 1" not in _page(client_as(viewer), event)


def test_an_event_without_visible_materials_has_no_materials_section(app, event, files, people, client_as):
    services.delete_material(files[0], people.organiser)
    assert 'id="materials"' not in _page(client_as(None), event)
    assert 'id="materials"' in _page(client_as(people.confirmed), event)


def test_a_webinar_recording_link_appears_only_after_the_event(app, people, client_as):
    webinar = make_event(kind="webinar", actor=people.organiser, title="Вебинар: трудный клиент")
    services.add_link(webinar, people.organiser, {
        "title": "Запись вебинара", "visibility": "public", "url": "https://video.example.org/webinar-1",
        "available_after_event": True})
    with clock.frozen_at(webinar.ends_at - timedelta(minutes=5)):
        before = _page(client_as(None), webinar)
        organiser_view = _page(client_as(people.organiser), webinar)
    with clock.frozen_at(webinar.ends_at + timedelta(minutes=1)):
        after = _page(client_as(None), webinar)
    assert "video.example.org/webinar-1" not in before
    assert "video.example.org/webinar-1" in organiser_view and "Shown after the event" in organiser_view
    assert "video.example.org/webinar-1" in after


# --- the organiser's forms ---------------------------------------------------------------------

def _post_file(client, event, content, name, **fields):
    data = {"title": "Раздаточный материал", "visibility": "public", "session_id": "", **fields,
            "file": (io.BytesIO(content), name, "application/pdf")}
    return client.post(f"/manage/events/{event.id}/materials/upload", data=data,
                       content_type="multipart/form-data")


def _field_error(html: str, name: str) -> str:
    found = re.search(rf'id="{name}-error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else ""


def test_the_organiser_uploads_a_file_through_the_form(app, event, people, client_as):
    client = client_as(people.organiser)
    assert client.get(f"/manage/events/{event.id}/materials/upload").status_code == 200
    response = _post_file(client, event, minimal_pdf(), "handout.pdf", visibility="participants",
                          session_id=str(event.sessions[1].id))
    assert response.status_code == 302
    material = db.session.query(Material).one()
    assert (material.filename, material.session_id) == ("handout.pdf", event.sessions[1].id)
    listing = client.get(f"/manage/events/{event.id}/materials").get_data(as_text=True)
    assert "handout.pdf" in listing


def test_an_html_file_named_pdf_gets_a_message_beside_the_field_and_nothing_is_stored(app, event, people,
                                                                                        client_as):
    response = _post_file(client_as(people.organiser), event, HTML_AS_PDF, "slides.pdf")
    assert response.status_code == 422
    assert "whatever its name says" in _field_error(response.get_data(as_text=True), "file")
    assert db.session.query(Material).count() == 0 and stored_files(app) == []


def test_an_oversized_file_gets_a_message_beside_the_field_and_nothing_is_stored(app, event, people, client_as):
    response = _post_file(client_as(people.organiser), event, minimal_pdf() + b"%" * LIMIT, "big.pdf")
    assert response.status_code == 422
    assert "larger than 64" in _field_error(response.get_data(as_text=True), "file")
    assert db.session.query(Material).count() == 0 and stored_files(app) == []


def test_a_request_beyond_the_server_limit_is_answered_with_a_message_on_the_form(app, event, people, client_as):
    app.config["MAX_CONTENT_LENGTH"] = LIMIT * 2
    client = client_as(people.organiser)
    form_url = f"http://localhost/manage/events/{event.id}/materials/upload"
    data = {"title": "Видео", "visibility": "public", "file": (io.BytesIO(b"%PDF" + b"0" * LIMIT * 3), "v.pdf")}
    response = client.post(form_url, data=data, content_type="multipart/form-data", headers={"Referer": form_url})
    assert response.status_code == 302 and response.headers["Location"] == form_url
    page = client.get(form_url).get_data(as_text=True)
    assert "The upload is too large: at most 0.1 MB" in page
    assert db.session.query(Material).count() == 0 and stored_files(app) == []


def test_a_post_without_a_file_gets_a_field_message(app, event, people, client_as):
    response = client_as(people.organiser).post(f"/manage/events/{event.id}/materials/upload",
                                                data={"title": "x", "visibility": "public", "file": "not a file"})
    assert response.status_code == 422
    assert _field_error(response.get_data(as_text=True), "file")


def test_the_organiser_adds_edits_moves_and_deletes(app, event, people, client_as):
    client = client_as(people.organiser)
    base = f"/manage/events/{event.id}/materials"
    assert client.post(f"{base}/link", data={"title": "Запись", "visibility": "public",
                                             "url": "https://video.example.org/1"}).status_code == 302
    _post_file(client, event, minimal_pdf(), "slides.pdf")
    link, slides = services.materials_of(event)
    file_page = client.get(f"{base}/{slides.id}/edit").get_data(as_text=True)
    assert "slides.pdf" in file_page and 'type="file"' not in file_page and 'name="url"' not in file_page
    link_page = client.get(f"{base}/{link.id}/edit").get_data(as_text=True)
    assert 'value="https://video.example.org/1"' in link_page and 'name="available_after_event"' in link_page
    assert client.post(f"{base}/{slides.id}/move", data={"direction": "up"}).status_code == 302
    assert [m.title for m in services.materials_of(event)] == ["Раздаточный материал", "Запись"]
    response = client.post(f"{base}/{slides.id}/edit", data={"title": "Слайды", "visibility": "participants",
                                                             "session_id": ""})
    assert response.status_code == 302
    assert client.post(f"{base}/{link.id}/edit", data={"title": "", "visibility": "public",
                                                       "url": "ftp://x"}).status_code == 422
    key = slides.storage_key
    assert client.post(f"{base}/{slides.id}/delete", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert [m.title for m in services.materials_of(event)] == ["Запись"]
    assert stored_files(app) == [] and key


def test_a_draft_event_is_a_404_for_visitors_on_every_public_url_like_a_missing_id(app, people, client_as):
    """Issue 20.15: the login page for a draft and a 404 for a missing id told draft ids apart."""
    draft = make_event(actor=people.organiser, status="draft")
    material = services.add_file(draft, people.organiser, {"title": "Программа", "visibility": "public"},
                                 pdf_upload("Программа.pdf"))
    missing = draft.id + 1000
    for viewer in (None, people.other_trainee):
        client = client_as(viewer)
        for event_id in (draft.id, missing):
            for url in (f"/events/{event_id}", f"/events/{event_id}/event.ics",
                        f"/events/{event_id}/materials/{material.id}", f"/api/v1/events/{event_id}"):
                response = client.get(url)
                assert response.status_code == 404, (viewer, url, response.status_code)
                assert "Location" not in response.headers
    assert _download(client_as(people.organiser), material).status_code == 200


def test_a_zip_bomb_named_docx_gets_a_message_beside_the_field_and_nothing_is_stored(app, event, people,
                                                                                       client_as):
    response = _post_file(client_as(people.organiser), event, zip_bomb("docx", 2 * 1024 * 1024), "памятка.docx")
    assert response.status_code == 422
    assert "zip bomb" in _field_error(response.get_data(as_text=True), "file")
    assert db.session.query(Material).count() == 0 and stored_files(app) == []

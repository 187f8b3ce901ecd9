"""Materials services on the real database and the real instance folder."""
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale

from app import clock, permissions
from app.errors import ValidationFailed
from app.events import services as events
from app.events.models import Event
from app.extensions import db
from app.materials import services, storage
from app.materials.models import Material, Visibility
from tests.materials.conftest import LIMIT, stored_files
from tests.materials.files import (
    EXECUTABLE,
    HTML_AS_PDF,
    SVG,
    minimal_pdf,
    minimal_png,
    pdf_upload,
    upload,
    zip_bomb,
    zipped_document,
)


def _rows() -> int:
    return db.session.query(Material).count()


def test_an_upload_is_stored_under_a_random_name_in_the_instance_folder(app, event, people):
    material = services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "public"},
                                 upload(minimal_pdf(), "Слайды день 1.pdf", content_type="text/plain"))
    path = Path(app.instance_path) / "materials" / material.storage_key[:2] / material.storage_key
    assert path.read_bytes() == minimal_pdf()
    assert "Слайды" not in str(path) and ".pdf" not in str(path)
    assert (material.filename, material.content_type, material.size_bytes) == \
        ("Слайды день 1.pdf", "application/pdf", len(minimal_pdf()))
    assert material.created_by_id == people.organiser.id and material.session_id is None


@pytest.mark.parametrize(("content", "name"), [(HTML_AS_PDF, "slides.pdf"), (SVG, "logo.png"),
                                               (EXECUTABLE, "leaflet.docx"), (b"just text", "notes.odt")])
def test_a_file_is_judged_by_its_content_and_a_refused_one_stores_nothing(app, event, people, content, name):
    with pytest.raises(ValidationFailed) as refused:
        services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "public"}, upload(content, name))
    assert list(refused.value.fields) == ["file"]
    assert _rows() == 0
    assert stored_files(app) == []


def test_an_oversized_file_is_refused_with_the_limit_and_stores_nothing(app, event, people):
    too_big = minimal_pdf() + b"%" * LIMIT
    with pytest.raises(ValidationFailed) as refused:
        services.add_file(event, people.organiser, {"title": "Запись", "visibility": "public"},
                          upload(too_big, "big.pdf"))
    assert "64" in str(refused.value.fields["file"][0])
    assert _rows() == 0 and stored_files(app) == []


def test_a_file_exactly_at_the_limit_is_accepted(app, event, people):
    exact = minimal_pdf()
    exact += b"%" * (LIMIT - len(exact))
    material = services.add_file(event, people.organiser, {"title": "Ровно", "visibility": "public"},
                                 upload(exact, "exact.pdf"))
    assert material.size_bytes == LIMIT


@pytest.mark.parametrize("given", [None, "", "not a file", upload(b"", "empty.pdf"), upload(minimal_pdf(), "")])
def test_a_missing_or_empty_file_gets_a_field_message(app, event, people, given):
    with pytest.raises(ValidationFailed) as refused:
        services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "public"}, given)
    assert "file" in refused.value.fields
    assert _rows() == 0 and stored_files(app) == []


def test_every_bad_field_is_reported_at_once_and_nothing_is_stored(app, event, people):
    with pytest.raises(ValidationFailed) as refused:
        services.add_file(event, people.organiser, {"title": " ", "visibility": "friends", "session_id": "999999"},
                          pdf_upload())
    assert set(refused.value.fields) == {"title", "visibility", "session_id"}
    assert stored_files(app) == []


@pytest.mark.parametrize(("name", "content", "offered"), [
    ("../../etc/passwd.pdf", minimal_pdf(), "passwd.pdf"),
    ("C:\\Users\\olga\\Презентация.PDF", minimal_pdf(), "Презентация.PDF"),
    ("photo.pdf", minimal_png(), "photo.pdf.png"),
    ("фото.jpeg", minimal_png(), "фото.jpeg.png"),
    ('evil"\r\nX-Injected: 1.pdf', minimal_pdf(), "evilX-Injected: 1.pdf"),
    ("...", minimal_pdf(), "material.pdf"),
])
def test_the_offered_filename_has_no_path_no_control_characters_and_the_real_extension(
        app, event, people, name, content, offered):
    material = services.add_file(event, people.organiser, {"title": "Файл", "visibility": "public"},
                                 upload(content, name))
    assert material.filename == offered


def test_a_row_that_cannot_be_committed_leaves_no_file(app, people):
    """The file is written before the row; when the insert fails (no such event), it is removed again."""
    missing = Event(id=999_999, title="Нет такого")
    with pytest.raises(Exception):  # noqa: B017 (the database's foreign-key error, whichever driver)
        services.add_file(missing, people.organiser, {"title": "Слайды", "visibility": "public"}, pdf_upload())
    assert stored_files(app) == []


def test_delete_removes_the_row_and_then_the_file(app, event, people):
    material = services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "public"}, pdf_upload())
    key = material.storage_key
    assert storage.exists(key)
    services.delete_material(material, people.organiser)
    assert _rows() == 0
    assert not storage.exists(key) and stored_files(app) == []


def test_a_link_is_checked_and_stored(app, event, people):
    with pytest.raises(ValidationFailed) as refused:
        services.add_link(event, people.organiser, {"title": "Книга", "visibility": "public",
                                                    "url": "javascript:alert(1)"})
    assert list(refused.value.fields) == ["url"]
    link = services.add_link(event, people.organiser, {
        "title": "E-książka dla medyków", "visibility": "public", "url": "https://example.org/e-book.pdf",
        "session_id": str(event.sessions[1].id)})
    assert (link.url, link.session_id, link.storage_key) == ("https://example.org/e-book.pdf",
                                                               event.sessions[1].id, None)


def test_edit_changes_title_visibility_and_session(app, event, people):
    material = services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "public"}, pdf_upload())
    services.update_material(material, people.organiser, {
        "title": "Слайды дня 2", "description": "Только для участников", "visibility": "participants",
        "session_id": str(event.sessions[1].id)})
    db.session.expire_all()
    material = db.session.get(Material, material.id)
    assert (material.title, material.visibility, material.session_id) == \
        ("Слайды дня 2", Visibility.PARTICIPANTS, event.sessions[1].id)


def test_move_swaps_neighbours_within_their_list(app, event, people):
    def add(title, session=None):
        return services.add_link(event, people.organiser, {
            "title": title, "visibility": "public", "url": "https://example.org/" + title,
            "session_id": str(session.id) if session else ""})

    first, day_one, second, third = add("a"), add("d1", event.sessions[0]), add("b"), add("c")
    services.move_material(third, people.organiser, -1)
    services.move_material(first, people.organiser, -1)  # already at the top: nothing moves
    services.move_material(day_one, people.organiser, 1)  # alone in its list: nothing moves
    event_level = [m.title for m in services.materials_of(event) if m.session_id is None]
    assert event_level == ["a", "c", "b"]
    assert second.position > third.position


def test_a_removed_session_hands_its_materials_to_the_whole_event(app, event, people):
    material = services.add_link(event, people.organiser, {
        "title": "Запись дня 2", "visibility": "public", "url": "https://example.org/day2",
        "session_id": str(event.sessions[1].id)})
    first = event.sessions[0]
    events.update_event(event, people.organiser, {"sessions": [
        {"start": first.starts_at.isoformat(), "end": first.ends_at.isoformat(), "title": first.title}]})
    db.session.expire_all()
    assert db.session.get(Material, material.id).session_id is None


def test_a_held_back_recording_is_public_only_once_the_last_session_has_ended(app, event, people):
    recording = services.add_link(event, people.organiser, {
        "title": "Запись", "visibility": "public", "url": "https://video.example.org/closing",
        "available_after_event": True})
    last_end = max(s.ends_at for s in event.sessions)
    with clock.frozen_at(last_end - timedelta(minutes=1)):
        assert not permissions.can("material.view", recording, user=people.other_trainee)
        assert not permissions.can("material.view", recording, user=people.confirmed)
        assert permissions.can("material.view", recording, user=people.organiser)
    with clock.frozen_at(last_end):
        assert permissions.can("material.view", recording, user=people.other_trainee)


# --- zip bombs and broken archives under office and e-book names (issue 20.13) -----------------------

ZIPPED = ("docx", "pptx", "odt", "odp", "epub")


@pytest.mark.parametrize("kind", ZIPPED)
def test_a_real_zipped_document_is_stored(app, event, people, kind):
    material = services.add_file(event, people.organiser, {"title": "Памятка", "visibility": "public"},
                                 upload(zipped_document(kind), f"памятка.{kind}"))
    assert material.filename == f"памятка.{kind}" and stored_files(app) != []


@pytest.mark.parametrize("kind", ZIPPED)
def test_a_zip_bomb_under_a_document_name_is_refused_and_nothing_is_stored(app, event, people, kind):
    bomb = zip_bomb(kind, 2 * 1024 * 1024)
    assert len(bomb) < LIMIT  # it passes the upload limit: only its unpacked size gives it away
    with pytest.raises(ValidationFailed) as refused:
        services.add_file(event, people.organiser, {"title": "Памятка", "visibility": "public"},
                          upload(bomb, f"памятка.{kind}"))
    with force_locale("en"):
        assert list(refused.value.fields) == ["file"] and "zip bomb" in str(refused.value.fields["file"][0])
    assert _rows() == 0 and stored_files(app) == []


def test_one_part_compressed_beyond_100_to_1_is_refused_within_the_total(app, event, people):
    app.config["MATERIALS_MAX_BYTES"] = 25 * 1024 * 1024  # 250 MB unpacked would be allowed in total
    bomb = zip_bomb("docx", 2 * 1024 * 1024)
    with pytest.raises(ValidationFailed) as refused:
        services.add_file(event, people.organiser, {"title": "Памятка", "visibility": "public"},
                          upload(bomb, "памятка.docx"))
    with force_locale("en"):
        assert "zip bomb" in str(refused.value.fields["file"][0])
    assert _rows() == 0 and stored_files(app) == []


def test_a_broken_or_lying_archive_is_refused_as_damaged(app, event, people):
    good = zipped_document("docx", "Памятка пациента. ".encode() * 50)
    truncated = good[: len(good) // 2]
    lying = bytearray(good)  # the content part's CRC no longer matches what it unpacks to
    lying[good.index(b"content.xml") - 16] ^= 0xFF
    lying[good.rindex(b"content.xml") - 30] ^= 0xFF
    for data in (truncated, bytes(lying)):
        with pytest.raises(ValidationFailed) as refused:
            services.add_file(event, people.organiser, {"title": "Памятка", "visibility": "public"},
                              upload(data, "памятка.docx"))
        with force_locale("en"):
            assert "damaged" in str(refused.value.fields["file"][0])
    assert _rows() == 0 and stored_files(app) == []

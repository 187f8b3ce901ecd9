"""The demo's materials: real PDFs, the right visibility, and a second run adds nothing."""
import io

from pypdf import PdfReader

from app.materials import demo, services, storage
from app.materials.models import Visibility
from tests.factories import make_event


def test_demo_materials_are_real_files_and_seeding_twice_adds_nothing(app, people):
    training = make_event(actor=people.organiser, days=2, title="Szkolenie certyfikowane", timezone="Europe/Warsaw")
    webinar = make_event(kind="webinar", actor=people.organiser, title="Вебинар 1")
    notes = []
    for _run in range(2):
        demo.seed_training(training, people.organiser, notes.append)
        demo.seed_webinar(webinar, people.organiser, notes.append, 1)
    assert len(notes) == 5 + 3  # programme, two days of slides, leaflet, e-book; slides, e-book, recording

    materials = services.materials_of(training)
    slides = [m for m in materials if m.title.startswith("Slajdy")]
    assert [m.session_id for m in slides] == [s.id for s in training.sessions]
    assert all(m.visibility == Visibility.PARTICIPANTS for m in slides)
    for material in (m for m in materials if m.is_file):
        with storage.open_stream(material.storage_key) as stored:
            assert len(PdfReader(io.BytesIO(stored.read())).pages) >= 1

    recording = next(m for m in services.materials_of(webinar) if m.title == "Запись вебинара")
    assert recording.available_after_event and recording.visibility == Visibility.PUBLIC

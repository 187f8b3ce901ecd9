"""Demo materials (seed-demo): seed 003's certified training publishes its programme, each day's
slides for participants, the leaflet for children and the e-book for medics; each KPD NKO webinar
has its slides, the project's e-book and a recording that appears once the webinar is over.

The PDFs are rendered with WeasyPrint from a few lines of HTML. Idempotent: a material whose title
the event already has is not added again.
"""
import io
from functools import cache
from html import escape

from sqlalchemy import select
from weasyprint import HTML
from werkzeug.datastructures import FileStorage

from app.events.models import Event
from app.extensions import db
from app.materials import services
from app.materials.models import Material

PUBLIC, PARTICIPANTS = "public", "participants"


@cache
def _pdf(title: str, lines: tuple[str, ...]) -> bytes:
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return HTML(string=f"<html><head><meta charset='utf-8'><style>body{{font-family:sans-serif}}"
                       f"h1{{color:#0b5394}}</style></head><body><h1>{escape(title)}</h1><ul>{items}</ul></body></html>"
                ).write_pdf()


def _pdf_upload(filename: str, title: str, *lines: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(_pdf(title, lines)), filename=filename, content_type="application/pdf")


def _titles(event: Event) -> set[str]:
    return set(db.session.execute(select(Material.title).where(Material.event_id == event.id)).scalars())


def _file(event, organiser, have, note, title, visibility, upload, session=None, description="") -> None:
    if title in have:
        return
    services.add_file(event, organiser, {"title": title, "visibility": visibility, "description": description,
                                         "session_id": str(session.id) if session else ""}, upload)
    note(f"material {title} → {event.title}")


def _link(event, organiser, have, note, title, url, *, after_event=False, description="") -> None:
    if title in have:
        return
    services.add_link(event, organiser, {"title": title, "visibility": PUBLIC, "url": url,
                                         "description": description, "available_after_event": after_event})
    note(f"material {title} → {event.title}")


def seed_training(event: Event, organiser, note) -> None:
    """Seed 003: materials of the Polish–Lithuanian certified training for medical staff."""
    have = _titles(event)
    _file(event, organiser, have, note, "Program szkolenia", PUBLIC,
          _pdf_upload("program-szkolenia.pdf", "Program szkolenia",
                      "Dzień 1: ocena stanu dziecka w stanie nagłym, resuscytacja",
                      "Dzień 2: urazy i zatrucia u dzieci, ćwiczenia na symulatorach"))
    for number, session in enumerate(event.sessions, start=1):
        _file(event, organiser, have, note, f"Slajdy: dzień {number}", PARTICIPANTS,
              _pdf_upload(f"slajdy-dzien-{number}.pdf", f"Dzień {number}: slajdy wykładowców",
                          "Materiał wyłącznie dla uczestników szkolenia"), session=session)
    _file(event, organiser, have, note, "Ulotka dla dzieci: jak wezwać pomoc", PUBLIC,
          _pdf_upload("ulotka-dla-dzieci.pdf", "Jak wezwać pomoc?", "Zadzwoń pod numer 112",
                      "Powiedz, gdzie jesteś i co się stało", "Nie rozłączaj się pierwszy"),
          description="Ulotka z warsztatów w szkołach, po polsku i litewsku.")
    _link(event, organiser, have, note, "E-książka dla medyków", "https://www.sniadecja.pl/",
          description="Materiały ze szkoleń, spotkań i warsztatów projektu INTERREG V-A Polska – Litwa.")


def seed_webinar(event: Event, organiser, note, number: int) -> None:
    """A KPD NKO webinar: slides for participants, the e-book for everyone, the recording afterwards."""
    have = _titles(event)
    _file(event, organiser, have, note, "Слайды вебинара", PARTICIPANTS,
          _pdf_upload(f"webinar-{number}-slides.pdf", event.title,
                      "Материал для консультантов, прошедших выездной семинар-тренинг"))
    _link(event, organiser, have, note, "Электронная книга «Поддерживающее консультирование»",
          "https://library.example.org/kpd-nko/supportive-counselling.epub")
    _link(event, organiser, have, note, "Запись вебинара", f"https://video.example.org/kpd-nko/webinar-{number}",
          after_event=True, description="Появится после окончания вебинара.")

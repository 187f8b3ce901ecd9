"""Printables: the per-session sign-in sheet for the funder, the ticket as a PDF, name badges.

Rendered with WeasyPrint through the shared PDF set-up (app/core/pdf.py), from Jinja
templates in templates/registrations/print/ in the event's language (the reader's when Praktika does
not speak it); times in the event's timezone.
Rendering reads the registrations it is given and writes nothing.
"""
import segno
from flask import render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from app.core import pdf
from app.core.i18n import supported
from app.events.models import Event, Session
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.queries import participants, ticket_token

BADGES_PER_PAGE = 8  # A4 portrait, two columns of four badges (90 × 65 mm)


def _pdf(template: str, event: Event, **context) -> bytes:
    with force_locale(supported(event.language) or str(get_locale() or "ru")):
        html = render_template(template, page_counter=page_counter(), event=event, **context)
    return pdf.html_to_pdf(html)


def page_counter() -> Markup:
    """The CSS `content` of the page footer, "Page 2 of 5", with the counters where the words put them."""
    marker_page, marker_pages = "\x00page\x00", "\x00pages\x00"
    text = _("Page %(page)s of %(pages)s", page=marker_page, pages=marker_pages)
    quoted = '"' + text.replace("\\", "").replace('"', "") + '"'
    return Markup(quoted.replace(marker_page, '" counter(page) "').replace(marker_pages, '" counter(pages) "'))


def _confirmed(event: Event) -> list[Registration]:
    return participants(event, {"status": RegistrationStatus.CONFIRMED.value}).rows


def sign_in_sheet(event: Event, session: Session) -> bytes:
    """Everyone confirmed for the event, by name, with a column to sign in for this session."""
    return _pdf("registrations/print/sign_in_sheet.html", event=event, session=session, rows=_confirmed(event))


def badges(event: Event) -> bytes:
    """A4 sheets of name badges for the confirmed participants."""
    rows = _confirmed(event)
    pages = [rows[start:start + BADGES_PER_PAGE] for start in range(0, len(rows), BADGES_PER_PAGE)]
    return _pdf("registrations/print/badges.html", event=event, pages=pages)


def ticket(registration: Registration) -> bytes:
    """The ticket: the QR code the check-in scanner reads, the place and the sessions' times."""
    token = ticket_token(registration)
    qr = segno.make(token, error="m").png_data_uri(scale=6, border=2)
    return _pdf("registrations/print/ticket.html", event=registration.event, registration=registration,
                token=token, qr=qr)

"""The volume printed on a certificate: computed here once, in the unit the programme counts.

`hours_for(event)` is the only arithmetic (the certificate PDF, the verify page and JSON, the credential
and the certificates list all take the amount and unit stored from it); `hours_text` the only wording,
through the catalog ("2 ак. ч.", "1,5 ч.", "2 academic hours") with the number in the reader's locale.
"""
from flask_babel import force_locale, format_decimal, ngettext

from app.events.models import Event
from app.programmes.models import HoursUnit


def unit_of(event: Event) -> HoursUnit:
    """The programme's choice; an event outside any programme counts clock hours."""
    return event.programme.hours_unit if event.programme is not None else HoursUnit.CLOCK


def hours_for(event: Event) -> tuple[float, HoursUnit]:
    """The event's sessions in whole minutes, counted in its unit and rounded to the nearest half:
    a 90-minute webinar is (1.5, CLOCK) or (2, ACADEMIC)."""
    unit = unit_of(event)
    minutes = sum((s.ends_at - s.starts_at).total_seconds() for s in event.sessions) / 60
    return round(minutes / unit.minutes * 2) / 2, unit


def _plural_count(amount: float) -> int:
    """The count that picks a fraction's plural form: CLDR files "1,5" with the form of 2 in every language
    Praktika speaks (ru "часа", pl "godziny", lt "valandos", bg and en plural); gettext takes integers only."""
    return int(amount) if amount == int(amount) else 2


def hours_text(amount: float, unit: HoursUnit, language: str | None = None) -> str:
    """"2 ак. ч.": the amount in the locale's digits with the unit's plural-aware label (the current locale,
    or `language` for a PDF in the certificate's own language)."""
    if language is not None:
        with force_locale(language):
            return hours_text(amount, unit)
    number = format_decimal(amount)
    if unit is HoursUnit.ACADEMIC:
        return ngettext("%(amount)s academic hour", "%(amount)s academic hours", _plural_count(amount),
                        amount=number)
    return ngettext("%(amount)s hour", "%(amount)s hours", _plural_count(amount), amount=number)

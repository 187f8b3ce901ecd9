"""Locale choice and locale-aware formatting helpers for templates."""
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from flask import current_app, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
)
from flask_babel.speaklater import LazyString
from flask_login import current_user

LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}

# English patterns that no reader can misread: day before month, the month as a word, a 24-hour clock
# ("10 Feb 2027, 12:00" rather than "2/10/27, 12:00 PM"). Russian keeps the CLDR formats.
ENGLISH_PATTERNS = {
    "datetime": {"short": "d MMM y, HH:mm", "medium": "d MMM y, HH:mm"},
    "date": {"short": "d MMM y", "medium": "d MMM y", "long": "d MMMM y"},
    "time": {"short": "HH:mm", "medium": "HH:mm"},
}


def _pattern(kind: str, fmt: str) -> str:
    if str(get_locale() or "") == "en":
        return ENGLISH_PATTERNS[kind].get(fmt, fmt)
    return fmt


def utc_offset(value: datetime) -> str:
    """"UTC+4", "UTC+5:30", "UTC−3", or "UTC" for an aware datetime."""
    minutes = int(value.utcoffset().total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(value: datetime | None, timezone: str | None) -> str:
    """The zone of a moment as a reader knows it: the city and the offset ("Samara, UTC+4")."""
    if value is None or not timezone:
        return ""
    tz = ZoneInfo(timezone)
    offset = utc_offset(value.astimezone(tz))
    if timezone in ("UTC", "Etc/UTC"):
        return offset
    city = get_timezone_location(tz, locale=str(get_locale() or "ru"), return_city=True)
    return f"{city}, {offset}"


def timezone_option(timezone: str, at: datetime) -> str:
    """A timezone as a choice in a list: the city and its offset at `at` ("Samara (UTC+4)"); the
    value stays the IANA name."""
    offset = utc_offset(at.astimezone(ZoneInfo(timezone)))
    if timezone in ("UTC", "Etc/UTC"):
        return offset
    city = get_timezone_location(ZoneInfo(timezone), locale=str(get_locale() or "ru"), return_city=True)
    return f"{city} ({offset})"


def select_locale() -> str:
    """The user's saved language, else the visitor's choice, else Accept-Language, else Russian."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or default


def local_datetime(value: datetime | None, timezone: str | None = None, fmt: str = "medium",
                   zone: bool = False) -> str:
    """Format an aware UTC datetime in a given IANA timezone (the event's), per locale; `zone` adds
    the zone's city and offset, for readers who may be elsewhere."""
    if value is None:
        return ""
    tz = ZoneInfo(timezone) if timezone else None
    text = format_datetime(value.astimezone(tz) if tz else value, _pattern("datetime", fmt), rebase=tz is None)
    return f"{text} ({zone_label(value, timezone)})" if zone and timezone else text


def local_date(value, timezone: str | None = None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone:
        value = value.astimezone(ZoneInfo(timezone)).date()
    return format_date(value, _pattern("date", fmt))


def local_time(value: datetime | None, timezone: str | None = None, fmt: str = "short", zone: bool = False) -> str:
    if value is None:
        return ""
    tz = ZoneInfo(timezone) if timezone else None
    text = format_time(value.astimezone(tz) if tz else value, _pattern("time", fmt), rebase=tz is None)
    return f"{text} ({zone_label(value, timezone)})" if zone and timezone else text


def lazy_strings_as_text(value):
    """Jinja's finalize: a lazy string is plain text, so autoescape escapes what was interpolated into it.

    Flask-Babel's LazyString has `__html__`, so without this `lazy_gettext("… %(title)s", title=title)`
    would reach a page or a mail as markup, with whatever the title holds.
    """
    return str(value) if isinstance(value, LazyString) else value


def init_app(app) -> None:
    app.jinja_env.finalize = lazy_strings_as_text
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        local_time=local_time,
        zone_label=zone_label,
        number=lambda value: format_decimal(value),
    )
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()),
        language_names=LANGUAGE_NAMES,
    )

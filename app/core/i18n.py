"""Locale choice and locale-aware formatting helpers for templates."""
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel.dates import get_timezone_location
from flask import current_app, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
    get_locale,
)
from flask_babel.speaklater import LazyString
from flask_login import current_user

# Every language Praktika speaks, each by its own name (the switch, the profile, the event form), in
# the order the switch shows them. config.LANGUAGES lists the same codes; Russian is the default.
LANGUAGE_NAMES = {"ru": "Русский", "en": "English", "bg": "Български", "pl": "Polski", "lt": "Lietuvių"}
LOCALES = tuple(LANGUAGE_NAMES)


def language_choices() -> list[tuple[str, str]]:
    """(code, own name) of every language, for select fields."""
    return list(LANGUAGE_NAMES.items())


def current_locale() -> str:
    """The language being rendered ("ru" outside a request)."""
    return str(get_locale() or "ru")


def supported(locale: str | None) -> str | None:
    """`locale` ("pl", "pl-PL", "pl_PL") as one of ours, or None."""
    code = str(locale or "").replace("_", "-").split("-", 1)[0].lower()
    return code if code in LANGUAGE_NAMES else None

# English patterns that no reader can misread: day before month, the month as a word, a 24-hour clock
# ("10 Feb 2027, 12:00", "Wednesday, 20 January 2027" rather than "2/10/27, 12:00 PM" or "Wednesday,
# January 20, 2027"): British English's CLDR order. Russian keeps the CLDR formats.
ENGLISH_PATTERNS = {
    "datetime": {"short": "d MMM y, HH:mm", "medium": "d MMM y, HH:mm", "long": "d MMMM y, HH:mm",
                 "full": "EEEE, d MMMM y, HH:mm"},
    "date": {"short": "d MMM y", "medium": "d MMM y", "long": "d MMMM y", "full": "EEEE, d MMMM y"},
    "time": {"short": "HH:mm", "medium": "HH:mm"},
}
# Babel's locale for what a pattern cannot say (intervals such as "1–3 Mar 2027"): the same British order.
ENGLISH_DATE_LOCALE = "en_GB"


def _pattern(kind: str, fmt: str, language: str | None = None) -> str:
    language = language or str(get_locale() or "")
    if language == "en":
        return ENGLISH_PATTERNS[kind].get(fmt, fmt)
    if kind in ("datetime", "time") and fmt == "medium":
        # To the minute, as in English: CLDR's medium time has seconds ("23:00:40"), which no page needs.
        locale = Locale.parse(language or "ru")
        time = locale.time_formats["short"].pattern
        if kind == "time":
            return time
        return locale.datetime_formats["medium"].replace("{1}", locale.date_formats["medium"].pattern) \
            .replace("{0}", time)
    return fmt


def date_in(value, fmt: str, language: str) -> str:
    """A date in a given language (a certificate's, a mail's), in the one date style of each language."""
    return babel_dates.format_date(value, _pattern("date", fmt, language), locale=language)


def interval_in(first, last, skeleton: str, language: str) -> str:
    """A span of dates ("1–3 марта 2027 г.", "1–3 Mar 2027") in a given language."""
    locale = ENGLISH_DATE_LOCALE if language == "en" else language
    return babel_dates.format_interval(first, last, skeleton, locale=locale)


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
    city = get_timezone_location(tz, locale=current_locale(), return_city=True)
    return f"{city}, {offset}"


def zone_city(timezone: str | None) -> str:
    """The zone's city as the reader's language names it ("Sofia", "София"), without an offset."""
    if not timezone:
        return ""
    if timezone in ("UTC", "Etc/UTC"):
        return "UTC"
    return get_timezone_location(ZoneInfo(timezone), locale=str(get_locale() or "ru"), return_city=True)


def zone_labels(moments, timezone: str | None) -> list[str]:
    """The distinct zone labels of these moments, in order: one when all share an offset, two for a
    series across a change of summer time ("Sofia, UTC+2", "Sofia, UTC+3"); each offset is its date's."""
    return list(dict.fromkeys(zone_label(m, timezone) for m in moments if m is not None))


def zone_span(start: datetime | None, end: datetime | None, timezone: str | None) -> str:
    """The zone of a span: "Sofia, UTC+2", or "Sofia, UTC+2 / UTC+3" when summer time begins or ends in it."""
    first = zone_label(start, timezone)
    if not first or end is None:
        return first
    last = utc_offset(end.astimezone(ZoneInfo(timezone)))
    return first if first.endswith(last) else f"{first} / {last}"


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
        zone_labels=zone_labels,
        zone_city=zone_city,
        number=lambda value: format_decimal(value),
        percent=lambda value: format_percent(value / 100),
    )
    app.jinja_env.globals.update(
        zone_span=zone_span,
        current_locale=current_locale,
        language_names=LANGUAGE_NAMES,
    )

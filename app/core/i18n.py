"""Locale choice and locale-aware formatting helpers for templates."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
)
from flask_login import current_user

from app.accounts.regions import region_name

LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}


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


def local_datetime(value: datetime | None, timezone: str | None = None, fmt: str = "medium") -> str:
    """Format an aware UTC datetime in a given IANA timezone (the event's), per locale."""
    if value is None:
        return ""
    tz = ZoneInfo(timezone) if timezone else None
    return format_datetime(value.astimezone(tz) if tz else value, fmt, rebase=tz is None)


def local_date(value, timezone: str | None = None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone:
        value = value.astimezone(ZoneInfo(timezone)).date()
    return format_date(value, fmt)


def local_time(value: datetime | None, timezone: str | None = None, fmt: str = "short") -> str:
    if value is None:
        return ""
    tz = ZoneInfo(timezone) if timezone else None
    return format_time(value.astimezone(tz) if tz else value, fmt, rebase=tz is None)


def init_app(app) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        local_time=local_time,
        number=lambda value: format_decimal(value),
    )
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()),
        language_names=LANGUAGE_NAMES,
        region_name=region_name,
    )

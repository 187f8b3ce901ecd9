"""Calendar feeds: which entries each feed holds, its cache validator, and the assembled text.

Each feed function returns a Feed whose validator (ETag, Last-Modified) comes from a cheap
aggregate query; the calendar text is built only when `Feed.body()` is called, so a
conditional GET that matches is answered without building anything. The public feeds are
assembled from cached VEVENT pieces (app.calendar.cache); a piece's key holds the event's
sequence and updated_at, so any change of the event makes a new piece.
"""
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts import services as accounts
from app.calendar import builders, personal
from app.calendar.cache import piece_cache
from app.calendar.items import CalendarItem, session_item
from app.errors import NotFound, ValidationFailed
from app.events import services as events
from app.events.models import Event, EventStatus, Session
from app.extensions import db

FORMAT_VERSION = "1"
FEED_WINDOW = personal.FEED_WINDOW
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Feed:
    """A feed's validators, and how to build its text when the client's copy is stale."""

    etag: str
    last_modified: datetime
    build: Callable[[], bytes]
    filename: str | None = None

    def body(self) -> bytes:
        return self.build()


def _etag(*parts) -> str:
    digest = hashlib.sha256(repr((FORMAT_VERSION, current_app.config["BASE_URL"], parts)).encode()).hexdigest()
    return digest[:40]


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "praktika.local"


def _locale(requested: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    return requested if requested in languages else str(get_locale())


# --- pieces -------------------------------------------------------------------------------

def _session_rows(where: list) -> list:
    """Per session, the few columns a cached piece's key needs (no ORM objects), in feed order.

    Datetimes are read as the driver returns them: they only serve as parts of a key.
    """
    return db.session.execute(
        select(
            Session.id, Session.event_id, type_coerce(Session.starts_at, String), type_coerce(Session.ends_at, String),
            Session.title, Event.sequence, type_coerce(Event.updated_at, String),
        )
        .join(Event, Event.id == Session.event_id)
        .where(*where)
        .order_by(Session.starts_at, Session.id)
    ).all()


def _timezone_span(where: list) -> tuple[set[str], tuple[int, int]]:
    rows = db.session.execute(
        select(Event.timezone, func.min(Session.starts_at), func.max(Session.ends_at))
        .join(Session, Session.event_id == Event.id)
        .where(*where)
        .group_by(Event.timezone)
    ).all()
    moments = [moment for _tz, first, last in rows for moment in (first, last) if moment is not None]
    return {tz for tz, _first, _last in rows}, builders.year_span(moments)


def _assembled_events(where: list, locale: str) -> tuple[list[bytes], set[str], tuple[int, int]]:
    """The VEVENT pieces of every session matching `where`, from the cache; misses are built."""
    cache = piece_cache()
    rows = _session_rows(where)
    totals: dict[int, int] = {}
    for row in rows:
        totals[row[1]] = totals.get(row[1], 0) + 1
    seen: dict[int, int] = {}
    keys = []
    for session_id, event_id, starts, ends, title, sequence, updated in rows:
        seen[event_id] = seen.get(event_id, 0) + 1
        keys.append(("public", session_id, starts, ends, title, sequence, updated, seen[event_id],
                     totals[event_id], locale))
    pieces = [cache.get(key) for key in keys]
    missing = {key[1]: (index, key) for index, (key, piece) in enumerate(zip(keys, pieces)) if piece is None}
    if missing:
        event_ids = {rows[index][1] for index, _key in missing.values()}
        host = _host()
        base_url = current_app.config["BASE_URL"]
        with force_locale(locale):
            for event in _load_events(event_ids):
                total = len(event.sessions)
                for number, session in enumerate(event.sessions, start=1):
                    if session.id not in missing:
                        continue
                    index, key = missing[session.id]
                    piece = builders.vevent(session_item(event, session, number, total, base_url=base_url), host)
                    cache.put(key, piece)
                    pieces[index] = piece
    tzids, span = _timezone_span(where)
    return [piece for piece in pieces if piece is not None], tzids, span


def _load_events(event_ids) -> list[Event]:
    events_loaded = []
    ids = sorted(event_ids)
    for start in range(0, len(ids), 500):
        events_loaded.extend(db.session.execute(
            select(Event).where(Event.id.in_(ids[start:start + 500]))
            .options(selectinload(Event.sessions), selectinload(Event.trip))
        ).unique().scalars())
    for event in events_loaded:
        event.sessions.sort(key=lambda s: (s.starts_at, s.id))
    return events_loaded


def _assemble(name: str, where: list, locale: str) -> bytes:
    pieces, tzids, span = _assembled_events(where, locale)
    with force_locale(locale):
        head = builders.head(name)
    piece_cache().note_assembled()
    return builders.assemble(head, builders.timezone_pieces(tzids, span), pieces)


# --- one event ----------------------------------------------------------------------------

def event_feed(event: Event, locale: str | None = None) -> Feed:
    """The event's .ics: one VEVENT per session (the caller has checked "event.view")."""
    locale = _locale(locale)
    sessions = db.session.execute(
        select(func.count(Session.id), func.max(Session.ends_at)).where(Session.event_id == event.id)
    ).one()
    etag = _etag("event", event.id, event.sequence, event.updated_at.isoformat(), event.status.value,
                 tuple(sessions), locale)

    def build() -> bytes:
        return _assemble(str(event.title), [Event.id == event.id], locale)

    return Feed(etag, event.updated_at, build, filename=f"event-{event.id}.ics")


# --- the public feed -------------------------------------------------------------------------

MESSAGES = {
    "language": _l("Enter a language code such as ru, en, bg or pl."),
}


def parse_feed_args(args) -> tuple[events.EventFilters, str | None]:
    """The listing's filters (parsed by the events area) plus the feed's own `language`."""
    problems: dict[str, list] = {}
    try:
        filters = events.parse_filters(args)
    except ValidationFailed as error:
        problems.update(error.fields)
        filters = None
    language = (args.get("language") or "").strip().lower() or None
    if language is not None and not LANGUAGE_RE.match(language):
        problems.setdefault("language", []).append(MESSAGES["language"])
    if problems:
        raise ValidationFailed(fields=problems)
    return filters, language


def _public_where(filters: events.EventFilters, language: str | None, now: datetime) -> list:
    """Published and cancelled events that ended less than four weeks ago or are still to come."""
    where = [Event.status.in_(PUBLIC_STATUSES), Event.ends_at >= now - FEED_WINDOW,
             *events.filter_clauses(filters)]
    if language:
        where.append(Event.language == language)
    return where


def _dropped_where(filters: events.EventFilters, language: str | None, now: datetime) -> list:
    where = [Event.status.in_(PUBLIC_STATUSES), Event.ends_at < now - FEED_WINDOW, *events.filter_clauses(filters)]
    if language:
        where.append(Event.language == language)
    return where


def public_feed(args, locale: str | None = None) -> Feed:
    """The public feed with the listing's filters; raises ValidationFailed on a bad parameter.

    Validator: count, id and sequence sums and the latest update of the selected events, and
    the moment the latest event left the four-week window (so dropping it is a change too).
    """
    filters, language = parse_feed_args(args)
    locale = _locale(locale)
    now = clock.now()
    where = _public_where(filters, language, now)
    dropped_end = select(func.max(Event.ends_at)).where(*_dropped_where(filters, language, now)).scalar_subquery()
    count, id_sum, sequence_sum, last_update, last_dropped = db.session.execute(
        select(func.count(Event.id), func.coalesce(func.sum(Event.id), 0), func.coalesce(func.sum(Event.sequence), 0),
               func.max(Event.updated_at), type_coerce(dropped_end, Event.ends_at.type)).where(*where)
    ).one()
    moments = [moment for moment in (last_update, last_dropped + FEED_WINDOW if last_dropped else None) if moment]
    last_modified = max(moments) if moments else EPOCH
    key_args = tuple(sorted((k, str(v)) for k, v in filters.as_args().items() if k != "tab"))
    etag = _etag("public", key_args, language, locale, count, int(id_sum), int(sequence_sum),
                 last_modified.isoformat())

    def build() -> bytes:
        with force_locale(locale):
            name = _("Praktika: events")
        return _assemble(name, where, locale)

    return Feed(etag, last_modified, build)


# --- the personal feed -----------------------------------------------------------------------

def personal_feed(token: str) -> Feed:
    """The token holder's feed: every registered personal source, in the holder's language."""
    user = accounts.user_for_calendar_token(token)
    if user is None:
        raise NotFound()
    locale = _locale(user.locale)
    versions = []
    moments = []
    sources = personal.personal_sources()
    for source in sources:
        version, moment = source.version(user)
        versions.append((source.name, version))
        if moment is not None:
            moments.append(moment)
    last_modified = max(moments) if moments else EPOCH
    etag = _etag("personal", user.id, locale, tuple(versions), last_modified.isoformat())

    def build() -> bytes:
        host = _host()
        with force_locale(locale):
            items: list[CalendarItem] = [item for source in sources for item in source.items(user)]
            items.sort(key=lambda item: (item.start.isoformat() if item.start else "", item.uid))
            head = builders.head(_("Praktika: my events"))
            pieces = [builders.vevent(item, host) for item in items]
        tzids = {item.timezone for item in items if item.timezone and isinstance(item.start, datetime)}
        span = builders.year_span([item.start for item in items if isinstance(item.start, datetime)])
        piece_cache().note_assembled()
        return builders.assemble(head, builders.timezone_pieces(tzids, span), pieces)

    return Feed(etag, last_modified, build)


# --- the token ----------------------------------------------------------------------------------

def reset_token(user) -> str:
    """A new personal feed token; the old URL answers 404 from now on."""
    return accounts.reset_calendar_token(user)


def subscription_urls(user) -> dict:
    """The personal feed's https:// and webcal:// addresses (the token is made on first use)."""
    token = accounts.calendar_token(user)
    https = f"{current_app.config['BASE_URL']}/calendar/{token}.ics"
    return {"https": https, "webcal": webcal(https)}


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]

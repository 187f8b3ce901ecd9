"""Calendar feeds: which entries each feed holds, its cache validator, and the assembled text.

Each feed function returns a Feed whose validator (ETag, Last-Modified) comes from a cheap
aggregate query; the calendar text is built only when `Feed.body()` is called, so a
conditional GET that matches is answered without building anything. The public feeds are
assembled from cached VEVENT pieces (app.cache, shared by every worker when REDIS_URL is set);
a piece's version holds the event's sequence and updated_at, so any change of the event makes a
new piece. An assembled public feed is kept with its ETag, so an unchanged feed is sent as it is,
by whichever worker built it or any other. Bump FORMAT_VERSION whenever the text of a VEVENT or
a feed changes, so no worker serves entries built by the previous code.
"""
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, inspect, select, type_coerce

from app import cache, clock
from app.accounts import services as accounts
from app.calendar import builders, personal
from app.calendar.items import CalendarItem, Phrases, phrases, session_item
from app.errors import NotFound, ValidationFailed
from app.events import services as events
from app.events.models import Event, EventKind, EventStatus, Session, TripDetails
from app.extensions import db
from app.registrations.signals import event_calendar_wanted

FORMAT_VERSION = "2"
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

def _event_rows(where: list) -> list:
    """Per event, the few columns the cache keys need (no ORM objects), in feed order.

    Datetimes are cast to text in SQL, so no driver parses 15,000 timestamps: they only serve as
    parts of a key and, through their year, as the span the VTIMEZONEs must cover.
    """
    # Executed on the connection (Core), not through the ORM: no per-row ORM loading for 5,000 rows.
    return db.session.connection().execute(
        select(
            Event.id, Event.sequence, cast(Event.updated_at, String), Event.timezone,
            cast(Event.starts_at, String), cast(Event.ends_at, String),
        )
        .where(*where)
        .order_by(Event.starts_at, Event.id)
    ).all()


def _year(text: str) -> int:
    return int(text[:4])


def _assembled_events(where: list, locale: str) -> tuple[list[bytes], set[str], tuple[int, int]]:
    """The VEVENTs of every session of the events matching `where`, from the shared cache.

    Each event's run of VEVENTs is cached in the slot (event id, locale) under the version
    (FORMAT_VERSION, event sequence, event updated_at), so a feed needs one lookup per event, all
    in one round trip. Every change of an event or its sessions goes through the events service,
    which moves updated_at (and sequence for time, place and status): a changed event misses, and
    only its sessions are built again.
    """
    rows = _event_rows(where)
    wanted = [((event_id, locale), (FORMAT_VERSION, sequence, updated)) for event_id, sequence, updated, *_rest in rows]
    bundles = cache.feed_pieces.get_many(wanted)
    missing = {wanted[index][0][0]: index for index, bundle in enumerate(bundles) if bundle is None}
    if missing:
        host = _host()
        base_url = current_app.config["BASE_URL"]
        built = []
        with force_locale(locale):
            said = phrases()
            for event in _public_event_rows(missing):
                index = missing[event.id]
                bundle = b"".join(_session_pieces(event, host, base_url, said))
                built.append((*wanted[index], bundle))
                bundles[index] = bundle
        cache.feed_pieces.put_many(built)
    return [bundle for bundle in bundles if bundle is not None], *_zones_and_span(rows)


def _zones_and_span(rows: list) -> tuple[set[str], tuple[int, int]]:
    """The timezones of the events in `rows` (from _event_rows) and the years their VTIMEZONEs cover."""
    tzids = {row[3] for row in rows}
    dated = [row for row in rows if row[4] is not None]
    span = (_year(dated[0][4]) - 1, _year(max(row[5] for row in dated)) + 1) if dated else builders.year_span([])
    return tzids, span


class _TripRow(NamedTuple):
    settlement: str
    district: str


class _SessionRow(NamedTuple):
    """The columns of a session that its VEVENT shows, read as a plain tuple."""

    id: int
    event_id: int
    starts_at: datetime
    ends_at: datetime
    title: str
    sequence: int
    series_date: date | None
    cancelled_at: datetime | None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(slots=True)
class _EventRow:
    """The columns of an event that its VEVENTs show, with its trip's place and its sessions in order.

    session_item reads these attributes as it reads an Event's. Plain rows instead of ORM objects
    (no identity map, no instance state, no relationship loaders): loading the 5,000 events and
    10,000 sessions of the bench's cold feed went from 0.6–0.9 s of CPU to 0.16 s.
    """

    id: int
    kind: EventKind
    title: str
    description: str
    status: EventStatus
    sequence: int
    timezone: str
    is_online: bool
    venue: str
    address: str
    latitude: float | None
    longitude: float | None
    updated_at: datetime
    trip: _TripRow | None
    sessions: list[_SessionRow] = field(default_factory=list)


_EVENT_COLUMNS = (Event.id, Event.kind, Event.title, Event.description, Event.status, Event.sequence, Event.timezone,
                  Event.is_online, Event.venue, Event.address, Event.latitude, Event.longitude, Event.updated_at)
_SESSION_COLUMNS = (Session.id, Session.event_id, Session.starts_at, Session.ends_at, Session.title,
                    Session.sequence, Session.series_date, Session.cancelled_at)


def _public_event_rows(event_ids) -> list[_EventRow]:
    """The events with these ids as _EventRows, 500 ids per query (Core selects on the session's connection)."""
    connection = db.session.connection()
    loaded = []
    ids = sorted(event_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        by_id = {}
        for *columns, settlement, district in connection.execute(
            select(*_EVENT_COLUMNS, TripDetails.settlement, TripDetails.district)
            .outerjoin(TripDetails, TripDetails.event_id == Event.id).where(Event.id.in_(chunk))
        ):
            event = _EventRow(*columns, trip=None if settlement is None else _TripRow(settlement, district))
            by_id[event.id] = event
            loaded.append(event)
        for session in map(_SessionRow._make, connection.execute(
                select(*_SESSION_COLUMNS).where(Session.event_id.in_(chunk)))):
            by_id[session.event_id].sessions.append(session)
    for event in loaded:
        event.sessions.sort(key=lambda s: (s.starts_at, s.id))
    return loaded


def _session_pieces(event: _EventRow, host: str, base_url: str, said: Phrases) -> list[bytes]:
    total = len(event.sessions)
    return [builders.vevent(session_item(event, session, number, total, base_url=base_url, said=said), host)
            for number, session in enumerate(event.sessions, start=1)]


def _assemble(name: str, where: list, locale: str) -> bytes:
    pieces, tzids, span = _assembled_events(where, locale)
    with force_locale(locale):
        head = builders.head(name)
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


@event_calendar_wanted.connect
def event_calendar_for_mail(event: Event, join_url: str | None = None, **_details) -> bytes:
    """The registrations area's mail asks for the event's calendar file: one VEVENT per session, the join
    link only when given (a confirmed participant's mail), in the locale the mail is built in."""
    base_url = current_app.config["BASE_URL"]
    total = len(event.sessions)
    items = [session_item(event, session, index, total, base_url=base_url, join_url=join_url)
             for index, session in enumerate(event.sessions, start=1)]
    span = builders.year_span([s.starts_at for s in event.sessions])
    return builders.assemble(builders.head(event.title), builders.timezone_pieces({event.timezone}, span),
                             [builders.vevent(item, _host()) for item in items])


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


def _events_state(now: datetime) -> tuple[int, datetime]:
    """Aggregates over all events: how many there are, and the latest moment any of them changed or
    left the four-week window. Any event change moves one of these, so every public feed's
    validator follows. Each is a single-aggregate subquery that the indexes on updated_at and
    (status, ends_at) answer without reading the table."""
    latest_update = select(func.max(Event.updated_at)).scalar_subquery()
    count = select(func.count(Event.id)).scalar_subquery()
    latest_drop = select(func.max(Event.ends_at)).where(
        Event.status.in_(PUBLIC_STATUSES), Event.ends_at < now - FEED_WINDOW).scalar_subquery()
    events_count, last_update, last_dropped = db.session.execute(
        select(count, type_coerce(latest_update, Event.updated_at.type), type_coerce(latest_drop, Event.ends_at.type))
    ).one()
    moments = [moment for moment in (last_update, last_dropped + FEED_WINDOW if last_dropped else None) if moment]
    return events_count, max(moments) if moments else EPOCH


def public_feed(args, locale: str | None = None) -> Feed:
    """The public feed with the listing's filters; raises ValidationFailed on a bad parameter.

    The validator covers all events (not only the selected ones): a little more revalidation
    after unrelated changes, in exchange for a 304 that costs one indexed query. The body of
    an unchanged feed is served from the body cache; after a change it is assembled again from
    the cached pieces, rebuilding only the changed event's sessions.
    """
    filters, language = parse_feed_args(args)
    locale = _locale(locale)
    now = clock.now()
    events_count, last_modified = _events_state(now)
    key_args = tuple(sorted((k, str(v)) for k, v in filters.as_args().items() if k != "tab"))
    etag = _etag("public", key_args, language, locale, events_count, last_modified.isoformat())

    def build() -> bytes:
        slot = ("public", key_args, language, locale)
        body = cache.feed_bodies.get(slot, etag)
        if body is None:
            with force_locale(locale):
                name = _("Praktika: events")
            body = _assemble(name, _public_where(filters, language, now), locale)
            cache.feed_bodies.put(slot, etag, body)
        return body

    return Feed(etag, last_modified, build)


def warm_up() -> None:
    """When a web worker starts (gunicorn.conf.py): what its first public feed would otherwise pay for
    once per process. Making the VTIMEZONEs of the zones the public events use, over the feed's years,
    was most of that; loading every language's catalog and compiling the feed's queries the rest.

    Reads only. The feed itself is still built on request, from the data as it is then; before
    `flask db upgrade` has made the tables there is nothing to warm.
    """
    if not inspect(db.engine).has_table(Event.__tablename__):
        return
    now = clock.now()
    _events_state(now)
    builders.timezone_pieces(*_zones_and_span(_event_rows(_public_where(events.EventFilters(), None, now))))
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            phrases()
            builders.head(_("Praktika: events"))


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
        return builders.assemble(head, builders.timezone_pieces(tzids, span), pieces)

    return Feed(etag, last_modified, build)


# --- the token ----------------------------------------------------------------------------------

def reset_token(user) -> str:
    """A new personal feed token; the old URL answers 404 from now on."""
    return accounts.reset_calendar_token(user)


def subscription_urls(user) -> dict:
    """The personal feed's https:// and webcal:// addresses (the token was made with the account)."""
    token = accounts.calendar_token(user)
    https = f"{current_app.config['BASE_URL']}/calendar/{token}.ics"
    return {"https": https, "webcal": webcal(https)}


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]

"""Process-local caches of serialized VEVENTs and of whole feed bodies, one pair per app.

Piece keys carry what a VEVENT's text depends on (the session or event id, the event's
sequence and updated_at, the locale), so an edited event simply misses and its stale pieces
age out (oldest first once the bound is reached). Bodies are keyed by the feed's ETag, which
changes with any event change; a body miss is assembled from the pieces, so only the changed
event's sessions are rebuilt.
"""
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from flask import current_app

DEFAULT_PIECES = 50_000
DEFAULT_BODY_BYTES = 64 * 1024 * 1024


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    assembled: int = 0
    body_hits: int = 0


class FeedCache:
    def __init__(self, max_pieces: int = DEFAULT_PIECES, max_body_bytes: int = DEFAULT_BODY_BYTES):
        self.max_pieces = max_pieces
        self.max_body_bytes = max_body_bytes
        self._pieces: OrderedDict = OrderedDict()
        self._bodies: OrderedDict = OrderedDict()
        self._body_bytes = 0
        self._lock = Lock()
        self.stats = CacheStats()

    def get_many(self, keys: list) -> list[bytes | None]:
        """Look up many pieces under one lock (a feed asks for thousands at once).

        Hits are not moved to the end: pieces age out in the order they were made, which is
        enough for a bound on memory and saves a dict operation per entry on the hot path.
        """
        pieces = self._pieces
        with self._lock:
            found = [pieces.get(key) for key in keys]
            misses = found.count(None)
            self.stats.hits += len(keys) - misses
            self.stats.misses += misses
        return found

    def put(self, key, piece: bytes) -> None:
        with self._lock:
            self._pieces[key] = piece
            self._pieces.move_to_end(key)
            while len(self._pieces) > self.max_pieces:
                self._pieces.popitem(last=False)

    def body(self, key) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
                self.stats.body_hits += 1
            return body

    def keep_body(self, key, body: bytes) -> None:
        """Remember an assembled feed; the least recently used ones go when the byte budget is spent."""
        with self._lock:
            self.stats.assembled += 1
            if len(body) > self.max_body_bytes:
                return
            previous = self._bodies.pop(key, None)
            if previous is not None:
                self._body_bytes -= len(previous)
            self._bodies[key] = body
            self._body_bytes += len(body)
            while self._body_bytes > self.max_body_bytes:
                _key, dropped = self._bodies.popitem(last=False)
                self._body_bytes -= len(dropped)

    def note_assembled(self) -> None:
        with self._lock:
            self.stats.assembled += 1

    def __len__(self) -> int:
        return len(self._pieces)


def feed_cache() -> FeedCache:
    """The current app's cache (sizes from CALENDAR_CACHE_PIECES and CALENDAR_CACHE_BODY_BYTES)."""
    cache = current_app.extensions.get("calendar_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("calendar_cache", FeedCache(
            current_app.config.get("CALENDAR_CACHE_PIECES", DEFAULT_PIECES),
            current_app.config.get("CALENDAR_CACHE_BODY_BYTES", DEFAULT_BODY_BYTES),
        ))
    return cache

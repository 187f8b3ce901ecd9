"""A process-local LRU of serialized VEVENTs, one per app.

Keys carry everything the text depends on (session id and times, the event's sequence and
updated_at, the locale), so an edited event simply misses and its stale pieces age out.
"""
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from flask import current_app

DEFAULT_SIZE = 50_000


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    assembled: int = 0


class PieceCache:
    def __init__(self, maxsize: int = DEFAULT_SIZE):
        self.maxsize = maxsize
        self._pieces: OrderedDict = OrderedDict()
        self._lock = Lock()
        self.stats = CacheStats()

    def get(self, key) -> bytes | None:
        with self._lock:
            piece = self._pieces.get(key)
            if piece is None:
                self.stats.misses += 1
                return None
            self._pieces.move_to_end(key)
            self.stats.hits += 1
            return piece

    def put(self, key, piece: bytes) -> None:
        with self._lock:
            self._pieces[key] = piece
            self._pieces.move_to_end(key)
            while len(self._pieces) > self.maxsize:
                self._pieces.popitem(last=False)

    def note_assembled(self) -> None:
        with self._lock:
            self.stats.assembled += 1

    def clear(self) -> None:
        with self._lock:
            self._pieces.clear()
            self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._pieces)


def piece_cache() -> PieceCache:
    """The current app's cache (created on first use; size from CALENDAR_CACHE_SIZE)."""
    cache = current_app.extensions.get("calendar_pieces")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "calendar_pieces", PieceCache(current_app.config.get("CALENDAR_CACHE_SIZE", DEFAULT_SIZE))
        )
    return cache

"""A bounded, per-app cache of rendered HTML fragments.

Pages that many visitors open with the same parameters (the event listing) render their
expensive part once per data version. Keys must carry everything the fragment shows:
locale, parameters, and a version that changes whenever the underlying data does.
"""
from collections import OrderedDict
from threading import Lock

from flask import current_app
from markupsafe import Markup

MAX_FRAGMENTS = 512


class FragmentCache:
    def __init__(self, max_entries: int = MAX_FRAGMENTS):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key) -> Markup | None:
        with self._lock:
            html = self._entries.get(key)
            if html is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return html

    def put(self, key, html: str) -> Markup:
        html = Markup(html)
        with self._lock:
            self._entries[key] = html
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return html


def fragment_cache() -> FragmentCache:
    return current_app.extensions.setdefault("fragment_cache", FragmentCache())

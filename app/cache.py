"""One cache for every worker: in Redis when REDIS_URL is set, in this process's memory otherwise.

Flask-Caching provides the backends (RedisCache, SimpleCache). Praktika adds one rule for what may
be served: each entry sits in a *slot* (what it is: "the listing for these parameters in Russian",
"event 12's VEVENTs in English") together with the *version* it was built from, a data version or
validator the caller has just read from the database (`events.listing_version()`, an event's
sequence and last change, a feed's ETag). A reader asks for a slot with the version it expects;
an entry built from any other version is a miss.

- An event change moves those versions, so every worker misses at once and none serves stale
  data. The first worker to rebuild stores the new entry; with Redis the other workers (other
  processes, other machines) then take it from there instead of building it again.
- A rebuilt entry replaces the stale one in its slot, so entries do not pile up per version.
- A cache that fails (Redis unreachable) counts as a miss and is logged: the page is built, never a 500.
- With Redis, a worker also keeps its own copy of what it built or fetched (cachelib's SimpleCache,
  same bounds), checked against the same version first: a 9 MB feed is not fetched from Redis on
  every request, only by a worker that does not have the current one yet.

Each region bounds its kind of entry: by a number of entries in memory (SimpleCache's threshold,
oldest first) and by a time to live in both backends. Keys carry a prefix made from the database
and BASE_URL, so two deployments sharing one Redis never read each other's entries.
"""
import hashlib
import logging
from dataclasses import dataclass

from cachelib import SimpleCache
from flask import Flask, current_app
from flask_caching import Cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

STATS = "praktika_cache_stats"
LOCAL = "praktika_cache_local"
FAILURES = (RedisError, OSError)


@dataclass
class Stats:
    """This process's use of a region (per app): lookups that found their version, those that did not, stores."""

    hits: int = 0
    misses: int = 0
    stores: int = 0


class Region:
    """A named part of the cache with its own bounds (`threshold_setting` names the config key for memory)."""

    def __init__(self, name: str, *, timeout: int, threshold: int, threshold_setting: str | None = None):
        self.name = name
        self.timeout = timeout
        self.threshold = threshold
        self.threshold_setting = threshold_setting
        self._cache = Cache(with_jinja2_ext=False)

    def init_app(self, app: Flask) -> None:
        threshold = app.config.get(self.threshold_setting, self.threshold) if self.threshold_setting else self.threshold
        config = {"CACHE_DEFAULT_TIMEOUT": self.timeout, "CACHE_KEY_PREFIX": f"{key_prefix(app)}{self.name}:"}
        if app.config.get("REDIS_URL"):
            config.update({"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"],
                           "CACHE_OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2}})
        else:
            config.update({"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": threshold})
        self._cache.init_app(app, config=config)
        app.extensions.setdefault(STATS, {})[self.name] = Stats()
        if app.config.get("REDIS_URL"):
            app.extensions.setdefault(LOCAL, {})[self.name] = SimpleCache(threshold=threshold,
                                                                          default_timeout=self.timeout)

    def _local(self) -> SimpleCache | None:
        """With Redis, this process's copies of entries it built or fetched (None without Redis)."""
        return current_app.extensions.get(LOCAL, {}).get(self.name)

    @property
    def stats(self) -> Stats:
        """The current app's counters for this region (in this process)."""
        return current_app.extensions[STATS][self.name]

    def get(self, slot: tuple, version):
        """The value in `slot` if it was built from `version`, else None."""
        return self.get_many([(slot, version)])[0]

    def get_many(self, wanted: list[tuple]) -> list:
        """Values for many (slot, version) pairs, in one round trip to Redis at most; None where
        missing or stale. With Redis, this process's own copies are looked at first and only the
        rest is fetched (and then copied here), so a worker's repeated reads cost what memory costs."""
        keys = [slot_key(slot) for slot, _version in wanted]
        local = self._local()
        found = [None] * len(keys)
        if local is not None:
            found = _current([local.get(key) for key in keys], wanted)
        todo = [index for index, value in enumerate(found) if value is None]
        if todo:
            try:
                stored = self._cache.get_many(*[keys[index] for index in todo])
            except FAILURES as error:
                _warn(self.name, "read", error)
                stored = [None] * len(todo)
            fetched = _current(stored, [wanted[index] for index in todo])
            for index, entry, value in zip(todo, stored, fetched, strict=True):
                if value is not None:
                    found[index] = value
                    if local is not None:
                        local.set(keys[index], entry)
        stats = self.stats
        misses = found.count(None)
        stats.hits += len(found) - misses
        stats.misses += misses
        return found

    def put(self, slot: tuple, version, value) -> None:
        self.put_many([(slot, version, value)])

    def put_many(self, entries: list[tuple]) -> None:
        """Store (slot, version, value) triples; each replaces whatever its slot held."""
        mapping = {slot_key(slot): (version, value) for slot, version, value in entries}
        if not mapping:
            return
        local = self._local()
        if local is not None:
            local.set_many(mapping)
        try:
            if local is not None:  # the current app shares its entries in Redis
                _redis_set_many(self._cache.cache, mapping, self.timeout)
            else:
                self._cache.set_many(mapping, timeout=self.timeout)
        except FAILURES as error:
            _warn(self.name, "write", error)
            return
        self.stats.stores += len(mapping)

    def clear(self) -> None:
        """Drop every entry of this region (only this deployment's keys in a shared Redis)."""
        local = self._local()
        if local is not None:
            local.clear()
        try:
            self._cache.clear()
        except FAILURES as error:
            _warn(self.name, "clear", error)


# Stores each (key, value) pair of a call with the time to live ARGV[1]: KEYS[i] gets ARGV[i + 1].
_SET_EACH = "for index, key in ipairs(KEYS) do redis.call('SET', key, ARGV[index + 1], 'EX', ARGV[1]) end"
_SET_BATCH = 1000


def _redis_set_many(backend, mapping: dict, timeout: int) -> None:
    """What cachelib's RedisCache.set_many stores (same keys, same serialised values, same expiry),
    one command per thousand entries instead of one per entry: for the 5,000 pieces of a cold public
    feed, redis-py's per-command packing and reply parsing took 0.1–0.25 s; one script, 0.05 s."""
    prefix = backend._get_prefix()
    items = list(mapping.items())
    for start in range(0, len(items), _SET_BATCH):
        batch = items[start:start + _SET_BATCH]
        backend._write_client.eval(_SET_EACH, len(batch), *[prefix + key for key, _value in batch],
                                   timeout, *[backend.serializer.dumps(value) for _key, value in batch])


def _current(stored: list, wanted: list[tuple]) -> list:
    """The values of the stored (version, value) entries whose version is the wanted one, else None."""
    return [entry[1] if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version else None
            for entry, (_slot, version) in zip(stored, wanted, strict=True)]


def key_prefix(app: Flask) -> str:
    """CACHE_KEY_PREFIX if set, else one derived from the database and BASE_URL (one per deployment)."""
    if app.config.get("CACHE_KEY_PREFIX"):
        return app.config["CACHE_KEY_PREFIX"]
    deployment = f"{app.config['SQLALCHEMY_DATABASE_URI']}|{app.config['BASE_URL']}"
    return f"praktika:{hashlib.sha256(deployment.encode()).hexdigest()[:12]}:"


def slot_key(slot: tuple) -> str:
    """A slot as a short string key: its repr, hashed when long (listing slots carry free text)."""
    text = repr(slot)
    if len(text) <= 100:
        return text
    return hashlib.sha256(text.encode()).hexdigest()


def _warn(region: str, action: str, error: Exception) -> None:
    log.warning("cache %s: %s failed, treated as a miss: %s", region, action, error)


# Rendered listing pages, HTML and JSON: small, keyed by the minute, so they live two minutes.
pages = Region("pages", timeout=120, threshold=512)
# Each event's VEVENTs per locale: one entry per (event, locale), kept a day after it was built.
feed_pieces = Region("feed_pieces", timeout=24 * 3600, threshold=50_000, threshold_setting="CALENDAR_CACHE_PIECES")
# Whole public feeds per (filters, language, locale): large (megabytes), so few of them in memory.
feed_bodies = Region("feed_bodies", timeout=6 * 3600, threshold=8, threshold_setting="CALENDAR_CACHE_BODIES")

# Each programme's report and dashboard figures per language, valid while its facts and the clock have not
# moved (app/reports/freshness.py): small, one per (programme, kind, language).
reports = Region("reports", timeout=24 * 3600, threshold=1024)

REGIONS = (pages, feed_pieces, feed_bodies, reports)


def init_app(app: Flask) -> None:
    for region in REGIONS:
        region.init_app(app)

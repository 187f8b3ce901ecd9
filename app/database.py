"""The seam every area stands on: the unit of work, row locks and shared column types.

A service's public call is one unit of work (STYLE rule 4, cosmicpython's UoW, Indico's
"commit once"): `with unit_of_work():` commits when the block ends, rolls back when it raises,
and a nested block joins the outer one, so one service may call another and everything still
commits together. Consequences that leave the process (mail, jobs) are written as outbox rows
inside the same transaction (app/outbox); callbacks registered with `after_commit` run only
once the commit has succeeded, to nudge the worker. The commit expires every loaded row, except
those the unit was asked to `keep_loaded` (what a page shows right after the change).
"""
import enum
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import DateTime, bindparam, inspect, select, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

from app import clock
from app.errors import NotFound
from app.extensions import db

log = logging.getLogger(__name__)
_UNIT_KEY = "praktika.unit_of_work"

# The largest value of an INTEGER column on PostgreSQL (ids, counts, capacities). Services refuse
# bigger numbers with a message beside the field, whatever door they came in by (form, API, URL).
INTEGER_MAX = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` up to PostgreSQL's INTEGER: a bigger id cannot exist, so it is a 404, not a database error."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=INTEGER_MAX, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """Column default: the (possibly frozen) clock's now."""
    return clock.now()


class Timestamps:
    """When the row was made, and when it last changed (onupdate: the cache key of listings and feeds)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LabelledEnum(enum.StrEnum):
    """A stored choice declared with its translated label, `SEMINAR = "seminar", _l("Seminar")`, so the
    label cannot be forgotten and is read as `member.label`."""

    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


def enum_column(enum_cls, length: int = 32):
    """A portable enum column storing the members' values as short strings."""
    return db.Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def row_or_not_found(model, row_id: int, **parent):
    """The row with this id, or NotFound; with `parent` (`event_id=event.id`) also when it belongs to another
    parent, so an id from elsewhere is a 404 like a missing one and never leaks."""
    row = db.session.get(model, row_id)
    if row is None or any(getattr(row, column) != value for column, value in parent.items()):
        raise NotFound()
    return row


def lock_row(model, pk):
    """Lock one row for the rest of the transaction and return it freshly loaded.

    PostgreSQL: SELECT … FOR UPDATE. SQLite: a no-op UPDATE, which makes pysqlite BEGIN and
    take the database write lock (waiting on busy_timeout), so writers are serialised and
    everything read afterwards is current. Take it before counting anything (STYLE rule 5).
    """
    current_unit()  # a lock outside a transaction we own would be released by someone else's commit
    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        # Each column with an onupdate default (updated_at: the listing's and feeds' cache key) is
        # set to itself, or the dummy UPDATE would move it, unlike FOR UPDATE on PostgreSQL.
        unchanged = {column.key: column for column in model.__table__.columns if column.onupdate is not None}
        session.execute(update(model).where(model.id == pk).values(id=model.id, **unchanged)
                        .execution_options(synchronize_session=False, facts_unchanged=True))
        return session.get(model, pk, populate_existing=True)
    return session.execute(_lock_statement(model), {"pk": pk}).scalar_one_or_none()


@cache
def _lock_statement(model):
    """SELECT … FOR UPDATE of one `model` row, built once per model (registering takes it on every call)."""
    return select(model).where(model.id == bindparam("pk")).with_for_update(of=model) \
        .execution_options(populate_existing=True)


class UnitOfWork:
    """One business transaction: what it changed commits together, or nothing does."""

    def __init__(self) -> None:
        self._after_commit: list[Callable[[], None]] = []
        self._kept: list = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the transaction has committed (never if it rolls back); each callback once."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    def keep_loaded(self, instance) -> None:
        """Keep `instance`'s column values past the commit (they are what was committed) instead of
        expiring them, so the caller shows the outcome (the page's "you are on the waitlist") without
        reading the row back in a second transaction."""
        if instance not in self._kept:
            self._kept.append(instance)

    def _commit(self, session) -> None:
        if not self._kept:
            session.commit()
            return
        session.flush()
        kept = [(instance, _column_values(instance)) for instance in self._kept]
        session.commit()
        for instance, values in kept:
            for key, value in values.items():
                set_committed_value(instance, key, value)

    def _run_after_commit(self) -> None:
        for callback in self._after_commit:
            try:
                callback()
            except Exception:  # the change is committed; a failed nudge must not turn it into an error
                log.exception("after-commit callback %r failed", callback)


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Open (or join) the unit of work of the current session."""
    session = db.session
    outer = session.info.get(_UNIT_KEY)
    if outer is not None:
        yield outer
        return
    unit = UnitOfWork()
    session.info[_UNIT_KEY] = unit
    try:
        yield unit
        unit._commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_UNIT_KEY, None)
    unit._run_after_commit()


def _column_values(instance) -> dict:
    """The loaded column values of `instance` (those the flush left unloaded stay to be read on access)."""
    state = inspect(instance)
    return {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs if attr.key in state.dict}


def current_unit() -> UnitOfWork:
    """The open unit of work; writing consequences or taking locks outside one is a programming error."""
    unit = db.session.info.get(_UNIT_KEY)
    if unit is None:
        raise RuntimeError("this needs an open unit_of_work()")
    return unit


def in_unit_of_work() -> bool:
    return db.session.info.get(_UNIT_KEY) is not None

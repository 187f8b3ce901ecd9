"""Column types and helpers shared by every area's models."""
from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from app import clock


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


def enum_column(enum_cls, length: int = 32):
    """A portable enum column storing the members' values as short strings."""
    from app.extensions import db

    return db.Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def lock_row(model, pk):
    """Lock one row for the rest of the transaction and return it freshly loaded.

    PostgreSQL: SELECT … FOR UPDATE. SQLite: a no-op UPDATE, which makes pysqlite BEGIN and
    take the database write lock (waiting on busy_timeout), so writers are serialised and
    everything read afterwards is current. Take it before counting anything (STYLE rule 5).
    """
    from sqlalchemy import select, update

    from app.extensions import db

    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(model).where(model.id == pk).values(id=model.id))
        return session.get(model, pk, populate_existing=True)
    return session.execute(
        select(model).where(model.id == pk).with_for_update(of=model).execution_options(populate_existing=True)
    ).scalar_one_or_none()


# --- temporary stand-in for the seam's unit of work (issue 9); replaced when main has it ---------
_depth = {"n": 0}


class _UnitOfWork:
    def __enter__(self):
        _depth["n"] += 1
        from app.extensions import db

        return db.session

    def __exit__(self, exc_type, exc, tb):
        from app.extensions import db

        _depth["n"] -= 1
        if exc_type is not None:
            if _depth["n"] == 0:
                db.session.rollback()
            return False
        if _depth["n"] == 0:
            db.session.commit()
        return False


def unit_of_work() -> _UnitOfWork:
    """Commit on exit, roll back on any exception; nested use joins the outer unit."""
    return _UnitOfWork()

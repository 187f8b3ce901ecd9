"""Data export and import: one JSON file per table, a manifest with checksums.

The export reads every table in one transaction (a consistent snapshot: REPEATABLE READ on
PostgreSQL, one read transaction on SQLite in WAL mode), so a backup taken while people register
never holds a registration without its event. `programme_id` narrows it to one programme: the
programme's rows, the rows that hang from them (events, sessions, registrations, check-ins…) and
the rows those point at (users, organisations), found by following the schema's foreign keys,
so tables added later are included without a change here. `without_notes` leaves free-text
consultation and mentoring notes out (they may hold what a client said).

The import restores such a file into an empty database whose schema is migrated to the same
revision, in one transaction, checking every checksum first.
"""
import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Numeric, Table, Time, func, inspect, select, text, update

from app import clock
from app.certificates import signing_keys
from app.certificates.models import SigningKey
from app.errors import Conflict, ValidationFailed
from app.extensions import db

FORMAT = "praktika-export/1"
# Free-text notes about consultations and mentoring: left out with `without_notes`.
NOTE_COLUMNS = {"consultations": ("note", "notes"), "mentoring_sessions": ("note", "notes"),
                "curator_reviews": ("comment",)}
# Tables that describe a user (not owned by a programme) and travel with the users an export holds.
USER_DETAILS = ("user_roles",)
# Never part of a programme export: credentials that act as someone.
PROGRAMME_EXCLUDED = ("api_tokens",)


@dataclass(frozen=True)
class ExportResult:
    tables: dict[str, int]
    path: str


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _json_value(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _revision(connection) -> str | None:
    """The migration the schema is at (None for a schema made by create_all, as in tests)."""
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _primary(table: Table):
    columns = list(table.primary_key.columns)
    return columns[0] if len(columns) == 1 else None


def _programme_scope(connection, programme_id: int) -> dict[str, set]:
    """Primary keys (or whole rows for link tables) of every row that belongs to the programme."""
    names = {t.name: t for t in _tables()}
    if connection.execute(select(func.count()).select_from(names["programmes"])
                          .where(names["programmes"].c.id == programme_id)).scalar_one() == 0:
        raise ValidationFailed(_l("There is no programme with this number."), field="programme")
    owned: dict[str, set] = {"programmes": {programme_id}}
    shared = {"users", "organisations"}
    changed = True
    while changed:  # downward: rows pointing at owned rows are owned too
        changed = False
        for table in _tables():
            if table.name in shared or table.name in PROGRAMME_EXCLUDED or _primary(table) is None:
                continue
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if parent in shared or not owned.get(parent):
                    continue
                ids = set(connection.execute(select(_primary(table)).where(fk.parent.in_(owned[parent]))).scalars())
                if ids - owned.get(table.name, set()):
                    owned.setdefault(table.name, set()).update(ids)
                    changed = True
    return owned


def _rows(connection, table: Table, owned: dict[str, set] | None) -> list[dict]:
    query = select(table)
    key = _primary(table)
    if owned is not None:
        if table.name in PROGRAMME_EXCLUDED:
            return []
        if key is not None and table.name in owned:
            query = query.where(key.in_(owned[table.name]))
        elif key is not None and table.name not in ("users", "organisations") and table.name not in USER_DETAILS:
            return []
        elif key is None:  # a link table: rows whose every link is in the export
            for fk in table.foreign_keys:
                query = query.where(fk.parent.in_(owned.get(fk.column.table.name, set())))
    if key is not None:
        query = query.order_by(key)
    return [dict(row._mapping) for row in connection.execute(query)]


def _referenced_closure(rows: dict[str, list[dict]]) -> None:
    """Keep only the users and organisations the programme's rows point at (and their details)."""
    names = {t.name: t for t in _tables()}
    wanted = {"users": set(), "organisations": set()}
    changed = True
    while changed:
        changed = False
        for table in _tables():
            if table.name in ("users", "organisations") and not rows.get(table.name):
                continue
            for row in rows.get(table.name, []):
                if table.name in wanted and row["id"] not in wanted[table.name]:
                    continue
                for fk in table.foreign_keys:
                    target = fk.column.table.name
                    value = row.get(fk.parent.name)
                    if target in wanted and value is not None and value not in wanted[target]:
                        wanted[target].add(value)
                        changed = True
    for name in ("users", "organisations"):
        rows[name] = [row for row in rows[name] if row["id"] in wanted[name]]
    for name in USER_DETAILS:
        if name in names:
            rows[name] = [row for row in rows[name] if row["user_id"] in wanted["users"]]


def export_data(path, *, programme_id: int | None = None, without_notes: bool = False) -> ExportResult:
    engine = db.engine
    connection = engine.connect()
    try:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        connection.begin()  # read-only: closing the connection below ends it
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1")  # opens the read snapshot
        owned = _programme_scope(connection, programme_id) if programme_id is not None else None
        rows = {table.name: _rows(connection, table, owned) for table in _tables()}
        revision = _revision(connection)
    finally:
        connection.close()
    if owned is not None:
        _referenced_closure(rows)
    left_out = {}
    if without_notes:
        for name, columns in NOTE_COLUMNS.items():
            present = [c for c in columns if name in rows and rows[name] and c in rows[name][0]]
            for row in rows.get(name, []):
                for column in present:
                    row[column] = ""  # blank, not NULL: the columns are NOT NULL text
            if present:
                left_out[name] = present
    manifest = {"format": FORMAT, "created_at": clock.now().isoformat(), "alembic_revision": revision,
                "database": engine.dialect.name, "programme_id": programme_id, "notes_left_out": without_notes,
                "columns_left_out": left_out, "tables": {}}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in _tables():
            body = json.dumps([{k: _json_value(v) for k, v in row.items()} for row in rows[table.name]],
                              ensure_ascii=False, sort_keys=True, indent=0).encode()
            archive.writestr(f"tables/{table.name}.json", body)
            manifest["tables"][table.name] = {"rows": len(rows[table.name]),
                                              "sha256": hashlib.sha256(body).hexdigest()}
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    return ExportResult(tables={name: info["rows"] for name, info in manifest["tables"].items()}, path=str(path))


def read_manifest(path) -> dict:
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ValidationFailed(_l("This is not a Praktika export file."), field="file") from error
    if manifest.get("format") != FORMAT:
        raise ValidationFailed(_l("This is not a Praktika export file."), field="file")
    return manifest


def _python_value(column, value):
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    if isinstance(kind, Numeric):
        return Decimal(value)
    return value


def import_data(path) -> dict[str, int]:
    """Restore an export into this (empty, migrated) database; returns rows per table."""
    manifest = read_manifest(path)
    tables = _tables()
    with zipfile.ZipFile(path) as archive:
        bodies = {}
        for table in tables:
            info = manifest["tables"].get(table.name)
            if info is None:
                bodies[table.name] = b"[]"
                continue
            body = archive.read(f"tables/{table.name}.json")
            if hashlib.sha256(body).hexdigest() != info["sha256"]:
                raise ValidationFailed(_l("The file %(name)s is damaged: its checksum does not match.",
                                          name=table.name), field="file")
            bodies[table.name] = body
    unknown = sorted(set(manifest["tables"]) - {t.name for t in tables})
    if unknown:
        raise ValidationFailed(_l("The export has tables this database does not know: %(names)s. "
                                  "Upgrade this installation first.", names=", ".join(unknown)), field="file")
    signing_keys.check_restorable(json.loads(bodies.get(SigningKey.__tablename__, b"[]")))
    counts = {}
    with db.engine.begin() as connection:
        for table in tables:
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                raise Conflict(_l("The database is not empty (table %(name)s has rows): import only into a "
                                  "new database.", name=table.name))
        position = {t.name: n for n, t in enumerate(tables)}
        deferred = []  # foreign keys to rows inserted later (cycles such as users ↔ organisations)
        for table in tables:
            later = [fk.parent.name for fk in table.foreign_keys
                     if position[fk.column.table.name] >= position[table.name]]
            rows = [{c.name: _python_value(c, row.get(c.name)) for c in table.columns}
                    for row in json.loads(bodies[table.name])]
            for row in rows:
                values = {name: row[name] for name in later if row.get(name) is not None}
                if values:
                    deferred.append((table, row, values))
                    for name in values:
                        row[name] = None
            if rows:
                connection.execute(table.insert(), rows)
            counts[table.name] = len(rows)
        for table, row, values in deferred:
            key = _primary(table)
            connection.execute(update(table).where(key == row[key.name]).values(**values))
        if connection.dialect.name == "postgresql":
            for table in tables:
                key = _primary(table)
                if key is not None and key.autoincrement is not False and counts[table.name]:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{key.name}'), "
                        f"(SELECT max(\"{key.name}\") FROM \"{table.name}\"))"))
    return counts

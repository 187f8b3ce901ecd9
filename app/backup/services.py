"""Data export and import: one JSON file per table, a manifest with checksums.

The export reads every table in one transaction (a consistent snapshot: REPEATABLE READ on
PostgreSQL, one read transaction on SQLite in WAL mode), so a backup taken while people register
never holds a registration without its event. `programme_id` narrows it to one programme: the
programme's rows, the rows that hang from them (events, sessions, registrations, check-ins…) and
the rows those point at (users, organisations), found by following the schema's foreign keys,
so tables added later are included without a change here. `without_notes` leaves free-text
consultation and mentoring notes out (they may hold what a client said).

Stored files (certificate PDFs, materials: every file a row of the export names) travel too. With the
local store the zip carries them (`files/<key>`, size and sha256 in the manifest); with an S3 store
the manifest only lists each object's key, size and sha256, since machines restored from it share
the bucket.

The import restores such a file into an empty database whose schema is migrated to the same
revision, in one transaction, checking every checksum first: carried files against the manifest,
listed objects against the bucket (a missing or different one refuses the import, naming it).
Carried files are put into the store before the database's transaction and removed again if it fails.
"""
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Numeric, Table, Time, func, inspect, select, text, update

from app import clock
from app.certificates import files as certificate_files
from app.certificates import signing_keys
from app.certificates.models import SigningKey
from app.core.storage import CHUNK, MissingFile, checked, store
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.materials import storage as material_files

FORMAT = "praktika-export/1"
# Free-text notes about consultations and mentoring: left out with `without_notes`.
NOTE_COLUMNS = {"consultations": ("note", "notes"), "mentoring_sessions": ("note", "notes"),
                "curator_reviews": ("comment",)}
# Tables that describe a user (not owned by a programme) and travel with the users an export holds.
USER_DETAILS = ("user_roles",)
# Never part of a programme export: credentials that act as someone.
PROGRAMME_EXCLUDED = ("api_tokens",)


FILES = "files/"  # where the zip carries stored files


@dataclass(frozen=True)
class ExportResult:
    tables: dict[str, int]
    path: str
    files: int = 0
    carried: bool = False
    missing_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    tables: dict[str, int]
    files: int


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


def _stored_keys(rows: dict[str, list[dict]]) -> list[str]:
    """The store's keys of every file the exported rows name."""
    keys = [certificate_files.key_in_store(row["pdf_path"]) for row in rows.get("certificates", []) if row.get("pdf_path")]
    keys += [material_files.key_in_store(row["storage_key"]) for row in rows.get("materials", [])
             if row.get("storage_key")]
    return sorted(set(keys))


def _copied(source, target=None) -> tuple[int, str]:
    """Size and sha256 of a stream, copied into `target` on the way when given."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return size, digest.hexdigest()


def _export_files(archive: zipfile.ZipFile, keys: list[str]) -> tuple[dict, list[str]]:
    """Carry each file in the zip (local store) or describe each object (S3): key → size, sha256."""
    files, carry = store(), store().kind == "local"
    described, missing = {}, []
    for key in keys:
        try:
            with files.open(key) as source:
                if carry:
                    with archive.open(FILES + key, "w", force_zip64=True) as target:
                        size, sha256 = _copied(source, target)
                else:
                    size, sha256 = _copied(source)
        except MissingFile:  # deleted with its row after the snapshot was read, or erased (a revoked PDF)
            missing.append(key)
            continue
        described[key] = {"size": size, "sha256": sha256}
    return described, missing


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
        objects, missing = _export_files(archive, _stored_keys(rows))
        manifest["files"] = {"store": store().kind, "carried": store().kind == "local", "objects": objects,
                             "missing": missing}
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    return ExportResult(tables={name: info["rows"] for name, info in manifest["tables"].items()}, path=str(path),
                        files=len(objects), carried=manifest["files"]["carried"], missing_files=missing)


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


def _listed_files(manifest: dict) -> tuple[dict, bool]:
    """The manifest's stored files (key → size, sha256) and whether the zip carries them."""
    listed = manifest.get("files") or {}
    objects = listed.get("objects") or {}
    try:
        for key, info in objects.items():
            checked(key)  # a key names a file inside the store, never a path outside it
            if not isinstance(info.get("size"), int) or not isinstance(info.get("sha256"), str):
                raise ValueError(key)
    except (ValueError, AttributeError) as error:
        raise ValidationFailed(_l("This is not a Praktika export file."), field="file") from error
    return objects, bool(listed.get("carried"))


def _check_files(archive: zipfile.ZipFile, objects: dict, carried: bool) -> None:
    """Carried files must match the manifest; listed objects must be in this store, unchanged."""
    problems = []
    for key, info in sorted(objects.items()):
        try:
            with archive.open(FILES + key) if carried else store().open(key) as source:
                size, sha256 = _copied(source)
        except (KeyError, MissingFile):
            problems.append(key)
            continue
        if (size, sha256) != (int(info["size"]), info["sha256"]):
            problems.append(key)
    if problems and carried:
        raise ValidationFailed(_l("The file %(name)s is damaged: its checksum does not match.",
                                  name=", ".join(problems)), field="file")
    if problems:
        raise ValidationFailed(_l("The store does not hold these files as the export lists them (missing or "
                                  "different): %(names)s. Import on a machine that uses the same bucket.",
                                  names=", ".join(problems)), field="file")


def _put_files(archive: zipfile.ZipFile, objects: dict) -> list[str]:
    """Put the carried files into this store; returns the keys written (a file already there with the
    same checksum is left alone)."""
    files, written = store(), []
    try:
        for key, info in sorted(objects.items()):
            if files.exists(key) and files.sha256(key) == info["sha256"]:
                continue
            with archive.open(FILES + key) as source:
                files.put(key, source)
            written.append(key)
    except BaseException:
        _remove(written)
        raise
    return written


def _remove(keys: list[str]) -> None:
    for key in keys:
        store().delete(key)


def _refuse_unless_empty(connection, tables: list[Table]) -> None:
    for table in tables:
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            raise Conflict(_l("The database is not empty (table %(name)s has rows): import only into a "
                              "new database.", name=table.name))


def import_data(path) -> ImportResult:
    """Restore an export into this (empty, migrated) database and its files into this store."""
    manifest = read_manifest(path)
    objects, carried = _listed_files(manifest)
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
        _check_files(archive, objects, carried)
        with db.engine.connect() as connection:
            _refuse_unless_empty(connection, tables)
        written = _put_files(archive, objects) if carried else []
    try:
        counts = _restore(bodies, tables)
    except BaseException:
        _remove(written)
        raise
    return ImportResult(tables=counts, files=len(objects))


def _restore(bodies: dict[str, bytes], tables: list[Table]) -> dict[str, int]:
    """Insert every table's rows in one transaction."""
    counts = {}
    with db.engine.begin() as connection:
        _refuse_unless_empty(connection, tables)
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

"""Materials: attach files and links to an event or one of its sessions, edit, reorder, delete.

An upload is judged by its content, never by its name or the browser's Content-Type: the first
bytes must be one of the accepted types (filetype reads the magic numbers) and the whole file must
fit MATERIALS_MAX_BYTES. A refused upload stores nothing: the file is written only after every
check has passed, and removed again if the row cannot be committed.
"""
import io
import string
import zipfile
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from urllib.parse import urlparse

import filetype
from flask import current_app
from flask_babel import format_decimal, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.database import row_or_not_found, unit_of_work
from app.errors import FieldErrors
from app.events.models import Event
from app.extensions import db
from app.materials import storage
from app.materials.models import Material, MaterialKind, Visibility

TITLE_MAX = 300
DESCRIPTION_MAX = 2000
URL_MAX = 1000
FILENAME_MAX = 200
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    extension: str
    label: str
    aliases: tuple[str, ...] = ()


# The allow-list, keyed by the MIME type filetype finds in the content.
ACCEPTED_TYPES = {
    "application/pdf": FileType("pdf", "PDF"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": FileType("pptx", "PPTX"),
    "application/vnd.oasis.opendocument.presentation": FileType("odp", "ODP"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": FileType("docx", "DOCX"),
    "application/vnd.oasis.opendocument.text": FileType("odt", "ODT"),
    "application/epub+zip": FileType("epub", "EPUB"),
    "image/png": FileType("png", "PNG"),
    "image/jpeg": FileType("jpg", "JPEG", ("jpeg", "jpe")),
    "image/webp": FileType("webp", "WebP"),
}

# Office documents and e-books are zip archives: they are opened (central directory, CRC of every part)
# before being stored, so a zip bomb or a broken archive under a .docx name is refused.
ZIPPED_TYPES = {"pptx", "odp", "docx", "odt", "epub"}
UNZIPPED_FACTOR = 10  # the parts together may unpack to at most 10 × MATERIALS_MAX_BYTES
MAX_PART_RATIO = 100  # no part may be compressed more than 100:1 …
RATIO_FLOOR = MEGABYTE  # … once it unpacks to more than a megabyte (small XML parts compress well)

NOT_ACCEPTED = _l("This file is not a PDF, slides (PPTX, ODP), an image (PNG, JPEG, WebP), a document "
                  "(DOCX, ODT) or an e-book (EPUB), whatever its name says. Nothing was saved.")


def max_bytes() -> int:
    return current_app.config["MATERIALS_MAX_BYTES"]


def size_text(size: int) -> str:
    """A size for people: "1.4 MB", "820 KB" (locale's decimal sign)."""
    if size >= MEGABYTE:
        return _l("%(size)s MB", size=format_decimal(round(size / MEGABYTE, 1)))
    return _l("%(size)s KB", size=format_decimal(max(1, round(size / 1024))))


def type_label(material: Material) -> str:
    accepted = ACCEPTED_TYPES.get(material.content_type)
    return accepted.label if accepted else material.content_type


# --- reading ---------------------------------------------------------------------------------

def materials_of(event: Event) -> list[Material]:
    """All of an event's materials in the organiser's order (event-level and sessions together)."""
    return list(db.session.execute(select(Material).where(Material.event_id == event.id)
                                   .order_by(Material.position, Material.id)).scalars())


def material_in(event: Event, material_id: int) -> Material:
    """Load a material through its event: an id of another event's material is a 404."""
    return row_or_not_found(Material, material_id, event_id=event.id)


def open_file(material: Material):
    """The stored bytes of a file material, as a binary stream."""
    return storage.open_stream(material.storage_key)


# --- checks ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str
    filename: str


def _read_upload(upload, errors: FieldErrors) -> Upload | None:
    if not isinstance(upload, FileStorage) or not upload.filename:
        errors.add("file", _l("Choose a file to upload."))
        return None
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        errors.add("file", _l("The file is larger than %(limit)s. Nothing was saved.", limit=size_text(limit)))
        return None
    if not data:
        errors.add("file", _l("The file is empty."))
        return None
    found = filetype.guess(data)
    accepted = ACCEPTED_TYPES.get(found.mime) if found is not None else None
    if accepted is None:
        errors.add("file", NOT_ACCEPTED)
        return None
    if accepted.extension in ZIPPED_TYPES and not _safe_archive(data, accepted, limit, errors):
        return None
    return Upload(data, found.mime, _clean_filename(upload.filename, accepted))


def _safe_archive(data: bytes, accepted: FileType, limit: int, errors: FieldErrors) -> bool:
    """A readable zip whose parts unpack to a sensible size: the sizes its directory declares are
    bounded first, then every part is read (zipfile stops at the declared size and checks the CRC)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > UNZIPPED_FACTOR * limit or any(
                    part.file_size > RATIO_FLOOR and part.file_size > MAX_PART_RATIO * max(part.compress_size, 1)
                    for part in parts):
                errors.add("file", _l("This %(type)s unpacks to %(size)s, far more than such a file holds: it "
                                      "looks like a zip bomb. Nothing was saved.",
                                      type=accepted.label, size=size_text(unpacked)))
                return False
            if archive.testzip() is not None:
                raise zipfile.BadZipFile
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError,
            OSError, zlib.error):
        errors.add("file", _l("This %(type)s is damaged: it is a zip archive that cannot be read. Nothing "
                              "was saved.", type=accepted.label))
        return False
    return True


_PRINTABLE = set(string.printable) - set("\t\n\r\x0b\x0c/\\\"")


def _clean_filename(name: str, accepted: FileType) -> str:
    """The name offered on download: the user's own, without path or control characters, and with
    the extension of what the file really is."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch in _PRINTABLE or (ch.isprintable() and not ch.isascii())).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    if suffix.lower() not in (accepted.extension, *accepted.aliases):
        stem = base
        suffix = accepted.extension
    stem = stem[:FILENAME_MAX] or "material"
    return f"{stem}.{suffix}"


def _text(data: dict, name: str, errors: FieldErrors, *, max_length: int, required: bool = False) -> str:
    value = data.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if "\x00" in value:
        errors.add(name, _l("Remove the invisible control characters."))
    elif required and not value:
        errors.add(name, _l("This field is required."))
    elif len(value) > max_length:
        errors.add(name, lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", max_length))
    return value


def _placement(event: Event, data: dict, errors: FieldErrors) -> tuple[int | None, Visibility | None]:
    session_id = data.get("session_id")
    if session_id in (None, "", 0):
        session_id = None
    elif not any(str(s.id) == str(session_id) for s in event.sessions):
        errors.add("session_id", _l("Choose the whole event or one of its sessions."))
        session_id = None
    else:
        session_id = int(session_id)
    return session_id, errors.choice("visibility", Visibility, data.get("visibility"), _l("Choose who may see it."))


def _link(data: dict, errors: FieldErrors) -> str:
    url = _text(data, "url", errors, max_length=URL_MAX, required=True)
    if url and "url" not in errors.fields:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or any(ch.isspace() for ch in url):
            errors.add("url", _l("Enter a link starting with http:// or https://."))
    return url


def _described(event: Event, data: dict, errors: FieldErrors) -> dict:
    session_id, visibility = _placement(event, data, errors)
    return {"title": _text(data, "title", errors, max_length=TITLE_MAX, required=True),
            "description": _text(data, "description", errors, max_length=DESCRIPTION_MAX),
            "session_id": session_id, "visibility": visibility}


def _next_position(event: Event) -> int:
    last = db.session.execute(select(func.max(Material.position)).where(Material.event_id == event.id)).scalar()
    return (last or 0) + 1


# --- changes ---------------------------------------------------------------------------------

def add_file(event: Event, actor, data: dict, upload) -> Material:
    """Store an uploaded file and its row; a refused or failed upload leaves neither behind."""
    errors = FieldErrors()
    fields = _described(event, data, errors)
    checked = _read_upload(upload, errors)
    errors.raise_if_any()
    key = storage.new_key()
    storage.save(key, checked.data)
    try:
        with unit_of_work():
            material = Material(event_id=event.id, kind=MaterialKind.FILE, storage_key=key,
                                filename=checked.filename, content_type=checked.content_type,
                                size_bytes=len(checked.data), position=_next_position(event),
                                created_by_id=actor.id, **fields)
            db.session.add(material)
            db.session.flush()
    except BaseException:
        storage.delete(key)
        raise
    return material


def add_link(event: Event, actor, data: dict) -> Material:
    errors = FieldErrors()
    fields = _described(event, data, errors)
    url = _link(data, errors)
    errors.raise_if_any()
    with unit_of_work():
        material = Material(event_id=event.id, kind=MaterialKind.LINK, url=url,
                            available_after_event=bool(data.get("available_after_event")),
                            position=_next_position(event), created_by_id=actor.id, **fields)
        db.session.add(material)
        db.session.flush()
    return material


def update_material(material: Material, actor, data: dict) -> Material:
    """Title, description, session and visibility; for links also the address and the hold-back."""
    errors = FieldErrors()
    fields = _described(material.event, data, errors)
    url = _link(data, errors) if not material.is_file else None
    errors.raise_if_any()
    with unit_of_work():
        for name, value in fields.items():
            setattr(material, name, value)
        if not material.is_file:
            material.url = url
            material.available_after_event = bool(data.get("available_after_event"))
    return material


def delete_material(material: Material, actor) -> None:
    """Delete the row; its file is removed from storage once the deletion has committed."""
    key = material.storage_key
    with unit_of_work() as unit:
        db.session.delete(material)
        if key:
            unit.after_commit(partial(storage.delete, key))


def move_material(material: Material, actor, offset: int) -> None:
    """Swap with the neighbour above (offset -1) or below (+1) in the same list (event or session)."""
    with unit_of_work():
        group = [m for m in materials_of(material.event) if m.session_id == material.session_id]
        index = group.index(material)
        other = index + offset
        if 0 <= other < len(group):
            group[index], group[other] = group[other], group[index]
        positions = sorted(m.position for m in group)
        if len(set(positions)) < len(positions):
            positions = list(range(positions[0], positions[0] + len(group)))
        for position, item in zip(positions, group, strict=True):
            item.position = position

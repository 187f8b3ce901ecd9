"""Certificate PDFs in the app's store (app/core/storage.py), namespace `certificates/`.

Each PDF is put under a temporary key before the unit of work that records its certificate, and
moved to its own key only once that unit has committed (as app/materials/services.py does for uploads):
a rollback, a lost lease or an "already holds one" skip discards the temporary file, so the store
never holds a PDF without its row. A process killed between the put and the move leaves a temporary
file behind; `sweep` removes those older than LEFTOVER_AGE, or moves one into place when its
certificate did commit (same serial and hash) and only the move was lost.
"""
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.certificates.models import Certificate
from app.core.storage import CERTIFICATES, MissingFile, store
from app.database import current_unit
from app.extensions import db

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".pdf.part"
LEFTOVER_AGE = timedelta(hours=1)  # far longer than rendering and recording one batch takes


def key_in_store(path: str) -> str:
    """The store's key of a certificate's PDF; `path` is what the row keeps (`2027/PRK-2027-000001.pdf`)."""
    return f"{CERTIFICATES}/{path}"


def _relative(serial: str) -> str:
    return f"{serial[4:8]}/{serial}.pdf"


@dataclass
class StagedPdf:
    """A rendered PDF under its temporary key, and where it goes once its certificate is committed."""

    path: str
    sha256: str
    temporary: str
    committed: bool = False

    def move_into_place(self) -> None:
        self.committed = True
        store().move(self.temporary, key_in_store(self.path))

    def discard_unless_committed(self) -> None:
        """After the unit: a PDF whose certificate was not recorded is removed (a failed move after a
        commit is left for `sweep`, which moves it into place)."""
        if not self.committed:
            store().delete(self.temporary)


def stage(serial: str, pdf: bytes) -> StagedPdf:
    relative = _relative(serial)
    temporary = key_in_store(f"{serial[4:8]}/{serial}{TEMPORARY_SUFFIX}")
    store().put(temporary, pdf)
    return StagedPdf(path=relative, sha256=hashlib.sha256(pdf).hexdigest(), temporary=temporary)


def move_into_place_on_commit(staged: StagedPdf) -> None:
    """Inside the unit of work that records the certificate: its PDF moves into place after the commit."""
    current_unit().after_commit(staged.move_into_place)


def read(path: str) -> bytes:
    """The PDF's bytes (MissingFile once erased)."""
    return store().get(key_in_store(path))


def erase(path: str) -> None:
    store().delete(key_in_store(path))


def leftovers() -> list[str]:
    """Keys of temporary PDFs still in the store (being recorded now, or left by a killed process)."""
    return [f.key for f in store().list(CERTIFICATES) if f.key.endswith(TEMPORARY_SUFFIX)]


def _moved_into_place(files, key: str) -> bool:
    """Move a temporary PDF to its place if its certificate committed (same serial and hash) and only the
    move was lost; False when it has no committed certificate or its place is taken."""
    serial = key.rsplit("/", 1)[-1].removesuffix(TEMPORARY_SUFFIX)
    recorded = db.session.execute(select(Certificate.pdf_path, Certificate.pdf_sha256)
                                  .where(Certificate.serial == serial)).one_or_none()
    if recorded and not files.exists(key_in_store(recorded.pdf_path)) and files.sha256(key) == recorded.pdf_sha256:
        files.move(key, key_in_store(recorded.pdf_path))
        log.warning("certificate %s: its PDF was moved into place after its move was lost", serial)
        return True
    return False


def recover_lost_moves() -> None:
    """Every PDF whose certificate committed while the process recording it died before the move: run
    when a job resumes, so its holders have their PDFs at once rather than at the next sweep."""
    files = store()
    for leftover in leftovers():
        try:
            _moved_into_place(files, leftover)
        except MissingFile:  # another runner or the sweeper got there first
            continue


def sweep(older_than: timedelta = LEFTOVER_AGE) -> int:
    """Deal with temporary files left by a killed process; returns how many were removed."""
    cutoff = datetime.now(UTC) - older_than  # files carry the real time, not the app's (maybe frozen) clock
    files = store()
    removed = 0
    for leftover in files.list(CERTIFICATES):
        if not leftover.key.endswith(TEMPORARY_SUFFIX) or leftover.modified > cutoff:
            continue
        try:
            if not _moved_into_place(files, leftover.key):
                files.delete(leftover.key)
                removed += 1
        except MissingFile:  # another sweeper or the unit that wrote it got there first
            continue
    return removed

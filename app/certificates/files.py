"""Certificate PDFs on disk.

Each PDF is written under a temporary name before the unit of work that records its certificate, and
moved into place only once that unit has committed (as app/materials/services.py does for uploads):
a rollback, a lost lease or an "already holds one" skip discards the temporary file, so the
certificates folder never holds a PDF without its row. A process killed between the write and the
move leaves a temporary file behind; `sweep` removes those older than LEFTOVER_AGE, or moves one into
place when its certificate did commit (same serial and hash) and only the move was lost.
"""
import hashlib
import logging
import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.certificates.models import Certificate
from app.database import current_unit
from app.extensions import db

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".pdf.part"
LEFTOVER_AGE = timedelta(hours=1)  # far longer than rendering and recording one batch takes


def storage_root() -> Path:
    return Path(current_app.config.get("CERTIFICATES_DIR") or Path(current_app.instance_path) / "certificates")


def _relative(serial: str) -> Path:
    return Path(serial[4:8]) / f"{serial}.pdf"


@dataclass
class StagedPdf:
    """A rendered PDF under its temporary name, and where it goes once its certificate is committed."""

    path: str
    sha256: str
    temporary: Path
    committed: bool = False

    def move_into_place(self) -> None:
        self.committed = True
        os.replace(self.temporary, storage_root() / self.path)

    def discard_unless_committed(self) -> None:
        """After the unit: a PDF whose certificate was not recorded is removed (a failed move after a
        commit is left for `sweep`, which moves it into place)."""
        if not self.committed:
            self.temporary.unlink(missing_ok=True)


def stage(serial: str, pdf: bytes) -> StagedPdf:
    relative = _relative(serial)
    temporary = storage_root() / relative.parent / f"{serial}{TEMPORARY_SUFFIX}"
    temporary.parent.mkdir(parents=True, exist_ok=True)
    temporary.write_bytes(pdf)
    return StagedPdf(path=str(relative), sha256=hashlib.sha256(pdf).hexdigest(), temporary=temporary)


def move_into_place_on_commit(staged: StagedPdf) -> None:
    """Inside the unit of work that records the certificate: its PDF moves into place after the commit."""
    current_unit().after_commit(staged.move_into_place)


def read(path: str) -> bytes:
    return (storage_root() / path).read_bytes()


def sweep(older_than: timedelta = LEFTOVER_AGE) -> int:
    """Deal with temporary files left by a killed process; returns how many were removed."""
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for temporary in sorted(storage_root().glob(f"*/*{TEMPORARY_SUFFIX}")):
        try:
            if temporary.stat().st_mtime > cutoff:
                continue
            serial = temporary.name.removesuffix(TEMPORARY_SUFFIX)
            recorded = db.session.execute(select(Certificate.pdf_path, Certificate.pdf_sha256)
                                          .where(Certificate.serial == serial)).one_or_none()
            final = storage_root() / recorded.pdf_path if recorded else None
            if (recorded and not final.exists()
                    and hashlib.sha256(temporary.read_bytes()).hexdigest() == recorded.pdf_sha256):
                os.replace(temporary, final)
                log.warning("certificate %s: its PDF was moved into place by the sweeper", serial)
            else:
                temporary.unlink()
                removed += 1
        except FileNotFoundError:  # another sweeper or the unit that wrote it got there first
            continue
    return removed

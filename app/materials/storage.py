"""Where material files are kept: a folder of the instance by default.

Files are stored under a random key (32 hex digits), never under the name the user gave, so a
filename can neither escape the folder nor collide. Services write a file before its row is
committed and remove it if the commit fails; a deleted material's file goes after the commit.
"""
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app

_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_key() -> str:
    return secrets.token_hex(16)


class LocalStorage:
    """Files in `<root>/<first two hex digits>/<key>`, written atomically."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> list[str]:
        """Every stored key (tests and clean-up compare them with the rows)."""
        return sorted(p.name for p in self.root.glob("??/*") if _KEY.match(p.name))


def storage() -> LocalStorage:
    return LocalStorage(current_app.config["MATERIALS_DIR"])

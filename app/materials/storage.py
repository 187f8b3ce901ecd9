"""Where material files are kept: the app's store (app/core/storage.py), namespace `materials/`.

Files are stored under a random key (32 hex digits), never under the name the user gave, so a
filename can neither escape its folder nor collide. Services write a file before its row is
committed and remove it if the commit fails; a deleted material's file goes after the commit.
"""
import re
import secrets
from typing import BinaryIO

from app.core.storage import MATERIALS, store

_KEY = re.compile(r"[0-9a-f]{32}\Z")


def new_key() -> str:
    return secrets.token_hex(16)


def key_in_store(storage_key: str) -> str:
    """The store's key of a material's file (the row keeps only the random part)."""
    if not isinstance(storage_key, str) or not _KEY.match(storage_key):
        raise ValueError(f"not a material's storage key: {storage_key!r}")
    return f"{MATERIALS}/{storage_key}"


def save(storage_key: str, data: bytes) -> None:
    store().put(key_in_store(storage_key), data)


def open_stream(storage_key: str) -> BinaryIO:
    return store().open(key_in_store(storage_key))


def exists(storage_key: str) -> bool:
    return store().exists(key_in_store(storage_key))


def delete(storage_key: str) -> None:
    store().delete(key_in_store(storage_key))


def keys() -> list[str]:
    """Every stored material's key (tests and clean-up compare them with the rows)."""
    return [f.key.removeprefix(f"{MATERIALS}/") for f in store().list(MATERIALS) if _KEY.match(f.key[len(MATERIALS) + 1:])]

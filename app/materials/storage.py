"""Where material files are kept: a folder of the instance by default, or a bucket of an
S3-compatible store (AWS S3, MinIO, Ceph…) when MATERIALS_S3_BUCKET is set.

Files are stored under a random key (32 hex digits), never under the name the user gave, so a
filename can neither escape the folder nor collide. Services write a file before its row is
committed and remove it if the commit fails; a deleted material's file goes after the commit.
Both stores offer the same five calls: save, open, exists, delete, keys.
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


def _checked(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files in `<root>/<first two hex digits>/<key>`, written atomically."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)[:2] / key

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


class S3Storage:
    """Objects `<prefix><key>` in one bucket; the client is boto3's (credentials from the settings,
    else boto3's own chain: AWS_* variables, instance roles)."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 prefix: str = "materials/"):
        # boto3 is loaded only where an S3 store is configured (it takes a while to import)
        import boto3
        from botocore.exceptions import ClientError

        self.bucket, self.prefix, self._client_error = bucket, prefix, ClientError
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                                   aws_access_key_id=access_key_id or None,
                                   aws_secret_access_key=secret_access_key or None)

    def _name(self, key: str) -> str:
        return self.prefix + _checked(key)

    def save(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)

    def open(self, key: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except self._client_error as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self) -> list[str]:
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            found += [item["Key"].removeprefix(self.prefix) for item in page.get("Contents", [])]
        return sorted(found)


def storage() -> LocalStorage | S3Storage:
    """The configured store; an S3 client is made once per app and shared (boto3 clients are thread-safe)."""
    config = current_app.config
    if not config.get("MATERIALS_S3_BUCKET"):
        return LocalStorage(config["MATERIALS_DIR"])
    store = current_app.extensions.get("materials_s3")
    if store is None:
        store = current_app.extensions["materials_s3"] = S3Storage(
            config["MATERIALS_S3_BUCKET"], endpoint_url=config.get("MATERIALS_S3_ENDPOINT_URL"),
            region=config.get("MATERIALS_S3_REGION"), access_key_id=config.get("MATERIALS_S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("MATERIALS_S3_SECRET_ACCESS_KEY"),
            prefix=config.get("MATERIALS_S3_PREFIX", "materials/"))
    return store

"""The one place Praktika keeps files: certificate PDFs, material uploads and anything else that must
outlive a request. Folders of the instance by default; one bucket of an S3-compatible store (AWS S3,
MinIO, Ceph…) when STORAGE_S3_BUCKET is set (MATERIALS_S3_* still work as aliases), and then no such
file is ever written to a machine's disk, so machines sharing the database and the bucket serve the
same files.

A key names a file inside the store: a namespace, then path segments (`certificates/2027/PRK-2027-000001.pdf`,
`materials/<32 hex digits>`). Segments start with a letter or digit, so a key can neither climb out
of its folder nor name a hidden temporary file. Both backends offer the same calls: put, get, open
(a stream, for big downloads), exists, delete, move, list and sha256; a missing key raises MissingFile.
"""
import hashlib
import os
import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CERTIFICATES = "certificates"
MATERIALS = "materials"
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_KEY = re.compile(rf"[a-z]+(/{_SEGMENT})+\Z")
# Namespaces whose files sit on disk in a subfolder named by their first two characters (materials
# always were kept so: one folder never holds more than a few thousand of them).
FANNED_OUT = {MATERIALS}
CHUNK = 1024 * 1024


class MissingFile(FileNotFoundError):
    """The store holds nothing under this key."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    modified: datetime


def checked(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def _split(key: str) -> tuple[str, str]:
    namespace, _, rest = checked(key).partition("/")
    return namespace, rest


class Store(ABC):
    """What both backends share: reading whole files and checksums on top of `open`."""

    kind = ""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """The file's bytes as a stream (MissingFile if there is none)."""

    def get(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        with self.open(key) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()


class LocalStore(Store):
    """Files under folders of the instance: `roots` maps a namespace to its folder (CERTIFICATES_DIR,
    MATERIALS_DIR); any other namespace gets `<default_root>/<namespace>`. Writes are atomic (a hidden
    temporary file in the same folder, then a rename)."""

    kind = "local"

    def __init__(self, default_root: str | Path, roots: dict[str, str | Path] | None = None):
        self.default_root = Path(default_root)
        self.roots = {name: Path(path) for name, path in (roots or {}).items()}

    def _root(self, namespace: str) -> Path:
        return self.roots.get(namespace) or self.default_root / namespace

    def path_of(self, key: str) -> Path:
        """Where the file of `key` lives on disk."""
        namespace, rest = _split(key)
        if namespace in FANNED_OUT and "/" not in rest:
            return self._root(namespace) / rest[:2] / rest
        return self._root(namespace) / rest

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".put-")
        try:
            with os.fdopen(handle, "wb") as out:
                if isinstance(data, bytes | bytearray):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out, CHUNK)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path_of(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise MissingFile(key) from error

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    def move(self, source: str, target: str) -> None:
        destination = self.path_of(target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(self.path_of(source), destination)
        except FileNotFoundError as error:
            raise MissingFile(source) from error

    def list(self, namespace: str) -> list[StoredFile]:
        root = self._root(namespace)
        found = []
        for path in root.rglob("*") if root.is_dir() else ():
            relative = path.relative_to(root).parts
            if namespace in FANNED_OUT and len(relative) == 2 and relative[1][:2] == relative[0]:
                relative = relative[1:]
            key = "/".join((namespace, *relative))
            if _KEY.match(key) and path.is_file():
                stat = path.stat()
                found.append(StoredFile(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
        return sorted(found, key=lambda f: f.key)


class S3Store(Store):
    """Objects `<prefix><key>` in one bucket (a namespace may have a location of its own: materials
    stored under MATERIALS_S3_PREFIX before this store existed stay where they are). The boto3 client
    is made once per app; credentials come from the settings, else boto3's own chain (AWS_* variables,
    instance roles)."""

    kind = "s3"

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None, prefix: str = "",
                 locations: dict[str, str] | None = None):
        # boto3 is loaded only where an S3 store is configured (it takes a while to import)
        import boto3
        from botocore.exceptions import ClientError

        self.bucket, self.prefix, self._client_error = bucket, prefix or "", ClientError
        self.locations = dict(locations or {})
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                                   aws_access_key_id=access_key_id or None,
                                   aws_secret_access_key=secret_access_key or None)

    def _location(self, namespace: str) -> str:
        return self.locations.get(namespace, f"{self.prefix}{namespace}/")

    def object_name(self, key: str) -> str:
        namespace, rest = _split(key)
        return self._location(namespace) + rest

    def _missing(self, error) -> bool:
        return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        if isinstance(data, bytes | bytearray):
            self.client.put_object(Bucket=self.bucket, Key=self.object_name(key), Body=bytes(data))
        else:
            self.client.upload_fileobj(data, self.bucket, self.object_name(key))

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.object_name(key))["Body"]
        except self._client_error as error:
            if self._missing(error):
                raise MissingFile(key) from error
            raise

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_name(key))
        except self._client_error as error:
            if self._missing(error):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.object_name(key))

    def move(self, source: str, target: str) -> None:
        """Copy inside the bucket, then delete the source (S3 has no rename)."""
        try:
            self.client.copy_object(Bucket=self.bucket, Key=self.object_name(target),
                                    CopySource={"Bucket": self.bucket, "Key": self.object_name(source)})
        except self._client_error as error:
            if self._missing(error):
                raise MissingFile(source) from error
            raise
        self.delete(source)

    def list(self, namespace: str) -> list[StoredFile]:
        location = self._location(namespace)
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=location):
            for item in page.get("Contents", []):
                key = f"{namespace}/{item['Key'].removeprefix(location)}"
                if _KEY.match(key):
                    found.append(StoredFile(key, item["Size"], item["LastModified"].astimezone(UTC)))
        return sorted(found, key=lambda f: f.key)


S3_SETTINGS = ("BUCKET", "ENDPOINT_URL", "REGION", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY")


def s3_settings(config) -> dict | None:
    """The bucket's settings, each STORAGE_S3_* falling back to its MATERIALS_S3_* alias; None: local."""
    values = {name.lower(): config.get(f"STORAGE_S3_{name}") or config.get(f"MATERIALS_S3_{name}")
              for name in S3_SETTINGS}
    if not values["bucket"]:
        return None
    values["prefix"] = config.get("STORAGE_S3_PREFIX") or ""
    # Materials went to this bucket before STORAGE_S3_* existed: their objects stay where they are.
    if config.get("MATERIALS_S3_PREFIX") is not None:
        values["locations"] = {MATERIALS: config["MATERIALS_S3_PREFIX"]}
    elif config.get("MATERIALS_S3_BUCKET") == values["bucket"]:
        values["locations"] = {MATERIALS: "materials/"}  # MATERIALS_S3_PREFIX's old default
    return values


def _configured(config) -> LocalStore | S3Store:
    settings = s3_settings(config)
    if settings is None:
        return LocalStore(config["INSTANCE_PATH"], {CERTIFICATES: config["CERTIFICATES_DIR"],
                                                    MATERIALS: config["MATERIALS_DIR"]})
    return S3Store(**settings)


def store() -> LocalStore | S3Store:
    """The app's store, made once per app (boto3 clients are thread-safe and slow to make)."""
    found = current_app.extensions.get("storage")
    if found is None:
        found = current_app.extensions["storage"] = _configured(current_app.config)
    return found

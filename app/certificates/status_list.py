"""The revocation status list that standard verifiers read (W3C Bitstring Status List v1.0).

Every certificate holds a stable `status_list_index`, handed out at issuance by a counter that only
grows (like the serials), so no two certificates share a bit. Index n is position n % LIST_SIZE of
list n // LIST_SIZE + 1, published at /credentials/status/<list> as a signed
BitstringStatusListCredential (app/certificates/credentials.py signs it). A position's bit is set
exactly when its certificate is revoked (a superseded one is revoked too): the list is worked out
from `revoked_at`, so revoking sets the bit in the same transaction and nothing else has to be kept
in step. Revocation is final here, as the spec's `revocation` purpose is.

Indexes follow issuance order rather than being drawn at random (the spec's SHOULD): serials already
run in order and the verify page tells any serial's status, so a random position would hide nothing.
"""
import base64
import gzip
import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.certificates.models import Certificate, StatusIndexCounter
from app.database import unit_of_work
from app.extensions import db

LIST_SIZE = 131_072  # bits in one list: the spec's minimum (16 KB uncompressed)
COUNTER_ID = 1
TTL_SECONDS = 300  # how long a verifier (and any cache) may keep a list; the same in Cache-Control


def allocate_indices(count: int) -> list[int]:
    """`count` new indexes, in their own committed unit: never handed out twice, even on rollback later."""
    with unit_of_work():
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(StatusIndexCounter).values(id=COUNTER_ID, last=-1).on_conflict_do_nothing())
        last = db.session.execute(
            update(StatusIndexCounter).where(StatusIndexCounter.id == COUNTER_ID)
            .values(last=StatusIndexCounter.last + count).returning(StatusIndexCounter.last)
        ).scalar_one()
    return list(range(last - count + 1, last + 1))


def list_number(index: int) -> int:
    return index // LIST_SIZE + 1


def list_url(number: int) -> str:
    return f"{current_app.config['BASE_URL']}/credentials/status/{number}"


def entry(certificate: Certificate) -> dict:
    """The credential's `credentialStatus`: where its revocation bit is published."""
    url = list_url(list_number(certificate.status_list_index))
    position = certificate.status_list_index % LIST_SIZE
    return {"id": f"{url}#{position}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": str(position), "statusListCredential": url}


@dataclass(frozen=True)
class StatusList:
    number: int
    revoked: tuple[int, ...]  # positions whose bit is set
    updated_at: datetime | None  # the latest revocation in this list

    @property
    def url(self) -> str:
        return list_url(self.number)

    def bitstring(self) -> bytes:
        """LIST_SIZE bits; position 0 is the left-most (most significant) bit of the first byte."""
        bits = bytearray(LIST_SIZE // 8)
        for position in self.revoked:
            bits[position // 8] |= 0x80 >> (position % 8)
        return bytes(bits)

    def encoded_list(self) -> str:
        """Multibase ('u') base64url without padding of the GZIP-compressed bitstring."""
        compressed = gzip.compress(self.bitstring(), mtime=0)  # mtime 0: the same bits, the same bytes
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()

    @property
    def etag(self) -> str:
        """Names the list's content (the signature differs on every signing, so the tag is weak)."""
        return hashlib.sha256(f"{self.number}:{','.join(map(str, self.revoked))}".encode()).hexdigest()[:32]


def list_count() -> int:
    """Lists published so far: at least one, and one more for every LIST_SIZE certificates."""
    last = db.session.scalar(select(StatusIndexCounter.last).where(StatusIndexCounter.id == COUNTER_ID))
    return list_number(max(last or 0, 0))


def load(number: int) -> StatusList | None:
    if not 1 <= number <= list_count():
        return None
    first = (number - 1) * LIST_SIZE
    rows = db.session.execute(
        select(Certificate.status_list_index, Certificate.revoked_at)
        .where(Certificate.revoked_at.is_not(None), Certificate.status_list_index >= first,
               Certificate.status_list_index < first + LIST_SIZE)
        .order_by(Certificate.status_list_index)
    ).all()
    return StatusList(number=number, revoked=tuple(index - first for index, _ in rows),
                      updated_at=max((revoked_at for _, revoked_at in rows), default=None))

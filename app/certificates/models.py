"""Certificates, the bulk issuance jobs that make them, and the serial counter."""
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from app.extensions import db
from app.programmes.models import HoursUnit


class CertificateKind(LabelledEnum):
    PARTICIPATION = "participation", _l("Participation")
    COMPLETION = "completion", _l("Completion")


class CertificateStatus(LabelledEnum):
    """What a verifier is told; never stored (it follows from revoked_at and superseded_by_id)."""

    VALID = "valid", _l("Valid")
    REVOKED = "revoked", _l("Revoked")
    SUPERSEDED = "superseded", _l("Superseded by a corrected certificate")
    UNKNOWN = "unknown", _l("Unknown")


class SerialCounter(db.Model):
    """One row per year; `last` only ever grows, so a serial is never handed out twice."""

    __tablename__ = "certificate_serial_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class StatusIndexCounter(db.Model):
    """One row: the last revocation status-list index handed out (-1: none); it only grows, so two
    certificates never share a bit of the published Bitstring Status List."""

    __tablename__ = "certificate_status_index_counter"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=-1)


def new_identity_salt() -> str:
    return secrets.token_hex(16)


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        # Issuing twice creates nothing new: one live (non-revoked) certificate per event × user × kind.
        Index("uq_certificates_live_event_user_kind", "event_id", "user_id", "kind", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint("superseded_by_id IS NULL OR revoked_at IS NOT NULL", name="superseded_is_revoked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(20), unique=True)
    # Printed with the serial (URL and text): without it the verify page shows only the status.
    check_code: Mapped[str] = mapped_column(String(12))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, 16))
    holder_name: Mapped[str] = mapped_column(String(200))
    # In the unit beside it (app/certificates/hours.py): what was printed, whatever the programme says later.
    hours: Mapped[float] = mapped_column(default=0)
    hours_unit: Mapped[HoursUnit] = mapped_column(enum_column(HoursUnit, 16), default=HoursUnit.CLOCK,
                                                  server_default=HoursUnit.CLOCK.value)
    language: Mapped[str] = mapped_column(String(8))
    layout: Mapped[str] = mapped_column(String(40))
    signatories: Mapped[list[dict]] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_issuance_jobs.id", ondelete="SET NULL"),
                                               index=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    pdf_path: Mapped[str] = mapped_column(String(300))
    # The certificate's bit in the revocation status list (app/certificates/status_list.py).
    status_list_index: Mapped[int] = mapped_column(unique=True)
    # Salts the SHA-256 of the holder's email in the signed credential (Open Badges 3.0 IdentityHash).
    identity_salt: Mapped[str] = mapped_column(String(32), default=new_identity_salt)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    verification_count: Mapped[int] = mapped_column(default=0)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event = relationship("Event", lazy="joined")
    user = relationship("User", foreign_keys=[user_id])
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id], foreign_keys=[superseded_by_id])

    @property
    def status(self) -> CertificateStatus:
        if self.superseded_by_id is not None:
            return CertificateStatus.SUPERSEDED
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        return CertificateStatus.VALID

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<Certificate {self.serial} {self.kind} user={self.user_id} event={self.event_id}>"


class JobState(LabelledEnum):
    QUEUED = "queued", _l("Waiting for the worker")
    RUNNING = "running", _l("Running")
    DONE = "done", _l("Finished")


class IssuanceJob(db.Model):
    """Bulk issuance for chosen people of one event; run (and resumed) by the worker."""

    __tablename__ = "certificate_issuance_jobs"
    __table_args__ = (CheckConstraint("done + failed <= total", name="progress_within_total"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, 16))
    layout: Mapped[str] = mapped_column(String(40))
    signatories: Mapped[list[dict]] = mapped_column(JSON, default=list)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    state: Mapped[JobState] = mapped_column(enum_column(JobState, 16), default=JobState.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A runner holds the job until lease_until and renews it after every batch; a killed runner's
    # lease runs out and the next runner resumes where it stopped.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(32))

    event = relationship("Event")
    requested_by = relationship("User")

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100


class SigningKey(db.Model):
    """An issuer key that signs credentials, shared by every machine through the database.

    One key per algorithm signs (the one not retired; a partial unique index keeps it to one, so two
    machines making the first key at once cannot both succeed); retired keys stay published in the
    JWK Set so what they signed keeps verifying. The private JWK is sealed with a key derived from
    SECRET_KEY (app/certificates/signing_keys.py): the database alone, or an export, does not give it.
    """

    __tablename__ = "signing_keys"
    __table_args__ = (
        Index("uq_signing_keys_one_active_per_alg", "alg", unique=True,
              sqlite_where=text("retired_at IS NULL"), postgresql_where=text("retired_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)  # the JWK thumbprint (RFC 7638)
    alg: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict] = mapped_column(JSON)
    sealed_private_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

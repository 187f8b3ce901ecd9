"""What anyone may learn about a serial, without an account.

Serials run in sequence, so the verify page alone shows only the status of a serial; the holder's
details appear with the check code that is printed in the URL beside the serial and carried in the
QR code (`?c=…`). The JSON twin and the signed credential follow the same rule (the credential is
not served at all without the code, except to its signed-in holder), and wrong codes are throttled
per client (app/certificates/routes.py). Uploading a PDF compares its SHA-256 with the issued
file's, so an edited PDF does not verify.
"""
import hashlib
import hmac
import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import update

from app import clock
from app.certificates.issuance import event_dates, get_by_serial, issuer_name, organisation_name
from app.certificates.models import Certificate, CertificateStatus
from app.database import unit_of_work
from app.extensions import db

SERIAL_PATTERN = re.compile(r"^PRK-\d{4}-\d{6}$")


@dataclass
class Verification:
    serial: str
    status: CertificateStatus
    certificate: Certificate | None
    code_ok: bool

    @property
    def shows_details(self) -> bool:
        return self.certificate is not None and self.code_ok

    def wrong_code(self, code: str | None) -> bool:
        """A code was given and it does not open this serial: what the per-client throttle counts."""
        return bool(normalise_code(code)) and not self.code_ok


def normalise_serial(serial: str) -> str:
    return (serial or "").strip().upper()


def normalise_code(code: str | None) -> str:
    return (code or "").strip().upper().replace(" ", "")


def verify(serial: str, code: str | None = None) -> Verification:
    serial = normalise_serial(serial)
    certificate = get_by_serial(serial) if SERIAL_PATTERN.match(serial) else None
    if certificate is None:
        return Verification(serial, CertificateStatus.UNKNOWN, None, False)
    code_ok = bool(code) and hmac.compare_digest(normalise_code(code).encode(), certificate.check_code.encode())
    return Verification(serial, certificate.status, certificate, code_ok)


def as_json(result: Verification) -> dict:
    base = current_app.config["BASE_URL"]
    body = {"serial": result.serial, "status": result.status.value, "verify_url": f"{base}/verify/{result.serial}"}
    certificate = result.certificate
    if certificate is None:
        return body
    if certificate.revoked_at is not None:
        body["revoked_at"] = certificate.revoked_at.isoformat()
        body["revoke_reason"] = certificate.revoke_reason if result.code_ok else None
    if certificate.superseded_by is not None:
        body["superseded_by"] = certificate.superseded_by.serial
        body["superseded_by_url"] = f"{base}/verify/{certificate.superseded_by.serial}"
    body["details"] = details(certificate) if result.code_ok else None
    return body


def details(certificate: Certificate) -> dict:
    event = certificate.event
    return {
        "holder_name": certificate.holder_name,
        "kind": certificate.kind.value,
        "event": {"id": event.id, "title": event.title, "timezone": event.timezone,
                  "dates": event_dates(event, certificate.language)},
        "hours": certificate.hours,
        "hours_unit": certificate.hours_unit.value,
        "issuer": issuer_name(),
        "organisation": organisation_name(event) or None,
        "issued_at": certificate.issued_at.isoformat(),
        "language": certificate.language,
        "pdf_sha256": certificate.pdf_sha256,
        "credential_url": f"{current_app.config['BASE_URL']}/verify/{certificate.serial}.credential"
                          f"?c={certificate.check_code}",
    }


def matches_upload(certificate: Certificate, data: bytes) -> bool:
    return hmac.compare_digest(hashlib.sha256(data).hexdigest(), certificate.pdf_sha256)


def record_check(certificate: Certificate) -> None:
    """Count one verification by someone other than the holder (a POST from the page, never a GET)."""
    with unit_of_work():
        db.session.execute(update(Certificate).where(Certificate.id == certificate.id)
                        .values(verification_count=Certificate.verification_count + 1,
                                last_verified_at=clock.now())
                        .execution_options(facts_unchanged=True))

"""Open Badges 3.0 credentials signed as VC-JWT (ES256) with the issuer key kept in the instance folder.

The key is generated once, on first use, into instance/certificates/issuer-key.jwk (private JWK,
mode 0600); its public half is published at /.well-known/jwks.json and named by `kid` (the JWK
thumbprint, RFC 7638) in every JWT header. joserfc does the JOSE work.
"""
import json
import os
import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app
from joserfc import jwt
from joserfc.jwk import ECKey

from app.certificates.models import Certificate, CertificateStatus

ALGORITHM = "ES256"
CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def key_path() -> Path:
    return Path(current_app.config.get("CERTIFICATES_DIR") or Path(current_app.instance_path) / "certificates") \
        / "issuer-key.jwk"


@lru_cache(maxsize=4)
def _load_key(path: str) -> ECKey:
    return ECKey.import_key(json.loads(Path(path).read_text()))


def signing_key() -> ECKey:
    """The issuer key; made on first use. Two processes racing: the first link wins, both use it."""
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = ECKey.generate_key("P-256", private=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
            json.dump(key.as_dict(private=True), handle)
        os.chmod(handle.name, 0o600)
        try:
            os.link(handle.name, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(handle.name)
    return _load_key(str(path))


def key_id() -> str:
    return signing_key().thumbprint()


def jwks() -> dict:
    key = signing_key()
    public = key.as_dict(private=False)
    public.update(kid=key.thumbprint(), use="sig", alg=ALGORITHM)
    return {"keys": [public]}


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def credential_document(certificate: Certificate, *, base_url: str, issuer_name: str, achievement_name: str,
                        description: str, criteria: str) -> dict:
    """The OpenBadgeCredential (Open Badges 3.0, VC Data Model 2.0) for one certificate."""
    verify_url = f"{base_url}/verify/{certificate.serial}"
    document = {
        "@context": CONTEXTS,
        "id": f"{verify_url}.credential",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_name,
        "issuer": {"id": f"{base_url}/", "type": ["Profile"], "name": issuer_name, "url": f"{base_url}/"},
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": certificate.holder_name,
                            "identityType": "name", "hashed": False}],
            "achievement": {
                "id": f"{base_url}/events/{certificate.event_id}#certificate-{certificate.kind.value}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": achievement_name,
                "description": description,
                "criteria": {"narrative": criteria},
                "creator": {"id": f"{base_url}/", "type": ["Profile"], "name": issuer_name},
            },
        },
        "evidence": [{"id": verify_url, "type": ["Evidence"], "name": certificate.serial}],
        "credentialStatus": {"id": f"{verify_url}.json", "type": "PraktikaCertificateStatus",
                             "statusPurpose": "revocation", "status": certificate.status.value},
    }
    if certificate.status in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):
        document["credentialStatus"].update(revoked=True, revokedAt=_iso(certificate.revoked_at),
                                            reason=certificate.revoke_reason)
        if certificate.superseded_by is not None:
            document["credentialStatus"]["supersededBy"] = f"{base_url}/verify/{certificate.superseded_by.serial}"
    return document


def sign(document: dict) -> str:
    """A VC-JWT: the credential is the payload, with the JWT claims the spec maps onto it."""
    key = signing_key()
    claims = dict(document)
    claims.update(iss=document["issuer"]["id"], jti=document["id"],
                  nbf=int(datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00")).timestamp()))
    header = {"alg": ALGORITHM, "kid": key.thumbprint(), "typ": "vc+jwt"}
    return jwt.encode(header, claims, key)

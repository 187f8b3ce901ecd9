"""Open Badges 3.0 credentials and the revocation status lists, signed as VC-JWT (ES256) with the
issuer's signing key. Both are signed when asked for, from the rows as they are.

The keys live in the database, shared by every machine (app/certificates/signing_keys.py); their
public halves are published at /.well-known/jwks.json, and each JWT names its key by `kid` (the JWK
thumbprint, RFC 7638) in the header, so a credential keeps verifying after a rotation. joserfc does
the JOSE work.
"""
import hashlib
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from joserfc import jwt

from app.certificates import issuance, rendering, signing_keys, status_list
from app.certificates.hours import hours_text
from app.certificates.models import Certificate, CertificateKind
from app.core.i18n import supported

ALGORITHM = signing_keys.ALGORITHM
CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def key_id() -> str:
    """The kid that signs now."""
    return signing_keys.signing_kid()


def jwks() -> dict:
    """The JWK Set: every key, the signing one first."""
    return {"keys": signing_keys.published()}


def verify(token: str) -> dict:
    """The claims of a JWT signed here, checked with the published key its header names (retired keys
    included); joserfc's InvalidKeyIdError or BadSignatureError otherwise."""
    return jwt.decode(token, signing_keys.public_key_set(), algorithms=[ALGORITHM]).claims


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def identity_hash(email: str, salt: str) -> str:
    """Open Badges 3.0 IdentityHash: SHA-256 over the identifier followed by the salt (UTF-8), in hex."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def holder_email(certificate: Certificate) -> str:
    """The address the identity hash is made of: the holder's, in lower case (addresses are matched so)."""
    return certificate.user.email.strip().lower()


def credential_document(certificate: Certificate, *, base_url: str, issuer_name: str, achievement_name: str,
                        description: str, criteria: str) -> dict:
    """The OpenBadgeCredential (Open Badges 3.0, VC Data Model 2.0) for one certificate.

    It is served only with the printed check code or to the signed-in holder, so it may carry the
    name as printed; the holder's email is only in a salted hash that a verifier who knows the
    address can check. Revocation is the bit `credentialStatus` points to, not a field in here.
    """
    verify_url = f"{base_url}/verify/{certificate.serial}"
    return {
        "@context": CONTEXTS,
        "id": f"{verify_url}.credential",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_name,
        "issuer": {"id": f"{base_url}/", "type": ["Profile"], "name": issuer_name, "url": f"{base_url}/"},
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                            "identityHash": identity_hash(holder_email(certificate), certificate.identity_salt),
                            "salt": certificate.identity_salt}],
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
        "credentialStatus": status_list.entry(certificate),
    }


def signed_credential(certificate: Certificate) -> str:
    """The certificate's credential as a VC-JWT, made from the rows as they are now."""
    event = certificate.event
    layout = rendering.get_layout(certificate.layout)
    strings = layout.strings.get(certificate.language) or layout.strings[layout.languages[0]]
    texts = event.text_in(certificate.language)
    name = f"{strings['heading']} {strings['kind_' + certificate.kind.value]}: {texts['title']}"
    with force_locale(supported(certificate.language) or "en"):
        if certificate.kind == CertificateKind.COMPLETION:
            criteria = _("Attended at least %(threshold)d%% of the sessions and met the consultation quota.",
                         threshold=event.attendance_threshold)
        else:
            criteria = _("Attended at least %(threshold)d%% of the sessions.", threshold=event.attendance_threshold)
        criteria = _("%(criteria)s Volume: %(hours)s", criteria=criteria,
                     hours=hours_text(certificate.hours, certificate.hours_unit))
    document = credential_document(
        certificate, base_url=current_app.config["BASE_URL"], issuer_name=issuance.issuer_name(),
        achievement_name=name, description=(texts["description"] or texts["title"])[:1000], criteria=criteria)
    return sign(document)


def status_list_document(status: status_list.StatusList) -> dict:
    """The BitstringStatusListCredential of one list; valid from its latest revocation."""
    base_url = current_app.config["BASE_URL"]
    document = {
        "@context": [CONTEXTS[0]],
        "id": status.url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": f"{base_url}/", "name": issuance.issuer_name()},
        "credentialSubject": {"id": f"{status.url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": status.encoded_list(),
                              "ttl": status_list.TTL_SECONDS * 1000},
    }
    if status.updated_at is not None:
        document["validFrom"] = _iso(status.updated_at)
    return document


def sign(document: dict) -> str:
    """A VC-JWT: the credential is the payload, with the JWT claims the spec maps onto it."""
    kid = signing_keys.signing_kid()
    claims = dict(document, iss=document["issuer"]["id"], jti=document["id"])
    if "validFrom" in document:
        claims["nbf"] = int(datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00")).timestamp())
    header = {"alg": ALGORITHM, "kid": kid, "typ": "vc+jwt"}
    return jwt.encode(header, claims, signing_keys.private_key(kid))

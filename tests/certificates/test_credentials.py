"""Open Badges 3.0 credentials: the VC-JWT verifies with an independent library (PyJWT) against the
published JWK Set, and carries the fields the 1EdTech specification requires."""
import jwt as pyjwt
import pytest

from app.certificates import credentials, issuance
from app.certificates.models import CertificateKind

P = CertificateKind.PARTICIPATION


def _verified(client, serial):
    token = client.get(f"/verify/{serial}.credential")
    assert token.status_code == 200 and token.mimetype == "application/vc+jwt"
    jwks = client.get("/.well-known/jwks.json").get_json()
    header = pyjwt.get_unverified_header(token.get_data(as_text=True))
    assert header["alg"] == "ES256" and header["typ"] == "vc+jwt"
    [jwk] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert "d" not in jwk  # the public half only
    key = pyjwt.PyJWK(jwk).key
    return pyjwt.decode(token.get_data(as_text=True), key=key, algorithms=["ES256"],
                        options={"verify_nbf": False})  # the tests' clock stands in 2027


def test_credential_signature_and_required_fields(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    vc = _verified(client, certificate.serial)
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert any("purl.imsglobal.org/spec/ob/v3p0/context" in c for c in vc["@context"])
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"].endswith(f"/verify/{certificate.serial}.credential")
    assert vc["issuer"]["id"] == "http://praktika.test/" and "Profile" in vc["issuer"]["type"]
    assert vc["issuer"]["name"]
    assert vc["validFrom"].startswith("2027-03-10T")
    subject = vc["credentialSubject"]
    assert "AchievementSubject" in subject["type"]
    achievement = subject["achievement"]
    assert "Achievement" in achievement["type"]
    assert event.title in achievement["name"] and achievement["description"]
    assert "75%" in achievement["criteria"]["narrative"]
    assert subject["identifier"][0]["identityHash"] == "Ёлкина Жанна Щукина"
    assert vc["iss"] == vc["issuer"]["id"] and vc["jti"] == vc["id"] and vc["nbf"] > 0
    assert vc["credentialStatus"]["status"] == "valid"


def test_a_tampered_token_does_not_verify(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    head, body, signature = certificate.credential_jwt.split(".")
    forged = ".".join([head, body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB"), signature])
    key = pyjwt.PyJWK(credentials.jwks()["keys"][0]).key
    with pytest.raises(pyjwt.InvalidTokenError):
        pyjwt.decode(forged, key=key, algorithms=["ES256"], options={"verify_nbf": False})


def test_revoked_credential_carries_its_status_and_the_key_is_made_once(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    kid = credentials.key_id()
    issuance.revoke(certificate, organiser, "подделка")
    vc = _verified(client, certificate.serial)
    assert vc["credentialStatus"]["revoked"] is True and vc["credentialStatus"]["reason"] == "подделка"
    assert vc["credentialStatus"]["status"] == "revoked"
    assert credentials.key_id() == kid and credentials.key_path().stat().st_mode & 0o077 == 0

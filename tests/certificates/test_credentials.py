"""Open Badges 3.0 credentials and the revocation status list: the VC-JWTs verify with an independent
library (PyJWT) against the published JWK Set; the credential names its holder only with the printed
check code (or to the signed-in holder), identifies them by a salted hash of their email, and points
to a W3C Bitstring Status List whose bit is decoded here by hand (base64url, gunzip, bit order)."""
import base64
import gzip
import hashlib

import jwt as pyjwt
import pytest

from app.certificates import credentials, issuance
from app.certificates.models import CertificateKind
from app.extensions import db

P = CertificateKind.PARTICIPATION
BASE = "http://praktika.test"


def _jwt_claims(client, token: str) -> dict:
    """Verify `token` against the key the JWK Set names in its header; return its claims."""
    jwks = client.get("/.well-known/jwks.json").get_json()
    header = pyjwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["typ"] == "vc+jwt"
    [jwk] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert "d" not in jwk  # the public half only
    return pyjwt.decode(token, key=pyjwt.PyJWK(jwk).key, algorithms=["ES256"],
                        options={"verify_nbf": False})  # the tests' clock stands in 2027


def _credential(client, certificate):
    response = client.get(f"/verify/{certificate.serial}.credential?c={certificate.check_code}")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    return _jwt_claims(client, response.get_data(as_text=True))


def _bit(client, status: dict) -> int:
    """The credential's revocation bit, read from its status list as any verifier would."""
    assert status["statusListCredential"].startswith(f"{BASE}/")
    response = client.get(status["statusListCredential"].removeprefix(BASE))
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    status_list = _jwt_claims(client, response.get_data(as_text=True))
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["id"] == status["statusListCredential"]
    assert status_list["issuer"]["id"] == f"{BASE}/"
    subject = status_list["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["id"] == f"{status['statusListCredential']}#list"
    encoded = subject["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded  # multibase base64url, no padding
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(status["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1  # index 0 is the left-most bit of the first byte


def test_credential_signature_and_required_fields(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    vc = _credential(client, certificate)
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert any("purl.imsglobal.org/spec/ob/v3p0/context" in c for c in vc["@context"])
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == f"{BASE}/verify/{certificate.serial}.credential"
    assert vc["issuer"]["id"] == f"{BASE}/" and "Profile" in vc["issuer"]["type"]
    assert vc["issuer"]["name"]
    assert vc["validFrom"].startswith("2027-03-10T")
    subject = vc["credentialSubject"]
    assert "AchievementSubject" in subject["type"]
    achievement = subject["achievement"]
    assert "Achievement" in achievement["type"]
    assert event.title in achievement["name"] and achievement["description"]
    assert "75%" in achievement["criteria"]["narrative"]
    assert vc["iss"] == vc["issuer"]["id"] and vc["jti"] == vc["id"] and vc["nbf"] > 0
    status = vc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"{BASE}/credentials/status/1"
    assert status["id"] == f"{status['statusListCredential']}#{status['statusListIndex']}"
    assert status["statusListIndex"] == str(certificate.status_list_index)


def test_with_the_code_the_name_shows_and_the_identity_hash_verifies_against_the_email(app, client, seminar,
                                                                                        organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    subject = _credential(client, certificate)["credentialSubject"]
    assert subject["name"] == "Ёлкина Жанна Щукина"
    [identity] = subject["identifier"]
    assert identity["type"] == "IdentityObject" and identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True and len(identity["salt"]) >= 16
    email = users[0].email
    assert identity["identityHash"] == "sha256$" + hashlib.sha256((email + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] != "sha256$" + hashlib.sha256(
        ("someone.else@example.org" + identity["salt"]).encode()).hexdigest()
    assert email not in str(subject)
    # another certificate of the same person has its own salt, so the two hashes cannot be linked
    other = issuance.reissue(certificate, organiser, "Ёлкина Жанна Петровна")
    other_identity = _credential(client, other)["credentialSubject"]["identifier"][0]
    assert other_identity["salt"] != identity["salt"] and other_identity["identityHash"] != identity["identityHash"]


def test_without_the_code_the_credential_is_served_to_its_holder_only(app, client, seminar, organiser, login):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    assert client.get(f"/verify/{certificate.serial}.credential").status_code == 404
    assert client.get(f"/verify/{certificate.serial}.credential?c=ZZZZZZ").status_code == 404
    users[1].password_hash = users[0].password_hash = organiser.password_hash
    db.session.commit()
    login(users[1])  # someone else, signed in
    assert client.get(f"/verify/{certificate.serial}.credential").status_code == 404
    client.post("/auth/logout")
    login(users[0])
    response = client.get(f"/verify/{certificate.serial}.credential")
    assert response.status_code == 200
    assert _jwt_claims(client, response.get_data(as_text=True))["credentialSubject"]["name"] == "Ёлкина Жанна Щукина"


def test_a_tampered_token_does_not_verify(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    head, body, signature = credentials.signed_credential(certificate).split(".")
    forged = ".".join([head, body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB"), signature])
    key = pyjwt.PyJWK(credentials.jwks()["keys"][0]).key
    with pytest.raises(pyjwt.InvalidTokenError):
        pyjwt.decode(forged, key=key, algorithms=["ES256"], options={"verify_nbf": False})


def test_revoking_sets_the_bit_in_the_signed_status_list_and_the_key_is_made_once(app, client, seminar, organiser):
    event, users = seminar
    revoked = issuance.issue_one(event, users[0], P, organiser)
    kept = issuance.issue_one(event, users[2], P, organiser)
    assert revoked.status_list_index != kept.status_list_index
    kid = credentials.key_id()
    revoked_status = _credential(client, revoked)["credentialStatus"]
    kept_status = _credential(client, kept)["credentialStatus"]
    assert _bit(client, revoked_status) == 0 and _bit(client, kept_status) == 0
    issuance.revoke(revoked, organiser, "подделка")
    assert _credential(client, revoked)["credentialStatus"] == revoked_status  # the same entry, now set
    assert _bit(client, revoked_status) == 1 and _bit(client, kept_status) == 0
    assert credentials.key_id() == kid


def test_reissue_sets_the_old_bit_and_the_replacement_gets_its_own_clear_bit(app, client, seminar, organiser):
    event, users = seminar
    old = issuance.issue_one(event, users[0], P, organiser)
    new = issuance.reissue(old, organiser, "Ёлкина Жанна Петровна")
    old_status, new_status = _credential(client, old)["credentialStatus"], _credential(client, new)["credentialStatus"]
    assert old_status["statusListIndex"] != new_status["statusListIndex"]
    assert _bit(client, old_status) == 1 and _bit(client, new_status) == 0


def test_the_status_list_is_cached_by_etag_until_a_revocation_changes_it(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    first = client.get("/credentials/status/1")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"]
    again = client.get("/credentials/status/1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.get_data()
    issuance.revoke(certificate, organiser, "выдан по ошибке")
    changed = client.get("/credentials/status/1", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert _jwt_claims(client, changed.get_data(as_text=True))["validFrom"].startswith("2027-03-10T")


def test_only_published_lists_exist(app, client):
    assert client.get("/credentials/status/1").status_code == 200  # the first list, empty, before any issuing
    assert client.get("/credentials/status/2").status_code == 404
    assert client.get("/credentials/status/0").status_code == 404

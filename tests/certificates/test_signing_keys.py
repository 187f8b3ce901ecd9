"""Signing keys shared by every machine: two app instances (their own instance folders, one database)
publish the same JWK Set and verify each other's credentials; a rotation on one machine gives new
credentials a new kid on the other without a restart, and old credentials keep verifying; the private
key is sealed with SECRET_KEY; the key file of the single-machine layout is taken over; a restore
carries the keys and is refused where SECRET_KEY cannot open them; two machines making the first key
at once (PostgreSQL, forced to interleave) end with one key both use."""
import json
import threading
import time

import jwt as pyjwt
import pytest
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey
from sqlalchemy import create_engine, func, select, text

from app import create_app
from app.certificates import credentials, issuance, signing_keys
from app.certificates.models import Certificate, CertificateKind, SigningKey
from app.events.models import Event
from app.extensions import db
from tests.certificates.conftest import verified_with_jwks
from tests.conftest import RequestIsolatingClient, make_app, require_postgres

P = CertificateKind.PARTICIPATION
SHARED_CONFIG = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED", "RATELIMIT_ENABLED",
                 "HUEY_IMMEDIATE", "REDIS_URL", "RATELIMIT_STORAGE_URI", "MAIL_SERVER", "BASE_URL", "SERVER_NAME",
                 "ARGON2_PROFILE")


def another_machine(app, instance_path, **overrides):
    """An app on `app`'s database with an instance folder of its own, as a second server would be
    (create_app, not make_app: that would empty the shared PostgreSQL test database)."""
    machine = create_app({**{key: app.config[key] for key in SHARED_CONFIG}, "INSTANCE_PATH": str(instance_path),
                          **overrides})
    machine.test_client_class = RequestIsolatingClient
    return machine


def fetch_credential(client, certificate) -> str:
    response = client.get(f"/verify/{certificate.serial}.credential?c={certificate.check_code}")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    return response.get_data(as_text=True)


def kid_of(token: str) -> str:
    return pyjwt.get_unverified_header(token)["kid"]


def test_two_machines_publish_the_same_keys_and_verify_each_others_credentials(app, client, seminar, organiser,
                                                                                 tmp_path):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    other = another_machine(app, tmp_path / "machine-b")
    other_client = other.test_client()
    signed_here = fetch_credential(client, certificate)
    signed_there = fetch_credential(other_client, certificate)
    jwks_here = client.get("/.well-known/jwks.json").get_json()
    assert jwks_here == other_client.get("/.well-known/jwks.json").get_json()
    [key] = jwks_here["keys"]
    assert key["use"] == "sig" and key["alg"] == "ES256" and "d" not in key
    assert kid_of(signed_here) == kid_of(signed_there) == key["kid"]
    assert verified_with_jwks(other_client, signed_here)["jti"] == verified_with_jwks(client, signed_there)["jti"]
    with other.app_context():
        assert credentials.verify(signed_here)["credentialSubject"]["name"] == "Ёлкина Жанна Щукина"
        db.session.remove()
        db.engine.dispose()
    assert not (tmp_path / "instance" / "certificates" / "issuer-key.jwk").exists()  # no key on any disk
    assert not (tmp_path / "machine-b" / "certificates" / "issuer-key.jwk").exists()


def test_a_rotation_on_one_machine_is_followed_by_the_other_and_old_credentials_keep_verifying(
        app, client, seminar, organiser, tmp_path):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    before = fetch_credential(client, certificate)
    other = another_machine(app, tmp_path / "machine-b")
    with other.app_context():
        rotated = other.test_cli_runner().invoke(args=["rotate-signing-key"])
        assert rotated.exit_code == 0, rotated.output
        new_kid = rotated.stdout.strip()
        assert kid_of(before) in rotated.stderr  # the retired key, named
        db.session.remove()
        db.engine.dispose()
    after = fetch_credential(client, certificate)  # this machine, which signed with the old key a moment ago
    assert kid_of(after) == new_kid != kid_of(before)
    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert [key["kid"] for key in keys] == [new_kid, kid_of(before)]  # the signing key first
    assert all(key["use"] == "sig" and key["alg"] == "ES256" and "d" not in key for key in keys)
    assert verified_with_jwks(client, before)["jti"] == verified_with_jwks(client, after)["jti"]
    assert credentials.verify(before)["jti"] == credentials.verify(after)["jti"]
    # a token signed with the retired key but naming the new kid does not verify
    head, body, signature = before.split(".")
    forged_head = pyjwt.utils.base64url_encode(json.dumps({"alg": "ES256", "kid": new_kid, "typ": "vc+jwt"})
                                               .encode()).decode()
    with pytest.raises(BadSignatureError):
        credentials.verify(".".join([forged_head, body, signature]))
    retired, active = db.session.execute(select(SigningKey).order_by(SigningKey.id)).scalars()
    assert retired.retired_at is not None and active.retired_at is None and active.kid == new_kid


def test_the_jwks_is_cached_briefly_and_revalidated(app, client):
    first = client.get("/.well-known/jwks.json")
    assert first.headers["Cache-Control"] == "public, max-age=60" and first.headers["ETag"]
    assert client.get("/.well-known/jwks.json", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    signing_keys.rotate()
    changed = client.get("/.well-known/jwks.json", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and len(changed.get_json()["keys"]) == 2


def test_the_private_key_is_sealed_with_secret_key(app):
    kid = credentials.key_id()
    private = signing_keys.private_key(kid).as_dict(private=True)
    with db.engine.connect() as connection:
        stored = [str(value) for value in connection.execute(text("SELECT * FROM signing_keys")).one()]
    assert not any(private["d"] in value for value in stored)  # no column holds the private scalar
    [sealed] = db.session.execute(select(SigningKey.sealed_private_jwk)).scalars()
    assert signing_keys.unseal(sealed, kid, "test-secret")["d"] == private["d"]
    with pytest.raises(signing_keys.SigningKeyUnreadable):
        signing_keys.unseal(sealed, kid, "another-secret")
    with pytest.raises(signing_keys.SigningKeyUnreadable):  # bound to its row: not usable under another kid
        signing_keys.unseal(sealed, "another-kid", "test-secret")


def test_the_key_file_of_the_single_machine_layout_is_taken_over(app, client, seminar, organiser, tmp_path):
    legacy = ECKey.generate_key("P-256", private=True)
    path = signing_keys.legacy_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(legacy.as_dict(private=True)))
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    token = fetch_credential(client, certificate)
    assert kid_of(token) == legacy.thumbprint()  # credentials signed before still verify: the same key signs
    verified_with_jwks(client, token)
    # another machine had a key file of its own: it joins the published keys, retired
    elsewhere = ECKey.generate_key("P-256", private=True)
    other = another_machine(app, tmp_path / "machine-b")
    with other.app_context():
        other_path = signing_keys.legacy_key_path()
        other_path.parent.mkdir(parents=True, exist_ok=True)
        other_path.write_text(json.dumps(elsewhere.as_dict(private=True)))
        assert signing_keys.ensure() == legacy.thumbprint()  # as its web process does when it starts
        db.session.remove()
        db.engine.dispose()
    kids = [key["kid"] for key in client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert kids == [legacy.thumbprint(), elsewhere.thumbprint()]


def test_a_restore_carries_the_keys_and_is_refused_where_secret_key_cannot_open_them(app, client, runner, seminar,
                                                                                     organiser, tmp_path):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    serial, code = certificate.serial, certificate.check_code
    old = fetch_credential(client, certificate)
    signing_keys.rotate()
    export = tmp_path / "export.zip"
    assert runner.invoke(args=["export-data", str(export)]).exit_code == 0
    db.session.remove()  # end the source's transaction: on PostgreSQL every app shares one test database

    stranger = make_app(tmp_path / "stranger", SECRET_KEY="another-secret")
    with stranger.app_context():
        refused = stranger.test_cli_runner().invoke(args=["import-data", str(export)])
        assert refused.exit_code != 0 and "SECRET_KEY" in refused.output
        assert "ничего не импортировано" in refused.output  # "nothing was imported", in the default language
        assert db.session.execute(select(func.count()).select_from(Event)).scalar_one() == 0  # checked first
        assert db.session.execute(select(func.count()).select_from(SigningKey)).scalar_one() == 0
        db.session.remove()
        db.engine.dispose()

    restored = make_app(tmp_path / "restored")
    with restored.app_context():
        imported = restored.test_cli_runner().invoke(args=["import-data", str(export)])
        assert imported.exit_code == 0, imported.output
        restored_client = restored.test_client()
        assert verified_with_jwks(restored_client, old)["jti"].endswith(f"/verify/{serial}.credential")
        assert credentials.verify(old)["jti"] == verified_with_jwks(restored_client, old)["jti"]
        restored_certificate = db.session.execute(select(Certificate).where(Certificate.serial == serial)).scalar_one()
        assert restored_certificate.check_code == code
        new = fetch_credential(restored_client, restored_certificate)
        assert kid_of(new) != kid_of(old)  # the rotated key, restored as the signing key: no new key was made
        assert db.session.execute(select(func.count()).select_from(SigningKey)).scalar_one() == 2
        db.session.remove()
        db.engine.dispose()


def _blocked_inserts(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        waiting = connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE relation = 'signing_keys'::regclass AND NOT granted")).scalar_one()
    engine.dispose()
    return waiting


def test_two_machines_making_the_first_key_at_once_end_with_one_key_both_use(tmp_path):
    """Both find no key and both insert one; a table lock held by the test lets them pass only when both
    wait at the insert, so the race happens every run. One insert commits, the other machine uses its key."""
    url = require_postgres()
    first = make_app(tmp_path, database_url=url)
    second = another_machine(first, tmp_path / "machine-b")
    holder = create_engine(url)
    kids, errors = {}, []

    def make_first_key(name, machine):
        try:
            with machine.app_context():
                kids[name] = signing_keys.signing_kid()
                signing_keys.signing_key()
                db.session.remove()
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    with holder.connect() as lock:
        lock.execute(text("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE"))  # reads pass, inserts wait
        workers = [threading.Thread(target=make_first_key, args=(name, machine))
                   for name, machine in (("first", first), ("second", second))]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60
        while _blocked_inserts(url) < 2 and time.monotonic() < deadline and not errors:
            time.sleep(0.05)
        assert _blocked_inserts(url) == 2, errors
        lock.rollback()  # the lock goes; both inserts run
    for worker in workers:
        worker.join(timeout=60)
    holder.dispose()
    assert errors == [] and kids["first"] == kids["second"]
    with first.app_context():
        rows = db.session.execute(select(SigningKey.kid, SigningKey.retired_at)).all()
        assert rows == [(kids["first"], None)]
        db.session.remove()
        db.engine.dispose()
    with second.app_context():
        db.engine.dispose()

"""The issuer's signing keys (ES256): in the database, so every machine signs with the same key and
publishes the same JWK Set; rotated on demand, old public keys kept so what they signed keeps verifying.

The private JWK is sealed with AES-256-GCM under a key derived from SECRET_KEY (HKDF-SHA256 with a
purpose label), the kid as associated data (a sealed key cannot be passed off as another row's): the
database, or an export of it, does not give the key without SECRET_KEY.

Each process keeps the keys it has unsealed, by kid, but asks the database which kid signs at every
signature (one indexed row), so a rotation on one machine is followed by the others without a restart.

Keys are made where Praktika writes anyway, never by a GET: `ensure()` runs when a web process starts
(wsgi.py) and before certificates are issued. There the key file of the single-machine layout
(instance/certificates/issuer-key.jwk) joins the table when present, so credentials it signed keep
verifying; with no key yet it becomes the signing key, else it is added retired. Otherwise a key is
generated. Until then the JWK Set is empty: nothing has been signed. Machines making the first key at once:
the partial unique index (one unretired key per algorithm) lets one commit; the others use its key.
Keys are written in a transaction of their own, committed whatever the caller's session holds.
"""
import base64
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.certificates.models import SigningKey
from app.database import utcnow
from app.errors import ValidationFailed
from app.extensions import db

ALGORITHM = "ES256"
CURVE = "P-256"
# The HKDF info: a key derived for sealing signing keys is good for nothing else made from SECRET_KEY.
PURPOSE = b"praktika/certificates/signing-keys/aes-256-gcm/v1"
SEAL_FORMAT = "v1"
NONCE_BYTES = 12
ATTEMPTS = 5

log = logging.getLogger(__name__)


class SigningKeyUnreadable(RuntimeError):
    """A stored key does not open with this SECRET_KEY (changed since, or a database from elsewhere)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _cipher(secret: str | bytes) -> AESGCM:
    material = secret if isinstance(secret, bytes) else secret.encode()
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(material))


def seal(private_jwk: dict, kid: str, secret: str | bytes) -> str:
    """`v1.<base64url(nonce ‖ AES-GCM ciphertext and tag)>`, bound to `kid`."""
    nonce = os.urandom(NONCE_BYTES)
    body = _cipher(secret).encrypt(nonce, json.dumps(private_jwk, sort_keys=True).encode(), kid.encode())
    return f"{SEAL_FORMAT}.{_b64(nonce + body)}"


def unseal(sealed: str, kid: str, secret: str | bytes) -> dict:
    """The private JWK; SigningKeyUnreadable when `secret` is not the one it was sealed with."""
    form, _, body = sealed.partition(".")
    try:
        if form != SEAL_FORMAT:
            raise ValueError(f"unknown sealing format {form!r}")
        raw = _unb64(body)
        return json.loads(_cipher(secret).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], kid.encode()))
    except (InvalidTag, ValueError) as error:
        raise SigningKeyUnreadable(f"the signing key {kid} does not open with this SECRET_KEY") from error


def legacy_key_path() -> Path:
    """Where the single-machine layout kept its one key (taken over on first use)."""
    directory = current_app.config.get("CERTIFICATES_DIR") or Path(current_app.instance_path) / "certificates"
    return Path(directory) / "issuer-key.jwk"


def _state() -> dict:
    """This process's unsealed keys by kid, per app (tests run several apps in one process)."""
    return current_app.extensions.setdefault("signing_keys", {"keys": {}})


def _row(key: ECKey, *, retired: bool = False) -> SigningKey:
    kid = key.thumbprint()
    return SigningKey(kid=kid, alg=ALGORITHM, public_jwk=key.as_dict(private=False),
                      sealed_private_jwk=seal(key.as_dict(private=True), kid, current_app.config["SECRET_KEY"]),
                      created_at=utcnow(), retired_at=utcnow() if retired else None)


def _committed_alone(change: Callable[[Session], None]) -> bool:
    """Run `change` in a transaction of its own and commit it; False when a unique index refused it
    (another machine wrote that key, or the signing key, first)."""
    try:
        with Session(db.engine) as session, session.begin():
            change(session)
    except IntegrityError:
        return False
    return True


def _active_kid() -> str | None:
    return db.session.execute(select(SigningKey.kid).where(SigningKey.alg == ALGORITHM,
                                                           SigningKey.retired_at.is_(None))).scalar_one_or_none()


def _take_over_legacy_key() -> None:
    path = legacy_key_path()
    if not path.exists():
        return
    key = ECKey.import_key(json.loads(path.read_text()))
    if db.session.execute(select(SigningKey.id).where(SigningKey.kid == key.thumbprint())).first() is not None:
        return
    if _committed_alone(lambda session: session.add(_row(key))):
        log.info("signing key %s taken over from %s", key.thumbprint(), path)
    elif _committed_alone(lambda session: session.add(_row(key, retired=True))):
        log.info("signing key %s from %s added, retired (another key signs)", key.thumbprint(), path)


def ensure() -> str:
    """The kid that signs, made (or taken over from the legacy file) if there is none: a write, for the
    moments Praktika writes anyway (a web process starting, certificates being issued). The caller's
    pending changes are not flushed by these reads: the key is written on a connection of its own."""
    with db.session.no_autoflush:
        _take_over_legacy_key()
        for _ in range(ATTEMPTS):
            kid = _active_kid()
            if kid is not None:
                return kid
            key = ECKey.generate_key(CURVE, private=True)
            _committed_alone(lambda session, key=key: session.add(_row(key)))
    raise RuntimeError("no signing key could be made or found")


def ensure_at_start() -> None:
    """`ensure()` when a process starts; before `flask db upgrade` has made the table, nothing to do."""
    if not inspect(db.engine).has_table(SigningKey.__tablename__):
        log.info("signing keys not set up yet: run flask db upgrade")
        return
    ensure()


def signing_kid() -> str:
    """The kid that signs now, as the database says. Only a database no certificate was ever issued
    from has none; signing there (a hand-made row) makes the first key."""
    return _active_kid() or ensure()


def private_key(kid: str) -> ECKey:
    """The key named `kid`, unsealed once per process."""
    keys = _state()["keys"]
    if kid not in keys:
        sealed = db.session.execute(select(SigningKey.sealed_private_jwk).where(SigningKey.kid == kid)).scalar_one()
        keys[kid] = ECKey.import_key(unseal(sealed, kid, current_app.config["SECRET_KEY"]))
    return keys[kid]


def signing_key() -> ECKey:
    return private_key(signing_kid())


def published() -> list[dict]:
    """Every key's public JWK with kid, use and alg: the signing key first, then the retired ones,
    newest first. Read only: empty before the first key is made."""
    rows = db.session.execute(
        select(SigningKey.kid, SigningKey.alg, SigningKey.public_jwk)
        .order_by(SigningKey.retired_at.is_not(None), SigningKey.created_at.desc(), SigningKey.id.desc()))
    return [dict(public_jwk, kid=kid, use="sig", alg=alg) for kid, alg, public_jwk in rows]


def public_key_set() -> KeySet:
    return KeySet.import_key_set({"keys": published()})


def rotate() -> str:
    """A new signing key; the one signing until now is retired (still published). Returns the new kid."""
    ensure()  # the first (or taken-over) key exists, so it is retired and stays published
    key = ECKey.generate_key(CURVE, private=True)

    def retire_and_add(session: Session) -> None:
        session.execute(update(SigningKey).where(SigningKey.alg == ALGORITHM, SigningKey.retired_at.is_(None))
                        .values(retired_at=utcnow()))
        session.add(_row(key))

    for _ in range(ATTEMPTS):  # a rotation at the same moment elsewhere: retire its key too, then add ours
        if _committed_alone(retire_and_add):
            log.info("signing key rotated: %s signs from now on", key.thumbprint())
            return key.thumbprint()
    raise RuntimeError("the signing key could not be rotated")


def check_restorable(rows: list[dict]) -> None:
    """Refuse a restore whose signing keys this SECRET_KEY cannot open: restored, every credential
    they signed would stop verifying and nothing here could sign with them."""
    secret = current_app.config["SECRET_KEY"]
    for row in rows:
        try:
            unseal(row["sealed_private_jwk"], row["kid"], secret)
        except SigningKeyUnreadable as error:
            raise ValidationFailed(_l(
                "The export's signing keys cannot be decrypted with this installation's SECRET_KEY. "
                "Set SECRET_KEY to the value of the installation the export was made on, then import "
                "again; nothing was imported."), field="file") from error

"""The whole backup: instance A issues a certificate and keeps a material; export-data; a fresh
instance B (its own INSTANCE_PATH, a fresh database, the same SECRET_KEY) import-data; B serves the old
PDF and material byte for byte, and the credential A signed before the export verifies with B's keys. With the local store the zip carries the files; with an S3 bucket the
manifest lists each object with its checksum and B, sharing the bucket, checks them (a missing or
changed object refuses the import, and nothing is imported). With the bucket set, none of these files
(PDFs, materials, exports) is ever written to the instance folder."""
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from app import clock
from app.accounts.models import Role, User
from app.certificates import files, issuance
from app.certificates.models import Certificate, CertificateKind
from app.core.storage import S3Store, store
from app.extensions import db
from app.materials import services as materials
from tests import s3
from tests.certificates.conftest import AFTER, BEFORE, make_seminar, verified_with_jwks
from tests.conftest import make_app
from tests.factories import make_user
from tests.gate.routes import sign_in
from tests.materials.files import minimal_pdf, pdf_upload

BUCKET = "praktika-shared"
P = CertificateKind.PARTICIPATION


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3.moto_endpoint() as endpoint:
        yield endpoint


def _issue_and_upload() -> dict:
    """In the current app: a certificate and a material; what B must give back."""
    organiser = make_user(roles=(Role.ORGANISER,), full_name="Петрова Анна Сергеевна")
    with clock.frozen_at(BEFORE):
        event, users = make_seminar(organiser, [3, 0])
        clock.advance(AFTER - clock.now())
        certificate = issuance.issue_one(event, users[0], P, organiser)
    material = materials.add_file(event, organiser, {"title": "Слайды", "visibility": "participants"},
                                  pdf_upload("Слайды.pdf"))
    credential = current_app.test_client().get(f"/verify/{certificate.serial}.credential?c={certificate.check_code}")
    assert credential.status_code == 200
    return {"serial": certificate.serial, "credential": credential.get_data(as_text=True), "pdf": files.read(certificate.pdf_path), "holder": users[0].email,
            "event": event.id, "material": material.id, "material_bytes": minimal_pdf(),
            "keys": [files.key_in_store(certificate.pdf_path), f"materials/{material.storage_key}"]}


def _export(app, path: Path) -> dict:
    result = app.test_cli_runner().invoke(args=["export-data", str(path)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def _close(app) -> None:
    db.session.remove()
    db.engine.dispose()


def _import(app, path: Path):
    return app.test_cli_runner().invoke(args=["import-data", str(path)])


def _served_by(target, issued: dict) -> None:
    """Checks run in B after the import: the holder gets the old PDF and the material, byte for byte, and
    the credential A signed before the export verifies with the keys B publishes."""
    client = target.test_client()
    claims = verified_with_jwks(client, issued["credential"])
    assert claims["jti"].endswith(f"/verify/{issued['serial']}.credential")
    holder = db.session.execute(select(User).where(User.email == issued["holder"])).scalar_one()
    sign_in(client, holder)
    response = client.get(f"/certificates/{issued['serial']}.pdf")
    assert response.status_code == 200 and response.data == issued["pdf"]
    assert response.headers["Content-Disposition"] == f"inline; filename={issued['serial']}.pdf"
    response = client.get(f"/events/{issued['event']}/materials/{issued['material']}")
    assert response.status_code == 200 and response.data == issued["material_bytes"]


def _nothing_imported() -> None:
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def _files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_the_local_export_carries_the_files_and_a_fresh_instance_serves_them(tmp_path):
    source = make_app(tmp_path / "a")
    with source.app_context():
        issued = _issue_and_upload()
        manifest = _export(source, tmp_path / "backup.zip")
        _close(source)
    assert manifest["files"]["carried"] is True and sorted(manifest["files"]["objects"]) == sorted(issued["keys"])
    with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
        for key, info in manifest["files"]["objects"].items():
            body = archive.read(f"files/{key}")
            assert (len(body), hashlib.sha256(body).hexdigest()) == (info["size"], info["sha256"])
        certificate_key = next(key for key in issued["keys"] if key.startswith("certificates/"))
        assert archive.read(f"files/{certificate_key}") == issued["pdf"]

    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(tmp_path / "backup.zip") as original, zipfile.ZipFile(damaged, "w") as copy:
        for item in original.infolist():
            body = original.read(item)
            copy.writestr(item, body + b"tampered" if item.filename == f"files/{certificate_key}" else body)

    target = make_app(tmp_path / "b")
    assert target.instance_path != source.instance_path
    with target.app_context():
        refused = _import(target, damaged)
        assert refused.exit_code != 0 and certificate_key in refused.output
        _nothing_imported()
        assert store().list("certificates") == [] and store().list("materials") == []
        imported = _import(target, tmp_path / "backup.zip")
        assert imported.exit_code == 0, imported.output
        assert "2 stored files" in imported.output
        _served_by(target, issued)
        _close(target)


def test_with_a_shared_bucket_the_manifest_lists_checksums_and_the_import_checks_them(tmp_path, s3_endpoint):
    s3.empty_bucket(s3_endpoint, BUCKET)
    bucket = s3.settings(s3_endpoint, BUCKET)
    source = make_app(tmp_path / "a", **bucket)
    with source.app_context():
        assert isinstance(store(), S3Store)
        issued = _issue_and_upload()
        manifest = _export(source, tmp_path / "backup.zip")
        _close(source)
    listed = manifest["files"]["objects"]
    assert manifest["files"]["carried"] is False and sorted(listed) == sorted(issued["keys"])
    with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
        assert not [name for name in archive.namelist() if name.startswith("files/")]
    certificate_key = next(key for key in issued["keys"] if key.startswith("certificates/"))
    assert listed[certificate_key] == {"size": len(issued["pdf"]), "sha256": hashlib.sha256(issued["pdf"]).hexdigest()}

    bucket_client, material_key = s3.client(s3_endpoint), next(k for k in issued["keys"] if k.startswith("materials/"))
    target = make_app(tmp_path / "b", **bucket)
    with target.app_context():
        bucket_client.put_object(Bucket=BUCKET, Key=certificate_key, Body=b"%PDF- another file")
        refused = _import(target, tmp_path / "backup.zip")
        assert refused.exit_code != 0 and certificate_key in refused.output
        _nothing_imported()
        bucket_client.put_object(Bucket=BUCKET, Key=certificate_key, Body=issued["pdf"])
        material = bucket_client.get_object(Bucket=BUCKET, Key=material_key)["Body"].read()
        bucket_client.delete_object(Bucket=BUCKET, Key=material_key)
        refused = _import(target, tmp_path / "backup.zip")
        assert refused.exit_code != 0 and material_key in refused.output and certificate_key not in refused.output
        _nothing_imported()
        bucket_client.put_object(Bucket=BUCKET, Key=material_key, Body=material)
        imported = _import(target, tmp_path / "backup.zip")
        assert imported.exit_code == 0, imported.output
        _served_by(target, issued)
        _close(target)


def test_with_a_bucket_no_pdf_material_or_export_touches_the_instance_folder(tmp_path, s3_endpoint):
    s3.empty_bucket(s3_endpoint, BUCKET)
    app = make_app(tmp_path / "a", **s3.settings(s3_endpoint, BUCKET))
    instance = Path(app.instance_path)
    with app.app_context():
        issued = _issue_and_upload()
        client = app.test_client()
        sign_in(client, db.session.execute(select(User).where(User.email == issued["holder"])).scalar_one())
        assert client.get(f"/certificates/{issued['serial']}.pdf").data == issued["pdf"]
        assert client.get(f"/events/{issued['event']}/materials/{issued['material']}").data == issued["material_bytes"]
        admin = make_user(roles=(Role.ADMIN,))
        sign_in(client, admin)
        spreadsheet = client.get(f"/manage/events/{issued['event']}/registrations.xlsx")
        assert spreadsheet.status_code == 200 and spreadsheet.data[:2] == b"PK"
        _export(app, tmp_path / "backup.zip")
        assert sorted(s3.objects(s3_endpoint, BUCKET)) == sorted(issued["keys"])
        _close(app)
    assert not {name for name in _files_under(instance)
                if name.endswith((".pdf", ".part", ".zip", ".csv", ".xlsx")) or name.startswith("materials")}

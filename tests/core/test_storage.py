"""The store's contract, the same on both backends: instance folders, and a bucket of moto's S3 server
spoken to over HTTP by boto3."""
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.core.storage import LocalStore, MissingFile, S3Store, s3_settings
from tests import s3

BUCKET = "praktika-store-contract"


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3.moto_endpoint() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "instance", {"materials": tmp_path / "uploads"})
    endpoint = request.getfixturevalue("s3_endpoint")
    s3.empty_bucket(endpoint, BUCKET)
    return S3Store(BUCKET, endpoint_url=endpoint, region=s3.REGION, access_key_id="test", secret_access_key="test",
                   prefix="site-a/")


def test_put_get_exists_delete(store):
    key = "certificates/2027/PRK-2027-000001.pdf"
    assert not store.exists(key)
    store.put(key, b"%PDF-1.7 one")
    assert store.exists(key) and store.get(key) == b"%PDF-1.7 one"
    store.put(key, io.BytesIO(b"%PDF-1.7 two"))  # a stream, as the backup import gives it
    with store.open(key) as stream:
        assert stream.read() == b"%PDF-1.7 two"
    assert store.sha256(key) == hashlib.sha256(b"%PDF-1.7 two").hexdigest()
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting what is not there is not an error


def test_a_missing_key_raises_missing_file(store):
    with pytest.raises(MissingFile):
        store.get("materials/0123456789abcdef0123456789abcdef")
    with pytest.raises(MissingFile):
        store.open("reports/none.pdf")
    with pytest.raises(MissingFile):
        store.move("certificates/2027/a.pdf.part", "certificates/2027/a.pdf")


def test_list_gives_each_namespace_its_own_files_with_size_and_time(store):
    store.put("materials/0123456789abcdef0123456789abcdef", b"12345")
    store.put("certificates/2027/PRK-2027-000001.pdf", b"1")
    store.put("certificates/2028/PRK-2028-000001.pdf", b"22")
    listed = store.list("certificates")
    assert [(f.key, f.size) for f in listed] == [("certificates/2027/PRK-2027-000001.pdf", 1),
                                                ("certificates/2028/PRK-2028-000001.pdf", 2)]
    assert all(abs(f.modified - datetime.now(UTC)) < timedelta(minutes=5) for f in listed)
    assert [f.key for f in store.list("materials")] == ["materials/0123456789abcdef0123456789abcdef"]
    assert store.list("exports") == []


def test_move_puts_a_file_under_its_new_key(store):
    store.put("certificates/2027/PRK-2027-000001.pdf.part", b"%PDF-")
    store.move("certificates/2027/PRK-2027-000001.pdf.part", "certificates/2027/PRK-2027-000001.pdf")
    assert [f.key for f in store.list("certificates")] == ["certificates/2027/PRK-2027-000001.pdf"]


@pytest.mark.parametrize("key", ["certificates/../secret_key", "/etc/passwd", "materials/.hidden", "materials",
                                 "Certificates/a.pdf", "materials/a//b", "materials/a\\b",
                                 "materials/a\n"])
def test_a_key_cannot_leave_its_folder(store, key):
    with pytest.raises(ValueError):
        store.put(key, b"x")


def test_local_files_stay_where_they_always_were(tmp_path):
    """Materials in MATERIALS_DIR/<two hex digits>/<key>, certificates in CERTIFICATES_DIR/<year>/<serial>.pdf."""
    store = LocalStore(tmp_path, {"materials": tmp_path / "m", "certificates": tmp_path / "c"})
    store.put("materials/0123456789abcdef0123456789abcdef", b"m")
    store.put("certificates/2027/PRK-2027-000001.pdf", b"c")
    assert (tmp_path / "m/01/0123456789abcdef0123456789abcdef").read_bytes() == b"m"
    assert (tmp_path / "c/2027/PRK-2027-000001.pdf").read_bytes() == b"c"
    store.put("exports/2027/a.csv", b"e")
    assert (tmp_path / "exports/2027/a.csv").read_bytes() == b"e"


def test_objects_are_named_by_the_prefix_and_the_key(s3_endpoint):
    s3.empty_bucket(s3_endpoint, BUCKET)
    store = S3Store(**s3_settings(s3.settings(s3_endpoint, BUCKET, prefix="praktika/")))
    store.put("certificates/2027/PRK-2027-000001.pdf", b"c")
    store.put("materials/0123456789abcdef0123456789abcdef", b"m")
    assert s3.objects(s3_endpoint, BUCKET) == ["praktika/certificates/2027/PRK-2027-000001.pdf",
                                               "praktika/materials/0123456789abcdef0123456789abcdef"]


def test_settings_fall_back_to_the_materials_aliases():
    assert s3_settings({}) is None
    old = s3_settings({"MATERIALS_S3_BUCKET": "b", "MATERIALS_S3_REGION": "eu-central-1"})
    assert old["bucket"] == "b" and old["region"] == "eu-central-1" and old["prefix"] == ""
    assert old["locations"] == {"materials": "materials/"}  # where the material objects already are
    new = s3_settings({"STORAGE_S3_BUCKET": "n", "STORAGE_S3_PREFIX": "p/", "MATERIALS_S3_BUCKET": "b"})
    assert new["bucket"] == "n" and new["prefix"] == "p/" and "locations" not in new  # old objects: another bucket
    moved = s3_settings({"STORAGE_S3_BUCKET": "b", "MATERIALS_S3_BUCKET": "b", "MATERIALS_S3_PREFIX": "up/"})
    assert moved["locations"] == {"materials": "up/"}
    assert "locations" not in s3_settings({"STORAGE_S3_BUCKET": "n"})

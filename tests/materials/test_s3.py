"""Materials in an S3-compatible store named by the old MATERIALS_S3_* settings (aliases of STORAGE_S3_*):
moto's S3 server on loopback, spoken to over HTTP by boto3. Objects stored before the common store
existed (`materials/<key>`) stay readable."""
import pytest

from app.core.storage import S3Store, store
from app.database import unit_of_work
from app.errors import ValidationFailed
from app.extensions import db
from app.materials import services, storage
from app.materials.models import Material, MaterialKind, Visibility
from tests import s3
from tests.conftest import make_app
from tests.materials.conftest import LIMIT, stored_files
from tests.materials.files import HTML_AS_PDF, minimal_pdf, pdf_upload, upload

BUCKET = "praktika-materials"


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3.moto_endpoint() as endpoint:
        yield endpoint


@pytest.fixture
def app_overrides(s3_endpoint):
    s3.empty_bucket(s3_endpoint, BUCKET)
    return {"MATERIALS_MAX_BYTES": LIMIT, **s3.settings(s3_endpoint, BUCKET, names="MATERIALS")}


def test_a_file_goes_to_the_bucket_is_served_from_it_and_leaves_it_on_delete(app, event, people, client_as,
                                                                             s3_endpoint):
    assert isinstance(store(), S3Store)
    material = services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "participants"},
                                 pdf_upload("Слайды.pdf"))
    assert storage.keys() == [material.storage_key]
    assert s3.objects(s3_endpoint, BUCKET) == [f"materials/{material.storage_key}"]  # where they always were
    assert stored_files(app) == []  # nothing in the instance folder
    response = client_as(people.confirmed).get(f"/events/{event.id}/materials/{material.id}")
    assert response.status_code == 200 and response.data == minimal_pdf()
    assert response.headers["Content-Type"] == "application/pdf"
    assert client_as(people.other_trainee).get(f"/events/{event.id}/materials/{material.id}").status_code == 404
    services.delete_material(material, people.organiser)
    assert storage.keys() == [] and not storage.exists(material.storage_key)


def test_an_object_stored_before_the_common_store_is_still_served(app, event, people, client_as, s3_endpoint):
    old_key = "0123456789abcdef0123456789abcdef"
    s3.client(s3_endpoint).put_object(Bucket=BUCKET, Key=f"materials/{old_key}", Body=minimal_pdf("old"))
    material = Material(event_id=event.id, kind=MaterialKind.FILE, storage_key=old_key, filename="old.pdf",
                        content_type="application/pdf", size_bytes=len(minimal_pdf("old")), position=1,
                        created_by_id=people.organiser.id, title="Old", visibility=Visibility.PUBLIC)
    with unit_of_work():
        db.session.add(material)
    response = client_as(people.confirmed).get(f"/events/{event.id}/materials/{material.id}")
    assert response.status_code == 200 and response.data == minimal_pdf("old")


def test_a_custom_old_prefix_is_where_materials_stay(app_overrides, tmp_path, s3_endpoint):
    app = make_app(tmp_path / "custom", **app_overrides, MATERIALS_S3_PREFIX="uploads/")
    with app.app_context():
        storage.save("0123456789abcdef0123456789abcdef", b"%PDF-")
        store().put("certificates/2027/PRK-2027-000001.pdf", b"%PDF-")
    assert s3.objects(s3_endpoint, BUCKET) == ["certificates/2027/PRK-2027-000001.pdf",
                                               "uploads/0123456789abcdef0123456789abcdef"]


def test_a_refused_upload_puts_nothing_in_the_bucket(app, event, people):
    with pytest.raises(ValidationFailed):
        services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "public"},
                          upload(HTML_AS_PDF, "slides.pdf"))
    assert storage.keys() == []

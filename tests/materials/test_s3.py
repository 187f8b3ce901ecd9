"""Materials in an S3-compatible store: moto's S3 server on loopback, spoken to over HTTP by boto3."""
import boto3
import pytest
from moto.server import ThreadedMotoServer

from app.errors import ValidationFailed
from app.materials import services
from app.materials.storage import S3Storage, storage
from tests.materials.conftest import LIMIT, stored_files
from tests.materials.files import HTML_AS_PDF, minimal_pdf, pdf_upload, upload

BUCKET = "praktika-materials"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def app_overrides(s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    client.create_bucket(Bucket=BUCKET)
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    return {"MATERIALS_MAX_BYTES": LIMIT, "MATERIALS_S3_BUCKET": BUCKET, "MATERIALS_S3_ENDPOINT_URL": s3_endpoint,
            "MATERIALS_S3_REGION": "us-east-1", "MATERIALS_S3_ACCESS_KEY_ID": "test",
            "MATERIALS_S3_SECRET_ACCESS_KEY": "test"}


def test_a_file_goes_to_the_bucket_is_served_from_it_and_leaves_it_on_delete(app, event, people, client_as):
    store = storage()
    assert isinstance(store, S3Storage)
    material = services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "participants"},
                                 pdf_upload("Слайды.pdf"))
    assert store.keys() == [material.storage_key]
    assert stored_files(app) == []  # nothing in the instance folder
    response = client_as(people.confirmed).get(f"/events/{event.id}/materials/{material.id}")
    assert response.status_code == 200 and response.data == minimal_pdf()
    assert response.headers["Content-Type"] == "application/pdf"
    assert client_as(people.other_trainee).get(f"/events/{event.id}/materials/{material.id}").status_code == 404
    services.delete_material(material, people.organiser)
    assert store.keys() == [] and not store.exists(material.storage_key)


def test_a_refused_upload_puts_nothing_in_the_bucket(app, event, people):
    with pytest.raises(ValidationFailed):
        services.add_file(event, people.organiser, {"title": "Слайды", "visibility": "public"},
                          upload(HTML_AS_PDF, "slides.pdf"))
    assert storage().keys() == []

"""/healthz: 200 when the database answers, 503 otherwise."""
import pytest

from app import create_app
from tests.conftest import free_port


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("database_url", [
    "postgresql+psycopg://postgres@127.0.0.1:{port}/praktika?connect_timeout=2",
    "sqlite:////nonexistent-directory/praktika.sqlite3",
])
def test_healthz_503_when_the_database_is_unreachable(tmp_path, database_url):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": database_url.format(port=free_port()),
    })
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}

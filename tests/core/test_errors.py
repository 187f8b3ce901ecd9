"""Error pages in the layout; unexpected errors become a logged 500 without a traceback."""
import logging

import pytest

from app import create_app
from app.errors import ValidationFailed
from tests.conftest import make_app


@pytest.fixture
def failing_app(tmp_path):
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("database password is hunter2")

    def refuse():
        raise ValidationFailed("Bad dates", field="start")

    app.add_url_rule("/boom", view_func=explode)
    app.add_url_rule("/api/v1/boom", "api_boom", view_func=explode)
    app.add_url_rule("/api/v1/refuse", "api_refuse", view_func=refuse)
    return app


def test_unexpected_error_is_a_logged_500_page_without_traceback(failing_app, caplog):
    with caplog.at_level(logging.ERROR, logger="app.errors"):
        response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "<h1>Что-то пошло не так</h1>" in html
    assert 'class="navbar' in html  # inside the layout
    assert "hunter2" not in html and "Traceback" not in html and "RuntimeError" not in html
    assert any("GET /boom" in record.getMessage() and record.exc_info for record in caplog.records)


def test_unexpected_api_error_is_json(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": "Internal server error", "fields": {}}


def test_domain_error_on_the_api_is_json_with_fields(failing_app):
    response = failing_app.test_client().get("/api/v1/refuse")
    assert response.status_code == 422
    assert response.get_json() == {"error": "Bad dates", "fields": {"start": ["Bad dates"]}}


def test_404_page_in_the_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>Страница не найдена</h1>" in html
    assert 'href="#main"' in html


def test_403_page_for_a_signed_in_user_without_the_right(client, login):
    from tests.factories import make_user

    login(make_user())
    response = client.get("/manage/users")
    assert response.status_code == 403
    assert "<h1>Доступ запрещён</h1>" in response.get_data(as_text=True)


def test_405_when_a_mutating_endpoint_is_opened_with_get(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "<h1>Метод не поддерживается</h1>" in response.get_data(as_text=True)


def test_error_page_follows_accept_language(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "<h1>Page not found</h1>" in response.get_data(as_text=True)


def test_create_app_without_overrides_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.instance_path == str(tmp_path)

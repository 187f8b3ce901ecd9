"""The base layout: navigation by role, one h1, skip link, flashes, language switch, local assets."""
import re

import pytest

from app.accounts.models import Role
from tests.factories import make_user


def _nav(html: str) -> str:
    return html.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize(("role", "visible", "hidden"), [
    (None, ["Войти", "Регистрация"], ["Пользователи", "Моя страница", "Выйти"]),
    (Role.TRAINEE, ["Моя страница: </span>Участник", "Выйти"], ["Пользователи", "Войти"]),
    (Role.ADMIN, ["Моя страница: </span>Участник", "Пользователи", "Выйти"], ["Войти"]),
], ids=["anonymous", "trainee", "admin"])
def test_navigation_follows_the_role(client, login, role, visible, hidden):
    if role is not None:
        login(make_user(roles=(role,)))
    nav = _nav(client.get("/auth/login" if role is None else "/me").get_data(as_text=True))
    for label in visible:
        assert label in nav
    for label in hidden:
        assert label not in nav


def test_layout_basics(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert html.index('href="#main"') < html.index("<header>")
    assert '<main id="main"' in html
    assert html.count('class="language-switch') == 2  # header and footer
    assert 'href="/bootstrap/static/css/bootstrap.min.css' in html  # served locally, no CDN
    assert "cdn" not in html.lower()


def test_flash_messages_are_announced(client, login):
    user = make_user()
    client.post("/auth/login", data={"email": user.email, "password": "password123"})
    html = client.get("/me").get_data(as_text=True)
    assert 'role="status"' in html and f"Добро пожаловать, {user.full_name}!" in html


def test_me_page_shows_the_parts_the_areas_above_answer_with(client, login):
    """/me (accounts) imports no area above it: registrations and the calendar answer `me_page_wanted`
    with their part, loaded in the request, in a fixed order; quotas and certificates only when there are some."""
    user = make_user()
    login(user)
    html = client.get("/me").get_data(as_text=True)
    assert html.index('id="my-registrations-heading"') < html.index('id="calendar-heading"')
    assert 'id="my-quotas-heading"' not in html and 'id="my-certificates-heading"' not in html


def test_templates_pull_no_data_through_globals(app):
    """Pages get what they show from their route; the globals that queried the database are gone."""
    loaders = {"my_registrations", "registration_box", "registration_answers_urls", "my_quota_rows",
               "my_certificates", "calendar_subscription", "event_materials"}
    assert sorted(loaders & set(app.jinja_env.globals)) == []

"""Account pages over HTTP: sign-up, profile, /me, administration; permissions; rate limits."""
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from app.accounts.models import Organisation, Role, User
from app.extensions import db
from tests.factories import make_organisation, make_user

SIGN_UP = {"email": "leader@example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
           "organisation": "Самарская пациентская организация", "organisation_kind": "patient_ngo",
           "region": "RU-SAM", "consent": "y"}


def test_sign_up_page_lists_regions_russia_first_and_approved_organisations(client):
    make_organisation("Ассоциация «Здравствуй!»", region_code="RU-MOW")
    html = client.get("/auth/register").get_data(as_text=True)
    assert html.index('label="Российская Федерация"') < html.index('label="Болгария"') < html.index('label="Польша"') \
        < html.index('label="Литва"')
    assert '<option value="RU-SAM">Самарская область</option>' in html
    assert '<option value="Ассоциация «Здравствуй!»">' in html
    assert 'list="organisation-options"' in html
    for name in ("email", "password", "full_name", "organisation", "organisation_kind", "region"):
        assert f'<label class="form-label" for="{name}">' in html


def test_sign_up_asks_to_read_the_mail_then_login_shows_me(client):
    response = client.post("/auth/register", data=SIGN_UP)
    assert response.status_code == 302 and response.location == "/auth/login"
    assert client.get("/me").status_code == 302  # not signed in: the same answer as for a taken address
    client.post("/auth/login", data={"email": SIGN_UP["email"], "password": SIGN_UP["password"]})
    html = client.get("/me").get_data(as_text=True)
    assert "<h1" in html and "Ирина Петрова" in html
    assert "Самарская пациентская организация" in html and "ожидает одобрения" in html
    assert "Самарская область" in html


def test_sign_up_errors_are_shown_beside_the_fields(client):
    make_user("leader@example.org")
    response = client.post("/auth/register", data={**SIGN_UP, "region": "XX-99"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="region-error"' in html and "Выберите регион из списка." in html
    response = client.post("/auth/register", data=SIGN_UP)  # the address is taken: not revealed here
    assert response.status_code == 302 and response.location == "/auth/login"
    response = client.post("/auth/register", data={**SIGN_UP, "email": "x@example.org", "password": "short"})
    assert response.status_code == 422
    assert 'id="password-error"' in response.get_data(as_text=True)


def test_login_redirects_only_to_local_pages(client):
    user = make_user()
    response = client.post("/auth/login?next=//evil.example/", data={"email": user.email, "password": "password123"})
    assert response.location == "/me"
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/account/profile", data={"email": user.email, "password": "password123"})
    assert response.location == "/account/profile"


def test_login_wrong_password(client):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "nope-nope"})
    assert response.status_code == 422
    assert "Неверная электронная почта или пароль." in response.get_data(as_text=True)


def test_profile_edit(client, login):
    user = login(make_user(region_code="RU-SAM"))
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'name="print_name"' in page and 'selected value="RU-SAM"' in page.replace('value="RU-SAM" selected', 'selected value="RU-SAM"')
    response = client.post("/account/profile", data={
        "full_name": "Ирина Петрова", "print_name": "Петрова Ирина Сергеевна",
        "organisation": "Пензенская областная организация", "organisation_kind": "patient_ngo",
        "region": "RU-PNZ", "locale": "en",
    })
    assert response.status_code == 302 and response.location == "/me"
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.print_name, user.region_code, user.locale) == ("Петрова Ирина Сергеевна", "RU-PNZ", "en")
    assert "Edit profile" in client.get("/me").get_data(as_text=True)


def test_profile_edit_bad_region_is_422_beside_the_field(client, login):
    login(make_user())
    response = client.post("/account/profile", data={"full_name": "Ирина", "region": "RU-XXX", "locale": "ru",
                                                     "organisation_kind": "patient_ngo"})
    assert response.status_code == 422
    assert 'id="region-error"' in response.get_data(as_text=True)


def test_admin_finds_users_and_assigns_roles(client, login):
    login(make_user(roles=(Role.ADMIN,), full_name="Админ Админов"))
    target = make_user("curator@example.org", full_name="Марина Куратова", region_code="RU-PNZ")
    make_user(full_name="Олег Самарский", region_code="RU-SAM")

    html = client.get("/manage/users?q=куратова&region=RU-PNZ").get_data(as_text=True)
    assert "Марина Куратова" in html and "Олег Самарский" not in html
    assert "Найден 1 пользователь" in html

    response = client.post(f"/manage/users/{target.id}/roles",
                           data={"roles": ["curator", "organiser"], "next": "/manage/users?q=куратова"})
    assert response.status_code == 302 and unquote(response.location) == "/manage/users?q=куратова"
    db.session.expire_all()
    assert db.session.get(User, target.id).roles == {Role.CURATOR, Role.ORGANISER, Role.TRAINEE}
    html = client.get("/manage/users?role=curator").get_data(as_text=True)
    assert "Марина Куратова" in html and "Олег Самарский" not in html


def test_admin_cannot_drop_own_admin_role(client, login):
    admin = login(make_user(roles=(Role.ADMIN,)))
    client.post(f"/manage/users/{admin.id}/roles", data={"roles": ["organiser"]})
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin
    assert "Нельзя снять роль администратора с самого себя." in client.get("/manage/users").get_data(as_text=True)


def test_user_list_is_paginated(client, login):
    from tests.factories import make_trainees

    login(make_user(roles=(Role.ADMIN,), full_name="Админ"))
    make_trainees(30)
    first = client.get("/manage/users").get_data(as_text=True)
    assert first.count('name="roles" value="admin"') == 25
    assert 'rel="next"' in first
    second = client.get("/manage/users?page=2").get_data(as_text=True)
    assert second.count('name="roles" value="admin"') == 6
    assert client.get("/manage/users?page=99").status_code == 404  # past the last page (issue 10)


def test_admin_approves_a_proposed_organisation(client, login):
    login(make_user(roles=(Role.ADMIN,)))
    client.application.test_client().post("/auth/register", data=SIGN_UP)
    organisation = db.session.execute(select(Organisation)).scalar_one()
    assert "Самарская пациентская организация" in client.get("/manage/organisations").get_data(as_text=True)
    assert client.post(f"/manage/organisations/{organisation.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).approved


ENDPOINTS = [
    ("GET", "/me"),
    ("GET", "/account/profile"),
    ("GET", "/manage/users"),
    ("POST", "/manage/users/{user}/roles"),
    ("GET", "/manage/organisations"),
    ("POST", "/manage/organisations/{organisation}/approve"),
    ("POST", "/manage/organisations/{organisation}/reject"),
]
EXPECTED = {
    # role: statuses for ENDPOINTS in order
    None: [302, 302, 302, 302, 302, 302, 302],
    Role.TRAINEE: [200, 200, 403, 403, 403, 403, 403],
    Role.CURATOR: [200, 200, 403, 403, 403, 403, 403],
    Role.ORGANISER: [200, 200, 403, 403, 403, 403, 403],
    Role.ADMIN: [200, 200, 200, 302, 200, 302, 302],
}


@pytest.mark.parametrize("role", list(EXPECTED), ids=lambda r: str(r or "anonymous"))
def test_permission_matrix(client, login, role):
    other = make_user()
    organisation = make_organisation()
    organisation.approved = False
    db.session.commit()
    if role is not None:
        login(make_user(roles=(role,)))
    for (method, url), expected in zip(ENDPOINTS, EXPECTED[role], strict=True):
        url = url.format(user=other.id, organisation=organisation.id)
        response = client.open(url, method=method, data={"roles": ["curator"]} if "roles" in url else {"confirm": "yes"})
        assert response.status_code == expected, (method, url, role)
        if expected == 302 and role is None:
            assert response.location.startswith("/auth/login")


def test_mutating_endpoints_refuse_get(app, client, login):
    login(make_user(roles=(Role.ADMIN,)))
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("accounts.", "core.", "privacy.")):
            if "POST" in rule.methods:
                assert "GET" not in rule.methods or rule.endpoint in {"accounts.login", "accounts.register",
                                                                      "accounts.profile",
                                                                      "accounts.reset_password_request",
                                                                      "accounts.reset_password",
                                                                      "accounts.confirm_email",
                                                                      "accounts.change_password",
                                                                      "privacy.delete_account"}, rule
    for url in ("/auth/logout", "/language", "/manage/users/1/roles", "/manage/organisations/1/approve"):
        assert client.get(url).status_code == 405


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True}])
def test_the_eleventh_login_attempt_in_a_minute_is_refused(client):
    user = make_user()
    for _ in range(10):
        assert client.post("/auth/login", data={"email": user.email, "password": "wrong-one"}).status_code == 422
    response = client.post("/auth/login", data={"email": user.email, "password": "password123"})
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)
    assert client.get("/auth/login").status_code == 200  # only POSTs are limited


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True}])
def test_sign_up_is_rate_limited(client):
    for n in range(5):
        response = client.post("/auth/register", data={**SIGN_UP, "email": f"u{n}@example.org"})
        assert response.status_code == 302
    assert client.post("/auth/register", data={**SIGN_UP, "email": "u6@example.org"}).status_code == 429


@pytest.mark.redis
def test_rate_limits_are_shared_through_redis_when_configured(tmp_path):
    import uuid

    from tests.conftest import make_app, require_redis

    url = require_redis()
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, REDIS_URL=url, RATELIMIT_STORAGE_URI=url,
                   RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    with app.app_context():
        from app.extensions import limiter

        assert type(limiter.storage).__name__ == "RedisStorage"
        user = make_user()
        first, second = app.test_client(), app.test_client()  # two "workers" sharing one counter
        for client in (first, second) * 5:
            client.post("/auth/login", data={"email": user.email, "password": "wrong-one"})
        assert first.post("/auth/login", data={"email": user.email, "password": "password123"}).status_code == 429


def test_pages_for_members_send_visitors_to_log_in_with_a_translated_note(client):
    response = client.get("/account/profile")
    assert response.status_code == 302 and response.location.startswith("/auth/login?next=")
    assert "Войдите, чтобы открыть эту страницу." in client.get(response.location).get_data(as_text=True)

from tests.factories import make_user


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_register_login_logout(client, app):
    response = client.post("/auth/register", data={
        "email": "Leader@Example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
        "organisation": "Самарская пациентская организация", "region": "RU-SAM", "consent": "y",
    })
    assert response.status_code == 302 and response.location == "/auth/login"
    assert client.get("/me").status_code == 302  # sign-up does not sign in (it would tell a new address apart)
    assert client.post("/auth/login", data={"email": "leader@example.org", "password": "long-enough-1"}).status_code == 302
    assert client.get("/me").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/me").status_code == 302


def test_login_wrong_password_shows_message(client):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "nope-nope"})
    assert response.status_code == 422
    assert "invalid-feedback" in response.get_data(as_text=True)

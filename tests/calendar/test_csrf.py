"""With CSRF on (as in production), the reset form on /me works and a forged POST does not."""
import re

import pytest

from app.accounts import services as accounts
from tests.factories import make_user


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_reset_needs_the_forms_csrf_token(client):
    user = make_user()
    login_page = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"email": user.email, "password": "password123", "csrf_token": _token(login_page)})
    token = accounts.calendar_token(user)

    assert client.post("/account/calendar-token/reset").status_code == 400
    assert accounts.calendar_token(user) == token

    me = client.get("/me").get_data(as_text=True)
    form = me[me.index('action="/account/calendar-token/reset"'):]
    response = client.post("/account/calendar-token/reset", data={"csrf_token": _token(form)})
    assert response.status_code == 302
    assert accounts.calendar_token(user) != token

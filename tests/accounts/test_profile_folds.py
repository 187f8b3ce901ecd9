"""/me folds the API-token section away for people who never made a token; the consent box is required."""
from app.accounts import services as accounts
from tests.factories import make_user


def test_api_tokens_are_folded_until_someone_makes_one(client, login, app):
    user = login(make_user())
    page = client.get("/me").get_data(as_text=True)
    section = page.split('class="mb-4 api-tokens"')[1].split("</section>")[0]
    assert "<details><summary>" in section and 'id="api-tokens-heading"' in section
    accounts.create_api_token(user)
    section = client.get("/me").get_data(as_text=True).split('class="mb-4 api-tokens"')[1].split("</section>")[0]
    assert "<details>" not in section


def test_the_consent_box_is_marked_required(client, app):
    page = client.get("/auth/register").get_data(as_text=True)
    box = page.split('name="consent"')[0].rsplit("<input", 1)[1] + page.split('name="consent"')[1].split(">")[0]
    assert "required" in box and 'aria-required="true"' in box
    label_end = page.split('for="consent"')[1].split("</label>")[1][:80]
    assert 'class="text-danger" aria-hidden="true">*' in label_end

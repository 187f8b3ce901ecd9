"""Account rules on the real database."""
import pytest
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import ApiToken, Organisation, OrganisationKind, Role, User
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from tests.factories import make_organisation, make_user


def _sign_up(**fields):
    data = {"email": "irina@example.org", "password": "long-enough-1", "full_name": "Ирина Петрова",
            "organisation_name": "Самарская организация пациентов", "region_code": "RU-SAM", "locale": "ru",
            "consent_given": True}
    data.update(fields)
    return services.sign_up(**data)


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_sign_up_makes_a_trainee_and_proposes_a_new_organisation(app):
    user = _sign_up(organisation_kind="volunteer_branch")
    assert user.roles == {Role.TRAINEE}
    assert user.email == "irina@example.org"
    assert user.organisation.name == "Самарская организация пациентов"
    assert user.organisation.approved is False
    assert user.organisation.kind == OrganisationKind.VOLUNTEER_BRANCH
    assert user.organisation.proposed_by_id == user.id
    assert user.organisation.region_code == "RU-SAM"


def test_sign_up_picks_an_existing_organisation_whatever_the_case(app):
    existing = make_organisation("Ассоциация «Здравствуй!»", region_code="RU-MOW")
    user = _sign_up(organisation_name="ассоциация «здравствуй!»", region_code="RU-PNZ")
    assert user.organisation_id == existing.id  # approved national NGO, picked from another region
    assert _count(Organisation) == 1


def test_email_is_unique_whatever_the_case(app):
    _sign_up()
    assert _sign_up(email="IRINA@Example.org", organisation_name="Другая организация") is None
    assert _count(User) == 1
    assert _count(Organisation) == 1  # the second attempt left nothing behind


@pytest.mark.parametrize(("fields", "field"), [
    ({"region_code": "XX-01"}, "region"),
    ({"region_code": ""}, "region"),
    ({"password": "short"}, "password"),
    ({"full_name": "   "}, "full_name"),
    ({"email": "not-an-email"}, "email"),
    ({"locale": "de"}, "locale"),
    ({"organisation_kind": "church"}, "organisation_kind"),
])
def test_sign_up_rejects_bad_input_beside_the_field(app, fields, field):
    with pytest.raises(ValidationFailed) as caught:
        _sign_up(**fields)
    assert field in caught.value.fields
    assert _count(User) == 0
    assert _count(Organisation) == 0


def test_authenticate(app):
    user = make_user("nina@example.org", password="correct-horse")
    assert services.authenticate("NINA@example.org ", "correct-horse").id == user.id
    assert services.authenticate("nina@example.org", "wrong-horse") is None
    assert services.authenticate("nobody@example.org", "correct-horse") is None
    user.active = False
    db.session.commit()
    assert services.authenticate("nina@example.org", "correct-horse") is None


def test_update_profile(app):
    user = make_user(region_code="RU-SAM")
    services.update_profile(user, full_name="  Ирина   Петрова ", print_name="Петрова Ирина Сергеевна",
                            organisation_name="Пензенское отделение «Волонтёры-медики»",
                            organisation_kind="volunteer_branch", region_code="RU-PNZ", locale="en")
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.full_name == "Ирина Петрова"
    assert user.name_on_certificate == "Петрова Ирина Сергеевна"
    assert user.region_code == "RU-PNZ"
    assert user.locale == "en"
    assert user.organisation.kind == OrganisationKind.VOLUNTEER_BRANCH
    assert user.organisation.approved is False

    services.update_profile(user, full_name="Ирина Петрова", print_name="", organisation_name="",
                            organisation_kind=None, region_code="RU-PNZ", locale="ru")
    assert user.print_name is None and user.name_on_certificate == "Ирина Петрова"
    assert user.organisation is None


def test_update_profile_rolls_back_on_error(app):
    user = make_user(full_name="Ирина Петрова", region_code="RU-SAM")
    with pytest.raises(ValidationFailed):
        services.update_profile(user, full_name="Другое имя", print_name=None, organisation_name="Новая НКО",
                                organisation_kind=None, region_code="nowhere", locale="ru")
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Ирина Петрова"
    assert _count(Organisation) == 0


def test_set_roles_keeps_trainee_and_protects_the_last_admin_of_oneself(app):
    admin = make_user(roles=(Role.ADMIN,))
    user = make_user()
    services.set_roles(user, ["organiser", "curator"], actor=admin)
    assert user.roles == {Role.ORGANISER, Role.CURATOR, Role.TRAINEE}
    services.set_roles(user, ["curator"], actor=admin)
    assert user.roles == {Role.CURATOR, Role.TRAINEE}
    with pytest.raises(ValidationFailed):
        services.set_roles(user, ["pope"], actor=admin)
    with pytest.raises(Conflict):
        services.set_roles(admin, ["organiser"], actor=admin)
    assert admin.is_admin


def test_search_users_by_text_role_region_with_pages(app):
    make_user("a.ivanova@example.org", full_name="Анна Иванова", region_code="RU-SAM", roles=(Role.CURATOR,))
    make_user("b.petrov@example.org", full_name="Борис Петров", region_code="RU-PNZ")
    make_user("v.sidorova@example.org", full_name="Вера Сидорова", region_code="RU-SAM")
    names = lambda page: [u.full_name for u in page.items]  # noqa: E731
    assert names(services.search_users(q="ИВАН")) == ["Анна Иванова"]
    assert names(services.search_users(q="petrov@")) == ["Борис Петров"]
    assert names(services.search_users(q="100%")) == []
    assert names(services.search_users(role="curator")) == ["Анна Иванова"]
    assert names(services.search_users(region_code="RU-SAM")) == ["Анна Иванова", "Вера Сидорова"]
    page = services.search_users(per_page=2, page=2)
    assert page.total == 3 and names(page) == ["Вера Сидорова"]
    with pytest.raises(ValidationFailed):
        services.search_users(role="pope")


def test_organisation_approval_and_rejection(app):
    user = _sign_up()
    proposed = user.organisation
    services.approve_organisation(proposed.id)
    assert proposed.approved
    assert services.approved_organisations() == [proposed]
    with pytest.raises(Conflict):
        services.reject_organisation(proposed.id)

    other = _sign_up(email="oleg@example.org", organisation_name="Новая НКО")
    name = services.reject_organisation(other.organisation_id)
    assert name == "Новая НКО"
    db.session.expire_all()
    assert db.session.get(User, other.id).organisation_id is None


def test_api_tokens_are_stored_hashed(app):
    user = make_user()
    token = services.create_api_token(user, name="site")
    row = db.session.execute(select(ApiToken)).scalar_one()
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert services.user_for_api_token(token).id == user.id
    assert row.last_used_at is not None
    assert services.user_for_api_token(token + "x") is None
    assert services.user_for_api_token("") is None


def test_calendar_token_reset_kills_the_old_one(app):
    user = make_user()
    old = services.calendar_token(user)
    assert services.calendar_token(user) == old
    new = services.reset_calendar_token(user)
    assert new != old
    assert services.user_for_calendar_token(old) is None
    assert services.user_for_calendar_token(new).id == user.id

"""flask --app wsgi create-user / import-users / create-api-token (DESIGN §6)."""
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import Organisation, Role, User
from app.extensions import db
from tests.factories import make_user


def _users() -> dict[str, User]:
    db.session.expire_all()
    return {u.email: u for u in db.session.execute(select(User)).scalars()}


def test_create_user(runner):
    result = runner.invoke(args=["create-user", "--email", "Org@Example.org", "--password", "samara-2027",
                                 "--name", "Ольга Организатор", "--role", "organiser", "--role", "curator",
                                 "--region", "RU-SAM"])
    assert result.exit_code == 0, result.output
    assert "roles=curator,organiser,trainee" in result.output
    user = _users()["org@example.org"]
    assert user.roles == {Role.ORGANISER, Role.CURATOR, Role.TRAINEE}
    assert user.region_code == "RU-SAM"
    assert services.authenticate("org@example.org", "samara-2027") is not None


def test_create_user_reports_problems_without_a_traceback(runner):
    make_user("taken@example.org")
    result = runner.invoke(args=["create-user", "--email", "taken@example.org", "--password", "samara-2027",
                                 "--name", "Кто-то"])
    assert result.exit_code == 1
    assert "email" in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["create-user", "--email", "new@example.org", "--password", "short", "--name", "X"])
    assert result.exit_code == 1 and "password" in result.output


def test_create_api_token_prints_a_token_stored_hashed(runner):
    user = make_user("site@example.org", roles=(Role.ORGANISER,))
    result = runner.invoke(args=["create-api-token", "--email", "SITE@example.org"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert len(token) >= 40
    assert services.user_for_api_token(token).id == user.id
    assert runner.invoke(args=["create-api-token", "--email", "nobody@example.org"]).exit_code == 1


CSV = """email,full_name,organisation,region,roles,password
leader1@example.org,Анна Лидер,Самарская организация пациентов,RU-SAM,trainee,samara-2027
curator@example.org,Мария Куратор,,ru-pnz,curator;organiser,penza-2027
bad-email,Без Почты,,RU-SAM,,whatever-123
leader1@example.org,Дубликат,,RU-SAM,,samara-2027
x@example.org,Неверный регион,,XX-01,,samara-2027
y@example.org,Неверная роль,,RU-SAM,pope,samara-2027
z@example.org,Короткий пароль,,RU-SAM,,short

nopass@example.org,Без Пароля,Самарская организация пациентов,RU-SAM,,
"""


def test_import_users_saves_good_rows_and_reports_bad_ones_by_line(runner, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["import-users", str(path)])
    assert result.exit_code == 1  # some rows failed
    output = result.output
    assert "line 2: created leader1@example.org roles=trainee" in output
    assert "line 3: created curator@example.org roles=curator,organiser,trainee" in output
    assert "line 4: bad-email:" in output
    assert "line 5: leader1@example.org:" in output
    assert "line 6: x@example.org:" in output
    assert "line 7: y@example.org:" in output and "pope" in output
    assert "line 8: z@example.org:" in output
    assert "line 10: created nopass@example.org roles=trainee password=" in output
    assert "3 created, 5 failed" in output

    users = _users()
    assert set(users) == {"leader1@example.org", "curator@example.org", "nopass@example.org"}
    assert users["curator@example.org"].region_code == "RU-PNZ"
    assert users["leader1@example.org"].full_name == "Анна Лидер"
    organisations = db.session.execute(select(Organisation)).scalars().all()
    assert [(o.name, o.approved) for o in organisations] == [("Самарская организация пациентов", True)]
    assert users["nopass@example.org"].organisation_id == organisations[0].id
    generated = output.split("password=", 1)[1].split()[0]
    assert services.authenticate("nopass@example.org", generated) is not None


def test_import_users_needs_the_columns(runner, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("email,name\nx@example.org,X\n", encoding="utf-8")
    result = runner.invoke(args=["import-users", str(path)])
    assert result.exit_code == 1
    assert "missing column(s) full_name, organisation, region, roles, password" in result.output
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_import_users_with_excel_bom_and_all_good_rows(runner, tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(("\ufeff" + CSV.splitlines()[0] + "\n" + CSV.splitlines()[1] + "\n").encode("utf-8"))
    result = runner.invoke(args=["import-users", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 failed" in result.output

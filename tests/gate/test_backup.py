"""export-data / import-data: a consistent zip of JSON tables with checksums, restored into an empty
database; the round trip gives back exactly the same rows (SQLite and PostgreSQL)."""
import hashlib
import json
import zipfile

from sqlalchemy import select

from app.demo import seed_demo
from app.events.models import Event
from app.extensions import db
from app.programmes.models import Programme
from app.registrations.models import Registration
from tests.conftest import make_app
from tests.factories import make_user


def _tables(path) -> dict[str, list]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        return {name: json.loads(archive.read(f"tables/{name}.json")) for name in manifest["tables"]}


def test_export_then_import_gives_back_every_row(app, runner, tmp_path):
    seed_demo()
    first = tmp_path / "first.zip"
    result = runner.invoke(args=["export-data", str(first)])
    assert result.exit_code == 0, result.output
    assert "exported" in result.output
    with zipfile.ZipFile(first) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for name, info in manifest["tables"].items():
            body = archive.read(f"tables/{name}.json")
            assert hashlib.sha256(body).hexdigest() == info["sha256"]
            assert len(json.loads(body)) == info["rows"]
    assert manifest["tables"]["registrations"]["rows"] > 0 and manifest["tables"]["events"]["rows"] > 0

    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(damaged, "w") as copy:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "tables/events.json":
                body = body.replace(b'"title": "', b'"title": "X', 1)
            copy.writestr(item, body)

    db.session.remove()  # end the source's transaction: on PostgreSQL both apps share one test database
    target = make_app(tmp_path / "restored")
    with target.app_context():
        refused = target.test_cli_runner().invoke(args=["import-data", str(damaged)])
        assert refused.exit_code != 0 and "events" in refused.output
        assert db.session.execute(select(Event)).first() is None  # checked before anything is written
        imported = target.test_cli_runner().invoke(args=["import-data", str(first)])
        assert imported.exit_code == 0, imported.output
        again = tmp_path / "again.zip"
        assert target.test_cli_runner().invoke(args=["export-data", str(again)]).exit_code == 0
        # the restored database works: a new row gets a fresh id (PostgreSQL sequences moved on)
        assert make_user().id > max(row["id"] for row in _tables(first)["users"])
        # a second import is refused: the database is no longer empty
        refused = target.test_cli_runner().invoke(args=["import-data", str(first)])
        exported = _tables(first)
        assert refused.exit_code != 0
        assert any(f" {name} " in refused.output for name, rows in exported.items() if rows)  # names a table with rows
        db.session.remove()
        db.engine.dispose()
    assert _tables(again) == _tables(first)


def test_a_programme_export_holds_that_programme_and_the_people_in_it(app, runner, tmp_path):
    seed_demo()
    programme = db.session.execute(select(Programme).order_by(Programme.id)).scalars().first()
    programme_id, title = programme.id, programme.title
    path = tmp_path / "programme.zip"
    result = runner.invoke(args=["export-data", "--programme", str(programme.id), "--without-notes", str(path)])
    assert result.exit_code == 0, result.output
    tables = _tables(path)
    assert [row["id"] for row in tables["programmes"]] == [programme.id]
    ours = set(db.session.execute(select(Event.id).where(Event.programme_id == programme.id)).scalars())
    assert ours and {row["id"] for row in tables["events"]} == ours
    registrants = set(db.session.execute(select(Registration.user_id).where(Registration.event_id.in_(ours)))
                      .scalars())
    exported_users = {row["id"] for row in tables["users"]}
    assert registrants <= exported_users
    assert {row["user_id"] for row in tables["registrations"]} <= exported_users
    assert tables["api_tokens"] == []
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["programme_id"] == programme_id and manifest["notes_left_out"] is True

    db.session.remove()  # end the source's transaction: on PostgreSQL both apps share one test database
    target = make_app(tmp_path / "restored")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["import-data", str(path)])
        assert result.exit_code == 0, result.output
        assert db.session.get(Programme, programme_id).title == title
        db.session.remove()
        db.engine.dispose()

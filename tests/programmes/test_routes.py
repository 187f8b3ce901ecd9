"""Programme pages: forms, messages beside fields, the permission matrix, the public page."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.accounts.models import Role
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db
from app.programmes import services
from app.programmes.models import PlanItem, Programme, Stage
from tests.factories import make_user


def make_programme(organiser, **overrides) -> Programme:
    data = {"title": "КПД НКО: команда пациентов в действии", "funder": "Фонд президентских грантов",
            "grant_number": "", "starts_on": date(2027, 2, 1), "ends_on": date(2027, 12, 21),
            "regions": ["RU-SAM"], "target_groups": "", "description": "", "organisers": []}
    data.update(overrides)
    return services.create_programme(organiser, data)


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,))


@pytest.fixture
def programme(organiser):
    programme = make_programme(organiser)
    stage = services.add_stage(programme, organiser, {
        "number": 1, "title": "Этап 1", "starts_on": date(2027, 3, 1), "ends_on": date(2027, 6, 30)})
    services.add_plan_item(programme, organiser, {
        "number": "1", "activity": "Выездной 3-хдневный семинар-тренинг", "planned_start": date(2027, 3, 1),
        "planned_end": date(2027, 4, 30), "stage_id": stage.id, "event_ids": []})
    return programme


def test_organiser_creates_a_programme_through_the_form(client, login, organiser):
    login(organiser)
    assert client.get("/manage/programmes/new").status_code == 200
    response = client.post("/manage/programmes/new", data={
        "title": "КПД НКО", "funder": "Фонд президентских грантов", "grant_number": "23-1-000001",
        "starts_on": "2027-02-01", "ends_on": "2027-12-21", "regions": ["RU-SAM", "RU-PNZ", "RU-SMO"],
        "target_groups": "Лидеры пациентских НКО"})
    assert response.status_code == 302
    programme = db.session.execute(select(Programme)).scalar_one()
    assert programme.region_codes == ["RU-SAM", "RU-PNZ", "RU-SMO"]
    assert [u.id for u in programme.organisers] == [organiser.id]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "КПД НКО" in page and "<h1" in page


@pytest.mark.parametrize("form, field", [
    ({"title": "я" * 10_000}, "title"),
    ({"ends_on": "2027-01-01"}, "ends_on"),
    ({"starts_on": "not a date"}, "starts_on"),
    ({"regions": ["XX-YY"]}, "regions"),
])
def test_bad_programme_form_shows_message_beside_field(client, login, organiser, form, field):
    login(organiser)
    data = {"title": "КПД НКО", "starts_on": "2027-02-01", "ends_on": "2027-12-21", **form}
    response = client.post("/manage/programmes/new", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Programme.id))) == 0


def test_stage_outside_the_period_is_refused(client, login, organiser, programme):
    login(organiser)
    response = client.post(f"/manage/programmes/{programme.id}/stages/new", data={
        "number": "2", "title": "Этап 2", "starts_on": "2027-08-01", "ends_on": "2028-02-01"})
    assert response.status_code == 422
    assert 'id="ends_on-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Stage.id))) == 1


def test_plan_item_form_links_events_and_shows_them(client, login, organiser, programme):
    seminar = Event(programme_id=programme.id, kind=EventKind.SEMINAR, title="Поддерживающее консультирование",
                    status=EventStatus.PUBLISHED, timezone="Europe/Samara",
                    starts_at=datetime(2027, 3, 10, 6, tzinfo=UTC), ends_at=datetime(2027, 3, 12, 14, tzinfo=UTC))
    draft = Event(programme_id=programme.id, kind=EventKind.WEBINAR, title="Черновик вебинара",
                  status=EventStatus.DRAFT, timezone="Europe/Samara",
                  starts_at=datetime(2027, 5, 10, 6, tzinfo=UTC), ends_at=datetime(2027, 5, 10, 8, tzinfo=UTC))
    db.session.add_all([seminar, draft])
    db.session.commit()
    login(organiser)
    item = db.session.execute(select(PlanItem)).scalar_one()
    form_page = client.get(f"/manage/programmes/{programme.id}/plan/{item.id}/edit").get_data(as_text=True)
    assert "Поддерживающее консультирование" in form_page
    response = client.post(f"/manage/programmes/{programme.id}/plan/{item.id}/edit", data={
        "number": "1", "activity": "Семинар-тренинг", "planned_start": "2027-03-01", "planned_end": "2027-04-30",
        "stage_id": "", "event_ids": [str(seminar.id), str(draft.id)]})
    assert response.status_code == 302
    manage_page = client.get(f"/manage/programmes/{programme.id}").get_data(as_text=True)
    assert "Черновик вебинара" in manage_page and "<svg" in manage_page and "style=" not in manage_page
    client.post("/auth/logout")
    public_page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Поддерживающее консультирование" in public_page
    assert "Черновик вебинара" not in public_page


def test_plan_item_end_before_start_is_refused(client, login, organiser, programme):
    login(organiser)
    response = client.post(f"/manage/programmes/{programme.id}/plan/new", data={
        "number": "2", "activity": "Консультации", "planned_start": "2027-06-30", "planned_end": "2027-04-01"})
    assert response.status_code == 422
    assert 'id="planned_end-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PlanItem.id))) == 1


def test_programme_page_query_count_does_not_grow_with_the_plan(app, client, login, organiser, programme):
    login(organiser)

    def count_queries(path):
        statements = []

        def record(*_args):
            statements.append(1)

        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    def add_linked_trips(numbers):
        for n in numbers:
            event = Event(programme_id=programme.id, kind=EventKind.OUTREACH_TRIP, title=f"Выезд {n}",
                          status=EventStatus.PUBLISHED, timezone="Europe/Moscow",
                          starts_at=datetime(2027, 3, n, 6, tzinfo=UTC), ends_at=datetime(2027, 3, n, 14, tzinfo=UTC))
            db.session.add(event)
            db.session.flush()
            services.add_plan_item(programme, organiser, {
                "number": str(n), "activity": f"Мероприятие {n}", "planned_start": date(2027, 3, 1),
                "planned_end": date(2027, 3, 1) + timedelta(days=n), "stage_id": None, "event_ids": [event.id]})

    path = f"/manage/programmes/{programme.id}"
    add_linked_trips([2])
    few = count_queries(path)
    add_linked_trips(range(3, 25))
    assert count_queries(path) == few


# --- permission matrix ----------------------------------------------------------------

ROLES = ("anonymous", "trainee", "curator", "other_organiser", "organiser", "admin")


def _routes(p: Programme):
    stage, item = p.stages[0], p.plan_items[0]
    stage_data = {"number": "1", "title": "Этап 1", "starts_on": "2027-03-01", "ends_on": "2027-06-30"}
    item_data = {"number": "1", "activity": "Семинар", "planned_start": "2027-03-01", "planned_end": "2027-04-30"}
    programme_data = {"title": "КПД НКО", "starts_on": "2027-02-01", "ends_on": "2027-12-21"}
    return [
        ("GET", "/manage/programmes", None, {"anonymous": 302, "trainee": 403, "curator": 403,
                                             "other_organiser": 200, "organiser": 200, "admin": 200}),
        ("GET", "/manage/programmes/new", None, {"anonymous": 302, "trainee": 403, "curator": 403,
                                                 "other_organiser": 200, "organiser": 200, "admin": 200}),
        ("POST", "/manage/programmes/new", programme_data, {"anonymous": 302, "trainee": 403, "curator": 403,
                                                            "other_organiser": 302, "organiser": 302, "admin": 302}),
        *[(method, path, data, {"anonymous": 302, "trainee": 404, "curator": 404, "other_organiser": 404,
                                "organiser": ok, "admin": ok})
          for method, path, data, ok in [
              ("GET", f"/manage/programmes/{p.id}", None, 200),
              ("GET", f"/manage/programmes/{p.id}/edit", None, 200),
              ("POST", f"/manage/programmes/{p.id}/edit", programme_data, 302),
              ("GET", f"/manage/programmes/{p.id}/stages/new", None, 200),
              ("POST", f"/manage/programmes/{p.id}/stages/new", {**stage_data, "number": "2"}, 302),
              ("GET", f"/manage/programmes/{p.id}/stages/{stage.id}/edit", None, 200),
              ("POST", f"/manage/programmes/{p.id}/stages/{stage.id}/edit", stage_data, 302),
              ("GET", f"/manage/programmes/{p.id}/plan/new", None, 200),
              ("POST", f"/manage/programmes/{p.id}/plan/new", {**item_data, "number": "2"}, 302),
              ("GET", f"/manage/programmes/{p.id}/plan/{item.id}/edit", None, 200),
              ("POST", f"/manage/programmes/{p.id}/plan/{item.id}/edit", item_data, 302),
              ("POST", f"/manage/programmes/{p.id}/plan/{item.id}/delete", {"confirm": "yes"}, 302),
              ("POST", f"/manage/programmes/{p.id}/stages/{stage.id}/delete", {"confirm": "yes"}, 302),
          ]],
        ("GET", f"/programmes/{p.id}", None, {role: 200 for role in ROLES}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, client, login, organiser, programme, role):
    users = {
        "trainee": lambda: make_user(),
        "curator": lambda: make_user(roles=(Role.CURATOR,)),
        "other_organiser": lambda: make_user(roles=(Role.ORGANISER,)),
        "organiser": lambda: organiser,
        "admin": lambda: make_user(roles=(Role.ADMIN,)),
    }
    if role != "anonymous":
        login(users[role]())
    for method, path, data, expected in _routes(programme):
        response = client.open(path, method=method, data=data)
        assert response.status_code == expected[role], (role, method, path)
        if path.endswith("/delete"):
            assert client.get(path).status_code == 405, (role, path)


def test_missing_objects_are_404(client, login, organiser, programme):
    login(organiser)
    other = make_programme(organiser, title="Вторая")
    stage = programme.stages[0]
    assert client.get("/manage/programmes/999").status_code == 404
    assert client.get("/programmes/999").status_code == 404
    assert client.get(f"/manage/programmes/{other.id}/stages/{stage.id}/edit").status_code == 404
    assert client.post(f"/manage/programmes/{other.id}/plan/{programme.plan_items[0].id}/delete").status_code == 404

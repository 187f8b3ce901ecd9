"""The quota pages through HTTP: the trainee's log, the curator's queue, the organiser's plan and cohort."""
import csv
import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import event as sa_event

from app.accounts.models import Role
from app.extensions import db
from app.quotas import services
from app.quotas.models import ReviewState
from tests.factories import make_user
from tests.quotas.conftest import PLAN_DATA, bulk_cohort, consultation_data, move_to


def _form(**overrides):
    data = {"held_on": "2027-03-15", "format": "phone", "topic": "rights", "duration_minutes": "30",
            "client_type": "patient", "note": "Про льготы"}
    data.update(overrides)
    return data


def test_trainee_logs_fixes_and_sees_pace(client, login, world):
    trainee = login(world.trainees[0])
    quota = world.quota(trainee)
    move_to(date(2027, 3, 20))
    page = client.get(f"/quotas/{quota.id}/consultations/new").get_data(as_text=True)
    assert 'name="held_on"' in page and 'name="client_type"' in page
    for forbidden in ("client_name", "phone_number", "diagnosis", "birth"):
        assert f'name="{forbidden}' not in page
    response = client.post(f"/quotas/{quota.id}/consultations/new", data=_form(duration_minutes="0"))
    assert response.status_code == 422 and "invalid-feedback" in response.get_data(as_text=True)
    response = client.post(f"/quotas/{quota.id}/consultations/new", data=_form())
    assert response.status_code == 302
    [consultation] = services.consultations_of(quota)
    services.review(consultation, quota.curator, "return", "Укажите формат точнее")
    page = client.get(f"/quotas/{quota.id}").get_data(as_text=True)
    assert "Укажите формат точнее" in page and "<svg" in page and "<desc" in page
    response = client.post(f"/quotas/{quota.id}/consultations/{consultation.id}/edit", data=_form(format="online"))
    assert response.status_code == 302
    db.session.expire_all()
    assert consultation.review_state == ReviewState.SUBMITTED
    me = client.get("/me").get_data(as_text=True)
    assert "my-quotas-heading" in me


def test_curator_reviews_one_at_a_time(client, login, world):
    quota = world.quota(world.trainees[0])
    move_to(date(2027, 3, 20))
    first = services.log_consultation(quota, consultation_data(held_on=date(2027, 3, 11)), world.trainees[0])
    second = services.log_consultation(quota, consultation_data(held_on=date(2027, 3, 12)), world.trainees[0])
    login(quota.curator)
    page = client.get("/manage/curator/review").get_data(as_text=True)
    assert f"/manage/curator/review/{first.id}" in page
    response = client.post(f"/manage/curator/review/{first.id}", data={"decision": "return", "comment": ""})
    assert response.status_code == 422
    response = client.post(f"/manage/curator/review/{first.id}", data={"decision": "accept"})
    assert response.headers["Location"].endswith("/manage/curator/review")
    assert f"/manage/curator/review/{second.id}" in client.get("/manage/curator/review").get_data(as_text=True)
    curator_page = client.get("/manage/curator").get_data(as_text=True)
    assert world.trainees[0].full_name in curator_page


def test_organiser_plans_and_reads_the_cohort_with_exports(client, login, app, frozen):
    organiser = make_user(roles=(Role.ORGANISER,))
    plan = bulk_cohort(organiser, 5, consultations_each=4)
    login(organiser)
    event_id = plan.event_id
    page = client.get(f"/manage/events/{event_id}/quotas").get_data(as_text=True)
    figures = dict(re.findall(r'data-figure="(\w+)">(\d+)<', page))
    assert figures == {"accepted_to_target": "10", "targets": "100", "accepted": "10", "trainees": "5",
                       "submitted": "10", "returned": "0"}
    rows = list(csv.reader(io.StringIO(client.get(f"/manage/events/{event_id}/quotas.csv").get_data(as_text=True))))
    assert len(rows) == 6
    workbook = load_workbook(io.BytesIO(client.get(f"/manage/events/{event_id}/quotas.xlsx").data))
    assert workbook.active.max_row == 6
    response = client.post(f"/manage/events/{event_id}/quota-plan", data={
        **{k: v for k, v in PLAN_DATA.items() if k not in ("starts_on", "deadline", "formats")},
        "starts_on": "2027-03-10", "deadline": "2027-03-01", "formats": ["phone"]})
    assert response.status_code == 422 and "invalid-feedback" in response.get_data(as_text=True)
    assert client.get(f"/manage/events/{event_id}/quotas?show=behind&sort=progress&order=desc").status_code == 200


def _count_queries(client, url) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    assert client.get(url).status_code == 200          # warm: per-process caches are not the point
    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_cohort_page_and_curator_queue_run_constant_queries(client, login, app, frozen):
    organiser = make_user(roles=(Role.ORGANISER,))
    small = bulk_cohort(organiser, 30, consultations_each=2)
    big = bulk_cohort(organiser, 300, consultations_each=2)
    login(organiser)
    assert _count_queries(client, f"/manage/events/{small.event_id}/quotas") == \
        _count_queries(client, f"/manage/events/{big.event_id}/quotas")
    small_curator, big_curator = small.curators[0], big.curators[0]
    client.post("/auth/logout")
    counts = []
    for curator in (small_curator, big_curator):
        curator.password_hash = organiser.password_hash
        db.session.commit()
        client.post("/auth/logout")
        login(curator)
        counts.append((_count_queries(client, "/manage/curator"), _count_queries(client, "/manage/curator/review")))
    assert counts[0] == counts[1]


def test_cohort_rows_show_the_region_and_the_last_logged_day_where_the_event_is(client, login, world):
    """A consultation logged at 21:00 UTC on 20 March is the 21st in Samara (UTC+4): the row says so,
    next to its region's name, as the filters name it."""
    trainee = world.trainees[0]
    move_to(date(2027, 3, 20), hour=21)
    services.log_consultation(world.quota(trainee), consultation_data(held_on=date(2027, 3, 20)), trainee)
    move_to(date(2027, 3, 22))
    login(world.organiser)
    page = client.get(f"/manage/events/{world.event.id}/quotas").get_data(as_text=True)
    row = re.search(rf"<tr>\s*<td><a [^>]*>{trainee.full_name}</a></td>(.*?)</tr>", page, re.S).group(1)
    region = re.search(r'<option value="RU-SAM">([^<]+)</option>', page).group(1)
    assert f"<td>{region}</td>" in row
    assert "21.03.2027" in row and "20.03.2027" not in row
    silent = re.search(rf"<tr>\s*<td><a [^>]*>{world.trainees[1].full_name}</a></td>(.*?)</tr>", page, re.S).group(1)
    assert silent.rstrip().endswith("<td>—</td>")

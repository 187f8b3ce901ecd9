"""The quotas API: cohort (organiser token), own quotas and logging (trainee token), exact JSON."""
from datetime import date

from app.accounts import services as accounts
from app.accounts.models import Organisation, OrganisationKind, Role
from app.api.quotas import CohortSchema, quota_out
from app.extensions import db
from app.quotas import services
from app.quotas.models import ConsultationQuota
from app.quotas.queries import quota_rows
from tests.factories import make_user
from tests.quotas.conftest import move_to

BODY = {"quota_id": None, "date": "2027-03-15", "format": "home_visit", "topic": "support", "duration_minutes": 40,
        "client_type": "relative", "is_repeat": True, "note": "Патронаж: обучение уходу."}


def _auth(user):
    return {"Authorization": f"Bearer {accounts.create_api_token(user)}"}


def test_trainee_logs_a_consultation_and_reads_own_quotas(client, world):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    move_to(date(2027, 3, 20))
    headers = _auth(trainee)
    response = client.post("/api/v1/consultations", json={**BODY, "quota_id": quota.id}, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["review_state"] == "submitted" and response.json["id"] > 0
    mine = client.get("/api/v1/me/quotas", headers=headers).json["items"]
    assert len(mine) == 1
    item = mine[0]
    assert set(item) >= {"id", "user", "target", "deadline", "accepted", "submitted", "returned", "status", "curator"}
    assert (item["id"], item["target"], item["deadline"], item["submitted"]) == (quota.id, 20, "2027-06-07", 1)
    assert item["user"] == {"email": trainee.email, "full_name": trainee.full_name, "region": trainee.region_code}
    assert item["curator"]["id"] == quota.curator_id


def test_any_other_field_is_422_and_nothing_is_saved(client, world):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    move_to(date(2027, 3, 20))
    for extra in ({"client_name": "Иванова"}, {"phone": "+7 900"}, {"diagnosis": "ХБП"}):
        response = client.post("/api/v1/consultations", json={**BODY, "quota_id": quota.id, **extra},
                               headers=_auth(trainee))
        assert response.status_code == 422
        assert list(extra)[0] in response.json["fields"]
    response = client.post("/api/v1/consultations", json={**BODY, "quota_id": quota.id, "date": "2027-04-01",
                                                          "format": "telepathy"}, headers=_auth(trainee))
    assert response.status_code == 422 and "format" in response.json["fields"]
    response = client.post("/api/v1/consultations", json={**BODY, "quota_id": quota.id, "date": "2027-04-01"},
                           headers=_auth(trainee))
    assert response.status_code == 422 and set(response.json["fields"]) == {"date"}
    assert services.row_for(quota).submitted == 0


def test_someone_elses_quota_is_404_and_no_token_is_401(client, world):
    quota = world.quota(world.trainees[0])
    response = client.post("/api/v1/consultations", json={**BODY, "quota_id": quota.id},
                           headers=_auth(world.trainees[1]))
    assert response.status_code == 404
    assert client.post("/api/v1/consultations", json={**BODY, "quota_id": quota.id}).status_code == 401
    assert client.get("/api/v1/me/quotas").status_code == 401


def test_cohort_for_organisers_only(client, world):
    url = f"/api/v1/events/{world.event.id}/quotas"
    response = client.get(url, headers=_auth(world.organiser))
    assert response.status_code == 200
    assert {i["user"]["email"] for i in response.json["items"]} == {t.email for t in world.trainees}
    assert all(i["status"] == "not_started" for i in response.json["items"])
    assert client.get(url, headers=_auth(world.trainees[0])).status_code == 403
    assert client.get(url, headers=_auth(make_user(roles=(Role.ORGANISER,)))).status_code == 403
    assert client.get(url, headers=_auth(make_user(roles=(Role.ADMIN,)))).status_code == 200
    assert client.get(url).status_code == 401
    assert client.get(f"/api/v1/events/{world.event.id + 99}/quotas", headers=_auth(world.organiser)).status_code == 404


def test_cohort_body_is_the_schemas_dump_and_its_rows_are_the_quota_rows(client, world):
    """The cohort is read as columns and written as JSON without the schema (for speed): the body is still
    exactly the schema's dump of the same items, and each row has the counts and pace of `quota_rows`."""
    first, second = world.trainees[0], world.trainees[1]
    organisation = Organisation(name="НКО «Рядом»", kind=OrganisationKind.PATIENT_NGO, region_code="RU-SAM",
                                approved=True)
    db.session.add(organisation)
    db.session.flush()
    first.organisation_id = organisation.id
    world.quota(second).curator_id = None
    db.session.commit()
    move_to(date(2027, 3, 20))
    response = client.post("/api/v1/consultations", json={**BODY, "quota_id": world.quota(first).id},
                           headers=_auth(first))
    assert response.status_code == 201
    answer = client.get(f"/api/v1/events/{world.event.id}/quotas", headers=_auth(world.organiser))
    cohort = services.cohort(world.plan)
    assert answer.json == CohortSchema().dump({"items": [quota_out(row) for row in cohort.rows],
                                               "totals": cohort.totals.as_dict()})
    assert {i["user"]["email"]: i["curator"] for i in answer.json["items"]}[second.email] is None
    assert {i["user"]["email"]: i["submitted"] for i in answer.json["items"]}[first.email] == 1
    full = {row.quota.id: row for row in quota_rows(ConsultationQuota.plan_id == world.plan.id)}
    for row in cohort.rows:
        same = full[row.quota.id]
        assert (row.accepted, row.submitted, row.returned, row.last_logged_at, row.open_tasks, row.pace,
                row.inactive) == (same.accepted, same.submitted, same.returned, same.last_logged_at,
                                  same.open_tasks, same.pace, same.inactive)
        assert (row.user.full_name, row.user.email, row.user.region_code, row.quota.target, row.quota.deadline,
                row.quota.created_at, row.quota.curator_id) == (
            same.user.full_name, same.user.email, same.user.region_code, same.quota.target, same.quota.deadline,
            same.quota.created_at, same.quota.curator_id)
        assert row.user.organisation_name == (same.user.organisation.name if same.user.organisation else None)
    assert {row.user.organisation_name for row in cohort.rows} == {"НКО «Рядом»", None}


def test_endpoints_are_in_the_openapi_document(client, app):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/events/{event_id}/quotas" in paths
    assert "/api/v1/me/quotas" in paths
    body = paths["/api/v1/consultations"]["post"]
    assert "201" in body["responses"]

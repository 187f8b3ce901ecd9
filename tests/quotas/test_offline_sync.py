"""Consultations logged on a phone offline and sent later: each key is one consultation, however often
and in whatever order it arrives; a refused entry comes back with its reasons per field."""
import uuid
from datetime import date

from app.accounts import services as accounts
from app.extensions import db
from app.quotas.models import Consultation
from tests.quotas.conftest import move_to


def _entry(**overrides):
    body = {"client_key": str(uuid.uuid4()), "date": "2027-03-15", "format": "phone", "topic": "rights",
            "duration_minutes": 30, "client_type": "patient", "is_repeat": False, "note": "Про льготы"}
    body.update(overrides)
    return body


def _send(client, quota, body):
    return client.post(f"/quotas/{quota.id}/consultations/sync", json=body, headers={"Accept": "application/json"})


def test_the_same_key_three_times_and_out_of_order_is_one_consultation_each(client, login, world):
    trainee = login(world.trainees[0])
    quota = world.quota(trainee)
    move_to(date(2027, 3, 20))
    first, second = _entry(), _entry(date="2027-03-16", format="online")
    answers = [_send(client, quota, body) for body in (second, first, second, first, first, second)]
    assert [a.status_code for a in answers] == [201, 201, 200, 200, 200, 200]
    assert answers[2].get_json()["id"] == answers[0].get_json()["id"]
    assert answers[2].get_json()["created"] is False
    rows = db.session.query(Consultation).filter_by(quota_id=quota.id).order_by(Consultation.held_on).all()
    assert [(r.held_on, r.client_key) for r in rows] == [(date(2027, 3, 15), first["client_key"]),
                                                         (date(2027, 3, 16), second["client_key"])]


def test_a_refused_entry_comes_back_with_its_reasons(client, login, world):
    trainee = login(world.trainees[0])
    quota = world.quota(trainee)
    move_to(date(2027, 3, 20))
    response = _send(client, quota, _entry(date="2027-01-05", note="звонила по номеру +7 927 123-45-67"))
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert set(fields) == {"date", "note"}
    assert db.session.query(Consultation).count() == 0
    assert _send(client, quota, _entry(client_key="not-a-uuid")).status_code == 422
    assert _send(client, quota, {"client_key": str(uuid.uuid4()), "date": "x", "duration_minutes": "abc"}).status_code == 422


def test_another_trainees_quota_is_404(client, login, world):
    login(world.trainees[1])
    quota = world.quota(world.trainees[0])
    move_to(date(2027, 3, 20))
    assert _send(client, quota, _entry()).status_code == 404
    assert db.session.query(Consultation).count() == 0


def test_the_api_takes_an_idempotency_key(client, world):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    move_to(date(2027, 3, 20))
    token = accounts.create_api_token(trainee)
    key = str(uuid.uuid4())
    body = {key_: value for key_, value in _entry().items() if key_ != "client_key"} | {"quota_id": quota.id}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    answers = [client.post("/api/v1/consultations", json=body, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.get_json()["id"] for a in answers}) == 1
    bad = client.post("/api/v1/consultations", json=body, headers={**headers, "Idempotency-Key": "x"})
    assert bad.status_code == 422

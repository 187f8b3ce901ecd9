"""Trip results entered on a phone offline and sent later: the same key is one update, an older entry
never overwrites a newer count, and the page says who wrote each count last."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.events import services
from app.events.models import TripResult
from app.extensions import db
from tests.events.conftest import trip_data
from tests.factories import make_user

DAY = datetime(2027, 5, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def trip(app, organiser):
    return services.create_event(organiser, trip_data(status="published"))


def _entry(counts, at, key=None, notes=""):
    return {"client_key": key or str(uuid.uuid4()), "recorded_at": at.isoformat(), "counts": counts, "notes": notes}


def _send(client, trip, body):
    return client.post(f"/manage/events/{trip.id}/results/sync", json=body, headers={"Accept": "application/json"})


def test_the_same_key_three_times_and_out_of_order(client, login, organiser, trip):
    login(organiser)
    with clock.frozen_at(DAY + timedelta(hours=3)):
        newer = _entry({"checkups": 86}, DAY + timedelta(hours=2), notes="Уточнили")
        older = _entry({"checkups": 84, "blood_donation": 23}, DAY + timedelta(hours=1), notes="Первые цифры")
        answers = [_send(client, trip, body) for body in (newer, newer, older, newer, older)]
    assert {a.status_code for a in answers} == {200}
    assert answers[0].get_json()["applied"] == ["checkups"]
    assert answers[2].get_json()["applied"] == ["blood_donation"]
    results = {r.service.value: (r.people_served, r.client_key) for r in db.session.query(TripResult)}
    assert results == {"checkups": (86, newer["client_key"]), "blood_donation": (23, older["client_key"])}
    db.session.expire_all()
    assert trip.trip.results_notes == "Уточнили"
    page = client.get(f"/manage/events/{trip.id}/results").get_data(as_text=True)
    assert "last written by Ольга Организатор" in page or "последним внёс(ла) Ольга Организатор" in page


def test_refused_counts_come_back_with_reasons(client, login, organiser, trip):
    login(organiser)
    with clock.frozen_at(DAY):
        response = _send(client, trip, _entry({"checkups": -1, "vaccination": 5}, DAY))
        assert response.status_code == 422
        assert {"checkups", "vaccination"} <= set(response.get_json()["fields"])
        assert _send(client, trip, {"counts": {"checkups": 1}}).status_code == 422
    assert db.session.query(TripResult).count() == 0


def test_another_organisers_trip_is_404(client, login, trip):
    login(make_user("third@example.org", roles=(Role.ORGANISER,)))
    with clock.frozen_at(DAY):
        assert _send(client, trip, _entry({"checkups": 3}, DAY)).status_code == 404

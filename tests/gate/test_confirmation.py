"""Issue 25, item 3: every destructive action asks first, without JavaScript. The destructive endpoints
are found in the route inventory by name (delete, cancel, revoke, reject, decline, withdraw, remove, plus
the few that mail everyone or reject in bulk); for each, a post without `confirm=yes` changes no row and
answers with the confirmation (a form that posts the same fields with `confirm=yes`), and the post with it
does the deed."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from tests.gate import builders
from tests.gate.routes import inventory, sign_in

DESTRUCTIVE = re.compile(r"delete|cancel|revoke|reject|decline|withdraw|remove")
ALSO_ASKING = {"registrations.bulk_decide", "events.manage_reinstate", "events.manage_meeting_reinstate"}
# A password typed again is these pages' confirmation (tests/accounts/test_gdpr.py).
PASSWORD_CONFIRMED = {"privacy.delete_account", "privacy.withdraw_consent"}
REASON = "Причина указана"
# The gate's fixture is not in the state the deed needs (a published event is not reinstated).
NOT_DOABLE_ON_THE_FIXTURE = {"events.manage_reinstate"}


def _destructive(app):
    return [route for route in inventory(app) if route.method == "POST" and route.endpoint not in PASSWORD_CONFIRMED
            and (DESTRUCTIVE.search(route.endpoint.split(".", 1)[1]) or route.endpoint in ALSO_ASKING)]


def _snapshot() -> dict[str, list]:
    db.session.expire_all()
    return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables}


def _form(route, values: dict) -> dict:
    data = {"reason": REASON, "action": "reject"}
    if "registration_id" in values:
        data[f"r{values['registration_id']}-reason"] = REASON
    if route.endpoint == "registrations.bulk_decide":
        data["registration_ids"] = db.session.execute(select(Registration.id).where(
            Registration.event_id == values["event_id"],
            Registration.status == RegistrationStatus.PENDING)).scalars().all()
    return data


def test_the_inventory_names_the_destructive_endpoints(app):
    endpoints = {route.endpoint for route in _destructive(app)}
    print(f"\ndestructive endpoints that ask first: {len(endpoints)}")
    assert {"events.manage_meeting_cancel", "registrations.cancel_participant", "registrations.cancel",
            "materials.delete", "registrations.reject", "registrations.bulk_decide"} <= endpoints
    assert len(endpoints) >= 15


def _routes():
    from tests.gate.test_matrix import SNAPSHOT
    return sorted({r.endpoint for r in SNAPSHOT if r.method == "POST" and r.endpoint not in PASSWORD_CONFIRMED
                   and (DESTRUCTIVE.search(r.endpoint.split(".", 1)[1]) or r.endpoint in ALSO_ASKING)})


@pytest.mark.parametrize("endpoint", _routes())
def test_a_post_without_confirm_changes_nothing_and_asks(app, world, endpoint):
    route = next(r for r in _destructive(app) if r.endpoint == endpoint)
    target = builders.build(route.access.fixture, world)
    client = app.test_client()
    sign_in(client, target.owner or world.admin)
    url = route.url(target.values)
    data = _form(route, target.values)
    before = _snapshot()
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, (endpoint, response.status_code, page[:300])
    assert 'name="confirm" value="yes"' in page, endpoint
    assert _snapshot() == before, f"{endpoint} changed rows without confirmation"
    response = client.post(url, data={**data, "confirm": "yes"})
    assert response.status_code in (302, 303), (endpoint, response.status_code)
    if endpoint not in NOT_DOABLE_ON_THE_FIXTURE:
        assert _snapshot() != before, f"{endpoint} did nothing when confirmed"

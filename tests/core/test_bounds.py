"""One table of integer bounds (app.core.bounds), read by the services, the forms and the OpenAPI
document (issue 20.5): every integer column is in it, or is one nobody types."""
from sqlalchemy import Float, Integer

from app.accounts.models import Role
from app.core import bounds
from app.extensions import db
from tests.factories import make_user


def test_every_integer_column_has_a_bound_or_is_set_by_the_services_only(app):
    columns = {f"{table.name}.{column.name}" for table in db.metadata.sorted_tables for column in table.columns
               if isinstance(column.type, Integer) and not isinstance(column.type, Float)
               and not column.primary_key and not column.foreign_keys}
    assert "events.offer_hours" in columns
    assert columns - set(bounds.COLUMNS) - bounds.INTERNAL == set()
    assert set(bounds.COLUMNS) | bounds.INTERNAL <= columns  # no stale name in the table
    assert not set(bounds.COLUMNS) & bounds.INTERNAL
    for column, bound in bounds.COLUMNS.items():
        assert 0 <= bound.high <= bounds.ID_MAX and bound.low <= bound.high, column


def test_the_openapi_document_and_the_forms_read_the_same_table(client, login):
    document = client.get("/api/v1/openapi.json").get_json()
    event_in = document["components"]["schemas"]["EventIn"]["properties"]
    for name in ("capacity", "max_per_region", "max_per_organisation", "offer_hours", "attendance_threshold"):
        bound = bounds.of(f"events.{name}")
        assert (event_in[name]["minimum"], event_in[name]["maximum"]) == (bound.low, bound.high), name
    consultation = document["components"]["schemas"]["ConsultationIn"]["properties"]["duration_minutes"]
    assert consultation["maximum"] == bounds.of("consultations.duration_minutes").high
    login(make_user(roles=(Role.ORGANISER,)))
    page = client.get("/manage/events/new/seminar").get_data(as_text=True)
    assert f'max="{bounds.of("events.offer_hours").high}"' in page
    assert f'max="{bounds.of("events.capacity").high}"' in page


def test_membership_refuses_bools_floats_and_strings():
    hours = bounds.of("events.offer_hours")
    assert 48 in hours and 720 in hours
    for value in (0, 721, 10**9, True, 48.0, 1.5, "48", None):
        assert value not in hours, value

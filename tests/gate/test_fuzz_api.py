"""schemathesis over every operation of /api/v1/openapi.json, as an organiser and as a trainee:
no 5xx, responses as documented, and a refused request (4xx) writes no row. FUZZ_EXAMPLES budget."""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.accounts import services as accounts
from tests.gate import builders
from tests.gate.routes import row_counts
from tests.gate.strategies import BUDGET

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def tokens(app, world):
    """Tokens of the owner of one event (and a draft), and of a trainee who owns nothing."""
    owner = builders.new_organiser()
    first = builders.make_event(actor=owner, days=2)
    builders.make_event(actor=owner, status="draft")
    return {"organiser": accounts.create_api_token(owner), "trainee": world.token_of(world.trainee),
            "event_id": first.id}


@pytest.fixture
def api_schema(app, tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE,
                                           schemathesis.GenerationMode.NEGATIVE])
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=BUDGET, deadline=None, derandomize=BUDGET <= 10, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_api_operations_take_hostile_input(case, tokens):
    event_id = (case.path_parameters or {}).get("event_id")
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        case.path_parameters["event_id"] = tokens["event_id"] + abs(event_id) % 3
    # a larger budget (`make fuzz`) also sends every case with a trainee's token
    for who in ("organiser", "trainee") if BUDGET > 10 else ("organiser",):
        before = row_counts()
        response = case.call(headers={"Authorization": f"Bearer {tokens[who]}"})
        case.validate_response(response, checks=CHECKS)
        if 400 <= response.status_code < 500:
            assert row_counts() == before, f"a refused API request ({response.status_code}) wrote rows"

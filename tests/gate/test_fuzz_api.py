"""schemathesis over every operation of /api/v1/openapi.json, as an organiser and as a trainee:
no 5xx, responses as documented, and a refused request (4xx) writes no row. FUZZ_EXAMPLES budget.
Every operation also gets, whatever the budget, NUL in every string, integers past INTEGER and BIGINT
in every integer (body, query and path) and a body nested 100,000 deep (issue 20.8)."""
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
from tests.gate.strategies import BUDGET, DEEP_JSON, NUL_TEXT, OVERSIZED_INTS

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


# --- issue 20.8's classes in every API operation, whatever the budget -----------------------------------

def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _hostile_body(document: dict, schema: dict, number: int, depth: int = 0):
    """A body of the operation's shape with NUL in every string and `number` in every integer."""
    schema = _resolve(document, schema)
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        return {name: _hostile_body(document, sub, number, depth + 1)
                for name, sub in schema.get("properties", {}).items() if depth < 3}
    if kind == "array":
        return [_hostile_body(document, schema.get("items", {}), number, depth + 1)]
    if kind == "integer":
        return number
    if kind == "boolean":
        return True
    return NUL_TEXT


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield path, method, operation


def test_every_api_operation_refuses_nul_oversized_integers_and_deep_json(app, client, tokens):
    document = client.get("/api/v1/openapi.json").get_json()
    headers = {"Authorization": f"Bearer {tokens['organiser']}"}
    sent = 0
    for path, method, operation in _operations(document):
        url = path.replace("{event_id}", str(tokens["event_id"])).replace("{programme_id}", "1")
        bodies = []
        content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
        if content:
            bodies = [_hostile_body(document, content["schema"], number) for number in OVERSIZED_INTS]
        queries = [{p["name"]: value for p in operation.get("parameters", []) if p.get("in") == "query"}
                   for value in (NUL_TEXT, *map(str, OVERSIZED_INTS))]
        attempts = [{"json": body} for body in bodies] + [{"query_string": q} for q in queries if q]
        if content:
            attempts.append({"data": DEEP_JSON, "content_type": "application/json"})
        attempts += [{"base_url": None, "url": path.replace("{event_id}", str(n)).replace("{programme_id}", str(n))}
                     for n in OVERSIZED_INTS if "{" in path]
        for attempt in attempts:
            target = attempt.pop("url", url)
            attempt.pop("base_url", None)
            before = row_counts()
            response = client.open(target, method=method.upper(), headers=headers, **attempt)
            sent += 1
            assert response.status_code < 500, (method, target, attempt, response.get_data(as_text=True)[:300])
            if 400 <= response.status_code < 500:
                assert row_counts() == before, (method, target, attempt)
                assert set(response.get_json()) == {"error", "fields"}, (method, target)
    assert sent > 10

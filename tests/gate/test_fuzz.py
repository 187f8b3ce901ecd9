"""Hypothesis over every HTML route of the inventory: forms (fields from the route's WTForms
classes) and GET query parameters (named in the route's code and filter forms, plus the listing's).

The rule: no 5xx, and a rejected request (4xx) writes no row. Every route also gets, whatever the
budget, a NUL in every field and integers past INTEGER and BIGINT in every field (issue 20.8). The budget per route is FUZZ_EXAMPLES
(small in `make test`, large in `make fuzz`). A request is made as someone allowed to act, so the
input reaches the services instead of stopping at the permission check.
"""
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings

from tests.gate import builders
from tests.gate.routes import FIGURES, form_field_names, forms_of, inventory, query_params_of, row_counts, sign_in
from tests.gate.strategies import BUDGET, fields_dict, hostile_examples
from tests.gate.test_csrf import _allowed_user
from tests.gate.test_matrix import ROUTES

HTML = [(rule, method) for rule, method in ROUTES if not rule.startswith("/api/")]
FORMS = [(rule, method) for rule, method in HTML if method == "POST"]
QUERIES = [(rule, method) for rule, method in HTML if method == "GET" and "static" not in rule]
FIGURES["fuzz budget"] = (f"{BUDGET} examples per route: {len(FORMS)} form routes, {len(QUERIES)} GET routes "
                          "(FUZZ_EXAMPLES; `make fuzz` runs more)")

# Defects found before issue 10 fixed them: (rule, method) → (what, the input that showed it). Each input
# runs as an explicit example on every run, so the defect cannot come back unnoticed.
_HUGE = str(10**20)
KNOWN_DEFECTS: dict[tuple[str, str], tuple[str, dict]] = {
    ("/", "GET"): ("pagination overflow", {"page": _HUGE}),
    ("/events", "GET"): ("pagination overflow", {"page": _HUGE}),
    ("/manage/events", "GET"): ("pagination overflow", {"page": _HUGE}),
    ("/manage/users", "GET"): ("pagination overflow", {"page": _HUGE}),
    ("/manage/events/<int:event_id>/sessions/<int:session_id>/check-in", "POST"):
        ("check-in form bounds", {"registration_id": _HUGE}),
    ("/manage/events/<int:event_id>/sessions/<int:session_id>/check-in/undo", "POST"):
        ("check-in form bounds", {"registration_id": _HUGE}),
}


def _settings():
    return settings(max_examples=BUDGET, deadline=None, database=None, derandomize=BUDGET <= 10,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def _known(test, rule, method, argument, names):
    """Add issue 10's input for this route, and issue 20's NUL and oversized integers in every field,
    as explicit examples."""
    for hostile in hostile_examples(names):
        test = example(**{argument: hostile})(test)
    known = KNOWN_DEFECTS.get((rule, method))
    return example(**{argument: known[1]})(test) if known else test


def _case(rule, method):
    return pytest.param(rule, method, id=f"{method} {rule}")


def _setup(app, world, rule, method):
    route = next(r for r in inventory(app) if r.rule.rule == rule and r.method == method)
    target = builders.build(route.access.fixture, world)
    client = app.test_client()
    user = _allowed_user(route, target, world)
    if user is not None:
        sign_in(client, user)
    return route, route.url(target.values), client


def _check(response, before, sent):
    assert response.status_code < 500, f"{response.status_code} for {sent!r}"
    if 400 <= response.status_code < 500:
        assert row_counts() == before, f"a refused request ({response.status_code}) wrote rows: {sent!r}"


@pytest.mark.parametrize(("rule", "method"), [_case(r, m) for r, m in FORMS])
def test_forms_take_hostile_input(app, world, rule, method):
    route, url, client = _setup(app, world, rule, method)
    names = sorted({name for form in forms_of(app, route) for name in form_field_names(form)} - {"csrf_token"})

    @given(data=fields_dict(names))
    def post(data):
        before = row_counts()
        _check(client.post(url, data=data), before, data)

    _settings()(_known(post, rule, method, "data", names))()


@pytest.mark.parametrize(("rule", "method"), [_case(r, m) for r, m in QUERIES])
def test_query_parameters_take_hostile_input(app, world, rule, method):
    route, url, client = _setup(app, world, rule, method)
    names = query_params_of(app, route)

    @given(args=fields_dict(names))
    def get(args):
        before = row_counts()
        response = client.get(url, query_string=args)
        _check(response, before, args)
        assert row_counts() == before, f"a GET wrote rows: {args!r}"

    _settings()(_known(get, rule, method, "args", names))()

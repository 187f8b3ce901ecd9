"""Every route of the app is classified in tests/gate/access.py ROUTES, with a rule and a builder that exist."""
from app import permissions
from tests.gate import access as route_table
from tests.gate import builders
from tests.gate.routes import FIGURES, inventory, personas_for


def test_every_route_is_classified(app):
    routes = inventory(app)
    missing = sorted({f"{r.endpoint} ({r.id})" for r in routes if r.access is None})
    assert not missing, ("routes without a row in tests/gate/access.py ROUTES (classify them: public, "
                         "signed_in, role, owner, token):\n  " + "\n  ".join(missing))
    rules = {r.rule.rule for r in routes}
    FIGURES["routes covered"] = f"{len(rules)} URL rules, {len(routes)} (rule, method) pairs"
    print(f"\nroute inventory: {len(rules)} URL rules, {len(routes)} (rule, method) pairs classified")


def test_no_stale_rows(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(set(route_table.ROUTES) - endpoints) == []


def test_rows_name_existing_rules_and_builders(app):
    for route in inventory(app):
        access = route.access
        assert access.kind in route_table.ACCESS_KINDS, route.id
        if access.rule is not None:
            assert access.rule in permissions.actions(), f"{route.id}: no rule {access.rule!r}"
        if access.kind in (route_table.ROLE, route_table.OBJECT_OWNER):
            assert access.rule, f"{route.id}: name the permission rule the route asks"
        if route.rule.arguments:
            assert access.fixture in builders.BUILDERS, \
                f"{route.id}: register a builder for {sorted(route.rule.arguments)} in tests/gate/builders.py"
        if access.kind == route_table.OBJECT_OWNER:
            assert route.rule.arguments, f"{route.id}: an object route needs an object in its URL"


def test_matrix_size(app):
    routes = inventory(app)
    cells = sum(len(personas_for(r)) for r in routes)
    FIGURES["authorisation matrix"] = f"{cells} cells over {len(routes)} (rule, method) pairs"
    print(f"\nauthorisation matrix: {cells} cells")
    assert cells >= 5 * len(routes)


"""Every list page of the route table (`lists=`) costs the same number of SQL statements with 10
rows as with 60: no query per row (N+1)."""
import pytest
from sqlalchemy import event

from app.extensions import db
from tests.gate import builders
from tests.gate.routes import FIGURES, inventory, sign_in
from tests.gate.test_csrf import _allowed_user
from tests.gate.test_matrix import LIST_ROUTES

SMALL, LARGE = 10, 60


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args, **_kwargs):
        self.count += 1


def _count(client, url, headers) -> tuple[int, int]:
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return response.status_code, counter.count


@pytest.mark.parametrize(("rule", "method"), LIST_ROUTES, ids=[f"{m} {r}" for r, m in LIST_ROUTES])
def test_list_pages_query_count_does_not_grow(app, world, rule, method):
    route = next(r for r in inventory(app) if r.rule.rule == rule and r.method == method)
    target = builders.build(route.access.fixture, world)
    user = _allowed_user(route, target, world)
    client, headers = app.test_client(), {}
    if user is not None and route.is_api:
        headers["Authorization"] = f"Bearer {world.token_of(user)}"
    elif user is not None:
        sign_in(client, user)
    url = route.url(target.values)
    grow = builders.GROWERS[route.access.lists]
    assert _count(client, url, headers)[0] == 200  # warm: first-use work (tokens, caches) done
    grow(world, target, SMALL)
    status, small = _count(client, url, headers)
    assert status == 200
    grow(world, target, LARGE - SMALL)
    status, large = _count(client, url, headers)
    assert status == 200
    FIGURES.setdefault("query counts", {})[route.id] = small
    assert large == small, f"{route.id}: {small} statements with {SMALL} rows, {large} with {LARGE}"

"""The inventory: every (URL rule, method) of the app with its row of the route table.

Shared by the gate's tests: the matrix, CSRF, the fuzzers and the query counts all start here,
so a route added to the app is checked by all of them once it has its row in tests/gate/access.py.
"""
import inspect
import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from werkzeug.routing import Rule
from wtforms import Form

from app.accounts.models import Role
from app.extensions import db
from tests.gate import access as route_table

IGNORED_METHODS = {"HEAD", "OPTIONS"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
PERSONAS = ("anonymous", "trainee", "curator", "other_organiser", "admin", "owner")
OK = "ok"
LOGIN = "login"
OK_STATUSES = {200, 201, 204, 302, 303, 304, 422}
FIGURES: dict[str, object] = {}  # printed in the terminal summary (tests/gate/conftest.py)


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str
    access: route_table.Access | None

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    @property
    def is_api(self) -> bool:
        return self.rule.rule.startswith("/api/")

    @property
    def url_token(self) -> bool:
        """A token carried in the URL itself (the personal calendar feed), not a bearer header."""
        return self.access is not None and self.access.kind == route_table.TOKEN and not self.is_api

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule.rule}"

    def url(self, values: dict) -> str:
        built = self.rule.build(values, append_unknown=False)
        assert built is not None, f"{self.rule.rule}: cannot build from {values}"
        return built[1]


def inventory(app) -> list[Route]:
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted(rule.methods - IGNORED_METHODS):
            routes.append(Route(rule, method, route_table.route_access(rule.endpoint, method)))
    return routes


def personas_for(route: Route) -> tuple[str, ...]:
    """Who the matrix tries: everyone, and the owner only where the URL names an owned object."""
    has_owner = route.access is not None and route.access.kind in (route_table.OBJECT_OWNER, route_table.TOKEN) \
        and route.access.fixture is not None
    return PERSONAS if has_owner else PERSONAS[:-1]


def _has_role(user, roles) -> bool:
    return user.is_admin or any(user.has_role(Role(r)) for r in roles)


def expected(route: Route, persona: str, user, target_owner) -> object:
    """The status (or OK / LOGIN) the route must answer `persona` with, from its table row."""
    access = route.access
    if route.url_token:  # a dead or foreign token: 404, or a redirect with a message (refuse=302)
        return OK if persona == "owner" else access.refuse
    if persona == "anonymous":
        if access.kind == route_table.PUBLIC:
            return OK
        return 401 if route.is_api else LOGIN
    if access.kind in (route_table.PUBLIC, route_table.SIGNED_IN):
        return OK
    if access.kind == route_table.ROLE:
        return OK if _has_role(user, access.roles) else 403
    if access.roles and not _has_role(user, access.roles):
        return 403
    if access.fixture is None:
        return OK
    if persona == "owner" or (target_owner is not None and user.id == target_owner.id):
        return OK
    if persona == "admin" and access.admin:
        return OK
    return access.refuse


def outcome(response) -> object:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/auth/login" in location:
        return LOGIN
    if response.status_code in OK_STATUSES:
        return OK
    return response.status_code


def sign_in(client, user) -> None:
    """Sign the test client in through the session (no form post, so CSRF may stay on)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()  # "<id>.<session_version>"
        session["_fresh"] = True


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_in(page: str) -> str | None:
    """The CSRF token a rendered form carries, or None."""
    found = CSRF_TOKEN.search(page)
    return found.group(1) if found else None


def row_counts() -> dict[str, int]:
    """Rows per table: compared before and after a refused request (nothing may be written). One statement
    of a count per table: the fuzzers ask twice per example."""
    db.session.expire_all()
    tables = db.metadata.sorted_tables
    counts = db.session.execute(select(*(select(func.count()).select_from(table).scalar_subquery()
                                         for table in tables))).one()
    return dict(zip((table.name for table in tables), counts))


# --- what a route reads: its WTForms classes and query parameters, found in its code -----------

def _app_function(obj) -> bool:
    return inspect.isfunction(obj) and (obj.__module__ or "").startswith("app.")


def _referenced(func, depth: int = 3, seen=None) -> tuple[set, set]:
    """Form classes and source texts reachable from a view: its globals, and the app functions it
    calls (helpers like `_own_action`, `_programme_form`), `depth` levels down."""
    seen = seen if seen is not None else set()
    func = inspect.unwrap(func)
    if func in seen:
        return set(), set()
    seen.add(func)
    forms, sources = set(), set()
    try:
        sources.add(inspect.getsource(func))
    except (OSError, TypeError):
        pass
    for name in func.__code__.co_names:
        value = func.__globals__.get(name)
        if inspect.isclass(value) and issubclass(value, Form):
            forms.add(value)
        elif isinstance(value, dict):
            forms |= {v for v in value.values() if inspect.isclass(v) and issubclass(v, Form)}
        elif _app_function(value) and depth > 0:
            sub_forms, sub_sources = _referenced(value, depth - 1, seen)
            forms |= sub_forms
            sources |= sub_sources
    return forms, sources


def view_of(app, route: Route):
    view = app.view_functions[route.endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # MethodView: the method's handler
        return getattr(view_class, route.method.lower())
    return view


def forms_of(app, route: Route) -> list[type]:
    if route.access is not None and route.access.form:
        module, _sep, name = route.access.form.partition(":")
        return [getattr(__import__(module, fromlist=[name]), name)]
    forms, _sources = _referenced(view_of(app, route))
    return sorted(forms, key=lambda f: f.__qualname__)


QUERY_ARG = re.compile(r"""(?:request\.args|args)(?:\.get|\.getlist)?\(?\[?["']([a-z_]+)["']""")
COMMON_QUERY = ("page", "q", "kind", "region", "programme", "from", "to", "status", "role", "organisation",
                "lang", "next")


def query_params_of(app, route: Route) -> list[str]:
    """The query parameters a GET route reads: named in its code (and its helpers'), the fields of
    its filter forms, and the listing filters every page shares."""
    forms, sources = _referenced(view_of(app, route))
    names = set(COMMON_QUERY)
    for source in sources:
        names |= set(QUERY_ARG.findall(source))
    for form in forms:
        names |= set(form_field_names(form))
    names.discard("csrf_token")
    return sorted(names)


def form_field_names(form_class) -> list[str]:
    """Every input name the form reads, nested ones (FieldList/FormField) included."""
    with current_app.test_request_context():
        form = form_class(meta={"csrf": False})
        names = []

        def walk(fields):
            for field in fields:
                entries = getattr(field, "entries", None)
                if entries is not None:  # FieldList
                    for entry in entries or []:
                        walk([entry])
                    names.append(f"{field.name}-0")
                elif hasattr(field, "form") and hasattr(field.form, "_fields"):  # FormField
                    walk(field.form)
                else:
                    names.append(field.name)

        walk(form)
    return sorted(set(names))

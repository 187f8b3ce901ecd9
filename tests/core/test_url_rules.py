"""Rules that compile their URL builders on first use build exactly the URLs werkzeug's own rules build."""
from werkzeug.routing import Map, Rule

from app.url_rules import LazilyBuiltRule

RULES = [("/events/<int:event_id>", "event", None), ("/feeds/<token>.ics", "feed", None),
         ("/events/", "events", {"page": 1}), ("/static/<path:filename>", "static", None)]
BUILDS = [("event", {"event_id": 7}), ("event", {"event_id": 7, "lang": "bg", "q": "a b"}), ("event", {"event_id": 7, "rule": "x", "self": "y"}),
          ("feed", {"token": "x/y ё"}), ("events", {}), ("events", {"page": 1, "q": "x"}),
          ("static", {"filename": "css/a b.css"})]


def _adapter(rule_class):
    rules = Map([rule_class(path, endpoint=endpoint, defaults=defaults) for path, endpoint, defaults in RULES])
    return rules.bind("praktika.test", "/")


def test_lazily_built_rules_build_the_same_urls_as_werkzeugs():
    eager, lazy = _adapter(Rule), _adapter(LazilyBuiltRule)
    for endpoint, values in BUILDS:
        assert lazy.build(endpoint, values) == eager.build(endpoint, values)
        assert lazy.build(endpoint, values, force_external=True) == eager.build(endpoint, values, force_external=True)


def test_the_app_uses_them(app):
    assert all(isinstance(rule, LazilyBuiltRule) for rule in app.url_map.iter_rules() if rule.endpoint != "static")

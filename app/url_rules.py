"""URL rules whose builders are compiled on first use.

Werkzeug compiles two URL builders per rule (generated Python code, `compile()`d) when the rule is
added. Praktika has ~190 rules and most processes build URLs for a handful of them, so compiling all
of them made up about two thirds of `create_app()` (each gunicorn worker, CLI command and test pays
it). A rule here compiles its builder the first time a URL is built with it; the result is the same
function werkzeug would have made, so matching and building behave exactly as before.
"""
from werkzeug.routing import Rule


class LazilyBuiltRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        compiled = None

        def build(rule, /, *args, **kwargs):  # positional-only: a URL may have a `rule` parameter
            nonlocal compiled
            if compiled is None:  # two threads racing both compile the same function: harmless
                compiled = Rule._compile_builder(rule, append_unknown)
            return compiled(rule, *args, **kwargs)

        return build

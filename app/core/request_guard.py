"""Hostile input refused at the request boundary, before any route, form or service sees it (DESIGN §5):
a NUL character anywhere in the path, the query or a form (PostgreSQL cannot store one and refuses
the whole statement), and JSON nested deeper than MAX_JSON_DEPTH (the parser's recursion would
blow up long before a service could answer). Both are a 400 with a message, JSON under /api/.
"""
import re

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.errors import wants_json

MAX_JSON_DEPTH = 32  # the deepest real body (an event with trip and sessions) is 3 levels

NUL_REFUSED = _l("The request contains a NUL character, which no text here may hold. Remove it and send again.")
TOO_DEEP = lazy_ngettext("The JSON body is nested deeper than %(n)d level.",
                         "The JSON body is nested deeper than %(n)d levels.", MAX_JSON_DEPTH, n=MAX_JSON_DEPTH)

# A JSON string (skipped whole, brackets inside it do not count) or one bracket.
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def json_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep `body` nests arrays and objects, counted without parsing; stops once past `limit`."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs.items(multi=True))


def carries_nul() -> bool:
    if "\x00" in request.path or _has_nul(request.args):
        return True
    return request.mimetype in _FORM_TYPES and _has_nul(request.form)


def _refuse(message):
    if wants_json():
        return jsonify({"error": str(message), "fields": {}}), 400
    return render_template("errors/error.html", status=400, message=message), 400


def refuse_hostile_input():
    if carries_nul():
        return _refuse(NUL_REFUSED)
    if request.is_json and json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
        return _refuse(TOO_DEEP)
    return None


def init_app(app: Flask) -> None:
    # First of all before_request hooks: nothing (login, API token, CSRF) reads the request before it.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_hostile_input)

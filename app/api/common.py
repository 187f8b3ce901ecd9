"""What every API blueprint shares: token users, permission checks, the one error shape.

Errors are always `{"error": "…", "fields": {"name": ["message"]}}` (DESIGN §5) with
400/401/403/404/409/422, whether they come from webargs (request parsing), `abort`, or a
service's DomainError (handled app-wide in app/errors.py, which uses the same shape).

A blueprint opts in with `init_blueprint(bp)`: CSRF exemption (token auth, no cookies
trusted for writes) and the error handler.
"""
import functools

from flask import g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from app import permissions
from app.extensions import csrf

MESSAGES = {
    400: _l("The request could not be read."),
    401: _l("Send a valid API token in the header: Authorization: Bearer <token>."),
    403: _l("You are not allowed to do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with the current state."),
    422: _l("Some fields are not valid."),
}

BEARER = [{"bearerAuth": []}]


class ErrorSchema(Schema):
    """The error body of every API response with a 4xx status."""

    error = fields.String(required=True, metadata={"description": "What went wrong, in the user's language."})
    fields = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True,
        metadata={"description": "Messages per field name (dotted for nested fields, e.g. trip.seats)."},
    )


class ApiError(HTTPException):
    """An HTTP error with field messages, raised by API helpers and rendered by handle_http_error."""

    def __init__(self, code: int, fields_: dict | None = None, message=None):
        super().__init__(description=str(message or MESSAGES.get(code, "")))
        self.code = code
        self.fields = fields_ or {}


def token_user(required: bool):
    """The bearer token's user; a bad token is always 401, a missing one only when `required`.

    Session cookies never authenticate API calls: writes are CSRF-exempt, so only a token counts.
    """
    if g.get("api_token_invalid"):
        raise ApiError(401)
    user = g.get("api_user")
    if user is None:
        if required:
            raise ApiError(401)
        return AnonymousUserMixin()
    return user


def can(action: str, obj, user) -> bool:
    return permissions.can(action, obj, user=user)


def require_visible_then_allowed(view_action: str, action: str, obj, user):
    """404 when the user may not even see `obj`; 403 when they see it but may not do `action`."""
    if obj is None or not can(view_action, obj, user):
        raise ApiError(404)
    if not can(action, obj, user):
        raise ApiError(403)
    return obj


def require_allowed(action: str, user, obj=None):
    if not can(action, obj, user):
        raise ApiError(403)


def allowed_before_body(action: str):
    """Decorate a write (above its `@bp.arguments`): the role check comes before the body is
    parsed, so a caller who may not act gets 403, never 422 with a lesson in the body's shape."""

    def decorator(func):
        @functools.wraps(func)
        def check_first(*args, **kwargs):
            require_allowed(action, token_user(required=True))
            return func(*args, **kwargs)

        return check_first

    return decorator


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow/webargs nested messages → {"trip.seats": [...], "sessions.0.start": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "body" if key == "_schema" else str(key)
            for sub, msgs in flatten_messages(value, f"{prefix}.{name}" if prefix else name).items():
                flat.setdefault(sub, []).extend(msgs)
    elif isinstance(messages, list | tuple):
        strings = [str(m) for m in messages if not isinstance(m, dict | list | tuple)]
        if strings:
            flat.setdefault(prefix or "body", []).extend(strings)
        for item in messages:
            if isinstance(item, dict | list | tuple):
                for sub, msgs in flatten_messages(item, prefix).items():
                    flat.setdefault(sub, []).extend(msgs)
    else:
        flat.setdefault(prefix or "body", []).append(str(messages))
    return flat


def handle_http_error(error: HTTPException):
    """Render any HTTP error raised inside an API blueprint in the one error shape."""
    code = error.code or 500
    fields_: dict = {}
    if isinstance(error, ApiError):
        fields_ = error.fields
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        # webargs: {"json": {...}} / {"query": {...}}; the location adds nothing for the client.
        messages = data["messages"]
        if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "headers", "files", "view_args"}:
            merged: dict = {}
            for location_messages in messages.values():
                for name, msgs in flatten_messages(location_messages).items():
                    merged.setdefault(name, []).extend(msgs)
            fields_ = merged
        else:
            fields_ = flatten_messages(messages)
    message = MESSAGES.get(code) if not isinstance(error, ApiError) else error.description
    response = jsonify({"error": str(message or error.description or error.name), "fields": fields_})
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="praktika"'
    if code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def _writes_need_a_token() -> None:
    """Authentication comes before the body is read: a write without a valid token is a 401,
    whatever it sends."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        token_user(required=True)


def init_blueprint(bp) -> None:
    csrf.exempt(bp)
    bp.before_request(_writes_need_a_token)
    bp.register_error_handler(HTTPException, handle_http_error)


def error_responses(bp, *codes: int):
    """Document the error responses an endpoint may give (schemathesis checks them)."""
    descriptions = {
        400: "The body is not JSON.",
        401: "Missing or invalid bearer token.",
        403: "The token's user may not do this.",
        404: "No such object visible to the caller.",
        409: "Conflicts with the current state.",
        422: "Validation failed; messages per field.",
    }

    def decorator(func):
        for code in codes:
            func = bp.alt_response(code, schema=ErrorSchema, description=descriptions[code])(func)
        return func

    return decorator

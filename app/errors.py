"""Domain errors and how they reach people: a message beside the field, a flash, or 4xx JSON."""
import logging

from flask import current_app, flash, jsonify, redirect, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule said no. Carries a translatable message, an HTTP status and optional field errors."""

    status = 400
    code = "invalid"
    default_message = _l("The request could not be processed.")

    def __init__(self, message=None, *, field: str | None = None, fields: dict | None = None,
                 code: str | None = None, status: int | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, []).append(self.message)
        if code:
            self.code = code
        if status:
            self.status = status
        super().__init__(str(self.message))

    def to_json(self) -> dict:
        return {
            "error": str(self.message),
            "fields": {name: [str(m) for m in msgs] for name, msgs in self.fields.items()},
        }


class ValidationFailed(DomainError):
    status = 422
    code = "validation"
    default_message = _l("Some fields are not valid.")


class FieldErrors:
    """Collects field messages so one submission reports every problem at once."""

    def __init__(self):
        self.fields: dict[str, list] = {}

    def add(self, name: str, message) -> None:
        self.fields.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def choice(self, name: str, enum_cls, value, message):
        """`value` as a member of `enum_cls`, or None with `message` beside the field `name`."""
        try:
            return enum_cls(value)
        except ValueError:
            self.add(name, message)
            return None

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(fields=self.fields)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("This conflicts with the current state.")


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def apply_to_form(form, error: DomainError) -> None:
    """Put a domain error beside the matching fields of a WTForms form (or on the form)."""
    placed = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [str(m) for m in messages]
            placed = True
    if not placed:
        form.form_errors.append(str(error.message))


def _back_url() -> str:
    referrer = request.referrer
    if referrer and referrer.startswith(request.host_url):
        return referrer
    return "/"


def register_error_handlers(app) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if wants_json():
            return jsonify(error.to_json()), error.status
        if error.status == 404:
            return render_template("errors/error.html", status=404), 404
        if error.status == 403:
            return render_template("errors/error.html", status=403), 403
        flash(str(error.message), "danger")
        return redirect(_back_url())

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if wants_json():
            body = {"error": error.description or error.name, "fields": {}}
            response = jsonify(body)
            response.status_code = error.code or 500
            if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        if error.code == 413:  # cut off before any form saw it: say so on the page the upload came from
            limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
            flash(_("The upload is too large: at most %(size)s MB can be sent at once. Nothing was saved.",
                    size=format_decimal(round(limit / (1024 * 1024), 1))), "danger")
            return redirect(_back_url())
        return render_template("errors/error.html", status=error.code), error.code

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return jsonify({"error": "Internal server error", "fields": {}}), 500
        return render_template("errors/error.html", status=500), 500

"""Cross-cutting pages: health check and the language switch."""
from flask import Blueprint, current_app, jsonify, redirect, request, session
from flask_login import current_user
from sqlalchemy import text

from app.core.signals import locale_chosen
from app.extensions import db
from app.security import safe_next

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    try:
        with db.engine.connect() as connection:  # its own connection: the request's session stays untouched
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy", reported, not raised
        current_app.logger.warning("health check failed: %s", exc)
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.post("/language")
def switch_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            locale_chosen.send(current_user._get_current_object(), locale=locale)
    return redirect(safe_next(request.form.get("next") or request.referrer, "/"))

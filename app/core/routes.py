"""Cross-cutting pages: health check, the language switch, and what makes Praktika an installable app
that works offline (the service worker at /sw.js, the web app manifest, the offline page)."""
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
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


# --- the installable app ------------------------------------------------------------------------

# Kept on the device when the service worker installs: what every page needs, and the scripts of the
# pages that work offline (served from the app: no CDN, no network at run time).
PRECACHED_STATIC = (
    "css/praktika.css", "css/quotas.css", "favicon.svg", "icons/praktika.svg", "icons/praktika-192.png",
    "icons/praktika-512.png", "vendor/idb-keyval/idb-keyval.js", "vendor/jsqr/jsQR.js", "js/offline-queue.js",
    "js/offline-status.js", "js/checkin.js", "js/checkin-offline.js", "js/consultation-offline.js",
    "js/results-offline.js", "js/keep-scroll.js",
)
PRECACHED_BOOTSTRAP = ("css/bootstrap.min.css", "umd/popper.min.js", "js/bootstrap.min.js")


def _revision(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "missing"


def _precache_manifest() -> list[dict]:
    static = Path(current_app.static_folder)
    entries = [{"url": url_for("static", filename=name), "revision": _revision(static / name)}
               for name in PRECACHED_STATIC]
    bootstrap_static = Path(current_app.blueprints["bootstrap"].static_folder)
    entries += [{"url": url_for("bootstrap.static", filename=name), "revision": _revision(bootstrap_static / name)}
                for name in PRECACHED_BOOTSTRAP]
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()[:16]
    entries.append({"url": url_for("core.offline"), "revision": digest})
    return entries


@bp.get("/sw.js")
def service_worker():
    """The service worker (Workbox, vendored under /static/vendor/workbox/), for the whole site's scope."""
    body = render_template("core/sw.js", precache=_precache_manifest())
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: installing Praktika on a phone's home screen."""
    body = {
        "name": "Praktika", "short_name": "Praktika", "start_url": "/me", "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1f5f8b", "lang": str(get_locale()),
        "description": _("Training and outreach for patient organisations and health volunteers, also offline."),
        "icons": [
            {"src": url_for("static", filename="icons/praktika.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": url_for("static", filename="icons/praktika-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="icons/praktika-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any maskable"},
        ],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@bp.get("/offline")
def offline():
    """What the service worker shows for a page that is not kept on the device: what works offline."""
    return render_template("core/offline.html")

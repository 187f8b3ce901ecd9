"""Feed URLs (DESIGN §5): /events/<id>/event.ics, /calendar.ics, /calendar/<token>.ics, token reset."""
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import permissions
from app.accounts.signals import me_page_wanted
from app.calendar import services
from app.core.sections import Section
from app.errors import ValidationFailed
from app.events.models import Event
from app.extensions import db

bp = Blueprint("calendar", __name__)

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
FILTER_ARGS = ("kind", "region", "programme", "q", "from", "to", "language")


def _not_modified(feed: services.Feed) -> bool:
    """If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(feed.etag)
    since = request.if_modified_since
    return since is not None and feed.last_modified.replace(microsecond=0) <= since


def _respond(feed: services.Feed, *, private: bool = False) -> Response:
    if _not_modified(feed):
        response = Response(status=304)
    else:
        response = Response(feed.body(), content_type=ICS_CONTENT_TYPE)
        if feed.filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{feed.filename}"'
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified
    response.headers["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    if not private:
        response.vary.add("Accept-Language")
    return response


def _invalid(error: ValidationFailed) -> Response:
    lines = [str(error.message)] + [f"{name}: {' '.join(str(m) for m in messages)}"
                                    for name, messages in error.fields.items()]
    return Response("\n".join(lines) + "\n", status=400, mimetype="text/plain")


@bp.get("/events/<int:event_id>/event.ics")
def event_ics(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None or not permissions.can("event.view", event):
        abort(404)
    return _respond(services.event_feed(event, request.args.get("locale")),
                    private=not permissions.can("event.view", event, user=_anonymous()))


@bp.get("/calendar.ics")
def public_feed():
    try:
        feed = services.public_feed(request.args, request.args.get("locale"))
    except ValidationFailed as error:
        return _invalid(error)
    return _respond(feed)


@bp.get("/calendar/<token>.ics")
def personal_feed(token: str):
    return _respond(services.personal_feed(token), private=True)


@bp.post("/account/calendar-token/reset")
@login_required
def reset_token():
    services.reset_token(current_user)
    flash(_("Your calendar has a new address. The old one no longer works: subscribe again with the new one."),
          "success")
    return redirect(url_for("accounts.me"))


def _anonymous():
    return current_app.login_manager.anonymous_user()


# --- data for the templates other areas include ------------------------------------------------

@bp.app_template_global()
def calendar_event_links(event) -> dict:
    """For templates/calendar/_event_links.html: the .ics download and its webcal:// subscription."""
    path = url_for("calendar.event_ics", event_id=event.id)
    return {"download": path, "subscribe": services.webcal(current_app.config["BASE_URL"] + path)}


@bp.app_template_global()
def calendar_listing_links(args) -> dict:
    """For templates/calendar/_listing_link.html: the public feed with the listing's current filters."""
    params = {name: args.get(name) for name in FILTER_ARGS if args.get(name)}
    params["locale"] = str(get_locale())
    https = current_app.config["BASE_URL"] + url_for("calendar.public_feed", **params)
    return {"https": https, "webcal": services.webcal(https)}


@me_page_wanted.connect
def _my_calendar(user) -> Section:
    """/me's part: the personal feed addresses and the reset action (templates/calendar/_me.html)."""
    feed = {**services.subscription_urls(user), "reset": url_for("calendar.reset_token")}
    return Section("calendar/_me.html", {"calendar_feed": feed}, order=40)

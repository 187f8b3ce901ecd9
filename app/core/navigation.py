"""Header navigation by role. Entries whose endpoint is not registered are skipped."""
from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import permissions


@dataclass(frozen=True)
class NavEntry:
    """A header link; `permission` is None (everyone), "signed_in", or an action in app.permissions."""

    endpoint: str
    label: object
    permission: str | None = None


ENTRIES = (
    NavEntry("events.index", _l("Events")),
    NavEntry("quotas.mine", _l("My consultations"), "signed_in"),
    NavEntry("reports.dashboard_page", _l("Dashboard"), "manage.area"),
    NavEntry("programmes.manage_list", _l("Programmes"), "manage.area"),
    NavEntry("events.manage_list", _l("Manage events"), "manage.area"),
    NavEntry("messaging.preferences", _l("Notifications"), "manage.area"),
    NavEntry("quotas.curator", _l("My trainees"), "curator.area"),
    NavEntry("accounts.manage_users", _l("Users"), "users.manage"),
    NavEntry("outbox.manage", _l("Outgoing mail"), "outbox.manage"),
)


# endpoint → a function of the signed-in user giving a count shown beside that entry (0: no badge).
# Areas register theirs (register_badge), so the core never imports them.
BADGES: dict = {}


def register_badge(endpoint: str, count) -> None:
    BADGES[endpoint] = count


# endpoint → a function of the signed-in user: whether the entry concerns them at all ("My consultations"
# only for people with a quota). Areas register theirs (register_shown_to).
SHOWN_TO: dict = {}


def register_shown_to(endpoint: str, predicate) -> None:
    SHOWN_TO[endpoint] = predicate


def navigation() -> list[dict]:
    items = []
    endpoints = current_app.view_functions
    for entry in ENTRIES:
        if entry.endpoint not in endpoints:
            continue
        if entry.permission == "signed_in":
            if not current_user.is_authenticated:
                continue
        elif entry.permission and not permissions.can(entry.permission):
            continue
        if entry.endpoint in SHOWN_TO and not SHOWN_TO[entry.endpoint](current_user):
            continue
        url = url_for(entry.endpoint)
        badge = BADGES[entry.endpoint](current_user) if entry.endpoint in BADGES else 0
        items.append({"url": url, "label": entry.label, "active": request.path == url, "badge": badge})
    return items


def init_app(app) -> None:
    app.jinja_env.globals.update(navigation=navigation, can=permissions.can)

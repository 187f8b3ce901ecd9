"""The personal feed's sources: a small registry other areas add their dated items to.

A source is a name, an `items(user)` function yielding CalendarItems, and a cheap
`version(user)` returning (anything hashable that changes when the items change, the time of
the latest change or None). The feed asks every source's version first, so a conditional
request is answered with 304 without making a single item. A quota area, say, adds its
deadlines with:

    register_personal_source("quotas", items=quota_deadline_items, version=quota_version)
"""
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from app import clock
from app.calendar.items import CalendarItem, format_deadline, session_item
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus

FEED_WINDOW = timedelta(weeks=4)


@dataclass(frozen=True)
class PersonalSource:
    name: str
    items: Callable[..., Iterable[CalendarItem]]
    version: Callable[..., tuple[Hashable, datetime | None]]


_sources: dict[str, PersonalSource] = {}


def register_personal_source(name: str, *, items, version) -> None:
    """Add (or replace, when a module is reloaded) the source called `name`."""
    _sources[name] = PersonalSource(name, items, version)


def unregister_personal_source(name: str) -> None:
    _sources.pop(name, None)


def personal_sources() -> list[PersonalSource]:
    return [_sources[name] for name in sorted(_sources)]


# --- registrations: the sessions of the events a user is registered for ----------------------

def _registration_items(user) -> Iterable[CalendarItem]:
    base_url = current_app.config["BASE_URL"]
    cutoff = clock.now() - FEED_WINDOW
    for registration in registrations.live_registrations_for_user(user, ended_after=cutoff):
        event = registration.event
        confirmed = registration.status == RegistrationStatus.CONFIRMED
        prefix = None
        extra_lines = []
        if registration.status == RegistrationStatus.OFFERED and registration.offer_expires_at:
            deadline = format_deadline(registration.offer_expires_at, event.timezone)
            prefix = _("Seat offered, accept by %(deadline)s", deadline=deadline)
            extra_lines.append(_("A seat is held for you until %(deadline)s. Accept it on the event page.",
                                 deadline=deadline))
        elif not confirmed:
            prefix = str(registration.status.label)
        last_modified = max(event.updated_at, registration.updated_at)
        total = len(event.sessions)
        for index, session in enumerate(event.sessions, start=1):
            yield session_item(
                event, session, index, total, base_url=base_url,
                summary_prefix=prefix, extra_lines=extra_lines,
                join_url=registrations.join_link_for(registration),
                last_modified=last_modified,
                status="CONFIRMED" if confirmed else "TENTATIVE",
                alarm_text=_("Tomorrow: %(title)s", title=event.local_title)
                if registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED) else None,
            )


def _registration_version(user) -> tuple[Hashable, datetime | None]:
    cutoff = clock.now() - FEED_WINDOW
    state = registrations.registration_changes_for_user(user, ended_after=cutoff)
    moments = [moment for moment in (state.last_registration_change, state.last_event_change) if moment]
    if state.last_dropped_end is not None:
        moments.append(state.last_dropped_end + FEED_WINDOW)
    return tuple(state), max(moments) if moments else None


register_personal_source("registrations", items=_registration_items, version=_registration_version)

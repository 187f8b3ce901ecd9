"""What the events area announces (blinker signals, as Flask and Indico do).

Receivers run inside the sender's unit of work, so a change and its consequences in other areas
commit together or not at all; the events area never imports the areas that listen.
"""
from blinker import Namespace

_signals = Namespace()

event_changed = _signals.signal("event-changed")
"""Sent with the changed event and keywords `changed` (field names), `moved` (time or place moved:
registrants must be told), `cancelled` (the event was just cancelled) and `actor_id`."""

# Questions the events area asks of the areas that know the answer (Indico's values_from_signal):
# each receiver returns its answer; events never imports them.
free_seats_wanted = _signals.signal("free-seats-wanted")
"""Sent with a list of events; a receiver returns {event_id: free seats, None for unlimited}."""

role_places_wanted = _signals.signal("role-places-wanted")
"""Sent with one trip; a receiver returns {TeamRole: places left}."""

members_present_wanted = _signals.signal("members-present-wanted")
"""Sent with one event; a receiver returns {session id: members checked in at that session}."""
registration_counts_wanted = _signals.signal("registration-counts-wanted")
"""Sent with event ids (a list or a SELECT of ids); a receiver returns {event_id: {status value: count}},
counted in one query: the organiser's list, the capacity check and "how many will be mailed" read it."""

listing_version_wanted = _signals.signal("listing-version-wanted")

event_page_wanted = _signals.signal("event-page-wanted")
"""Sent with the event by its page; a receiver returns its area's part of the page, an
app.core.sections.Section (or None)."""
"""Sent with no sender; a receiver returns a value that changes whenever what it adds to the listing changes."""


def answers(signal, sender=None, **kwargs) -> list:
    """The non-None return values of every receiver of `signal`."""
    return [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]

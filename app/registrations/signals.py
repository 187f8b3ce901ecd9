"""What the registrations area announces (blinker signals, like app/events/signals.py).

Receivers run inside the sender's unit of work, so a change and its consequences in other areas
commit together; the registrations area never imports the areas that listen.
"""
from blinker import Namespace

_signals = Namespace()

participation_changed = _signals.signal("participation-changed")
"""Sent with the Registration whenever it becomes confirmed or one of its check-ins is ticked or
undone (the quotas area gives eligible participants their consultation quota)."""

event_calendar_wanted = _signals.signal("event-calendar-wanted")
"""Sent with an event and keyword `join_url` (the webinar link, or None) while a registration mail is
built, in the reader's language; a receiver returns the event as iCalendar bytes (the calendar area)."""

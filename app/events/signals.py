"""What the events area announces (blinker signals, as Flask and Indico do).

Receivers run inside the sender's unit of work, so a change and its consequences in other areas
commit together or not at all; the events area never imports the areas that listen.
"""
from blinker import Namespace

_signals = Namespace()

event_changed = _signals.signal("event-changed")
"""Sent with the changed event and keywords `changed` (field names), `moved` (time or place moved:
registrants must be told), `cancelled` (the event was just cancelled) and `actor_id`."""

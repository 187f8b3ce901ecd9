"""What the accounts area announces (blinker signals, like app/events/signals.py); it never imports
the areas above it that answer."""
from blinker import Namespace

_signals = Namespace()

me_page_wanted = _signals.signal("me-page-wanted")
"""Sent with the signed-in user by /me; a receiver returns its area's part of the page, an
app.core.sections.Section (or None when it has nothing to show)."""

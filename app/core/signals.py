"""What the core announces (blinker signals, like app/events/signals.py): the core sits below every
area, so a consequence it causes in an area above is that area's own receiver."""
from blinker import Namespace

_signals = Namespace()

locale_chosen = _signals.signal("locale-chosen")
"""Sent with the signed-in user and `locale=` when they switch the language (the accounts area saves it)."""

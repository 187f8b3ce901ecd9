"""Messaging: the organiser writes to an event's participants; organisers are told what needs them."""

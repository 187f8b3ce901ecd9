"""Consultation quotas: plans, the consultation log, curator review, mentoring, pace, catch-up, reminders."""

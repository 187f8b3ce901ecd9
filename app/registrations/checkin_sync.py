"""Ticks made on a phone without a connection, sent when it is back: each exactly once (its key)."""
from dataclasses import dataclass

from app.accounts.models import User
from app.core.offline import device_time, valid_key
from app.errors import DomainError, NotFound, ValidationFailed
from app.events.models import Session
from app.registrations.attendance import keyed_check_in, record_check_in
from app.registrations.models import CheckIn, Registration
from app.registrations.queries import in_event, registration_for_ticket
from app.registrations.states import MESSAGES, RegistrationConflict


@dataclass(frozen=True)
class SyncedCheckIn:
    """What became of one tick made offline: `done` (checked in now, or this key was sent before),
    `merged` (someone else had checked the person in: one check-in), `flagged` (the registration is
    no longer confirmed: nobody is checked in, the organiser decides) or `refused` (with the reason)."""

    client_key: str
    state: str
    entry: CheckIn | None = None
    registration: Registration | None = None
    message: str = ""


def sync_check_ins(event, session: Session, actor: User, entries: list) -> list[SyncedCheckIn]:
    """Apply ticks made on a phone without a connection, each exactly once (its key), each on its own.

    The same person ticked on two phones is one check-in (the first to arrive stands); a person who is
    not confirmed any more is never checked in silently: the entry comes back flagged."""
    if session.event_id != event.id:
        raise NotFound(MESSAGES["wrong_session"])
    outcomes = []
    for raw in entries if isinstance(entries, list) else []:
        raw = raw if isinstance(raw, dict) else {}
        key = valid_key(raw.get("client_key"))
        if key is None:
            outcomes.append(SyncedCheckIn(str(raw.get("client_key") or ""), "refused", message=str(MESSAGES["bad_key"])))
            continue
        outcomes.append(_sync_one(event, session, actor, key, raw))
    return outcomes


def _sync_one(event, session: Session, actor: User, key: str, raw: dict) -> SyncedCheckIn:
    registration = None
    sent_before = keyed_check_in(session.id, key)
    if sent_before is not None:
        return SyncedCheckIn(key, "done", sent_before, sent_before.registration)
    try:
        registration = _registration_named(event, raw)
        outcome = record_check_in(registration, session, actor, at=device_time(raw.get("at")), client_key=key,
                                  offline=True)
    except RegistrationConflict as error:
        if error.code == "not_confirmed":
            return SyncedCheckIn(key, "flagged", registration=registration, message=str(
                MESSAGES["not_confirmed_now"] % {"status": registration.status.label}))
        return SyncedCheckIn(key, "refused", message=str(error.message))
    except DomainError as error:
        return SyncedCheckIn(key, "refused", message=str(error.message))
    if outcome.created or outcome.entry.client_key == key:
        return SyncedCheckIn(key, "done", outcome.entry, registration)
    return SyncedCheckIn(key, "merged", outcome.entry, registration)


def _registration_named(event, raw: dict) -> Registration:
    if raw.get("token"):
        return registration_for_ticket(event, str(raw["token"]))
    registration_id = raw.get("registration_id")
    if not isinstance(registration_id, int) or isinstance(registration_id, bool) or registration_id < 1:
        raise ValidationFailed(MESSAGES["bad_ticket"], field="token")
    return in_event(Registration, event, registration_id)

"""Seats: counting (confirmed + offered), approval rules, the event lock, settling offers and the FIFO waitlist."""
from datetime import datetime, timedelta
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_ngettext, ngettext
from sqlalchemy import and_, bindparam, func, or_, select

from app import clock
from app.accounts.regions import region_name
from app.core import bounds
from app.database import lock_row
from app.errors import NotFound, ValidationFailed
from app.events.models import (
    Event,
    EventKind,
    EventStatus,
    TeamRole,
    TripTeamRole,
)
from app.events.signals import free_seats_wanted, registration_counts_wanted, role_places_wanted
from app.extensions import db
from app.registrations.models import (
    RULE_COUNTED,
    Registration,
)
from app.registrations.states import MESSAGES, RegistrationConflict, S, announce, move, tell_organisers

# --- counting ------------------------------------------------------------------------

def seats_taken(event_ids: list[int]) -> dict[int, int]:
    """Seats taken (confirmed + offered) per event, in one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, func.count(Registration.id))
        .where(Registration.event_id.in_(event_ids), Registration.takes_seat)
        .group_by(Registration.event_id)
    ).all()
    return {event_id: count for event_id, count in rows}


@free_seats_wanted.connect
def free_seats(events: list[Event]) -> dict[int, int | None]:
    """Seats still free per event (None = no capacity limit), counted in one query.

    The one name for free seats; the events area asks for it through `free_seats_wanted`.
    """
    taken = seats_taken([e.id for e in events if e.capacity is not None])
    return {e.id: None if e.capacity is None else max(e.capacity - taken.get(e.id, 0), 0) for e in events}


@registration_counts_wanted.connect
def registration_counts(event_ids) -> dict[int, dict[str, int]]:
    """{event id: {status value: count}} for a list or a SELECT of event ids, in one query."""
    if isinstance(event_ids, list | tuple) and not event_ids:
        return {}
    counts: dict[int, dict[str, int]] = {}
    for event_id, status, count in db.session.execute(
        select(Registration.event_id, Registration.status, func.count(Registration.id))
        .where(Registration.event_id.in_(event_ids)).group_by(Registration.event_id, Registration.status)
    ).all():
        counts.setdefault(event_id, {})[status.value] = count
    return counts


@role_places_wanted.connect
def role_places(event: Event) -> dict[TeamRole, int]:
    """Places left per team role of a trip: needed minus confirmed and offered with that role."""
    taken = dict(db.session.execute(
        select(Registration.team_role, func.count(Registration.id))
        .where(Registration.event_id == event.id, Registration.takes_seat, Registration.team_role.is_not(None))
        .group_by(Registration.team_role)
    ).all())
    roles = db.session.execute(select(TripTeamRole).where(TripTeamRole.event_id == event.id)).scalars()
    return {r.role: max(r.needed - taken.get(r.role, 0), 0) for r in roles}


def rule_counts(event: Event) -> tuple[dict[str, int], dict[int, int]]:
    """Registrations counted by the approval rules, per region and per organisation."""
    counted = (Registration.event_id == event.id, Registration.status.in_(RULE_COUNTED))
    by_region = dict(db.session.execute(
        select(Registration.region_code, func.count(Registration.id))
        .where(*counted, Registration.region_code.is_not(None)).group_by(Registration.region_code)
    ).all())
    by_organisation = dict(db.session.execute(
        select(Registration.organisation_id, func.count(Registration.id))
        .where(*counted, Registration.organisation_id.is_not(None)).group_by(Registration.organisation_id)
    ).all())
    return by_region, by_organisation


def check_rules(event: Event, region_code: str | None, organisation_id: int | None, field_name: str | None) -> None:
    if event.max_per_region is None and event.max_per_organisation is None:
        return
    by_region, by_organisation = rule_counts(event)
    if event.max_per_region is not None and region_code:
        count = by_region.get(region_code, 0)
        if count >= event.max_per_region:
            raise RegistrationConflict(
                lazy_ngettext("The region %(region)s already has %(count)d of %(limit)d place at this event.",
                              "The region %(region)s already has %(count)d of %(limit)d places at this event.",
                              event.max_per_region, region=region_name(region_code), count=count, limit=event.max_per_region),
                field=field_name, code="region_full")
    if event.max_per_organisation is not None and organisation_id:
        count = by_organisation.get(organisation_id, 0)
        if count >= event.max_per_organisation:
            raise RegistrationConflict(
                lazy_ngettext("Your organisation already has %(count)d of %(limit)d place at this event.",
                              "Your organisation already has %(count)d of %(limit)d places at this event.",
                              event.max_per_organisation, count=count, limit=event.max_per_organisation),
                field=field_name, code="organisation_full")


# Built once: register() runs it under the event lock for everyone who joins the waitlist.
_AHEAD_IN_QUEUE = select(func.count(Registration.id)).where(
    Registration.event_id == bindparam("event_id"),
    Registration.status == S.WAITLISTED,
    or_(Registration.queued_at < bindparam("queued_at"),
        and_(Registration.queued_at == bindparam("queued_at"), Registration.id < bindparam("id"))),
)


def waitlist_position(registration: Registration) -> int | None:
    """1-based place in the FIFO queue, or None when not waitlisted."""
    if registration.status != S.WAITLISTED:
        return None
    ahead = db.session.execute(_AHEAD_IN_QUEUE, {"event_id": registration.event_id, "id": registration.id,
                                                 "queued_at": registration.queued_at}).scalar_one()
    return ahead + 1


def tell_if_full(event: Event, confirmed: int | None = None) -> None:
    """After a confirmation: when it took the last seat, the organisers hear that the event is full.
    `confirmed` is the count after the confirmation when the caller knows it (no query, under the lock)."""
    if event.capacity is None:
        return
    if confirmed is None:
        confirmed = db.session.execute(
            select(func.count(Registration.id)).where(Registration.event_id == event.id,
                                                      Registration.status == S.CONFIRMED)
        ).scalar_one()
    if confirmed == event.capacity:
        tell_organisers(event, "event_full")


# --- locking and settling -------------------------------------------------------------

def lock_event(event_id: int) -> Event:
    event = lock_row(Event, event_id)
    if event is None:
        raise NotFound()
    return event


def lock_registration(registration: Registration) -> tuple[Event, Registration]:
    """Lock the registration's event, then re-read the registration under that lock."""
    event = lock_event(registration.event_id)
    fresh = db.session.get(Registration, registration.id, populate_existing=True)
    if fresh is None:
        raise NotFound()
    return event, fresh


def offer_deadline(event: Event, now: datetime) -> datetime:
    # An event saved before offer_hours had its bound (a billion hours overflowed the date) is read at the bound.
    deadline = now + timedelta(hours=min(event.offer_hours, bounds.of("events.offer_hours").high))
    if event.starts_at is not None and now < event.starts_at < deadline:
        return event.starts_at
    return deadline


# Built once, run with its values: every registration runs it under the event lock, where building these five
# filtered counts afresh (and their cache key) cost three times what running them does.
_EVENT_COUNTS = select(
    func.count(Registration.id).filter(Registration.takes_seat),
    func.count(Registration.id).filter(Registration.status == S.OFFERED,
                                       Registration.offer_expires_at <= bindparam("now")),
    func.count(Registration.id).filter(Registration.status == S.WAITLISTED),
    func.max(Registration.id).filter(Registration.user_id == bindparam("user_id")),
    func.count(Registration.id).filter(Registration.status == S.CONFIRMED),
).where(Registration.event_id == bindparam("event_id"))


def event_counts(event_id: int, now: datetime, user_id: int | None = None) -> tuple[int, int, int, int | None, int]:
    """(seats taken, offers past their deadline, people waiting, id of `user_id`'s registration, people
    confirmed) of one event, in one query: the locked part of a registration stays short."""
    row = db.session.execute(_EVENT_COUNTS, {"event_id": event_id, "now": now, "user_id": user_id}).one()
    return row[0], row[1], row[2], row[3], row[4]


class Settled(NamedTuple):
    free: int | None  # seats still free (None: unlimited)
    own_id: int | None  # the asking user's registration, if any
    expired: int  # offers that ran out just now
    confirmed: int  # people confirmed before settling (which confirms only when capacity is unlimited: never full)
    waiting: int  # people still on the waitlist after settling (counted when capacity is limited)


def settle(event: Event, user_id: int | None = None) -> Settled:
    """Expire stale offers, then offer free seats to the waitlist in FIFO order.

    Runs under the event lock at the start of every registration transaction ("on touch") and from
    the periodic job, so a stopped worker never leaves a seat stuck. One aggregate query when there
    is nothing to do.
    """
    now = clock.now()
    taken, stale_count, waiting, own_id, confirmed = event_counts(event.id, now, user_id)
    stale = []
    if stale_count:
        stale = db.session.execute(
            select(Registration).where(Registration.event_id == event.id, Registration.status == S.OFFERED,
                                       Registration.offer_expires_at <= now)
            .order_by(Registration.offer_expires_at, Registration.id)
        ).scalars().all()
        for registration in stale:
            move(registration, S.EXPIRED, None, note="offer expired")
            announce("offer_expired", registration)
            tell_organisers(event, "offer_expired", registration=registration)
        db.session.flush()
        taken -= len(stale)
    free = None if event.capacity is None else max(event.capacity - taken, 0)
    if waiting and free != 0:
        left = promote(event, now, free)
        if free is not None:
            waiting -= free - left  # each seat offered took one person off the waitlist
        free = left
    return Settled(free, own_id, len(stale), confirmed, waiting)


_UNKNOWN = object()


def offers_open(event: Event, now: datetime) -> bool:
    """The waitlist moves only while the event is published and has not started: a seat freed on the
    day of a trip, or after it, is not offered to anyone."""
    return event.status == EventStatus.PUBLISHED and (event.starts_at is None or now < event.starts_at)


def promote(event: Event, now: datetime, free=_UNKNOWN) -> int | None:
    """Offer free seats to waitlisted people, oldest first (confirm at once when capacity is unlimited)."""
    if free is _UNKNOWN:
        free = free_seats([event])[event.id]
    if free == 0 or not offers_open(event, now):
        return free
    queue = select(Registration).where(Registration.event_id == event.id, Registration.status == S.WAITLISTED) \
        .order_by(Registration.queued_at, Registration.id)
    places = role_places(event) if event.kind == EventKind.OUTREACH_TRIP else {}
    if free is None or places:  # with team roles, the head of the queue may all want a full role
        candidates = db.session.execute(queue).scalars().all()
    else:
        candidates = db.session.execute(queue.limit(free)).scalars().all()
    if not candidates:
        return free
    for registration in candidates:
        if free is not None and free == 0:
            break
        if registration.team_role is not None and places.get(registration.team_role, 0) <= 0:
            continue
        if free is None:
            move(registration, S.CONFIRMED, None, note="capacity allows")
            announce("confirmed", registration)
        else:
            move(registration, S.OFFERED, None)
            registration.offered_at = now
            registration.offer_expires_at = offer_deadline(event, now)
            announce("offered", registration)
            free -= 1
        if registration.team_role is not None:
            places[registration.team_role] -= 1
    db.session.flush()
    return free


def check_open(event: Event, now: datetime) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationConflict(MESSAGES["not_open"], code="not_open")
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        raise RegistrationConflict(MESSAGES["not_yet"], code="not_yet")
    # A self-help group takes new members until its last meeting; other events close at their start.
    default_close = event.ends_at if event.kind == EventKind.SELF_HELP_GROUP else event.starts_at
    closes = event.registration_closes_at or default_close
    if closes is not None and now >= closes:
        raise RegistrationConflict(MESSAGES["closed"], code="closed")


def check_roles_left(event: Event) -> None:
    """A trip whose team roles are all filled takes nobody (a role is required to register)."""
    if event.kind == EventKind.OUTREACH_TRIP:
        places = role_places(event)
        if places and all(left <= 0 for left in places.values()):
            raise RegistrationConflict(MESSAGES["roles_full"], code="roles_full")


def registration_blocker(event: Event, region_code: str | None, organisation_id: int | None,
                         now: datetime | None = None) -> RegistrationConflict | None:
    """The rule that stops this person registering now (closed, all roles filled, their region or
    organisation full), or None. The one check: `register()` raises what it returns, and the event
    page shows its message instead of a button that would fail."""
    try:
        check_open(event, now or clock.now())
        check_roles_left(event)
        check_rules(event, region_code, organisation_id, None)
    except RegistrationConflict as error:
        return error
    return None


def rule_notes(event: Event, region_code: str | None, organisation_id: int | None) -> list[str]:
    """The event's registration rules in words, with this person's standing where it is known
    ("at most 1 participant per region — your region has 1 of 1"), to show before the click."""
    notes = []
    if event.requires_approval:
        notes.append(_("Approval needed: the organiser decides on each application."))
    if event.max_per_region is not None or event.max_per_organisation is not None:
        by_region, by_organisation = rule_counts(event)
        if event.max_per_region is not None:
            limit = event.max_per_region
            if region_code:
                notes.append(ngettext("At most %(num)d participant per region — your region has %(count)d of %(num)d.",
                                      "At most %(num)d participants per region — your region has %(count)d of "
                                      "%(num)d.", limit, count=by_region.get(region_code, 0)))
            else:
                notes.append(ngettext("At most %(num)d participant per region.",
                                      "At most %(num)d participants per region.", limit))
        if event.max_per_organisation is not None:
            limit = event.max_per_organisation
            if organisation_id:
                notes.append(ngettext("At most %(num)d participant per organisation — yours has %(count)d of "
                                      "%(num)d.", "At most %(num)d participants per organisation — yours has "
                                      "%(count)d of %(num)d.", limit, count=by_organisation.get(organisation_id, 0)))
            else:
                notes.append(ngettext("At most %(num)d participant per organisation.",
                                      "At most %(num)d participants per organisation.", limit))
    if event.kind == EventKind.OUTREACH_TRIP:
        places = role_places(event)
        if places:
            roles = ", ".join(_("%(role)s: %(left)d left", role=role.label, left=left) for role, left in places.items())
            notes.append(_("Places by role: %(roles)s.", roles=roles))
    return notes


def check_role(event: Event, team_role) -> TeamRole | None:
    """Trips with team roles need a role that still has places; other events take none."""
    if event.kind != EventKind.OUTREACH_TRIP:
        return None
    places = role_places(event)
    if not places:
        return None
    if not team_role:
        raise ValidationFailed(MESSAGES["role_required"], field="role")
    try:
        role = TeamRole(team_role)
    except ValueError:
        raise ValidationFailed(MESSAGES["role_unknown"], field="role") from None
    if role not in places:
        raise ValidationFailed(MESSAGES["role_unknown"], field="role")
    if places[role] <= 0:
        raise RegistrationConflict(MESSAGES["role_full"], field="role", code="role_full")
    return role



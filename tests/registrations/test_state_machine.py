"""The registration state machine, exhaustively: the table, and every service action in every state."""
import itertools

import pytest

from app.accounts.models import Role
from app.errors import Conflict
from app.extensions import db
from app.registrations import services
from app.registrations.models import (
    Registration,
    RegistrationHistory,
    RegistrationStatus,
)
from tests.factories import make_event, make_trainees, make_user

S = RegistrationStatus
ALL_PAIRS = list(itertools.product([None, *S], list(S)))

EXPECTED = {
    (None, S.PENDING), (None, S.CONFIRMED), (None, S.WAITLISTED),
    (S.CANCELLED, S.PENDING), (S.CANCELLED, S.CONFIRMED), (S.CANCELLED, S.WAITLISTED),
    (S.EXPIRED, S.PENDING), (S.EXPIRED, S.CONFIRMED), (S.EXPIRED, S.WAITLISTED),
    (S.PENDING, S.CONFIRMED), (S.PENDING, S.WAITLISTED), (S.PENDING, S.REJECTED), (S.PENDING, S.CANCELLED),
    (S.WAITLISTED, S.OFFERED), (S.WAITLISTED, S.CONFIRMED), (S.WAITLISTED, S.REJECTED), (S.WAITLISTED, S.CANCELLED),
    (S.OFFERED, S.CONFIRMED), (S.OFFERED, S.EXPIRED), (S.OFFERED, S.REJECTED), (S.OFFERED, S.CANCELLED),
    (S.CONFIRMED, S.REJECTED), (S.CONFIRMED, S.CANCELLED),
}


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS,
                         ids=[f"{a and a.value}->{b.value}" for a, b in ALL_PAIRS])
def test_transition_table(from_status, to_status):
    if (from_status, to_status) in EXPECTED:
        services.check_transition(from_status, to_status)
    else:
        with pytest.raises(services.IllegalTransition) as caught:
            services.check_transition(from_status, to_status)
        assert caught.value.status == 409


def test_never_offered_again_after_leaving_the_queue(app):
    """Someone who left the waitlist is passed over when a seat frees (the pretix bug #1163): what
    the database holds is checked, not the table above."""
    organiser = make_user(roles=(Role.ORGANISER,), password=None)
    event = make_event(actor=organiser, capacity=1)
    holder, leaver, next_one = make_trainees(3)
    seat = services.register(event.id, holder)
    left = services.register(event.id, leaver)
    waiting = services.register(event.id, next_one)
    assert (left.status, waiting.status) == (S.WAITLISTED, S.WAITLISTED)
    services.leave_waitlist(left, leaver)
    services.cancel(seat, holder)
    db.session.expire_all()
    assert db.session.get(Registration, left.id).status == S.CANCELLED
    assert db.session.get(Registration, waiting.id).status == S.OFFERED
    offered_to = {h.registration_id for h in db.session.query(RegistrationHistory).filter_by(to_status=S.OFFERED)}
    assert offered_to == {waiting.id}


# Each service action, and the statuses from which it must succeed.
ACTIONS = {
    "cancel": ({S.PENDING, S.CONFIRMED, S.WAITLISTED, S.OFFERED}, S.CANCELLED),
    "accept_offer": ({S.OFFERED}, S.CONFIRMED),
    "decline_offer": ({S.OFFERED}, S.CANCELLED),
    "approve": ({S.PENDING}, S.CONFIRMED),
    "reject": ({S.PENDING, S.CONFIRMED, S.WAITLISTED, S.OFFERED}, S.REJECTED),
}


def _call(action, registration, actor):
    if action == "reject":
        return services.reject(registration, actor, "Не подходит по профилю")
    return getattr(services, action)(registration, actor)


@pytest.mark.parametrize(("action", "status"), list(itertools.product(ACTIONS, S)),
                         ids=[f"{a}-{s.value}" for a, s in itertools.product(ACTIONS, S)])
def test_every_action_in_every_state(app, action, status):
    organiser = make_user(roles=(Role.ORGANISER,), password=None)
    event = make_event(actor=organiser, capacity=1)
    user, filler = make_trainees(2)
    if status == S.WAITLISTED:  # a full event, or the touch would offer the seat at once
        db.session.add(Registration(event_id=event.id, user_id=filler.id, status=S.CONFIRMED))
    registration = Registration(event_id=event.id, user_id=user.id, status=status, region_code="RU-SAM")
    db.session.add(registration)
    db.session.commit()
    allowed, target = ACTIONS[action]
    actor = organiser if action in {"approve", "reject"} else user
    if status in allowed:
        _call(action, registration, actor)
        db.session.expire_all()
        assert db.session.get(Registration, registration.id).status == target
        history = db.session.query(RegistrationHistory).filter_by(registration_id=registration.id).all()
        assert [(h.from_status, h.to_status, h.actor_id) for h in history] == [(status, target, actor.id)]
    else:
        with pytest.raises(Conflict):
            _call(action, registration, actor)
        db.session.expire_all()
        assert db.session.get(Registration, registration.id).status == status
        assert db.session.query(RegistrationHistory).filter_by(registration_id=registration.id).count() == 0

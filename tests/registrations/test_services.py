"""Registration rules on the real database: capacity, waitlist FIFO and offers, approval rules, trips,
check-in and attendance, tickets, reminders, reactions to event changes. Time moves with app.clock."""
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.accounts.models import Role
from app.errors import Conflict, NotFound, ValidationFailed
from app.events import services as events
from app.extensions import db
from app.registrations import services
from app.registrations.models import Registration, RegistrationStatus
from tests.factories import make_event, make_organisation, make_trainees, make_user

S = RegistrationStatus
T0 = datetime(2027, 2, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,), password=None)


@pytest.fixture
def frozen():
    with clock.frozen_at(T0):
        yield


def _status(registration):
    db.session.expire_all()
    return db.session.get(Registration, registration.id).status


def _statuses(registrations):
    db.session.expire_all()
    return [db.session.get(Registration, r.id).status for r in registrations]


def test_register_confirms_until_full_then_waitlists_in_order(organiser):
    event = make_event(actor=organiser, capacity=2)
    users = make_trainees(4)
    regs = [services.register(event.id, u) for u in users]
    assert _statuses(regs) == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert [services.waitlist_position(r) for r in regs] == [None, None, 1, 2]
    assert services.seats_taken([event.id]) == {event.id: 2}
    assert regs[0].history[0].actor_id == users[0].id
    assert regs[0].region_code == "RU-SAM"


def test_unlimited_capacity_never_waitlists(organiser):
    event = make_event(actor=organiser, capacity=None)
    regs = [services.register(event.id, u) for u in make_trainees(5)]
    assert set(_statuses(regs)) == {S.CONFIRMED}


def test_registering_twice_is_a_conflict(organiser):
    event = make_event(actor=organiser)
    user = make_trainees(1)[0]
    services.register(event.id, user)
    with pytest.raises(Conflict):
        services.register(event.id, user)
    assert db.session.query(Registration).count() == 1


def test_cancel_offers_the_seat_to_the_first_waitlisted(organiser, frozen):
    event = make_event(actor=organiser, capacity=1, offer_hours=48)
    a, b, c = make_trainees(3)
    ra, rb, rc = (services.register(event.id, u) for u in (a, b, c))
    services.cancel(ra, a)
    assert _statuses([ra, rb, rc]) == [S.CANCELLED, S.OFFERED, S.WAITLISTED]
    rb = db.session.get(Registration, rb.id)
    assert rb.offered_at == T0 and rb.offer_expires_at == T0 + timedelta(hours=48)
    assert services.waitlist_position(rc) == 1
    services.accept_offer(rb, b)
    assert _statuses([rb, rc]) == [S.CONFIRMED, S.WAITLISTED]
    assert services.seats_taken([event.id])[event.id] == 1


def test_decline_passes_the_seat_on(organiser):
    event = make_event(actor=organiser, capacity=1)
    a, b, c = make_trainees(3)
    ra, rb, rc = (services.register(event.id, u) for u in (a, b, c))
    services.cancel(ra, a)
    services.decline_offer(rb, b)
    assert _statuses([rb, rc]) == [S.CANCELLED, S.OFFERED]


def test_expiry_by_the_periodic_job_passes_the_seat_on(organiser, frozen):
    event = make_event(actor=organiser, capacity=1, offer_hours=24)
    a, b, c = make_trainees(3)
    ra, rb, rc = (services.register(event.id, u) for u in (a, b, c))
    services.cancel(ra, a)
    clock.advance(timedelta(hours=23, minutes=59))
    assert services.expire_offers() == 0
    assert _statuses([rb, rc]) == [S.OFFERED, S.WAITLISTED]
    clock.advance(timedelta(minutes=1))
    assert services.expire_offers() == 1
    assert services.expire_offers() == 0  # idempotent
    assert _statuses([rb, rc]) == [S.EXPIRED, S.OFFERED]
    with pytest.raises(Conflict):
        services.accept_offer(rb, b)


def test_expiry_happens_when_the_event_is_touched(organiser, frozen):
    """A stopped worker never leaves a seat stuck: any registration call settles the event first."""
    event = make_event(actor=organiser, capacity=1, offer_hours=2)
    a, b, c, d = make_trainees(4)
    ra, rb, rc = (services.register(event.id, u) for u in (a, b, c))
    services.cancel(ra, a)
    clock.advance(timedelta(hours=3))
    rd = services.register(event.id, d)
    assert _statuses([rb, rc, rd]) == [S.EXPIRED, S.OFFERED, S.WAITLISTED]


def test_late_accept_is_refused_and_the_expiry_is_kept(organiser, frozen):
    event = make_event(actor=organiser, capacity=1, offer_hours=2)
    a, b, c = make_trainees(3)
    ra, rb, rc = (services.register(event.id, u) for u in (a, b, c))
    services.cancel(ra, a)
    clock.advance(timedelta(hours=2))
    with pytest.raises(Conflict) as caught:
        services.accept_offer(rb, b)
    assert caught.value.code == "offer_expired"
    assert _statuses([rb, rc]) == [S.EXPIRED, S.OFFERED]


def test_offer_never_runs_past_the_event_start(organiser, frozen):
    start = T0 + timedelta(hours=10)
    event = make_event(actor=organiser, capacity=1, offer_hours=48, start=start,
                       registration_closes_at=(T0 + timedelta(hours=9)).isoformat())
    a, b = make_trainees(2)
    ra, rb = services.register(event.id, a), services.register(event.id, b)
    services.cancel(ra, a)
    assert db.session.get(Registration, rb.id).offer_expires_at == start


def test_cancelled_expired_and_confirmed_people_are_never_offered_again(organiser, frozen):
    event = make_event(actor=organiser, capacity=1, offer_hours=1)
    a, b, c, d = make_trainees(4)
    ra, rb, rc, rd = (services.register(event.id, u) for u in (a, b, c, d))
    services.cancel(rc, c)                      # leaves the waitlist
    services.cancel(ra, a)                      # b offered
    clock.advance(timedelta(hours=1))
    services.expire_offers()                    # b expired → d offered (c skipped: cancelled)
    assert _statuses([ra, rb, rc, rd]) == [S.CANCELLED, S.EXPIRED, S.CANCELLED, S.OFFERED]
    services.accept_offer(rd, d)
    services.cancel(rd, d)                      # the seat frees, nobody is waiting
    assert _statuses([ra, rb, rc, rd]) == [S.CANCELLED, S.EXPIRED, S.CANCELLED, S.CANCELLED]
    assert services.seats_taken([event.id]).get(event.id, 0) == 0


def test_re_registering_after_cancel_reuses_the_row_at_the_end_of_the_queue(organiser, frozen):
    event = make_event(actor=organiser, capacity=1)
    a, b, c = make_trainees(3)
    services.register(event.id, a)
    rb = services.register(event.id, b)
    services.register(event.id, c)
    services.cancel(rb, b)
    clock.advance(timedelta(minutes=5))
    again = services.register(event.id, b)
    assert again.id == rb.id
    assert again.queued_at == T0 + timedelta(minutes=5)
    assert services.waitlist_position(again) == 2
    assert [h.to_status for h in again.history] == [S.WAITLISTED, S.CANCELLED, S.WAITLISTED]


def test_the_place_register_counts_is_the_waitlist_position(organiser, frozen):
    """register() gives a new row its place without a query (everyone waiting was queued before it, and its
    id is the largest); it must agree with the query that defines the place, also right after a seat was
    offered to the head of the queue, and for a reused row, whose older id comes first at an equal time."""
    event = make_event(actor=organiser, capacity=2)
    users = make_trainees(5)
    regs = [services.register(event.id, u) for u in users[:4]]
    assert [r.place_when_queued for r in regs] == [None, None, 1, 2]
    services.cancel(regs[0], users[0])  # the seat goes to the head of the waitlist
    late = services.register(event.id, users[4])
    assert late.place_when_queued == services.waitlist_position(late) == 2
    services.cancel(regs[3], users[3])
    again = services.register(event.id, users[3])
    assert again.id == regs[3].id
    assert again.place_when_queued == services.waitlist_position(again) == 1


def test_rejected_cannot_apply_again(organiser):
    event = make_event(actor=organiser, requires_approval=True)
    user = make_trainees(1)[0]
    registration = services.register(event.id, user)
    services.reject(registration, organiser, "Программа для руководителей НКО")
    with pytest.raises(Conflict):
        services.register(event.id, user)


def test_random_sequence_never_overbooks(organiser, frozen):
    rng = random.Random(2027)
    event = make_event(actor=organiser, capacity=5, offer_hours=3)
    users = make_trainees(25)
    for _ in range(150):
        user = rng.choice(users)
        registration = db.session.execute(select(Registration).filter_by(event_id=event.id, user_id=user.id)) \
            .scalar_one_or_none()
        action = rng.choice(["register", "cancel", "accept", "decline", "tick"])
        try:
            if action == "register":
                services.register(event.id, user)
            elif action == "tick":
                clock.advance(timedelta(hours=1))
                services.expire_offers()
            elif registration is not None:
                {"cancel": services.cancel, "accept": services.accept_offer,
                 "decline": services.decline_offer}[action](registration, user)
        except Conflict:
            pass
        taken = services.seats_taken([event.id]).get(event.id, 0)
        waiting = db.session.query(Registration).filter_by(event_id=event.id, status=S.WAITLISTED).count()
        assert taken <= 5
        assert waiting == 0 or taken == 5, "a free seat while people wait"


def test_capacity_raised_promotes_the_waitlist(organiser):
    event = make_event(actor=organiser, capacity=1)
    a, b, c = make_trainees(3)
    regs = [services.register(event.id, u) for u in (a, b, c)]
    events.update_event(event, organiser, {"capacity": 2})
    assert _statuses(regs) == [S.CONFIRMED, S.OFFERED, S.WAITLISTED]


# --- approval rules --------------------------------------------------------------------------

def test_approval_flow_and_full_event(organiser):
    event = make_event(actor=organiser, capacity=1, requires_approval=True)
    a, b = make_trainees(2)
    ra, rb = services.register(event.id, a), services.register(event.id, b)
    assert _statuses([ra, rb]) == [S.PENDING, S.PENDING]
    assert services.seats_taken([event.id]) == {}
    services.approve(ra, organiser)
    services.approve(rb, organiser)
    assert _statuses([ra, rb]) == [S.CONFIRMED, S.WAITLISTED]
    ra = db.session.get(Registration, ra.id)
    assert ra.decided_by_id == organiser.id and ra.history[-1].actor_id == organiser.id


def test_max_per_region_enforced_at_approval_and_registration(organiser):
    event = make_event(actor=organiser, capacity=30, requires_approval=True, max_per_region=1)
    sam1, sam2, sam3 = make_trainees(3, region_code="RU-SAM")
    penza = make_trainees(1, region_code="RU-PNZ")[0]
    r1, r2 = services.register(event.id, sam1), services.register(event.id, sam2)  # both may apply
    rp = services.register(event.id, penza)
    queue = services.approval_queue(event)
    assert [(e.registration.id, e.region_count) for e in queue] == [(r1.id, 0), (r2.id, 0), (rp.id, 0)]
    services.approve(r1, organiser)
    assert services.approval_queue(event)[0].region_count == 1
    with pytest.raises(Conflict) as caught:
        services.approve(r2, organiser)
    assert caught.value.code == "region_full"
    assert _status(r2) == S.PENDING
    with pytest.raises(Conflict):
        services.register(event.id, sam3)          # the region is full: refused at once
    services.approve(rp, organiser)
    assert _statuses([r1, r2, rp]) == [S.CONFIRMED, S.PENDING, S.CONFIRMED]
    services.cancel(db.session.get(Registration, r1.id), sam1)  # a place in the region frees
    services.approve(r2, organiser)
    assert _status(r2) == S.CONFIRMED


def test_max_per_organisation_without_approval(organiser):
    ngo = make_organisation("Самарская областная организация пациентов")
    event = make_event(actor=organiser, capacity=1, max_per_organisation=2)
    a, b, c = make_trainees(3, organisation=ngo)
    ra, rb = services.register(event.id, a), services.register(event.id, b)
    assert _statuses([ra, rb]) == [S.CONFIRMED, S.WAITLISTED]   # waitlisted counts too
    with pytest.raises(Conflict) as caught:
        services.register(event.id, c)
    assert caught.value.code == "organisation_full"


def test_reject_needs_a_reason_and_frees_a_seat(organiser):
    event = make_event(actor=organiser, capacity=1)
    a, b = make_trainees(2)
    ra, rb = services.register(event.id, a), services.register(event.id, b)
    with pytest.raises(ValidationFailed) as caught:
        services.reject(ra, organiser, "  ")
    assert "reason" in caught.value.fields
    services.reject(ra, organiser, "Нет медицинского образования")
    assert _statuses([ra, rb]) == [S.REJECTED, S.OFFERED]
    assert db.session.get(Registration, ra.id).decision_reason == "Нет медицинского образования"


# --- windows and trips -------------------------------------------------------------------------

def test_registration_window(organiser, frozen):
    draft = make_event(actor=organiser, status="draft")
    later = make_event(actor=organiser, registration_opens_at=(T0 + timedelta(days=1)).isoformat())
    over = make_event(actor=organiser, registration_closes_at=(T0 + timedelta(hours=1)).isoformat())
    user = make_trainees(1)[0]
    for event, code in ((draft, "not_open"), (later, "not_yet")):
        with pytest.raises(Conflict) as caught:
            services.register(event.id, user)
        assert caught.value.code == code
    services.register(over.id, user)
    clock.advance(timedelta(hours=1))
    with pytest.raises(Conflict) as caught:
        services.register(over.id, make_trainees(1)[0])
    assert caught.value.code == "closed"
    with pytest.raises(NotFound):
        services.register(999999, user)


def test_trip_roles_need_places(organiser):
    trip = make_event(actor=organiser, kind="outreach_trip", capacity=10,
                      team_roles=[{"role": "doctor", "needed": 1}, {"role": "driver", "needed": 1}])
    a, b, c = make_trainees(3)
    with pytest.raises(ValidationFailed) as caught:
        services.register(trip.id, a)
    assert "role" in caught.value.fields
    with pytest.raises(ValidationFailed):
        services.register(trip.id, a, team_role="nurse")
    ra = services.register(trip.id, a, team_role="doctor")
    assert ra.team_role.value == "doctor" and ra.status == S.CONFIRMED
    with pytest.raises(Conflict) as caught:
        services.register(trip.id, b, team_role="doctor")
    assert caught.value.code == "role_full"
    services.register(trip.id, c, team_role="driver")
    assert services.role_places(trip) == {r: 0 for r in services.role_places(trip)}


# --- check-in, attendance, tickets --------------------------------------------------------------

def test_check_in_per_session_and_attendance(organiser, frozen):
    event = make_event(actor=organiser, capacity=5, days=3, start=T0 + timedelta(days=1))
    a, b = make_trainees(2)
    ra, rb = services.register(event.id, a), services.register(event.id, b)
    day1, day2, day3 = event.sessions
    assert services.attendance(ra).percent is None            # nothing held yet
    clock.advance(timedelta(days=2, hours=1))                 # day 1 and day 2 have started
    services.check_in(ra, day1, organiser)
    services.check_in(ra, day1, organiser)                    # a second tick changes nothing
    services.check_in(ra, day2, organiser)
    services.check_in(rb, day2, organiser)
    result = services.attendance_for([ra, rb])
    assert (result[ra.id].attended, result[ra.id].held, result[ra.id].percent) == (2, 2, 100)
    assert result[rb.id].percent == 50
    services.undo_check_in(ra, day2, organiser)
    assert services.attendance(ra).percent == 50
    assert services.checked_in_ids(day2) == {rb.id}
    other = make_event(actor=organiser, title="Другое")
    with pytest.raises(NotFound):
        services.check_in(ra, other.sessions[0], organiser)
    assert day3 is not None


def test_only_confirmed_can_be_checked_in(organiser):
    event = make_event(actor=organiser, capacity=1)
    a, b = make_trainees(2)
    services.register(event.id, a)
    rb = services.register(event.id, b)
    with pytest.raises(Conflict):
        services.check_in(rb, event.sessions[0], organiser)


def test_ticket_tokens(organiser):
    event = make_event(actor=organiser)
    other = make_event(actor=organiser, title="Другое")
    registration = services.register(event.id, make_trainees(1)[0])
    token = services.ticket_token(registration)
    assert services.registration_for_ticket(event, token).id == registration.id
    for bad_event, bad_token in ((other, token), (event, token[:-2] + "xx"), (event, ""), (event, "garbage")):
        with pytest.raises(ValidationFailed):
            services.registration_for_ticket(bad_event, bad_token)


# --- lists, reminders ---------------------------------------------------------------------------

def test_participants_filters_and_counts(organiser):
    ngo = make_organisation("Пензенская организация", region_code="RU-PNZ")
    event = make_event(actor=organiser, capacity=2)
    sam = make_trainees(2, region_code="RU-SAM")
    pnz = make_trainees(1, region_code="RU-PNZ", organisation=ngo)
    for user in sam + pnz:
        services.register(event.id, user)
    listing = services.participants(event)
    assert listing.by_status == {S.CONFIRMED: 2, S.WAITLISTED: 1}
    assert listing.by_region == {"RU-PNZ": 1, "RU-SAM": 2}
    assert len(services.participants(event, {"region": "RU-PNZ"}).rows) == 1
    assert len(services.participants(event, {"status": "waitlisted"}).rows) == 1
    assert len(services.participants(event, {"organisation": str(ngo.id)}).rows) == 1
    assert len(services.participants(event, {"q": sam[0].full_name.lower()}).rows) == 1


def test_reminders_once_the_day_before(organiser, frozen):
    event = make_event(actor=organiser, start=T0 + timedelta(days=2))
    registration = services.register(event.id, make_trainees(1)[0])
    assert services.send_reminders() == 0
    clock.advance(timedelta(days=1, hours=1))
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    assert db.session.get(Registration, registration.id).reminder_sent_at is not None


def test_send_reminders_cli_and_periodic_tasks(runner, organiser, frozen):
    from app.registrations import tasks

    event = make_event(actor=organiser, start=T0 + timedelta(hours=12))
    services.register(event.id, make_trainees(1)[0])
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "reminders sent: 1" in result.output
    assert runner.invoke(args=["send-reminders"]).output.startswith("reminders sent: 0")
    assert tasks.expire_registration_offers.call_local() == 0
    assert tasks.send_registration_reminders.call_local() == 0

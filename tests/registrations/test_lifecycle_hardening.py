"""Issue 10: a cancelled event accepts nothing and says so; reinstating is deliberate; check-in
locks; the waitlist looks past the head of the queue; the SQLite lock leaves the cache key alone."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app import clock
from app.accounts.models import Role
from app.errors import Conflict
from app.events import services as events
from app.events.models import Event, EventStatus, TeamRole
from app.extensions import db
from app.registrations import services
from app.registrations.models import CheckIn, Registration, RegistrationStatus
from tests.factories import make_event, make_trainees, make_user

S = RegistrationStatus
T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def organiser(app):
    return make_user("org@example.org", roles=(Role.ORGANISER,))


def _status(registration) -> S:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).status


def test_a_cancelled_event_accepts_no_approval(app, organiser, mail_outbox):
    event = make_event(actor=organiser, requires_approval=True)
    trainee = make_user()
    application = services.register(event.id, trainee)
    events.cancel_event(event, organiser, "Лектор заболел")
    with pytest.raises(Conflict):
        services.approve(application, organiser)
    assert _status(application) == S.PENDING
    subjects = [m["Subject"] for m in mail_outbox if trainee.email in m["To"]]
    assert not any("подтвержд" in s.lower() for s in subjects), subjects


def test_a_cancelled_event_accepts_no_offer_acceptance_registration_or_check_in(app, organiser):
    event = make_event(actor=organiser, capacity=1)
    holder, waiting, late = make_trainees(3)
    seat = services.register(event.id, holder)
    offer = services.register(event.id, waiting)
    services.cancel(seat, holder)
    assert _status(offer) == S.OFFERED
    events.cancel_event(event, organiser, "")
    with pytest.raises(Conflict):
        services.accept_offer(db.session.get(Registration, offer.id), waiting)
    assert _status(offer) == S.OFFERED
    with pytest.raises(Conflict):
        services.register(event.id, late)
    confirmed_event = make_event(actor=organiser)
    confirmed = services.register(confirmed_event.id, late)
    events.cancel_event(confirmed_event, organiser, "")
    with pytest.raises(Conflict):
        services.check_in(confirmed, confirmed_event.sessions[0], organiser)
    assert db.session.query(CheckIn).count() == 0


def test_check_in_reads_the_registration_afresh_under_the_lock(app, organiser):
    """The organiser's page loaded a confirmed registration; the participant cancelled a moment
    later (another request); the tick must not record attendance for a cancelled registration."""
    event = make_event(actor=organiser)
    registration = services.register(event.id, make_user())
    assert registration.status == S.CONFIRMED
    with db.engine.begin() as other_request:
        other_request.execute(update(Registration).where(Registration.id == registration.id)
                              .values(status=S.CANCELLED))
    with pytest.raises(Conflict):
        services.check_in(registration, event.sessions[0], organiser)
    assert db.session.query(CheckIn).count() == 0


def test_participants_see_the_cancellation_with_its_reason_and_no_ticket(app, client, login, organiser):
    event = make_event(actor=organiser, capacity=5)
    trainee = make_user()
    registration = services.register(event.id, trainee)
    login(trainee)
    assert "Билет" in client.get("/me").get_data(as_text=True)
    events.cancel_event(event, organiser, "Лектор заболел")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Мероприятие отменено" in page and "Лектор заболел" in page
    assert "Подтверждена" not in page and "Мой билет" not in page and "Осталось" not in page
    me = client.get("/me").get_data(as_text=True)
    assert "Мероприятие отменено" in me and "Лектор заболел" in me
    assert f"/registrations/{registration.id}/ticket" not in me
    assert client.get(f"/events/{event.id}/registrations/{registration.id}/ticket").status_code == 404


def test_publish_does_not_bring_back_a_cancelled_event_but_reinstating_does_and_tells_everyone(
        app, client, login, organiser, mail_outbox):
    event = make_event(actor=organiser, capacity=5)
    trainee = make_user()
    services.register(event.id, trainee)
    events.cancel_event(event, organiser, "Перенос")
    sequence = db.session.get(Event, event.id).sequence
    login(organiser)
    client.post(f"/manage/events/{event.id}/publish")
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.CANCELLED
    with pytest.raises(Conflict):
        events.publish_event(db.session.get(Event, event.id), organiser)
    mail_outbox.clear()
    assert client.post(f"/manage/events/{event.id}/reinstate", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    reinstated = db.session.get(Event, event.id)
    assert reinstated.status == EventStatus.PUBLISHED and reinstated.sequence == sequence + 1
    assert reinstated.cancellation_reason == ""
    [message] = [m for m in mail_outbox if trainee.email in m["To"]]
    assert "состоится" in message["Subject"]


def test_waitlist_promotion_looks_past_the_head_of_the_queue(app, organiser):
    """Sixty doctors wait for the one doctor's place, which is taken; a driver waits behind them.
    The free seat goes to the driver (it used to be looked for among the first free + 50 only)."""
    with clock.frozen_at(T0):
        trip = make_event(actor=organiser, kind="outreach_trip", capacity=2,
                          team_roles=[{"role": "doctor", "needed": 1}, {"role": "driver", "needed": 1}])
        people = make_trainees(62)
        rows = [Registration(event_id=trip.id, user_id=people[0].id, status=S.CONFIRMED,
                             team_role=TeamRole.DOCTOR, queued_at=T0)]
        rows += [Registration(event_id=trip.id, user_id=person.id, status=S.WAITLISTED, team_role=TeamRole.DOCTOR,
                              queued_at=T0 + timedelta(minutes=n)) for n, person in enumerate(people[1:61], 1)]
        driver = Registration(event_id=trip.id, user_id=people[61].id, status=S.WAITLISTED,
                              team_role=TeamRole.DRIVER, queued_at=T0 + timedelta(hours=2))
        db.session.add_all([*rows, driver])
        db.session.commit()
        services.expire_offers(trip.id)  # the periodic touch settles the event
    assert _status(driver) == S.OFFERED


def test_taking_the_event_lock_does_not_move_the_cache_key(app, organiser):
    with clock.frozen_at(T0):
        event = make_event(actor=organiser, capacity=5)
        before = db.session.get(Event, event.id).updated_at
        clock.advance(timedelta(hours=1))
        services.register(event.id, make_user())
        db.session.expire_all()
        assert db.session.get(Event, event.id).updated_at == before


def _first_submit(html: str) -> str:
    form = html[html.index('class="event-form"'):]
    return re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)


def test_enter_in_the_event_forms_saves(client, login, organiser):
    event = make_event(actor=organiser, days=2)
    login(organiser)
    for url in (f"/manage/events/{event.id}/edit", "/manage/events/new/seminar"):
        assert 'name="save"' in _first_submit(client.get(url).get_data(as_text=True)), url


def test_a_trip_role_select_starts_empty_and_a_role_is_required(client, login, organiser):
    trip = make_event(actor=organiser, kind="outreach_trip",
                      team_roles=[{"role": "doctor", "needed": 2}, {"role": "driver", "needed": 1}])
    trainee = login(make_user())
    html = client.get(f"/events/{trip.id}").get_data(as_text=True)
    select = html[html.index('id="registration-role"'):]
    select = select[:select.index("</select>")]
    assert re.search(r"<option value=\"\" selected>", select)
    assert "required" in html[html.rindex("<select", 0, html.index('id="registration-role"')):][:200]
    client.post(f"/events/{trip.id}/register", data={"role": ""})
    assert services.registration_of(trip, trainee) is None

"""Issue 15, the people side: a past trip offers no seats, cancelling one's own registration asks first
and tells both sides, and the organiser manages people by hand (add, invite, status, role, promote
over capacity with a log, bulk decisions, the approval queue's rule counts). Mail over real SMTP."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.accounts import credentials
from app.accounts.models import Role, User
from app.demo import seed_demo
from app.errors import ValidationFailed
from app.events import services as events
from app.events.models import Event, TeamRole
from app.extensions import db
from app.registrations import services, ui
from app.registrations.demo import SELECTION_SCHOOL
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.states import RegistrationConflict
from tests.factories import make_event, make_organisation, make_trainees, make_user

S = RegistrationStatus
T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def organiser(app):
    return make_user("org@example.org", roles=(Role.ORGANISER,), locale="en", full_name="Olga Organiser")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def _status(registration) -> S:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).status


def _trip(organiser, **fields):
    return make_event(actor=organiser, kind="outreach_trip", capacity=2,
                      team_roles=[{"role": "doctor", "needed": 2}, {"role": "driver", "needed": 1}], **fields)


# --- a past trip no longer offers its waitlist ---------------------------------------------------

def test_a_seat_freed_once_the_trip_has_started_is_offered_to_nobody(app, organiser, mail_outbox):
    with clock.frozen_at(T0):
        trip = make_event(actor=organiser, kind="outreach_trip", capacity=1)
        holder, waiting = make_trainees(2)
        waiting.locale = "en"
        seat = services.register(trip.id, holder)
        queued = services.register(trip.id, waiting)
    with clock.frozen_at(trip.starts_at + timedelta(hours=1)):
        services.cancel(seat, holder)
        services.expire_offers(trip.id)
    assert _status(queued) == S.WAITLISTED
    assert not any("A seat is free" in m["Subject"] for m in mail_outbox if waiting.email in m["To"])


def test_before_the_start_the_seat_is_still_offered(app, organiser):
    with clock.frozen_at(T0):
        trip = make_event(actor=organiser, kind="outreach_trip", capacity=1)
        holder, waiting = make_trainees(2)
        seat = services.register(trip.id, holder)
        queued = services.register(trip.id, waiting)
        services.cancel(seat, holder)
    assert _status(queued) == S.OFFERED


# --- cancelling one's own registration --------------------------------------------------------------

def test_cancelling_asks_first_then_mails_the_person_and_tells_the_organiser(client, login, organiser, mail_outbox):
    event = make_event(actor=organiser, title="Школа лидеров", capacity=5)
    trainee = make_user(locale="en", full_name="Anna Petrova")
    registration = services.register(event.id, trainee)
    login(trainee)
    page = _text(client.get(f"/events/{event.id}"))
    assert f'href="/events/{event.id}/cancel"' in page  # a link to the confirmation, not a one-click form
    confirm = _text(client.get(f"/events/{event.id}/cancel"))
    assert "Cancel your registration for “Школа лидеров”?" in confirm
    assert "Yes, cancel my registration" in confirm and "No, keep it" in confirm
    assert _status(registration) == S.CONFIRMED  # the GET wrote nothing
    mail_outbox.clear()
    asked = _text(client.post(f"/events/{event.id}/cancel"))  # a post without the confirmation only asks
    assert "Yes, cancel my registration" in asked and _status(registration) == S.CONFIRMED
    response = client.post(f"/events/{event.id}/cancel", data={"confirm": "yes"}, follow_redirects=True)
    assert "Your registration is cancelled." in _text(response)
    assert _status(registration) == S.CANCELLED
    to_person = [m for m in mail_outbox if trainee.email in m["To"]]
    assert [m["Subject"] for m in to_person] == ["You cancelled your registration: Школа лидеров"]
    to_organiser = [m for m in mail_outbox if organiser.email in m["To"]]
    assert [m["Subject"] for m in to_organiser] == ["Cancellation: Школа лидеров"]
    body = _plain(to_organiser[0])
    assert "Anna Petrova" in body and trainee.email in body and "it was: Confirmed" in body
    assert "Seats left now: 5." in body


def test_the_programme_organisers_are_told_too_each_once(app, organiser, mail_outbox):
    from app.programmes.models import Programme

    colleague = make_user(roles=(Role.ORGANISER,), locale="ru")
    programme = Programme(title="КПД НКО", funder="ФПГ", grant_number="1", region_codes=["RU-SAM"],
                          starts_on=T0.date(), ends_on=(T0 + timedelta(days=300)).date())
    programme.organisers = [organiser, colleague]
    db.session.add(programme)
    db.session.commit()
    event = make_event(actor=organiser, programme_id=programme.id)
    trainee = make_trainees(1)[0]
    registration = services.register(event.id, trainee)
    mail_outbox.clear()
    services.cancel(registration, trainee)
    told = sorted(m["To"].addresses[0].addr_spec for m in mail_outbox if m["To"].addresses[0].addr_spec != trainee.email)
    assert told == sorted([organiser.email, colleague.email])


def test_an_organiser_cancelling_someone_does_not_notify_the_organisers(app, organiser, mail_outbox):
    event = make_event(actor=organiser)
    registration = services.register(event.id, make_trainees(1)[0])
    mail_outbox.clear()
    services.cancel(registration, organiser)
    assert not any(organiser.email in m["To"] for m in mail_outbox)


# --- adding people by hand ---------------------------------------------------------------------------

def test_adding_an_existing_account_confirms_them(app, organiser, mail_outbox):
    event = make_event(actor=organiser, requires_approval=True, capacity=3)
    person = make_user(locale="en")
    registration = services.add_participant(event, organiser, email=person.email.upper())
    assert registration.status == S.CONFIRMED and registration.user_id == person.id
    assert [m["Subject"] for m in mail_outbox if person.email in m["To"]] == [
        f"Your place is confirmed: {event.title}"]


def test_adding_someone_already_registered_says_this_person_is(app, organiser):
    event = make_event(actor=organiser, capacity=3)
    person = make_user()
    services.register(event.id, person)
    with pytest.raises(RegistrationConflict) as refused:
        services.add_participant(event, organiser, email=person.email)
    assert refused.value.fields == {"email": [refused.value.message]}
    assert str(refused.value.message) == "Этот человек уже записан на мероприятие."


def test_adding_a_new_person_invites_them_to_set_a_password(client, app, organiser, mail_outbox):
    event = make_event(actor=organiser, title="Семинар", capacity=3, language="en")
    with pytest.raises(ValidationFailed) as refused:
        services.add_participant(event, organiser, email="new.person@example.org")
    assert "full_name" in refused.value.fields
    registration = services.add_participant(event, organiser, email="new.person@example.org",
                                            full_name="Nina Novikova")
    person = db.session.get(User, registration.user_id)
    assert person.full_name == "Nina Novikova" and person.password_hash is None
    invitation = next(m for m in mail_outbox if "set your Praktika password" in m["Subject"])
    body = _plain(invitation)
    assert "Olga Organiser registered you for “Семинар”" in body and "7 days" in body
    token = body.split("/auth/reset-password/")[1].split()[0]
    assert credentials.reset_token_is_valid(token)
    response = client.post(f"/auth/reset-password/{token}", data={"password": "a-new-password-1"})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert db.session.get(User, person.id).password_hash is not None


def test_adding_to_a_full_event_waitlists_unless_overridden_and_the_override_is_logged(app, organiser):
    event = make_event(actor=organiser, capacity=1)
    services.register(event.id, make_trainees(1)[0])
    second, third = make_user(), make_user(full_name="Илья Сверхплановый")
    assert services.add_participant(event, organiser, email=second.email).status == S.WAITLISTED
    added = services.add_participant(event, organiser, email=third.email, override=True)
    assert added.status == S.CONFIRMED
    db.session.expire_all()
    logged = db.session.get(Event, event.id).changes[0]
    assert logged.actor_id == organiser.id
    assert logged.fields["over_capacity"] == ["1/1", "2/1 · Илья Сверхплановый"]


def test_adding_someone_already_registered_or_rejected_is_refused(app, organiser):
    event = make_event(actor=organiser, requires_approval=True)
    person, declined = make_trainees(2)
    services.register(event.id, person)
    with pytest.raises(RegistrationConflict) as already:
        services.add_participant(event, organiser, email=person.email)
    assert "email" in already.value.fields
    services.reject(services.register(event.id, declined), organiser, "Не по профилю")
    with pytest.raises(RegistrationConflict):
        services.add_participant(event, organiser, email=declined.email)


def test_the_add_form_marks_required_fields_and_shows_errors_beside_them(client, login, organiser):
    event = make_event(actor=organiser)
    login(organiser)
    page = _text(client.get(f"/manage/events/{event.id}/registrations"))
    assert 'for="add-email"' in page and 'id="add-email"' in page and "required" in page
    response = client.post(f"/manage/events/{event.id}/registrations/add",
                           data={"add-email": "nobody@example.org", "add-full_name": ""})
    assert response.status_code == 422
    assert 'id="add-full_name-error"' in _text(response)
    response = client.post(f"/manage/events/{event.id}/registrations/add",
                           data={"add-email": "newbie@example.org", "add-full_name": "Новый Человек"},
                           follow_redirects=True)
    assert "Новый Человек is added: Confirmed." in _text(response)


# --- status, role, promotion ----------------------------------------------------------------------

def test_promoting_from_the_waitlist_needs_a_free_seat_or_the_override(client, login, organiser):
    event = make_event(actor=organiser, capacity=1)
    first, waiting = make_trainees(2)
    services.register(event.id, first)
    queued = services.register(event.id, waiting)
    login(organiser)
    url = f"/manage/events/{event.id}/registrations/{queued.id}/status"
    response = client.post(url, data={f"s{queued.id}-status": "confirmed"})
    assert response.status_code == 422 and "over capacity" in _text(response)
    assert _status(queued) == S.WAITLISTED
    response = client.post(url, data={f"s{queued.id}-status": "confirmed", f"s{queued.id}-override": "y"})
    assert response.status_code == 302
    assert _status(queued) == S.CONFIRMED
    assert "over_capacity" in db.session.get(Event, event.id).changes[0].fields
    changes_page = _text(client.get(f"/manage/events/{event.id}/changes"))
    assert "Confirmed over capacity" in changes_page


def test_rejecting_by_status_needs_a_reason_on_the_first_submit(client, login, organiser, mail_outbox):
    event = make_event(actor=organiser)
    person = make_trainees(1)[0]
    registration = services.register(event.id, person)
    login(organiser)
    url = f"/manage/events/{event.id}/registrations/{registration.id}/status"
    response = client.post(url, data={f"s{registration.id}-status": "rejected"})
    assert response.status_code == 422 and f'id="s{registration.id}-reason-error"' in _text(response)
    assert client.post(url, data={f"s{registration.id}-status": "rejected",
                                  f"s{registration.id}-reason": "Нет мест в гостинице"}).status_code == 302
    assert _status(registration) == S.REJECTED
    assert any("Нет мест в гостинице" in _plain(m) for m in mail_outbox if person.email in m["To"])


def test_status_values_outside_the_list_are_refused(app, organiser):
    event = make_event(actor=organiser)
    registration = services.register(event.id, make_trainees(1)[0])
    for bad in ("expired", "nonsense", ""):
        with pytest.raises(ValidationFailed):
            services.set_status(registration, organiser, bad)
    with pytest.raises(RegistrationConflict):
        services.set_status(registration, organiser, "confirmed")


def test_changing_a_trip_role_needs_a_free_place(client, login, organiser):
    trip = _trip(organiser)
    doctor_one, doctor_two = make_trainees(2)
    first = services.register(trip.id, doctor_one, team_role="doctor")
    second = services.register(trip.id, doctor_two, team_role="doctor")
    services.set_role(first, organiser, "driver")
    db.session.expire_all()
    assert db.session.get(Registration, first.id).team_role == TeamRole.DRIVER
    with pytest.raises(RegistrationConflict):
        services.set_role(second, organiser, "driver")
    login(organiser)
    response = client.post(f"/manage/events/{trip.id}/registrations/{second.id}/role",
                           data={f"role{second.id}-role": "nurse"})
    assert response.status_code == 422 and "This trip does not need that role." in _text(response)


def test_one_role_list_hides_full_roles_from_registrants_and_shows_them_to_the_organiser(app, client, login,
                                                                                        organiser):
    """The event page and the organiser's participant list build their role choices with the same function;
    a full role is offered to nobody registering, while the organiser still sees it (a participant holds it)."""
    trip = _trip(organiser)
    for doctor in make_trainees(2):
        services.register(trip.id, doctor, team_role="doctor")
    with app.test_request_context():
        assert [value for value, _label in ui.role_choices(trip)] == ["driver"]
        everything = dict(ui.role_choices(trip, full_too=True))
        assert set(everything) == {"doctor", "driver"} and everything["doctor"].endswith("(0)")
    login(organiser)
    page = _text(client.get(f"/manage/events/{trip.id}/registrations"))
    assert "Doctor (0)" in page and "Driver (1)" in page  # the organiser reads English


# --- bulk decisions and the approval queue ------------------------------------------------------------

def _approval_event(organiser, **fields):
    return make_event(actor=organiser, requires_approval=True, capacity=10, **fields)


def test_bulk_approve_and_bulk_reject_with_one_reason(client, login, organiser, mail_outbox):
    event = _approval_event(organiser)
    people = make_trainees(4)
    applications = [services.register(event.id, p) for p in people]
    login(organiser)
    url = f"/manage/events/{event.id}/approvals/bulk"
    response = client.post(url, data={"action": "approve", "registration_ids": [applications[0].id, applications[1].id]},
                           follow_redirects=True)
    assert "2 applications are approved." in _text(response)
    response = client.post(url, data={"action": "reject", "registration_ids": [applications[2].id, applications[3].id]})
    assert response.status_code == 422 and "Give a reason" in _text(response)
    mail_outbox.clear()
    asked = _text(client.post(url, data={"action": "reject", "reason": "Группа набрана",
                                         "registration_ids": [applications[2].id, applications[3].id]}))
    assert "Reject 2 applications?" in asked and people[2].full_name in asked  # asks first, names them
    assert _status(applications[2]) == S.PENDING and not mail_outbox
    client.post(url, data={"action": "reject", "reason": "Группа набрана", "confirm": "yes",
                           "registration_ids": [applications[2].id, applications[3].id]})
    assert [_status(a) for a in applications] == [S.CONFIRMED, S.CONFIRMED, S.REJECTED, S.REJECTED]
    rejected_mail = [m for m in mail_outbox if people[2].email in m["To"] or people[3].email in m["To"]]
    assert len(rejected_mail) == 2 and all("Группа набрана" in _plain(m) for m in rejected_mail)


def test_a_bulk_approval_that_breaks_a_rule_changes_nothing(app, organiser):
    event = _approval_event(organiser, max_per_region=1)
    same_region = make_trainees(2, region_code="RU-SAM")
    applications = [services.register(event.id, p) for p in same_region]
    with pytest.raises(RegistrationConflict) as refused:
        services.bulk_decide(event, organiser, [a.id for a in applications], "approve")
    assert same_region[1].full_name in str(refused.value.message)
    assert [_status(a) for a in applications] == [S.PENDING, S.PENDING]


def test_bulk_ignores_other_events_applications(app, organiser):
    event, other = _approval_event(organiser), _approval_event(organiser)
    foreign = services.register(other.id, make_trainees(1)[0])
    for ids in ([foreign.id], [2**40, -1], []):
        with pytest.raises(ValidationFailed):
            services.bulk_decide(event, organiser, ids, "approve")
    assert _status(foreign) == S.PENDING


def test_the_queue_shows_email_counts_after_approval_and_competing_applicants(client, login, organiser):
    event = _approval_event(organiser, max_per_region=1, max_per_organisation=2)
    ngo = make_organisation("Союз пациентов Самары", region_code="RU-SAM")
    samara = make_trainees(2, region_code="RU-SAM", organisation=ngo)
    penza = make_trainees(1, region_code="RU-PNZ")[0]
    for person in (*samara, penza):
        services.register(event.id, person)
    entries = {e.registration.user_id: e for e in services.approval_queue(event)}
    assert entries[samara[0].id].region_rivals == 1 and entries[samara[0].id].region_left == 1
    assert entries[penza.id].region_rivals == 0 and entries[penza.id].region_after == 1
    assert entries[samara[0].id].organisation_rivals == 0  # two places, two applicants
    login(organiser)
    page = _text(client.get(f"/manage/events/{event.id}/approvals"))
    assert samara[0].email in page and "Союз пациентов Самары" in page
    assert "region: 1 of 1 after approval" in page and "organisation: 1 of 2 after approval" in page
    assert page.count("Competes with 1 other applicant of the region for 1 place left.") == 2
    assert 'form="bulk-form"' in page
    services.approve(services.registration_of(event, samara[0]), organiser)
    page = _text(client.get(f"/manage/events/{event.id}/approvals"))
    assert "region: 1 of 1, no place left: approval will be refused" in page


def test_the_nav_badge_counts_pending_across_events(client, login, organiser):
    for _ in range(2):
        event = _approval_event(organiser)
        services.register(event.id, make_trainees(1)[0])
    login(organiser)
    assert 'nav-badge">2<' in _text(client.get("/me"))



def test_the_demo_shows_applications_competing_for_one_regional_place(app):
    seed_demo()
    school = db.session.execute(select(Event).where(Event.title == SELECTION_SCHOOL)).scalar_one()
    entries = services.approval_queue(school)
    assert len(entries) == 3 and sum(1 for e in entries if e.region_rivals) == 2
    organiser = db.session.get(User, school.created_by_id)
    assert events.pending_approvals(organiser) >= 3
    draft = db.session.execute(select(Event).where(Event.title.startswith(SELECTION_SCHOOL), Event.id != school.id)
                               ).scalar_one()
    assert draft.can_be_deleted

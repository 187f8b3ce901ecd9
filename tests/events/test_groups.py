"""Self-help groups: the kind in forms, API and filters; the series page; a meeting's outcome; the group
page with attendance (members checked in + guests) and its chart; the facilitator's rights; report sources."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import clock, permissions
from app.accounts import services as accounts
from app.accounts.models import Role
from app.errors import Conflict, ValidationFailed
from app.events import services as events
from app.events.models import EventKind, GroupMembership
from app.extensions import db
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus
from app.reports import sources
from tests.factories import make_user

SOFIA = ZoneInfo("Europe/Sofia")
NOW = datetime(2027, 4, 20, 12, tzinfo=SOFIA)


def group_json(**overrides) -> dict:
    data = {
        "kind": "self_help_group", "title": "Група за самопомощ „Майчино и детско здраве“ — Бургас",
        "language": "bg", "timezone": "Europe/Sofia", "capacity": 15, "status": "published",
        "venue": "Читалище „Христо Ботев“", "region_code": "BG-02",
        "sessions": [{"start": "2027-03-03T17:00:00+02:00", "end": "2027-03-03T18:30:00+02:00", "title": ""}],
        "group": {"community": "Община Бургас, кв. Победа", "facilitator_email": "mediator@example.org",
                  "membership": "open"},
    }
    data.update(overrides)
    return data


FORTNIGHTLY = {"frequency": "weekly", "every": 2, "weekdays": [2], "starts_on": "2027-03-03", "count": 6,
               "start_time": "17:00", "duration_minutes": 90}


@pytest.fixture
def mediator(app):
    return make_user("mediator@example.org", full_name="Мария Здравна", roles=(Role.TRAINEE,))


@pytest.fixture
def group(app, organiser, mediator, programme):
    with clock.frozen_at(datetime(2027, 2, 20, 12, tzinfo=SOFIA)):
        event = events.create_event(organiser, group_json(programme_id=programme.id))
        events.create_meetings(event, organiser, FORTNIGHTLY)
    return events.get_event(event.id)


def _members(group, names):
    people = []
    with clock.frozen_at(datetime(2027, 2, 25, 12, tzinfo=SOFIA)):
        for n, name in enumerate(names):
            person = make_user(f"member{n}@example.org", full_name=name)
            registrations.register(group.id, person)
            people.append(person)
    return people


def test_group_details_are_saved_and_a_closed_group_approves_new_members(app, organiser, mediator):
    event = events.create_event(organiser, group_json(group={"community": "Малко Търново",
                                                             "facilitator_id": mediator.id, "membership": "closed"}))
    assert event.kind == EventKind.SELF_HELP_GROUP
    assert (event.group.community, event.group.facilitator_id) == ("Малко Търново", mediator.id)
    assert event.group.membership == GroupMembership.CLOSED and event.requires_approval
    member = make_user("member@example.org")
    assert registrations.register(event.id, member).status == RegistrationStatus.PENDING


@pytest.mark.parametrize(("group", "field"), [
    ({"community": "Бургас", "facilitator_email": "nobody@example.org"}, "group.facilitator_email"),
    ({"community": "Бургас", "facilitator_id": 999999}, "group.facilitator_id"),
    ({"community": "Бургас", "membership": "secret"}, "group.membership"),
])
def test_bad_group_details_are_refused_with_field_messages(app, organiser, group, field):
    with pytest.raises(ValidationFailed) as error:
        events.create_event(organiser, group_json(group=group))
    assert field in error.value.fields


def test_group_details_only_on_groups(app, organiser):
    with pytest.raises(ValidationFailed) as error:
        events.create_event(organiser, group_json(kind="round_table", group={"community": "Бургас"}))
    assert "group" in error.value.fields


# --- API ----------------------------------------------------------------------------------------

def test_api_kind_round_trip_and_filter(client, organiser, mediator):
    token = accounts.create_api_token(organiser, name="tests")
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/events", json=group_json(), headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["kind"] == "self_help_group"
    assert created["group"] == {"community": "Община Бургас, кв. Победа", "facilitator_id": mediator.id,
                                "membership": "open"}
    assert created["meetings"] == [{"id": created["sessions"][0]["id"], "sequence": 0, "cancelled": False,
                                    "guests": None, "outcome": ""}]
    patched = client.patch(f"/api/v1/events/{created['id']}", json={"group": {"membership": "closed"}},
                           headers=headers)
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["group"]["membership"] == "closed" and patched.get_json()["requires_approval"]
    with clock.frozen_at(datetime(2027, 2, 1, tzinfo=SOFIA)):
        listed = client.get("/api/v1/events", query_string={"kind": "self_help_group"}).get_json()
        assert [item["id"] for item in listed["items"]] == [created["id"]]
        assert client.get("/api/v1/events", query_string={"kind": "seminar"}).get_json()["total"] == 0
    bad = client.post("/api/v1/events", json=group_json(group={"community": "Бургас", "membership": "x"}),
                      headers=headers)
    assert bad.status_code == 422 and "group.membership" in bad.get_json()["fields"]


def test_openapi_lists_the_new_kind(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "self_help_group" in document["components"]["schemas"]["EventIn"]["properties"]["kind"]["enum"]


# --- pages --------------------------------------------------------------------------------------

def test_organiser_creates_a_group_in_the_form(client, login, organiser, mediator):
    login(organiser)
    page = client.get("/manage/events/new/self_help_group")
    assert page.status_code == 200 and 'name="community"' in page.get_data(as_text=True)
    response = client.post("/manage/events/new/self_help_group", data={
        "title": "Група Бургас", "language": "bg",
        "timezone": "Europe/Sofia", "offer_hours": "48", "venue": "Читалище",
        "sessions-0-day": "2027-03-03", "sessions-0-start": "17:00", "sessions-0-end": "18:30",
        "community": "Бургас", "facilitator_email": "mediator@example.org", "membership": "open"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    event = events.get_event(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert event.group.facilitator_id == mediator.id


def test_series_page_previews_without_saving_then_creates(client, login, organiser, mediator):
    event = events.create_event(organiser, group_json())
    login(organiser)
    page = client.get(f"/manage/events/{event.id}/series")
    assert page.status_code == 200
    form = {"frequency": "weekly", "every": "2", "weekdays": ["2"], "starts_on": "2027-03-03",
            "count": "4", "start_time": "17:00", "duration_minutes": "90", "month_position": "1"}
    preview = client.post(f"/manage/events/{event.id}/series", data={**form, "preview": "1"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and html.count("<li class=\"list-group-item\">") == 4
    db.session.expire_all()
    assert len(events.get_event(event.id).sessions) == 1

    bad = client.post(f"/manage/events/{event.id}/series", data={**form, "weekdays": [], "count": "0",
                                                                   "preview": "1"})
    assert bad.status_code == 422
    assert 'id="weekdays-error"' in bad.get_data(as_text=True) and 'id="count-error"' in bad.get_data(as_text=True)

    created = client.post(f"/manage/events/{event.id}/series", data={**form, "create": "1"})
    assert created.status_code == 302
    db.session.expire_all()
    assert len(events.get_event(event.id).sessions) == 4
    edit = client.get(f"/manage/events/{event.id}/edit")
    assert edit.status_code == 200 and "sessions-0-day" not in edit.get_data(as_text=True)


def test_facilitator_records_a_meeting_and_the_group_page_shows_attendance(client, login, group, mediator):
    anna, boris, _vera = _members(group, ["Анна Петрова", "Борислава Иванова", "Вера Колева"])
    first, second = group.sessions[0], group.sessions[1]
    with clock.frozen_at(NOW):
        for person in (anna, boris):
            registrations.check_in(registrations.registration_of(group, person), first, mediator)
        registrations.check_in(registrations.registration_of(group, anna), second, mediator)
        login(mediator)
        page = client.get(f"/manage/events/{group.id}/meetings/{first.id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Move the meeting" not in html  # moving is for the organiser
        response = client.post(f"/manage/events/{group.id}/meetings/{first.id}/outcome", data={
            "guests": "3", "outcome": "Обсъдихме кърменето и имунизациите."})
        assert response.status_code == 302
        bad = client.post(f"/manage/events/{group.id}/meetings/{second.id}/outcome", data={
            "guests": "-1", "outcome": ""})
        assert bad.status_code == 422 and 'id="guests-error"' in bad.get_data(as_text=True)

        attendance = events.meeting_attendance(events.get_event(group.id))
        assert (attendance[first.id].members, attendance[first.id].guests, attendance[first.id].total) == (2, 3, 5)
        assert (attendance[second.id].members, attendance[second.id].guests) == (1, 0)
        assert len(attendance) == 4  # four meetings held by 20 April; two to come

        html = client.get(f"/events/{group.id}").get_data(as_text=True)
    assert "Обсъдихме кърменето и имунизациите." in html
    assert "<svg" in html and html.count("<rect") == 8
    assert "data-next-meeting" in html and "2027" in html.split("data-next-meeting", 1)[1][:200]


def test_outcome_waits_until_the_meeting_has_started(app, organiser, group):
    with clock.frozen_at(NOW), pytest.raises(Conflict):
        events.record_outcome(group, group.sessions[-1].id, organiser, {"guests": 2, "outcome": ""})


def test_facilitator_rights_stop_at_their_group(app, group, mediator, organiser):
    assert permissions.can("event.record_meeting", group, user=mediator)
    assert permissions.can("event.manage_registrations", group, user=mediator)
    assert not permissions.can("event.edit", group, user=mediator)
    stranger = make_user("stranger@example.org")
    assert not permissions.can("event.record_meeting", group, user=stranger)


def test_another_users_meeting_page_is_404(client, login, group):
    login(make_user("stranger@example.org"))
    assert client.get(f"/manage/events/{group.id}/meetings/{group.sessions[0].id}").status_code == 404


def test_a_session_of_another_event_is_404_on_the_meeting_page(client, login, organiser, group):
    other = events.create_event(organiser, group_json(title="Друга група"))
    login(organiser)
    assert client.get(f"/manage/events/{group.id}/meetings/{other.sessions[0].id}").status_code == 404


# --- reports ------------------------------------------------------------------------------------

def test_report_sources_count_group_meetings_held_and_their_attendance(app, organiser, group, mediator, programme):
    anna, boris = _members(group, ["Анна Петрова", "Борислава Иванова"])
    with clock.frozen_at(NOW):
        for session in group.sessions[:2]:
            for person in (anna, boris):
                registrations.check_in(registrations.registration_of(group, person), session, mediator)
        events.record_outcome(group, group.sessions[0].id, organiser, {"guests": 4, "outcome": ""})
        events.cancel_meeting(group, group.sessions[4].id, organiser)
    with clock.frozen_at(NOW + timedelta(days=40)):
        scope = sources.Scope(programme.id)
        assert sources.compute("group_meetings_held", scope) == {sources.TOTAL: 5}
        assert sources.compute("group_meeting_attendance", scope) == {sources.TOTAL: 2 + 4 + 2}
        assert sources.compute("group_meetings_held", scope, by="event") == {group.id: 5}
        assert sources.compute("group_meetings_held", sources.Scope(programme.id, event_kind="seminar")) == {
            sources.TOTAL: 0}
    assert date(2027, 3, 3) == group.sessions[0].series_date


def test_a_new_member_joins_an_open_group_after_its_first_meeting(app, group):
    with clock.frozen_at(NOW):
        registration = registrations.register(group.id, make_user("late@example.org"))
    assert registration.status == RegistrationStatus.CONFIRMED

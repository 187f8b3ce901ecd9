"""Issue 25, item 3: cancelling one meeting asks first (without JavaScript: meeting.html loads no script),
and a cancelled meeting can be reinstated: registrants are mailed and its calendar entry comes back
CONFIRMED with a higher SEQUENCE; another organiser's meeting is a 404."""
from icalendar import Calendar

from app.accounts.models import Role
from app.events import services as events
from app.registrations import services as registrations
from tests.events.test_series import _group, _rule
from tests.factories import make_user
from tests.gate.routes import sign_in


def _entry(client, event_id, session_id):
    body = client.get(f"/events/{event_id}/event.ics").get_data()
    return next(c for c in Calendar.from_ical(body).walk("VEVENT") if str(c["UID"]).startswith(f"session-{session_id}@"))


def test_cancel_asks_then_reinstate_mails_and_moves_the_sequence_on(app, client, login, mail_outbox):
    organiser = make_user(roles=(Role.ORGANISER,), locale="en")
    group = _group(organiser)
    events.create_meetings(group, organiser, _rule(every=2, count=4))
    group = events.get_event(group.id)
    registrations.register(group.id, make_user(email="member@example.org", locale="en"))
    meeting = group.sessions[2]
    login(organiser)
    url = f"/manage/events/{group.id}/meetings/{meeting.id}"
    page = client.get(url).get_data(as_text=True)
    assert "data-confirm" not in page and "Cancel this meeting" in page
    mail_outbox.clear()
    asked = client.post(f"{url}/cancel")
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    assert not events.get_event(group.id).sessions[2].is_cancelled and not mail_outbox
    before = int(_entry(client, group.id, meeting.id)["SEQUENCE"])
    assert client.post(f"{url}/cancel", data={"confirm": "yes"}).status_code == 302
    assert events.get_event(group.id).sessions[2].is_cancelled
    cancelled = _entry(client, group.id, meeting.id)
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == before + 1
    assert "Reinstate this meeting" in client.get(url).get_data(as_text=True)
    mail_outbox.clear()
    assert client.post(f"{url}/reinstate").status_code == 200  # asks first
    assert client.post(f"{url}/reinstate", data={"confirm": "yes"}).status_code == 302
    again = _entry(client, group.id, meeting.id)
    assert str(again["STATUS"]) == "CONFIRMED" and int(again["SEQUENCE"]) == before + 2
    assert [m["Subject"] for m in mail_outbox] == [f"The event has changed: {group.title}"]
    client.post(f"{url}/reinstate", data={"confirm": "yes"})  # not cancelled any more: refused with a message, nothing moves
    assert int(_entry(client, group.id, meeting.id)["SEQUENCE"]) == before + 2
    stranger = make_user(roles=(Role.ORGANISER,))
    other = app.test_client()
    sign_in(other, stranger)
    assert other.post(f"{url}/reinstate").status_code == 404
    assert other.post(f"{url}/cancel", data={"confirm": "yes"}).status_code == 404

"""Series rules: expansion in the event's timezone across DST, nth/last weekday, exclusions, count/until,
bad input, and changing one meeting or this and the following ones (SEQUENCE, STATUS:CANCELLED, mail)."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app import clock
from app.errors import ValidationFailed
from app.events import series
from app.events import services as events
from app.events.models import EventChange, SeriesFrequency
from app.extensions import db
from app.registrations import services as registrations
from tests.calendar.parsers import parse_everywhere
from tests.factories import make_event, make_user

SOFIA = ZoneInfo("Europe/Sofia")


def _rule(**fields) -> dict:
    data = {"frequency": "weekly", "every": 1, "weekdays": [2], "starts_on": "2027-03-10", "count": 6,
            "start_time": "18:00", "duration_minutes": 90}
    data.update(fields)
    return data


def _local(occurrences, tz):
    return [o.start.astimezone(tz).strftime("%Y-%m-%d %H:%M %z") for o in occurrences]


# --- expansion ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("zone", "before", "after"), [
    ("Europe/Sofia", "+0200", "+0300"), ("Europe/Warsaw", "+0100", "+0200"), ("Europe/Vilnius", "+0200", "+0300"),
])
def test_weekly_18_00_stays_18_00_local_across_the_spring_change(app, zone, before, after):
    tz = ZoneInfo(zone)
    occurrences = series.expand(series.parse_rule(_rule(starts_on="2027-03-17", count=4)), tz)
    assert _local(occurrences, tz) == [f"2027-03-17 18:00 {before}", f"2027-03-24 18:00 {before}",
                                       f"2027-03-31 18:00 {after}", f"2027-04-07 18:00 {after}"]
    # in UTC the meeting moves by the hour the clocks moved
    assert occurrences[1].start.utcoffset() != occurrences[2].start.utcoffset()


@pytest.mark.parametrize("zone", ["Europe/Sofia", "Europe/Warsaw"])
def test_fortnightly_meetings_stay_local_across_the_autumn_change(app, zone):
    tz = ZoneInfo(zone)
    rule = _rule(every=2, weekdays=[1, 3], starts_on="2027-10-19", until="2027-11-04", count=None)
    occurrences = series.expand(series.parse_rule(rule), tz)
    assert [o.day.isoformat() for o in occurrences] == ["2027-10-19", "2027-10-21", "2027-11-02", "2027-11-04"]
    assert {o.start.astimezone(tz).time() for o in occurrences} == {time(18)}
    assert {o.end - o.start for o in occurrences} == {timedelta(minutes=90)}


def test_nth_and_last_weekday_of_the_month(app):
    second_tuesday = series.expand(series.parse_rule(_rule(
        frequency="monthly", weekdays=[1], month_position=2, starts_on="2027-01-01", count=3)), SOFIA)
    assert [o.day for o in second_tuesday] == [date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)]
    last_thursday = series.expand(series.parse_rule(_rule(
        frequency="monthly", weekdays=[3], month_position=-1, starts_on="2027-01-01", until="2027-06-30",
        count=None)), SOFIA)
    assert [o.day for o in last_thursday] == [date(2027, 1, 28), date(2027, 2, 25), date(2027, 3, 25),
                                              date(2027, 4, 29), date(2027, 5, 27), date(2027, 6, 24)]


def test_excluded_dates_are_skipped_and_count_and_until_end_the_series(app):
    rule = series.parse_rule(_rule(count=5, excluded_dates="2027-03-17, 2027-03-31"))
    # a count is of meetings held: the skipped dates do not count and the series runs on
    assert [o.day for o in series.expand(rule, SOFIA)] == [date(2027, 3, 10), date(2027, 3, 24), date(2027, 4, 7),
                                                          date(2027, 4, 14), date(2027, 4, 21)]
    until = series.parse_rule(_rule(count=None, until="2027-03-24"))
    assert [o.day for o in series.expand(until, SOFIA)] == [date(2027, 3, 10), date(2027, 3, 17), date(2027, 3, 24)]


@pytest.mark.parametrize(("change", "field"), [
    ({"until": "2027-03-01", "count": None}, "until"),
    ({"count": 0}, "count"),
    ({"count": 201}, "count"),
    ({"count": None}, "until"),
    ({"until": "2027-04-01"}, "count"),
    ({"weekdays": []}, "weekdays"),
    ({"weekdays": ["9"]}, "weekdays"),
    ({"frequency": "daily"}, "frequency"),
    ({"frequency": "monthly", "month_position": 7}, "month_position"),
    ({"every": 0}, "every"),
    ({"starts_on": "next week"}, "starts_on"),
    ({"starts_on": "0001-01-01"}, "starts_on"),
    ({"start_time": "25:00"}, "start_time"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"excluded_dates": "31.03.2027"}, "excluded_dates"),
])
def test_bad_rules_get_a_message_on_their_field(app, change, field):
    with pytest.raises(ValidationFailed) as error:
        series.parse_rule(_rule(**change))
    assert field in error.value.fields


def test_a_rule_giving_more_than_200_meetings_is_refused(app):
    with pytest.raises(ValidationFailed) as error:
        series.expand(series.parse_rule(_rule(count=None, weekdays=[0, 1, 2, 3, 4], until="2029-12-31")), SOFIA)
    assert "until" in error.value.fields


def test_a_meeting_in_the_spring_gap_is_refused_with_its_time(app):
    rule = series.parse_rule(_rule(weekdays=[6], starts_on="2027-03-21", count=3, start_time="03:30"))
    with pytest.raises(ValidationFailed) as error:
        series.expand(rule, SOFIA)
    assert "2027-03-28 03:30" in str(error.value.fields["start_time"][0])


# --- creating and changing meetings -------------------------------------------------------------

def _group(organiser, start=None):
    start = start or datetime(2027, 3, 10, 18, tzinfo=SOFIA)
    return make_event(kind="self_help_group", title="Група за самопомощ", timezone="Europe/Sofia", actor=organiser,
                      start=start, capacity=12, venue="Читалище", group={"community": "Бургас"})


@pytest.fixture
def group(app, organiser):
    event = _group(organiser)
    events.create_meetings(event, organiser, _rule(every=2, count=4))
    return events.get_event(event.id)


def test_preview_saves_nothing_and_create_stores_the_rule_and_the_meetings(app, organiser):
    event = _group(organiser)
    before = [s.id for s in event.sessions]
    previewed = events.preview(event, _rule(every=2, count=4))
    assert [o.day for o in previewed] == [date(2027, 3, 10), date(2027, 3, 24), date(2027, 4, 7), date(2027, 4, 21)]
    db.session.expire_all()
    assert [s.id for s in events.get_event(event.id).sessions] == before
    assert events.get_event(event.id).series is None

    events.create_meetings(event, organiser, _rule(every=2, count=4))
    saved = events.get_event(event.id)
    assert saved.series.frequency == SeriesFrequency.WEEKLY and saved.series.every == 2
    assert saved.sessions[0].id == before[0]  # the first meeting kept its row (and its calendar UID)
    assert [s.series_date for s in saved.sessions] == [o.day for o in previewed]
    assert [s.starts_at.astimezone(SOFIA).hour for s in saved.sessions] == [18, 18, 18, 18]
    assert saved.ends_at == previewed[-1].end


def test_moving_one_meeting_leaves_the_others_and_bumps_only_its_sequence(app, organiser, group):
    second, third = group.sessions[1], group.sessions[2]
    untouched = (third.starts_at, third.sequence)
    event_sequence = group.sequence
    events.change_meeting(group, second.id, organiser, {"day": date(2027, 3, 25), "start": time(17),
                                                        "end": time(19), "title": "Кърмене"})
    db.session.expire_all()
    event = events.get_event(group.id)
    moved = next(s for s in event.sessions if s.id == second.id)
    assert moved.starts_at == datetime(2027, 3, 25, 17, tzinfo=SOFIA)
    assert moved.title == "Кърмене" and moved.sequence == 1
    other = next(s for s in event.sessions if s.id == third.id)
    assert (other.starts_at, other.sequence) == untouched
    assert event.sequence == event_sequence
    assert "meeting" in db.session.query(EventChange).filter_by(event_id=event.id).order_by(
        EventChange.id.desc()).first().fields


def test_this_and_all_following_changes_the_later_meetings_time_and_length(app, organiser, group):
    second = group.sessions[1]
    events.change_meeting(group, second.id, organiser, {"day": date(2027, 3, 24), "start": time(17, 30),
                                                        "end": time(19, 30), "title": "", "following": True})
    event = events.get_event(group.id)
    local = [(s.starts_at.astimezone(SOFIA).strftime("%m-%d %H:%M"), s.ends_at - s.starts_at) for s in event.sessions]
    assert local == [("03-10 18:00", timedelta(minutes=90)), ("03-24 17:30", timedelta(hours=2)),
                     ("04-07 17:30", timedelta(hours=2)), ("04-21 17:30", timedelta(hours=2))]
    assert [s.sequence for s in event.sessions] == [0, 1, 1, 1]
    assert event.series.start_time == time(17, 30) and event.series.duration_minutes == 120


def test_a_bad_move_names_its_field_and_changes_nothing(app, organiser, group):
    second = group.sessions[1]
    with pytest.raises(ValidationFailed) as error:
        events.change_meeting(group, second.id, organiser, {"day": date(2027, 3, 24), "start": time(19),
                                                            "end": time(18), "title": ""})
    assert "end" in error.value.fields
    db.session.expire_all()
    assert events.get_event(group.id).sessions[1].sequence == 0


def _feed_events(client, event_id):
    body = client.get(f"/events/{event_id}/event.ics").get_data()
    return {str(c["UID"]): c for c in Calendar.from_ical(body).walk("VEVENT")}


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled_with_a_higher_sequence(app, client, organiser, group):
    third = group.sessions[2]
    before = _feed_events(client, group.id)
    events.cancel_meeting(group, third.id, organiser)
    after = _feed_events(client, group.id)
    assert after.keys() == before.keys()  # one VEVENT per meeting, the cancelled one included
    uid = next(uid for uid in after if uid.startswith(f"session-{third.id}@"))
    assert str(after[uid]["STATUS"]) == "CANCELLED"
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    others = [u for u in after if u != uid]
    assert {str(after[u]["STATUS"]) for u in others} == {"CONFIRMED"}
    assert [int(after[u]["SEQUENCE"]) for u in others] == [int(before[u]["SEQUENCE"]) for u in others]


def test_moving_or_cancelling_a_meeting_mails_the_registrants(app, organiser, group, mail_outbox):
    with clock.frozen_at(datetime(2027, 3, 1, 12, tzinfo=SOFIA)):
        member = make_user(email="member@example.org", locale="en")
        registrations.register(group.id, member)
        mail_outbox.clear()
        events.cancel_meeting(group, group.sessions[3].id, organiser)
    assert [m["Subject"] for m in mail_outbox] == [f"The event has changed: {group.title}"]
    assert mail_outbox[0].get_body(("plain",)).get_content().count("— meeting cancelled") == 1
    attachment = next(part for part in mail_outbox[0].iter_attachments())
    statuses = [str(c["STATUS"]) for c in Calendar.from_ical(attachment.get_content()).walk("VEVENT")]
    assert statuses.count("CANCELLED") == 1


def test_a_cancelled_meeting_is_not_counted_as_held(app, organiser, group):
    registrations_before = None
    with clock.frozen_at(datetime(2027, 3, 1, 12, tzinfo=SOFIA)):
        member = make_user(email="member@example.org")
        registrations_before = registrations.register(group.id, member)
    events.cancel_meeting(group, group.sessions[1].id, organiser)
    with clock.frozen_at(datetime(2027, 4, 30, 12, tzinfo=SOFIA)):
        assert registrations.attendance(registrations_before).held == 3


def test_the_four_calendar_parsers_agree_on_a_series_across_dst(app, client, organiser, tmp_path):
    event = _group(organiser, start=datetime(2027, 3, 17, 18, tzinfo=SOFIA))
    events.create_meetings(event, organiser, _rule(starts_on="2027-03-17", count=4))
    event = events.get_event(event.id)
    events.cancel_meeting(event, event.sessions[1].id, organiser)
    entries = sorted(parse_everywhere(client.get(f"/events/{event.id}/event.ics").get_data(), tmp_path),
                     key=lambda e: e["start"])
    assert [e["start"].astimezone(SOFIA).strftime("%m-%d %H:%M") for e in entries] == [
        "03-17 18:00", "03-24 18:00", "03-31 18:00", "04-07 18:00"]
    assert {e["tzid"] for e in entries} == {"Europe/Sofia"}
    assert [e["status"] for e in entries] == ["CONFIRMED", "CANCELLED", "CONFIRMED", "CONFIRMED"]


def test_applying_a_rule_again_keeps_cancellations_and_held_meetings(app, organiser, group):
    first, second = group.sessions[0], group.sessions[1]
    events.cancel_meeting(group, group.sessions[2].id, organiser)
    cancelled_id = group.sessions[2].id
    with clock.frozen_at(datetime(2027, 3, 30, 12, tzinfo=SOFIA)):  # two meetings held
        events.create_meetings(group, organiser, _rule(every=2, weekdays=[3], starts_on="2027-03-10", count=3))
    event = events.get_event(group.id)
    days = [(s.starts_at.astimezone(SOFIA).date().isoformat(), s.is_cancelled) for s in event.sessions]
    # held Wednesdays stay; the cancelled 7 April meeting is not on the new dates (Thursdays) and is
    # still to come, so it goes with the other Wednesday; the new Thursdays are added
    assert days == [("2027-03-10", False), ("2027-03-11", False), ("2027-03-24", False), ("2027-03-25", False),
                    ("2027-04-08", False)]
    assert {first.id, second.id} <= {s.id for s in event.sessions} and cancelled_id not in {
        s.id for s in event.sessions}


def test_eight_meetings_with_one_date_skipped_are_eight_held_meetings(app):
    rule = series.parse_rule(_rule(count=8, excluded_dates="2027-03-24"))
    days = [o.day for o in series.expand(rule, SOFIA)]
    assert len(days) == 8 and date(2027, 3, 24) not in days and days[-1] == date(2027, 5, 5)


def test_applying_a_rule_again_keeps_a_meeting_moved_by_hand_unless_asked_to_reset(app, organiser, group):
    second = group.sessions[1]
    events.change_meeting(group, second.id, organiser, {"day": date(2027, 3, 24), "start": time(17),
                                                        "end": time(19), "title": ""})
    assert events.moved_by_hand(events.get_event(group.id), events.rule_of(group)) == {second.id}
    events.create_meetings(group, organiser, _rule(every=2, count=4, duration_minutes=60))
    event = events.get_event(group.id)
    local = [(s.starts_at.astimezone(SOFIA).strftime("%m-%d %H:%M"), s.ends_at - s.starts_at) for s in event.sessions]
    assert local == [("03-10 18:00", timedelta(hours=1)), ("03-24 17:00", timedelta(hours=2)),
                     ("04-07 18:00", timedelta(hours=1)), ("04-21 18:00", timedelta(hours=1))]
    events.create_meetings(event, organiser, _rule(every=2, count=4, duration_minutes=60, reset_moved=True))
    event = events.get_event(group.id)
    assert [s.starts_at.astimezone(SOFIA).strftime("%H:%M") for s in event.sessions] == ["18:00"] * 4


def test_a_cancelled_meeting_is_reinstated_with_a_higher_sequence_and_a_mail(app, organiser, group, mail_outbox):
    from app.errors import Conflict
    third = group.sessions[2]
    with pytest.raises(Conflict):
        events.reinstate_meeting(group, third.id, organiser)
    events.cancel_meeting(group, third.id, organiser)
    with clock.frozen_at(datetime(2027, 3, 1, 12, tzinfo=SOFIA)):
        registrations.register(group.id, make_user(email="member@example.org", locale="en"))
        mail_outbox.clear()
        events.reinstate_meeting(events.get_event(group.id), third.id, organiser)
    event = events.get_event(group.id)
    again = next(s for s in event.sessions if s.id == third.id)
    assert not again.is_cancelled and again.sequence == 2
    assert [m["Subject"] for m in mail_outbox] == [f"The event has changed: {group.title}"]


def test_the_series_form_starts_from_the_first_meeting_and_says_who_was_told(app, client, organiser, login):
    event = _group(organiser, start=datetime(2027, 3, 11, 17, 30, tzinfo=SOFIA))
    organiser.locale = "en"
    db.session.commit()
    login(organiser)
    page = client.get(f"/manage/events/{event.id}/series").get_data(as_text=True)
    assert 'value="2027-03-11"' in page and 'value="17:30"' in page
    assert _checked(page, "3")
    form = {"frequency": "weekly", "every": "1", "weekdays": ["3"], "starts_on": "2027-03-11", "count": "3",
            "start_time": "17:30", "duration_minutes": "90", "month_position": "1", "create": "1"}
    answer = client.post(f"/manage/events/{event.id}/series", data=form, follow_redirects=True).get_data(as_text=True)
    assert "The meetings are saved." in answer and "told" not in answer
    with clock.frozen_at(datetime(2027, 3, 1, 12, tzinfo=SOFIA)):
        registrations.register(event.id, make_user(email="member@example.org"))
    form["count"] = "4"
    answer = client.post(f"/manage/events/{event.id}/series", data=form, follow_redirects=True).get_data(as_text=True)
    assert "1 registrant is told about the new dates." in answer


def _checked(page: str, value: str) -> bool:
    import re
    return any("checked" in tag for tag in re.findall(r'<input[^>]*name="weekdays"[^>]*>', page) if f'value="{value}"' in tag)

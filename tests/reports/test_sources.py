"""Each computed source against the hand-built data set in conftest.py, whose answers are known."""
from datetime import date

import pytest

from app.reports import sources
from app.reports.sources import TOTAL, Scope, StageSpan
from tests.reports.conftest import Known


def scope(known, **kwargs) -> Scope:
    return Scope(programme_id=known["programme"].id, **kwargs)


def spans(known):
    return tuple(StageSpan(s.id, s.starts_on, s.ends_on) for s in known["stages"])


@pytest.mark.parametrize("key", sorted(sources.SOURCES))
def test_every_source_has_its_known_total(known, key):
    assert sources.compute(key, scope(known)) == {TOTAL: getattr(Known, key)}


def test_trainees_trained_counts_each_person_once_and_only_at_the_threshold(known):
    e1, e2 = known["events"][:2]
    u1, _u2, u3, u4, *_ = known["users"]
    assert sources.trainees_trained(scope(known, event_id=e1.id)) == {TOTAL: 2}  # u2 has 2 of 3 at 100 %
    assert sources.trainees_trained(scope(known, event_id=e2.id)) == {TOTAL: 2}  # u1 and u4; u6 never came
    assert sources.trainees_trained(scope(known), by="event") == {e1.id: 2, e2.id: 2}
    assert sources.trainees_trained(scope(known), by="region") == {"RU-SAM": 1, "RU-PNZ": 1, "RU-SMO": 1}
    assert sources.trainees_trained(scope(known), by="stage", stages=spans(known)) == {known["stages"][0].id: 3}
    assert {u1.id, u3.id, u4.id}  # the three people: u1 (both events), u3 (E1), u4 (E2)


def test_trainees_trained_follows_the_clock(app, known):
    from datetime import UTC, datetime

    from app import clock

    with clock.frozen_at(datetime(2027, 3, 1, 20, 0, tzinfo=UTC)):
        # After day 1 of E1 everyone checked in on day 1 has 1/1, yet nobody is trained before the event ends.
        assert sources.trainees_trained(scope(known)) == {TOTAL: 0}
    with clock.frozen_at(datetime(2027, 3, 3, 20, 0, tzinfo=UTC)):
        assert sources.trainees_trained(scope(known)) == {TOTAL: 2}  # u1 and u3 have 3/3; u2 2/3


def test_participants_are_distinct_people_per_bucket(known):
    s1, s2 = known["stages"]
    # E3 (August) has not been held on 15 June: its confirmed u2 is not a participant of stage 2 yet.
    assert sources.participants(scope(known), by="stage", stages=spans(known)) == {s1.id: 5}
    assert sources.participants(scope(known), by="month") == {"2027-03": 3, "2027-05": 3}
    assert sources.participants(scope(known, date_from=date(2027, 7, 1))) == {TOTAL: 0}
    assert s2.id


def test_outside_a_span_counts_only_what_is_dated_beyond_it(known):
    inside = scope(known, date_from=date(2027, 4, 1), date_to=date(2027, 6, 30))
    assert sources.participants(inside) == {TOTAL: 3}  # E2 in May: u1, u6, u4
    assert sources.participants(inside.beyond(date(2027, 4, 1), date(2027, 6, 30))) == {TOTAL: 3}  # E1: u1, u2, u3
    assert sources.events_held(scope(known).beyond(date(2027, 3, 2), date(2027, 12, 31))) == {TOTAL: 1}  # E1


def test_regions_covered(known):
    assert sources.regions_covered(scope(known)) == {TOTAL: 3}
    assert sources.regions_covered(scope(known, event_kind="webinar")) == {TOTAL: 3}  # SAM, PNZ, SMO
    assert sources.regions_covered(scope(known, event_kind="seminar")) == {TOTAL: 2}  # SAM, PNZ


def test_organisations_covered(known):
    org_a, org_b, org_c = known["orgs"]
    assert sources.organisations_covered(scope(known)) == {TOTAL: 3}
    assert sources.organisations_covered(scope(known), by="region") == {"RU-SAM": 2, "RU-PNZ": 1, "RU-SMO": 1}


def test_events_held_by_kind(known):
    assert sources.events_held(scope(known), by="kind") == {"seminar": 1, "webinar": 1, "outreach_trip": 2}
    assert sources.events_held(scope(known, event_kind="outreach_trip")) == {TOTAL: 2}


def test_sessions_held(known):
    e1 = known["events"][0]
    assert sources.sessions_held(scope(known, event_id=e1.id)) == {TOTAL: 3}
    assert sources.sessions_held(scope(known), by="kind") == {"seminar": 3, "webinar": 1, "outreach_trip": 2}


def test_people_served_per_service_and_per_trip(known):
    t1, t2 = known["events"][5:7]
    assert sources.people_served(scope(known, option="checkups")) == {TOTAL: 94}
    assert sources.people_served(scope(known), by="service") == {"checkups": 94, "lectures": 52}
    assert sources.people_served(scope(known), by="event") == {t1.id: 116, t2.id: 30}


def test_registrations_in_any_state(known):
    e1 = known["events"][0]
    assert sources.registrations(scope(known, event_id=e1.id)) == {TOTAL: 5}


def test_waitlist_conversions(known):
    assert sources.waitlist_conversions(scope(known), by="region") == {"RU-SMO": 1}


def test_a_source_refuses_a_grouping_it_does_not_have(known):
    with pytest.raises(ValueError):
        sources.events_held(scope(known), by="organisation")

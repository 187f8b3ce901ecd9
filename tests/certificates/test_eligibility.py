"""Eligibility at the attendance threshold, before the end of the event, and with reasons."""
import pytest

from app import clock
from app.certificates import eligibility
from app.certificates.models import CertificateKind
from tests.certificates.conftest import AFTER, make_seminar

P = CertificateKind.PARTICIPATION


@pytest.mark.parametrize(("threshold", "eligible_days"), [(100, {3}), (67, {3}), (66, {2, 3}), (34, {2, 3}),
                                                          (33, {1, 2, 3}), (0, {0, 1, 2, 3})])
def test_attendance_against_the_threshold(app, organiser, after_event, threshold, eligible_days):
    event, users = make_seminar(organiser, [0, 1, 2, 3], threshold=threshold)
    after_event()
    found = {c.user.id: c for c in eligibility.candidates(event, P)}
    assert {days for days, user in enumerate(users) if found[user.id].eligible} == eligible_days
    for days, user in enumerate(users):
        candidate = found[user.id]
        assert (candidate.attended, candidate.held) == (days, 3)
        if not candidate.eligible:
            assert f"{days} из 3" in str(candidate.reasons[0]) and f"{threshold}%" in str(candidate.reasons[0])


def test_nobody_is_eligible_before_the_event_ends(app, organiser, after_event):
    event, users = make_seminar(organiser, [3])
    clock.advance(AFTER - clock.now() - (AFTER - event.sessions[-1].ends_at) - clock.now().resolution)
    [candidate] = eligibility.candidates(event, P)
    assert not candidate.eligible and "не закончилось" in str(candidate.reasons[0])
    after_event()
    assert eligibility.candidates(event, P)[0].eligible


def test_only_confirmed_participants_are_candidates(app, organiser, after_event):
    from app.registrations import services as registrations

    event, users = make_seminar(organiser, [3, 3])
    registration = registrations.registration_of(event, users[1])
    registrations.cancel(registration, users[1])
    after_event()
    assert [c.user.id for c in eligibility.candidates(event, P)] == [users[0].id]

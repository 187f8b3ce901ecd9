"""The report cache: served while nothing it counts has changed, never stale after a write or with time.

Each write is made the way the areas make it (ORM objects in one transaction, or a bulk statement), then
the cached report must equal the report computed at that moment, and the version must have moved.
"""
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from app import cache, clock
from app.events.models import Event, EventStatus, TripResult
from app.extensions import db
from app.quotas.models import ReviewState
from app.registrations.models import CheckIn, Registration
from app.reports import dashboard, freshness, indicators, report
from app.reports.models import ProgrammeChange
from tests.events.test_listing import count_queries
from tests.reports.conftest import make_organiser
from tests.reports.test_outcome_sources import outcomes  # noqa: F401 (a fixture)

SOURCES = ("participants", "regions_covered", "organisations_covered", "trainees_trained", "events_held", "sessions_held", "people_served", "registrations",
           "consultations_accepted", "quotas_met", "certificates_issued")


@pytest.fixture
def measured(outcomes):  # noqa: F811 (the fixture imported above)
    organiser = make_organiser()
    programme = outcomes["programme"]
    programme.organisers = [organiser]
    for source in SOURCES:
        indicators.create_indicator(programme, organiser, {"name": source, "plan": 10, "source": source})
    return {**outcomes, "organiser": organiser}


def facts(programme_id: int) -> dict:
    return {row["source"]: row["fact"] for row in report.build(programme_id)["indicators"]}


def computed_now(programme_id: int) -> dict:
    return {row["source"]: row["fact"] for row in report.build(programme_id, now=clock.now())["indicators"]}


def version(programme) -> tuple:
    return freshness.versions([programme.id])[programme.id]


def test_a_second_read_is_served_from_the_cache_without_counting_again(measured):
    programme_id = measured["programme"].id
    built = []
    building = count_queries(lambda: built.append(report.build(programme_id)))
    db.session.rollback()  # a new request, a new transaction
    hits = cache.reports.stats.hits
    # The version alone: nothing loaded, nothing counted.
    assert count_queries(lambda: built.append(report.build(programme_id))) == 1 < building
    assert built[1] == built[0]
    assert cache.reports.stats.hits == hits + 1


def _check_in(known):
    u2 = known["users"][1]
    registration = db.session.scalar(select(Registration).where(Registration.user_id == u2.id,
                                                                Registration.event_id == known["events"][0].id))
    db.session.add(CheckIn(registration_id=registration.id, session_id=known["events"][0].sessions[2].id))


def _more_people_served(known):
    result = db.session.scalar(select(TripResult).where(TripResult.event_id == known["events"][5].id))
    result.people_served += 10


def _registration_deleted(known):
    db.session.delete(db.session.scalar(select(Registration).where(Registration.event_id == known["events"][1].id)))


def _event_cancelled(known):
    known["events"][0].status = EventStatus.CANCELLED


def _event_moved_away(known):
    known["events"][1].programme_id = known["other"].id


def _consultation_accepted(known):
    from app.quotas.models import Consultation

    waiting = db.session.scalar(select(Consultation).where(Consultation.review_state == ReviewState.SUBMITTED))
    waiting.review_state = ReviewState.ACCEPTED


def _certificate_revoked(known):
    from app.certificates.models import Certificate

    db.session.scalars(select(Certificate).where(Certificate.revoked_at.is_(None))).first().revoked_at = clock.now()


def _bulk_undo_of_check_ins(known):
    db.session.execute(delete(CheckIn).where(CheckIn.session_id == known["events"][0].sessions[0].id))


def _participants_region_moved(known):
    known["users"][2].region_code = "RU-MOS"


@pytest.mark.parametrize("write", [_check_in, _more_people_served, _registration_deleted, _event_cancelled,
                                   _event_moved_away, _consultation_accepted, _certificate_revoked,
                                   _bulk_undo_of_check_ins])
def test_every_write_that_changes_a_fact_is_seen_at_once(measured, write):
    programme = measured["programme"]
    before, moved_from = facts(programme.id), version(programme)
    write(measured)
    db.session.commit()
    after = facts(programme.id)
    assert version(programme) != moved_from
    assert after == computed_now(programme.id)
    assert after != before


def test_a_participants_region_or_organisation_moves_every_programme(measured):
    """Consultations are grouped by the trainee's own region and organisation: a change marks every programme."""
    programme, other = measured["programme"], measured["other"]
    facts(programme.id)
    kept = freshness.versions([programme.id, other.id])
    _participants_region_moved(measured)
    db.session.commit()
    moved = freshness.versions([programme.id, other.id])
    assert all(moved[pid] != kept[pid] for pid in kept)
    assert facts(programme.id) == computed_now(programme.id)


def test_a_write_elsewhere_leaves_the_programme_cached(measured):
    programme, other = measured["programme"], measured["other"]
    facts(programme.id)
    kept, other_kept = version(programme), version(other)
    other_event = db.session.scalar(select(Event).where(Event.programme_id == other.id))
    other_event.title = "Чужой семинар (перенесён)"
    measured["users"][0].full_name = "Новое имя"  # a user's name counts nowhere
    db.session.commit()
    assert version(programme) == kept
    assert version(other) != other_kept
    hits = cache.reports.stats.hits
    facts(programme.id)
    assert cache.reports.stats.hits == hits + 1


def test_a_rolled_back_write_moves_nothing_and_is_never_cached(measured):
    programme = measured["programme"]
    facts(programme.id)
    kept = version(programme)
    _more_people_served(measured)
    db.session.flush()
    inside = facts(programme.id)  # read inside the writing transaction: built, not stored
    assert inside["people_served"] == computed_now(programme.id)["people_served"]
    db.session.rollback()
    assert version(programme) == kept
    assert facts(programme.id) == computed_now(programme.id) != inside


def test_the_clock_alone_ends_an_event_and_the_cached_report_goes_stale(measured):
    programme = measured["programme"]
    before = facts(programme.id)
    future_seminar = measured["events"][2]  # 1–2 Aug
    with clock.frozen_at(future_seminar.ends_at + timedelta(minutes=1)):
        later = facts(programme.id)
        assert later == computed_now(programme.id)
        assert later["events_held"] == before["events_held"] + 1


def test_a_lock_or_a_verification_counter_is_no_change(measured):
    programme = measured["programme"]
    facts(programme.id)
    kept = version(programme)
    db.session.execute(update(Event).where(Event.id == measured["events"][0].id).values(id=Event.id)
                       .execution_options(facts_unchanged=True))
    db.session.commit()
    assert version(programme) == kept


def test_prune_keeps_the_newest_change_and_moves_the_version(measured):
    programme = measured["programme"]
    facts(programme.id)
    kept = version(programme)
    with clock.frozen_at(clock.now() + timedelta(hours=2)):
        deleted = freshness.prune()
    assert deleted > 0
    left = db.session.execute(select(ProgrammeChange.programme_id, func.count()).group_by(ProgrammeChange.programme_id))
    assert all(number == 1 for _pid, number in left)
    assert version(programme) != kept
    assert facts(programme.id) == computed_now(programme.id)


def test_the_dashboard_takes_its_programme_figures_from_the_cache(measured):
    organiser = measured["organiser"]
    stats = cache.reports.stats
    before = stats.misses
    first = dashboard.dashboard(organiser)
    misses = stats.misses
    # Programme progress, reviews waiting, events without check-ins, trips without results, quotas behind pace,
    # certificates due: each kept per programme.
    assert misses - before == 6
    db.session.rollback()
    again = dashboard.dashboard(organiser)
    assert stats.misses == misses
    assert again.programmes[0].progress == first.programmes[0].progress
    assert [a.entries for a in again.attention] == [a.entries for a in first.attention]
    _more_people_served(measured)
    db.session.commit()
    dashboard.dashboard(organiser)
    assert stats.misses == misses + 6


def test_a_transaction_committing_after_a_newer_one_still_moves_the_version(measured):
    """PostgreSQL hands out ids at insert and commits in any order: the row of a transaction still open (here:
    not yet there) has a lower id than a newer committed one, and its commit must still move the version."""
    programme = measured["programme"]
    _more_people_served(measured)
    db.session.commit()
    _check_in(measured)
    db.session.commit()
    newest = db.session.scalar(select(func.max(ProgrammeChange.id)).where(ProgrammeChange.programme_id == programme.id))
    late = db.session.get(ProgrammeChange, newest - 1)
    late_row = {"id": late.id, "programme_id": late.programme_id, "changed_at": late.changed_at}
    db.session.delete(late)
    db.session.commit()
    seen = version(programme)
    db.session.execute(ProgrammeChange.__table__.insert().values(**late_row))
    db.session.commit()
    assert version(programme) != seen


def test_the_report_page_and_its_charts_show_a_write_at_once(measured, client, login):
    login(measured["organiser"])
    url = f"/manage/programmes/{measured['programme'].id}/report"
    before = client.get(url).get_data(as_text=True)
    misses = cache.reports.stats.misses
    client.get(url)
    assert cache.reports.stats.misses == misses  # the report and its charts, both from the cache
    assert ">116<" in before and ">126<" not in before  # people served on the first trip, in its chart's table
    _more_people_served(measured)
    db.session.commit()
    after = client.get(url).get_data(as_text=True)
    assert ">126<" in after and ">116<" not in after

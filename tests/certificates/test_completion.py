"""Completion certificates: attendance and the consultation quota met (app.quotas.services.progress_for_event)."""
from datetime import timedelta

from app import clock
from app.certificates import eligibility, issuance, jobs
from app.certificates.models import CertificateKind, IssuanceJob
from app.extensions import db
from app.quotas.models import Consultation, ReviewState
from tests.quotas.conftest import BEFORE, WINDOW, build_world

C = CertificateKind.COMPLETION


def _accept(world, user, count: int) -> None:
    quota = world.quota(user)
    db.session.add_all(Consultation(quota_id=quota.id, held_on=WINDOW[0] + timedelta(days=n), format="phone",
                                    duration_minutes=30, client_type="patient", review_state=ReviewState.ACCEPTED)
                       for n in range(count))
    db.session.commit()


def test_completion_needs_the_quota_met(app, client, login):
    with clock.frozen_at(BEFORE):
        world = build_world(3)
        done, halfway, idle = world.trainees
        _accept(world, done, 20)
        _accept(world, halfway, 14)
        found = {c.user.id: c for c in eligibility.candidates(world.event, C)}
        assert found[done.id].eligible
        assert not found[halfway.id].eligible and "14 из 20" in str(found[halfway.id].reasons[0])
        assert not found[idle.id].eligible and "0 из 20" in str(found[idle.id].reasons[0])
        # participation ignores the quota
        assert all(c.eligible for c in eligibility.candidates(world.event, CertificateKind.PARTICIPATION))

        job = jobs.create_job(world.event, C, [u.id for u in world.trainees], world.organiser)
        db.session.expire_all()
        job = db.session.get(IssuanceJob, job.id)
        assert (job.done, job.failed) == (1, 2)
        login(world.organiser)
        page = client.get(f"/manage/events/{world.event.id}/certificates?kind=completion").get_data(as_text=True)
        assert "14 из 20 консультаций принято" in page

        certificate = issuance.issue_one(world.event, halfway, C, world.organiser,
                                         override_reason="консультации в стационаре не вносились в журнал")
        assert certificate.kind == C and certificate.override_reason

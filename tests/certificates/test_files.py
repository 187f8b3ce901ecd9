"""PDF files and the unit of work: a PDF moves into place only once its certificate is committed, so a
rollback, an "already holds one" skip or a lost lease leaves no file in the certificates folder; the
sweeper deals with the temporary files a killed process leaves."""
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.certificates import files, issuance, jobs
from app.certificates.models import Certificate, CertificateKind, IssuanceJob, JobState
from app.core.storage import store
from app.database import unit_of_work
from app.extensions import db

P = CertificateKind.PARTICIPATION


def _on_disk() -> set[str]:
    """Every file in the store's certificates namespace, as the rows name them (temporary ones included)."""
    return {f.key.removeprefix("certificates/") for f in store().list("certificates")}


def _age(key: str, seconds: float) -> None:
    """Make a stored file look `seconds` old (the local store keeps files on disk)."""
    then = time.time() - seconds
    os.utime(store().path_of(key), (then, then))


def _recorded() -> set[str]:
    return set(db.session.scalars(select(Certificate.pdf_path)))


def test_a_rolled_back_batch_leaves_no_file(app, seminar, organiser):
    event, users = seminar
    batch = issuance.prepare_batch(event, P, [issuance.Request(users[0]), issuance.Request(users[2])], organiser)
    assert len(_on_disk()) == 2 and all(name.endswith(files.TEMPORARY_SUFFIX) for name in _on_disk())
    with pytest.raises(ZeroDivisionError):
        try:
            with unit_of_work():
                assert len(issuance.record_batch(batch).issued) == 2
                _ = 1 / 0
        finally:
            batch.discard_unrecorded()
    assert _recorded() == set() and _on_disk() == set()


def test_a_person_who_got_one_meanwhile_is_skipped_and_leaves_no_file(app, seminar, organiser):
    event, users = seminar
    batch = issuance.prepare_batch(event, P, [issuance.Request(users[0]), issuance.Request(users[2])], organiser)
    first = issuance.issue_one(event, users[0], P, organiser)  # issued by someone else while the batch rendered
    try:
        with unit_of_work():
            result = issuance.record_batch(batch)
    finally:
        batch.discard_unrecorded()
    assert result.already == [users[0].id] and [c.user_id for c in result.issued] == [users[2].id]
    assert _on_disk() == _recorded() and len(_recorded()) == 2 and first.pdf_path in _on_disk()


def test_a_batch_whose_lease_was_lost_leaves_no_file(app, seminar, organiser):
    """Another runner takes the job over after the first batch: our second batch rolls back, files too."""
    event, users = seminar
    app.config["CERTIFICATE_BATCH_SIZE"] = 1
    job = jobs.create_job(event, P, [users[0].id, users[2].id], organiser, start=False)

    def taken_over(current: IssuanceJob) -> None:
        with unit_of_work():
            db.session.get(IssuanceJob, current.id, populate_existing=True).lease_owner = "another runner"

    assert jobs.run_job(job.id, progress=taken_over) == 0
    job = db.session.get(IssuanceJob, job.id, populate_existing=True)
    assert job.state == JobState.RUNNING and job.done == 1
    assert len(_recorded()) == 1 and _on_disk() == _recorded()


def test_the_sweeper_removes_old_leftovers_and_keeps_fresh_ones(app, seminar, organiser):
    event, users = seminar
    old = files.stage("PRK-2027-900001", b"%PDF- left by a killed worker")
    fresh = files.stage("PRK-2027-900002", b"%PDF- being recorded right now")
    _age(old.temporary, 2 * 3600)
    assert files.sweep(older_than=timedelta(hours=1)) == 1
    assert not store().exists(old.temporary) and store().exists(fresh.temporary)


def _committed_but_not_moved(seminar, organiser):
    """A certificate whose row committed while its PDF is still only the temporary leftover."""
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    final = files.key_in_store(certificate.pdf_path)
    pdf = store().get(final)
    store().delete(final)
    return certificate, final, pdf, files.stage(certificate.serial, pdf)


def test_the_sweeper_moves_a_committed_certificates_pdf_into_place(app, seminar, organiser):
    """The process died after the commit, before the move: the row is there, its PDF only as a leftover."""
    certificate, final, pdf, leftover = _committed_but_not_moved(seminar, organiser)
    _age(leftover.temporary, 7200)
    assert files.sweep() == 0
    assert store().get(final) == pdf and not store().exists(leftover.temporary)
    assert issuance.pdf_bytes(certificate) == pdf


def test_a_resumed_job_moves_a_committed_certificates_pdf_into_place_at_once(app, seminar, organiser):
    """The runner died after a batch's commit, before the move: resuming does not wait for the sweeper;
    a fresh leftover with no committed certificate (another runner's, being recorded) stays."""
    certificate, final, pdf, leftover = _committed_but_not_moved(seminar, organiser)
    in_flight = files.stage("PRK-2027-900003", b"%PDF- being recorded right now")
    files.recover_lost_moves()
    assert store().get(final) == pdf and not store().exists(leftover.temporary)
    assert store().exists(in_flight.temporary)

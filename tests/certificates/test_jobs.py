"""Bulk issuance: a job through the outbox and the worker (immediate mode), one bad record failing
alone, a re-run issuing only what is missing, the CLI with its progress bar, and the holders' mail."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.certificates import issuance, jobs
from app.certificates.models import Certificate, CertificateKind, IssuanceJob, JobState
from app.database import lock_row, unit_of_work
from app.extensions import db
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage, OutboxState

P = CertificateKind.PARTICIPATION


def _count(event) -> int:
    return db.session.scalar(select(func.count(Certificate.id)).where(Certificate.event_id == event.id,
                                                                      Certificate.revoked_at.is_(None)))


def test_job_issues_to_the_chosen_and_one_bad_record_fails_alone(app, seminar, organiser, mail_outbox):
    event, users = seminar  # attended 3, 2, 3, 0 of 3 days
    job = jobs.create_job(event, P, [u.id for u in users], organiser, layout_name="modern")
    db.session.expire_all()
    job = db.session.get(IssuanceJob, job.id)
    assert job.state == JobState.DONE
    assert (job.total, job.done, job.failed) == (4, 2, 2)
    reasons = {e["user_id"]: e["reason"] for e in job.errors}
    assert set(reasons) == {users[1].id, users[3].id}
    assert "2" in reasons[users[1].id] and "3" in reasons[users[1].id]
    assert _count(event) == 2
    holders = {m["To"] for m in mail_outbox}
    assert any(users[0].email in to for to in holders) and any(users[2].email in to for to in holders)
    message = next(m for m in mail_outbox if users[0].email in m["To"])
    [attachment] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    pdf = attachment.get_content()
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == users[0].id))
    assert attachment.get_filename() == f"{certificate.serial}.pdf"
    assert issuance.pdf_bytes(certificate) == pdf
    assert "Ваш сертификат" in message["Subject"] or "сертификат" in message["Subject"].lower()


def test_rerunning_a_finished_job_issues_only_what_is_missing(app, seminar, organiser):
    event, users = seminar
    job = jobs.create_job(event, P, [users[0].id, users[1].id], organiser)
    assert _count(event) == 1
    before = {c.serial for c in db.session.scalars(select(Certificate))}
    # the organiser lets the second person in (a late check-in) and runs the job again
    event.attendance_threshold = 60
    db.session.commit()
    jobs.restart_job(db.session.get(IssuanceJob, job.id), organiser)
    db.session.expire_all()
    job = db.session.get(IssuanceJob, job.id)
    assert (job.state, job.done, job.failed) == (JobState.DONE, 2, 0)
    after = {c.serial for c in db.session.scalars(select(Certificate))}
    assert before < after and len(after) == 2


def test_job_progress_json_for_the_bar(app, client, login, seminar, organiser):
    event, users = seminar
    job = jobs.create_job(event, P, [users[0].id], organiser)
    login(organiser)
    body = client.get(f"/manage/events/{event.id}/certificates/jobs/{job.id}.json").get_json()
    assert body["state"] == "done" and body["percent"] == 100 and body["done"] == 1 and body["total"] == 1
    assert body["summary"] and body["errors"] == []
    page = client.get(f"/manage/events/{event.id}/certificates/jobs/{job.id}").get_data(as_text=True)
    assert "js/certificate-job.js" in page and "<script>" not in page


def test_the_form_starts_a_job_for_the_ticked_people(app, client, login, seminar, organiser):
    event, users = seminar
    login(organiser)
    page = client.get(f"/manage/events/{event.id}/certificates").get_data(as_text=True)
    assert f'value="{users[0].id}" id="pick-{users[0].id}" checked' in page
    assert "2 из 3" in page or "2 of 3" in page
    response = client.post(f"/manage/events/{event.id}/certificates/jobs",
                           data={"kind": "participation", "layout": "classic", "user_ids": [users[2].id],
                                 "signatory_name": "Петрова А. С.", "signatory_role": "Руководитель"})
    assert response.status_code == 302 and "/certificates/jobs/" in response.location
    assert _count(event) == 1
    empty = client.post(f"/manage/events/{event.id}/certificates/jobs",
                        data={"kind": "participation", "layout": "classic"})
    assert empty.status_code == 422


def test_cli_issues_everyone_eligible_with_a_progress_bar(app, runner, seminar, organiser):
    event, users = seminar
    result = runner.invoke(args=["issue-certificates", "--event", str(event.id), "--kind", "participation",
                                 "--as", organiser.email])
    assert result.exit_code == 0, result.output
    assert "issuing" in result.output and "2 issued, 0 failed" in result.output
    assert _count(event) == 2
    again = runner.invoke(args=["issue-certificates", "--event", str(event.id), "--kind", "participation"])
    assert again.exit_code == 0 and "nothing to issue" in again.output
    assert _count(event) == 2
    missing = runner.invoke(args=["issue-certificates", "--event", "999999", "--kind", "participation"])
    assert missing.exit_code != 0 and "no event" in missing.output


def test_revocation_is_mailed_to_the_holder(app, seminar, organiser, mail_outbox):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    issuance.revoke(certificate, organiser, "выдан по ошибке")
    revoked = [m for m in mail_outbox if certificate.serial in m["Subject"]]
    assert revoked and "выдан по ошибке" in revoked[0].get_body(("plain",)).get_content()


@pytest.mark.parametrize("app_overrides", [{"HUEY_IMMEDIATE": False}])
def test_a_job_starts_only_from_its_outbox_row_and_waits_out_another_runners_lease(app, seminar, organiser):
    """Nothing but the worker delivering the job's outbox row runs it; while another runner holds the
    job, the row waits for that lease (not counted as a failed attempt), then the job is finished."""
    event, users = seminar
    outbox.deliver_due()  # the registrations' mails
    job = jobs.create_job(event, P, [users[0].id], organiser)
    [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "certificates.run_job")).all()
    assert row.state == OutboxState.PENDING and db.session.get(IssuanceJob, job.id).state == JobState.QUEUED
    with unit_of_work():
        held = lock_row(IssuanceJob, job.id)
        held.lease_owner, held.lease_until = "another runner", clock.now() + timedelta(seconds=30)
    assert outbox.deliver_due() == 0
    db.session.refresh(row)
    assert (row.state, row.attempts, row.last_error) == (OutboxState.PENDING, 0, "")
    assert row.available_at == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=31))
    assert outbox.deliver_due() >= 1  # the job, and the holder's mail it emitted
    db.session.expire_all()
    assert db.session.get(IssuanceJob, job.id).state == JobState.DONE and _count(event) == 1
    assert db.session.get(OutboxMessage, row.id).state == OutboxState.SENT

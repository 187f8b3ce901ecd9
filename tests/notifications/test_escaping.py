"""Every mail kind, with `<script>` in every field a person can type, reaches SMTP with its HTML part
escaped: the escaping lives in the one composer, so no kind can forget it."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app import clock
from app.accounts import mail as account_mail
from app.certificates import issuance
from app.certificates.models import CertificateKind
from app.database import unit_of_work
from app.events.models import EventStatus
from app.extensions import db
from app.messaging import mail as messaging_mail
from app.messaging.models import DigestItem, EventMessage, MessageRecipient, OrganiserDigest, OrganiserTopic
from app.messaging.organisers import MAIL_TOPIC as MESSAGING_MAIL
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage
from app.quotas.base import MAIL_TOPIC as QUOTAS_MAIL
from app.quotas.models import (
    CatchUpPlan,
    CatchUpState,
    ClientType,
    Consultation,
    ConsultationFormat,
    CuratorTask,
    ReviewState,
    TaskKind,
)
from app.registrations import mail as registration_mail
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.services import MAIL_TOPIC as REGISTRATIONS_MAIL
from tests.factories import make_event, make_organisation, make_user
from tests.quotas.conftest import BEFORE, build_world, move_to

XSS = "<script>alert(1)</script>"
S = RegistrationStatus
QUOTA_KINDS = {"assigned", "met", "catch_up_requested", "catch_up_decided", "behind", "last_weeks"}


def _hostile_user(n: int, **fields):
    return make_user(f"hostile{n}@example.org", full_name=f"{XSS} Иван {n}", password=None,
                     organisation=make_organisation(f"{XSS} организация {n}"), **fields)


def _registration(event, user, status, **fields) -> Registration:
    registration = Registration(event_id=event.id, user_id=user.id, status=status, region_code=user.region_code,
                                organisation_id=user.organisation_id, decision_reason=XSS, **fields)
    db.session.add(registration)
    db.session.commit()
    return registration


def test_every_mail_kind_escapes_every_typed_value(app, mail_outbox):
    with clock.frozen_at(BEFORE):
        world = build_world(trainee_count=2)
        organiser, curator = world.organiser, world.curator
        for person in (organiser, curator, *world.trainees):
            person.full_name = f"{XSS} {person.full_name}"
        world.event.title = f"{XSS} семинар"
        future = make_event(actor=organiser, title=f"{XSS} будущий", venue=XSS, address=XSS, capacity=5)
        cancelled = make_event(actor=organiser, title=f"{XSS} отменён")
        cancelled.status = EventStatus.CANCELLED
        db.session.commit()

        certificate = issuance.issue_one(world.event, world.trainees[0], CertificateKind.PARTICIPATION, organiser,
                                         override_reason=XSS)
        revoked = issuance.issue_one(world.event, world.trainees[1], CertificateKind.PARTICIPATION, organiser,
                                     override_reason=XSS)
        issuance.revoke(revoked, organiser, XSS)

        move_to(date(2027, 5, 1))  # mid-window, nothing accepted: behind pace, weeks still left
        behind, met = world.quota(world.trainees[0]), world.quota(world.trainees[1])
        met.met_at = clock.now()
        db.session.add_all([
            CatchUpPlan(quota_id=behind.id, state=CatchUpState.REQUESTED, note=XSS),
            CatchUpPlan(quota_id=met.id, state=CatchUpState.RETURNED, note=XSS, comment=XSS),
            CuratorTask(quota_id=behind.id, curator_id=behind.curator_id, kind=TaskKind.BEHIND, open_key="behind-1"),
        ])
        returned = Consultation(quota_id=behind.id, held_on=date(2027, 4, 20), format=ConsultationFormat.PHONE,
                                duration_minutes=30, client_type=ClientType.PATIENT, note=XSS,
                                review_state=ReviewState.RETURNED, review_comment=XSS)
        db.session.add(returned)
        db.session.commit()

        people = [_hostile_user(n) for n in range(8)]
        statuses = {"pending": S.PENDING, "waitlisted": S.WAITLISTED, "offer_expired": S.EXPIRED,
                    "rejected": S.REJECTED, "cancelled": S.CANCELLED, "cancelled_by_organiser": S.CANCELLED}
        registrations_by_kind = {kind: _registration(future, person, status)
                                 for (kind, status), person in zip(statuses.items(), people, strict=False)}
        registrations_by_kind["offered"] = _registration(future, people[6], S.OFFERED,
                                                         offer_expires_at=clock.now() + timedelta(days=1))
        registrations_by_kind["event_cancelled"] = _registration(cancelled, people[7], S.CONFIRMED)
        confirmed = db.session.execute(select(Registration).where(
            Registration.event_id == world.event.id, Registration.user_id == world.trainees[0].id)).scalar_one()
        for kind in ("confirmed", "event_changed", "event_reinstated", "reminder", "invitation"):
            registrations_by_kind[kind] = confirmed

        message = EventMessage(event_id=future.id, author_id=organiser.id, subject=f"{XSS} {{name}}",
                               body=f"{XSS}\n\n{{event}} {XSS}", recipient_count=1, created_at=clock.now())
        message.recipients = [MessageRecipient(user_id=people[0].id)]
        digest = OrganiserDigest(user_id=organiser.id, day=clock.now().date(), sent_at=clock.now())
        db.session.add_all([message, digest, DigestItem(
            user_id=organiser.id, event_id=future.id, topic=OrganiserTopic.APPLICATION,
            details={"name": XSS, "email": "hostile0@example.org"}, created_at=clock.now(),
            digested_on=clock.now().date())])
        db.session.commit()

        mail_outbox.clear()
        first_row = db.session.scalar(select(func.max(OutboxMessage.id)))
        with unit_of_work():
            for kind, registration in registrations_by_kind.items():
                extra = {"token": XSS, "organiser_id": organiser.id} if kind == "invitation" else {}
                outbox.emit(REGISTRATIONS_MAIL, kind=kind, registration_id=registration.id, extra=extra)
            for kind in QUOTA_KINDS:
                outbox.emit(QUOTAS_MAIL, kind=kind, quota_id=(met if kind in {"met", "catch_up_decided"}
                                                              else behind).id)
            outbox.emit(QUOTAS_MAIL, kind="returned", consultation_id=returned.id)
            outbox.emit(QUOTAS_MAIL, kind="task", task_id=db.session.scalar(select(CuratorTask.id)))
            outbox.emit(QUOTAS_MAIL, kind="digest", curator_id=behind.curator_id)
            outbox.emit("certificates.issued", certificate_id=certificate.id)
            outbox.emit("certificates.revoked", certificate_id=revoked.id)
            for kind in account_mail.SUBJECTS:
                account_mail.queue(kind, people[0], token=XSS, valid_minutes=60, person_name=XSS,
                                   person_email="hostile1@example.org", person_id=people[1].id)
            outbox.emit(MESSAGING_MAIL, kind="message", message_id=message.id, user_id=people[0].id)
            outbox.emit(MESSAGING_MAIL, kind="organiser_notice", user_id=organiser.id, event_id=future.id,
                        about="cancellation", details={"name": XSS, "email": "hostile0@example.org",
                                                       "previous_status": "confirmed", "seats_left": 1})
            outbox.emit(MESSAGING_MAIL, kind="digest", digest_id=digest.id)
        rows = db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.id > first_row))

    assert set(registrations_by_kind) == set(registration_mail.SUBJECTS)  # a new kind joins this test
    assert {"message", "organiser_notice", "digest"} == set(messaging_mail.BUILDERS)
    assert rows == len(registration_mail.SUBJECTS) + len(QUOTA_KINDS) + 3 + 2 + len(account_mail.SUBJECTS) + 3
    assert len(mail_outbox) == rows  # every kind was still true and went
    for received in mail_outbox:
        html = received.get_body(preferencelist=("html",)).get_content()
        assert "<script" not in html, received["Subject"]
        assert "&lt;script&gt;" in html, received["Subject"]

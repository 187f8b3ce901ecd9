"""Demo certificates (seed-demo): a past demo event's participants checked in and certified, one
certificate revoked and one reissued with a corrected name. Idempotent like the rest of the demo."""
from sqlalchemy import select

from app.accounts.models import User
from app.certificates import eligibility, issuance, jobs
from app.certificates.models import Certificate, CertificateKind
from app.events.models import Event
from app.extensions import db
from app.registrations import services as registrations
from app.registrations.models import Registration, RegistrationStatus

KIND = CertificateKind.PARTICIPATION


def seed_certificates(event: Event, organiser: User, note) -> list[Certificate]:
    """Certify everyone confirmed at `event` (which has ended); returns its live certificates."""
    if not eligibility.event_ended(event):
        return []
    confirmed = db.session.scalars(select(Registration).where(Registration.event_id == event.id,
                                                              Registration.status == RegistrationStatus.CONFIRMED)
                                   .order_by(Registration.id)).all()
    for registration in confirmed:
        for session in event.sessions:
            registrations.check_in(registration, session, organiser)
    issued = db.session.scalars(select(Certificate).where(Certificate.event_id == event.id)
                                .order_by(Certificate.id)).all()
    if not issued:
        user_ids = jobs.eligible_user_ids(event, KIND)
        if user_ids:
            job = jobs.create_job(event, KIND, user_ids, organiser, start=False)
            jobs.run_job(job.id)
            note(f"{len(user_ids)} certificates for {event.title}")
        issued = db.session.scalars(select(Certificate).where(Certificate.event_id == event.id)
                                    .order_by(Certificate.id)).all()
    live = [c for c in issued if c.revoked_at is None]
    if len(live) >= 3 and not any(c.revoked_at for c in issued):
        issuance.revoke(live[-1], organiser, "Выдан по ошибке: участник не выезжал с командой.")
        corrected = live[-2]
        issuance.reissue(corrected, organiser, corrected.holder_name,
                         "Перевыпущен: исправлена должность подписанта.")
        note(f"one certificate revoked and one reissued for {event.title}")
    return list(db.session.scalars(select(Certificate).where(Certificate.event_id == event.id,
                                                             Certificate.revoked_at.is_(None))
                                   .order_by(Certificate.id)))

"""Demo certificates (seed-demo): participation certificates for the demo events that have ended, issued three
days after the end to everyone whose attendance reached the event's threshold — nobody else. On the past
#ДоброВСело trip one is reissued with the holder's full name and one is revoked with its reason. Idempotent
like the rest of the demo."""
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.accounts.models import User
from app.certificates import eligibility, issuance, jobs
from app.certificates.models import Certificate, CertificateKind
from app.events.models import Event
from app.extensions import db

KIND = CertificateKind.PARTICIPATION
# (e-mail, the name the corrected certificate carries, why)
REISSUED = ("n.golubev@example.org", "Голубев Никита Сергеевич",
            "Перевыпущен на полное имя: для зачёта волонтёрской практики в СГМУ нужны фамилия, имя и отчество.")
# (e-mail, why): she went as a doctor of the university clinic on duty, not as a volunteer.
REVOKED = ("e.krylova@example.org",
           "Выдан по ошибке: Елена Крылова выезжала как врач клиники СГМУ в рабочее время, а не как "
           "волонтёр; отозван по её просьбе.")


def _certificates(event: Event, live_only: bool = False) -> list[Certificate]:
    query = select(Certificate).where(Certificate.event_id == event.id)
    if live_only:
        query = query.where(Certificate.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(Certificate.id)))


def seed_certificates(event: Event, organiser: User, note) -> list[Certificate]:
    """Certify everyone eligible at `event` once it has ended; returns its live certificates."""
    if not eligibility.event_ended(event):
        return []
    if not _certificates(event):
        with clock.frozen_at(min(max(s.ends_at for s in event.sessions) + timedelta(days=3), clock.now())):
            user_ids = jobs.eligible_user_ids(event, KIND)
            if user_ids:
                job = jobs.create_job(event, KIND, user_ids, organiser, start=False)
                jobs.run_job(job.id)
                note(f"{len(user_ids)} certificates for {event.title}")
    return _certificates(event, live_only=True)


def correct_trip_certificates(event: Event, organiser: User, note) -> None:
    """One certificate reissued under the holder's full name, one revoked; each with its reason."""
    issued = _certificates(event)
    if not issued or any(c.revoked_at for c in issued):
        return
    by_email = {c.user.email: c for c in issued}
    with clock.frozen_at(min(max(s.ends_at for s in event.sessions) + timedelta(days=8), clock.now())):
        email, name, reason = REISSUED
        issuance.reissue(by_email[email], organiser, name, reason)
        email, reason = REVOKED
        issuance.revoke(by_email[email], organiser, reason)
    note(f"one certificate reissued and one revoked for {event.title}")

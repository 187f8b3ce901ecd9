"""Who may get which certificate of an event, and why not.

participation: a confirmed registration whose attendance (sessions checked in / sessions held,
from the registrations area) reaches the event's `attendance_threshold` percent, once the event's
last session has ended. completion: the same, and the trainee's consultation quota met (from
the quotas area's `progress_for_event`). An organiser may override for one person with a reason.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts.models import User
from app.certificates.models import Certificate, CertificateKind
from app.events.models import Event
from app.extensions import db
from app.quotas import services as quotas
from app.registrations import services as registrations
from app.registrations.models import Registration, RegistrationStatus


@dataclass
class Candidate:
    user: User
    registration: Registration
    attended: int
    held: int
    percent: int | None
    eligible: bool
    reasons: list = field(default_factory=list)
    quota: object | None = None
    certificate: Certificate | None = None

    @property
    def has_certificate(self) -> bool:
        return self.certificate is not None


def event_ended(event: Event) -> bool:
    return bool(event.sessions) and max(s.ends_at for s in event.sessions) <= clock.now()


def live_certificates(event_id: int, kind: CertificateKind) -> dict[int, Certificate]:
    rows = db.session.execute(
        select(Certificate).where(Certificate.event_id == event_id, Certificate.kind == kind,
                                  Certificate.revoked_at.is_(None))
    ).scalars()
    return {c.user_id: c for c in rows}


def candidates(event: Event, kind: CertificateKind, user_ids: list[int] | None = None) -> list[Candidate]:
    """Every confirmed participant (or those of `user_ids`) with their eligibility and reasons."""
    query = select(Registration).where(Registration.event_id == event.id,
                                       Registration.status == RegistrationStatus.CONFIRMED) \
        .options(selectinload(Registration.user)).join(User, User.id == Registration.user_id) \
        .order_by(User.full_name, User.id)
    if user_ids is not None:
        query = query.where(Registration.user_id.in_(user_ids or [0]))
    rows = db.session.execute(query).scalars().all()
    attendance = registrations.attendance_for(rows)
    progress = quotas.progress_for_event(event.id) if kind == CertificateKind.COMPLETION else {}
    existing = live_certificates(event.id, kind)
    ended = event_ended(event)
    result = []
    for registration in rows:
        seen = attendance[registration.id]
        reasons = []
        if not ended:
            reasons.append(_l("the event has not ended yet"))
        if seen.held == 0 or seen.attended * 100 < event.attendance_threshold * seen.held:  # exact, not rounded
            reasons.append(_l("attended %(attended)d of %(held)d sessions (%(threshold)d%% needed)",
                              attended=seen.attended, held=seen.held, threshold=event.attendance_threshold))
        quota = progress.get(registration.user_id)
        if kind == CertificateKind.COMPLETION:
            if quota is None:
                reasons.append(_l("no consultation quota"))
            elif not quota.met:
                reasons.append(lazy_ngettext("%(accepted)d of %(target)d consultation accepted",
                                             "%(accepted)d of %(target)d consultations accepted", quota.target,
                                             accepted=quota.accepted, target=quota.target))
        result.append(Candidate(user=registration.user, registration=registration, attended=seen.attended,
                                held=seen.held, percent=seen.percent, eligible=not reasons, reasons=reasons,
                                quota=quota, certificate=existing.get(registration.user_id)))
    return result


def candidate(event: Event, kind: CertificateKind, user_id: int) -> Candidate | None:
    found = candidates(event, kind, [user_id])
    return found[0] if found else None

"""Computed sources from the quotas and certificates areas: consultations accepted, trainees who met
their quota, certificates issued. Same contract as app/reports/sources.py (one query each).

Consultations are dated by the day they were held (a stage or a date range counts the consultations
held in it); a met quota by the day its target-th accepted consultation was held; a certificate by its event.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, distinct, func, select

from app.accounts.models import User
from app.certificates.models import Certificate, CertificateKind
from app.events.models import Event, EventKind, EventStatus
from app.quotas.models import Consultation, ConsultationQuota, QuotaPlan, ReviewState
from app.registrations.models import Registration
from app.reports.sources import Columns, Query, Scope, _event_where, source


def _plan_where(scope: Scope, day) -> list:
    where = [Event.programme_id == scope.programme_id, Event.status == EventStatus.PUBLISHED]
    if scope.event_kind:
        where.append(Event.kind == EventKind(scope.event_kind))
    if scope.event_id:
        where.append(Event.id == scope.event_id)
    return where + scope.dated(day)


# The organisation a person had when registering for the event (kept on the registration row), else
# their current one: a person who deleted their account has no organisation left on the user row.
ORGANISATION = func.coalesce(Registration.organisation_id, User.organisation_id)


def _with_registration(query):
    """Outer join of the person's registration for the event (unique per event × user: no extra rows)."""
    return query.outerjoin(Registration, and_(Registration.event_id == Event.id, Registration.user_id == User.id))


def _quota_columns(day) -> Columns:
    return Columns(day=day, region=User.region_code, organisation=ORGANISATION, kind=Event.kind, event=Event.id)


def _from_quotas(*selected):
    return _with_registration(select(*selected).select_from(ConsultationQuota)
                              .join(QuotaPlan, QuotaPlan.id == ConsultationQuota.plan_id)
                              .join(Event, Event.id == QuotaPlan.event_id)
                              .join(User, User.id == ConsultationQuota.user_id))


@source("consultations_accepted", _l("Consultations accepted"), _l("consultations"),
        dimensions=("stage", "region", "organisation", "kind", "month", "event"), additive=True,
        description=_l("Consultations logged by trainees and accepted by their curator (returned and waiting "
                       "ones do not count), dated by the day they were held."))
def consultations_accepted(scope: Scope) -> Query:
    def build(*selected):
        return (_from_quotas(*selected).join(Consultation, Consultation.quota_id == ConsultationQuota.id)
                .where(*_plan_where(scope, Consultation.held_on), Consultation.review_state == ReviewState.ACCEPTED))

    return Query(build, func.count(Consultation.id), _quota_columns(Consultation.held_on))


@source("quotas_met", _l("Trainees who met their quota"), _l("people"),
        dimensions=("stage", "region", "organisation", "kind", "month", "event"),
        description=_l("Trainees with at least as many accepted consultations as their own target; each counted "
                       "once, on the day their target-th accepted consultation was held."))
def quotas_met(scope: Scope) -> Query:
    ranked = (select(Consultation.quota_id.label("quota_id"), Consultation.held_on.label("held_on"),
                     func.row_number().over(partition_by=Consultation.quota_id,
                                            order_by=(Consultation.held_on, Consultation.id)).label("n"))
              .where(Consultation.review_state == ReviewState.ACCEPTED).subquery())

    def build(*selected):
        return (_from_quotas(*selected)
                .join(ranked, and_(ranked.c.quota_id == ConsultationQuota.id, ranked.c.n == ConsultationQuota.target))
                .where(*_plan_where(scope, ranked.c.held_on)))

    return Query(build, func.count(distinct(ConsultationQuota.user_id)), _quota_columns(ranked.c.held_on))


@source("certificates_issued", _l("Certificates issued"), _l("certificates"),
        dimensions=("stage", "region", "organisation", "kind", "month", "event"), additive=True,
        options=tuple((k.value, k.label) for k in CertificateKind),
        description=_l("Certificates in force (not revoked; a reissued one counts once) for the programme's "
                       "events; the option narrows it to one kind."))
def certificates_issued(scope: Scope) -> Query:
    def build(*selected):
        query = _with_registration(select(*selected).select_from(Certificate).join(Event, Event.id == Certificate.event_id)
                                   .join(User, User.id == Certificate.user_id)).where(
            *_event_where(scope), Certificate.revoked_at.is_(None))
        if scope.option:
            query = query.where(Certificate.kind == CertificateKind(scope.option))
        return query

    columns = Columns(day=Event.starts_on, region=User.region_code, organisation=ORGANISATION, kind=Event.kind,
                      event=Event.id)
    return Query(build, func.count(Certificate.id), columns)

"""The organiser's downloads of an event's registrations, as tables for the one export helper
(app/core/exports.py writes them as CSV or XLSX and keeps every cell inert)."""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import ConsentRecord
from app.accounts.regions import region_name
from app.events.models import Event
from app.extensions import db
from app.registrations import questions
from app.registrations.models import QuestionKind, Registration
from app.registrations.queries import participants


def participant_table(event: Event, filters: dict) -> tuple[list[str], list[list]]:
    """The filtered participant list with attendance and the answers to the event's questions; the
    registration time is the event's local time, as a real date."""
    listing = participants(event, filters)
    event_questions = questions.event_questions(event.id)
    header = [_("Full name"), _("Email"), _("Status"), _("Waitlist position"), _("Region"), _("Organisation"),
              _("Team role"), _("Registered at"), _("Sessions attended"), _("Sessions held"), _("Attendance, %")]
    header += [q.label for q in event_questions]
    rows = []
    for r in listing.rows:
        att = listing.attendance[r.id]
        given = {answer.question_id: answer.value for answer in r.answers}
        rows.append([
            r.user.full_name, r.user.email, str(r.status.label), listing.positions.get(r.id),
            region_name(r.region_code) if r.region_code else "", r.organisation.name if r.organisation else "",
            str(r.team_role.label) if r.team_role else "", r.created_at.astimezone(event.tz).replace(tzinfo=None),
            att.attended, att.held, att.percent,
        ] + [questions.answer_text(q, given.get(q.id)) for q in event_questions])
    return header, rows


def consent_table(event: Event) -> tuple[list[str], list[list]]:
    """One row per registrant (any status): their consent to the platform's text (newest record: version,
    how, when, who recorded it, withdrawn) and the time they agreed to each of the event's consent questions."""
    consent_questions = [q for q in questions.event_questions(event.id) if q.kind == QuestionKind.CONSENT]
    registrations = db.session.execute(
        select(Registration).where(Registration.event_id == event.id)
        .options(selectinload(Registration.user), selectinload(Registration.answers))
        .order_by(Registration.id)
    ).scalars().all()
    records = {}
    for record in db.session.execute(
        select(ConsentRecord).where(ConsentRecord.user_id.in_([r.user_id for r in registrations]))
        .options(selectinload(ConsentRecord.recorded_by)).order_by(ConsentRecord.given_at, ConsentRecord.id)
    ).scalars():
        records[record.user_id] = record
    header = ["registration_id", "full_name", "email", "status", "consent_version", "consent_source",
              "consent_given_at", "consent_recorded_by", "consent_withdrawn_at"]
    header += [f"{q.label} ({q.id})" for q in consent_questions]
    rows = []
    for registration in registrations:
        record = records.get(registration.user_id)
        agreed = {a.question_id: a.answered_at for a in registration.answers}
        rows.append([
            registration.id, registration.user.full_name, registration.user.email, registration.status.value,
            record.version if record else "", record.source.value if record else "",
            _when(record.given_at) if record else "",
            record.recorded_by.email if record and record.recorded_by else "",
            _when(record.withdrawn_at) if record else "",
        ] + [_when(agreed.get(q.id)) for q in consent_questions])
    return header, rows


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""

"""The registrations area's part of a person's data export and anonymisation (app/privacy/registry.py).

Registrations for events that have not started are cancelled through the registrations service, so
freed seats go to the waitlist; past registrations and check-ins stay, counted under the anonymous
account (each row keeps the region and organisation it was made with). Answers to registration
questions are deleted, except agreements to consent questions (the record that processing was lawful
until now). Decisions and check-ins the person made for others stay, pointing at the anonymous account.
"""
from sqlalchemy import delete, select

from app import clock
from app.accounts.models import User
from app.core.rows import columns, plain
from app.events.models import Event
from app.extensions import db
from app.programmes.models import programme_organisers
from app.registrations import services
from app.registrations.models import Answer, CheckIn, QuestionKind, Registration


def export(user: User) -> dict:
    registrations = db.session.execute(
        select(Registration).where(Registration.user_id == user.id).order_by(Registration.created_at, Registration.id)
    ).scalars().all()
    return {"registrations": [{
        **columns(r, skip=("user_id",)),
        "event": r.event.title,
        "history": [columns(h, skip=("registration_id",)) for h in r.history],
        "answers": [{"question": a.question.label, "kind": a.question.kind.value, "value": a.value,
                     "answered_at": plain(a.answered_at)} for a in r.answers],
        "check_ins": [{"session_id": c.session_id, "checked_in_at": plain(c.checked_in_at)}
                      for c in db.session.execute(select(CheckIn).where(CheckIn.registration_id == r.id)
                                                  .order_by(CheckIn.checked_in_at)).scalars()],
    } for r in registrations]}


def anonymise(user: User) -> None:
    upcoming = db.session.execute(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id, Registration.is_live, Event.starts_at > clock.now())
        .order_by(Registration.event_id)
    ).scalars().all()
    for registration in upcoming:
        services.cancel(registration, user)
    db.session.execute(delete(Answer).where(
        Answer.registration_id.in_(select(Registration.id).where(Registration.user_id == user.id)),
        ~Answer.question.has(kind=QuestionKind.CONSENT),
    ).execution_options(synchronize_session=False))


def organisers_of_events(user: User) -> list[User]:
    """Who organises the events the person registered for: each event's creator and its programme's organisers."""
    event_ids = select(Registration.event_id).where(Registration.user_id == user.id)
    creators = select(Event.created_by_id).where(Event.id.in_(event_ids))
    programme_people = select(programme_organisers.c.user_id).where(
        programme_organisers.c.programme_id.in_(select(Event.programme_id).where(Event.id.in_(event_ids))))
    return list(db.session.execute(
        select(User).where(User.id.in_(creators.union(programme_people)), User.id != user.id,
                           User.active.is_(True)).order_by(User.id)
    ).scalars())


def register_privacy_hooks(registry) -> None:
    registry.register(
        "registrations", export=export, anonymise=anonymise, to_tell=organisers_of_events,
        columns=("registrations.user_id", "registrations.decided_by_id", "registration_history.actor_id",
                 "check_ins.checked_in_by_id"))

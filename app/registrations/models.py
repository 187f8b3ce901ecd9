"""Registrations, their history, and per-session check-ins."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import LabelledEnum, Timestamps, UTCDateTime, enum_column, utcnow
from app.events.models import TeamRole
from app.extensions import db


class RegistrationStatus(LabelledEnum):
    PENDING = "pending", _l("Awaiting approval")
    CONFIRMED = "confirmed", _l("Confirmed")
    REJECTED = "rejected", _l("Rejected")
    WAITLISTED = "waitlisted", _l("On the waitlist")
    OFFERED = "offered", _l("Seat offered")
    EXPIRED = "expired", _l("Offer expired")
    CANCELLED = "cancelled", _l("Registration cancelled")


SEAT_TAKING = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
LIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED)
# Counted by the approval rules ("at most N per region / organisation"): everyone the organiser
# has let in or queued for a seat. Pending applications are not counted; approval re-checks.
RULE_COUNTED = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED, RegistrationStatus.WAITLISTED)


def _status_among(statuses) -> hybrid_property:
    """A flag that the status is one of `statuses`, on a loaded row and in a query alike."""
    return hybrid_property(lambda row: row.status in statuses, expr=lambda cls: cls.status.in_(statuses))


class Registration(Timestamps, db.Model):
    """User × event, unique. Re-registering after cancellation reuses the row with a new queue time."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_registrations_event_user"),
        Index("ix_registrations_event_status_queued", "event_id", "status", "queued_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus, 16))
    team_role: Mapped[TeamRole | None] = mapped_column(enum_column(TeamRole))
    region_code: Mapped[str | None] = mapped_column(String(10))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person muted this event's news (app.registrations.mail.MUTABLE); their own place is still mailed.
    mail_muted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    event = relationship("Event")
    user = relationship("User", foreign_keys=[user_id])
    organisation = relationship("Organisation")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    check_ins: Mapped[list["CheckIn"]] = relationship(back_populates="registration", cascade="all, delete-orphan")
    history: Mapped[list["RegistrationHistory"]] = relationship(
        cascade="all, delete-orphan", order_by="RegistrationHistory.id"
    )
    answers: Mapped[list["Answer"]] = relationship(cascade="all, delete-orphan", order_by="Answer.question_id")

    takes_seat = _status_among(SEAT_TAKING)  # confirmed or offered: the one definition of a taken seat
    is_live = _status_among(LIVE)
    # Not a column: the place in the waitlist that register() counted under the event lock, so the page
    # says it right after the commit without a query of its own (None: not counted; ask waitlist_position).
    place_when_queued = None

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED


class RegistrationHistory(db.Model):
    """Audit trail: who moved a registration from which state to which, and why."""

    __tablename__ = "registration_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[RegistrationStatus | None] = mapped_column(enum_column(RegistrationStatus, 16))
    to_status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User")


class CheckIn(db.Model):
    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("registration_id", "session_id", name="uq_check_ins_registration_session"),
                      UniqueConstraint("session_id", "client_key", name="uq_check_ins_session_client_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A tick made on a phone without a connection: its key (a retried send is the same tick) and the flag
    # shown to the organiser (pretix marks offline check-ins the same way); checked_in_at is the phone's time.
    client_key: Mapped[str | None] = mapped_column(String(36))
    offline: Mapped[bool] = mapped_column(default=False)

    registration: Mapped[Registration] = relationship(back_populates="check_ins")
    session = relationship("Session")
    checked_in_by = relationship("User")


class QuestionKind(LabelledEnum):
    TEXT = "text", _l("Text")
    CHOICE = "choice", _l("One choice")
    MULTIPLE = "multiple", _l("Multiple choice")
    YES_NO = "yes_no", _l("Yes or no")
    NUMBER = "number", _l("A number")
    CONSENT = "consent", _l("Consent (own text, always required)")


class Question(db.Model):
    """A question of an event's registration form, asked in `position` order."""

    __tablename__ = "registration_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, 16))
    label: Mapped[str] = mapped_column(String(300))
    # For a consent question: the organisation's own consent text, shown in full.
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    options: Mapped[list] = mapped_column(JSON, default=list)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Answer(db.Model):
    """One registrant's answer to one question; `answered_at` is when it was last given (consent: agreed)."""

    __tablename__ = "registration_answers"
    __table_args__ = (UniqueConstraint("registration_id", "question_id", name="uq_registration_answers_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("registration_questions.id", ondelete="CASCADE"), index=True)
    value: Mapped[object] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship()

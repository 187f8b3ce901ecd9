"""Consultation quotas (DESIGN §3): plans, quotas, consultations, reviews, mentoring, catch-up, tasks.

There is deliberately no column for anything that identifies a client (name, contact, address,
birth date, diagnosis): a consultation is counted, never traced back to a person
(tests/quotas/test_no_client_identity.py keeps it so).
"""
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import LabelledEnum, Timestamps, UTCDateTime, enum_column, utcnow
from app.extensions import db


class ConsultationFormat(LabelledEnum):
    IN_PERSON = "in_person", _l("In person")
    PHONE = "phone", _l("Phone")
    ONLINE = "online", _l("Online")
    GROUP = "group", lazy_pgettext("consultation", "Group")
    HOME_VISIT = "home_visit", _l("Home visit")


class ClientType(LabelledEnum):
    PATIENT = "patient", _l("Patient")
    RELATIVE = "relative", _l("Relative")
    OTHER = "other", _l("Other")


class ReviewState(LabelledEnum):
    SUBMITTED = "submitted", lazy_pgettext("consultation", "Submitted")
    ACCEPTED = "accepted", lazy_pgettext("consultation", "Accepted")
    RETURNED = "returned", lazy_pgettext("consultation", "Returned")


class PaceStatus(LabelledEnum):
    NOT_STARTED = "not_started", _l("Not started")
    AHEAD = "ahead", _l("Ahead")
    ON_TRACK = "on_track", lazy_pgettext("quota", "On track")
    BEHIND = "behind", lazy_pgettext("quota", "Behind")
    MISSED = "missed", lazy_pgettext("quota", "Missed")
    MET = "met", lazy_pgettext("quota", "Met")


class MentoringKind(LabelledEnum):
    INDIVIDUAL = "individual", lazy_pgettext("mentoring", "Individual")
    GROUP = "group", lazy_pgettext("mentoring", "Group")


class CatchUpState(LabelledEnum):
    """Labels name the plan: a language that agrees in gender agrees with "plan" (ru "план возвращён"),
    not with the consultation the same words describe in ReviewState ("консультация возвращена")."""

    REQUESTED = "requested", _l("Plan requested")
    SUBMITTED = "submitted", _l("Awaiting the curator")
    ACCEPTED = "accepted", _l("Plan accepted")
    RETURNED = "returned", _l("Plan returned")


class TaskKind(LabelledEnum):
    BEHIND = "behind", _l("Behind pace")
    INACTIVE = "inactive", _l("Nothing logged for 14 days")
    RETURNED_UNFIXED = "returned_unfixed", _l("Returned consultation not fixed for a week")


quota_plan_curators = Table(
    "quota_plan_curators",
    db.metadata,
    Column("plan_id", ForeignKey("quota_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

mentoring_participants = Table(
    "mentoring_participants",
    db.metadata,
    Column("session_id", ForeignKey("mentoring_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("quota_id", ForeignKey("consultation_quotas.id", ondelete="CASCADE"), primary_key=True),
)


class QuotaPlan(Timestamps, db.Model):
    """What a seminar asks of its trainees afterwards: target, window, formats, topics, pace threshold."""

    __tablename__ = "quota_plans"
    __table_args__ = (
        CheckConstraint("target > 0", name="target_positive"),
        CheckConstraint("deadline >= starts_on", name="deadline_after_start"),
        CheckConstraint("behind_percent BETWEEN 1 AND 100", name="behind_percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    target: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"code": "rights", "name": "Права пациентов"}, …]: the API's `topic` is one of the codes.
    topics: Mapped[list[dict]] = mapped_column(JSON, default=list)
    behind_percent: Mapped[int] = mapped_column(default=70)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    event = relationship("Event", lazy="joined")
    curators = relationship("User", secondary=quota_plan_curators, lazy="selectin", order_by="User.full_name")

    def topic_name(self, code: str | None) -> str:
        for topic in self.topics or []:
            if topic.get("code") == code:
                return topic.get("name", code)
        return code or ""


class ConsultationQuota(Timestamps, db.Model):
    """Trainee × plan: the personal target and deadline (changed one by one, with a reason), the curator."""

    __tablename__ = "consultation_quotas"
    __table_args__ = (
        UniqueConstraint("plan_id", "user_id", name="uq_consultation_quotas_plan_user"),
        CheckConstraint("target > 0", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("quota_plans.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    curator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target: Mapped[int]
    deadline: Mapped[date] = mapped_column(Date)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    behind_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_weeks_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[QuotaPlan] = relationship(lazy="joined")
    user = relationship("User", foreign_keys=[user_id])
    curator = relationship("User", foreign_keys=[curator_id])
    catch_up: Mapped["CatchUpPlan | None"] = relationship(back_populates="quota", uselist=False,
                                                         cascade="all, delete-orphan")


class Consultation(Timestamps, db.Model):
    """One consultation as the trainee logged it: counts and categories, never who the client was."""

    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 1 AND 600", name="duration_range"),
        # Covers the per-quota counts and last-logged time of every list (no table lookups).
        Index("ix_consultations_quota_state", "quota_id", "review_state", "created_at"),
        Index("ix_consultations_state_submitted", "review_state", "submitted_at"),
        # Each quota's accepted consultations in the order they were held: the report's "met their quota".
        Index("ix_consultations_state_quota_held", "review_state", "quota_id", "held_on", "id"),
        # An entry made offline carries the device's key: a retried send finds it instead of adding a second.
        UniqueConstraint("quota_id", "client_key", name="uq_consultations_quota_client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quota_id: Mapped[int] = mapped_column(ForeignKey("consultation_quotas.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    format: Mapped[ConsultationFormat] = mapped_column(enum_column(ConsultationFormat, 16))
    topic: Mapped[str | None] = mapped_column(String(32))
    duration_minutes: Mapped[int]
    client_type: Mapped[ClientType] = mapped_column(enum_column(ClientType, 16))
    is_repeat: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    review_state: Mapped[ReviewState] = mapped_column(enum_column(ReviewState, 16), default=ReviewState.SUBMITTED)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_key: Mapped[str | None] = mapped_column(String(36))

    quota: Mapped[ConsultationQuota] = relationship()
    reviewed_by = relationship("User")


class QuotaEvent(db.Model):
    """The history the organiser reads: every review decision, reopen, target/deadline/curator change."""

    __tablename__ = "quota_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    quota_id: Mapped[int] = mapped_column(ForeignKey("consultation_quotas.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User")


class MentoringSession(Timestamps, db.Model):
    """A curator's individual or group session with trainees of one plan; the trainees see it."""

    __tablename__ = "mentoring_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("quota_plans.id", ondelete="CASCADE"), index=True)
    curator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[MentoringKind] = mapped_column(enum_column(MentoringKind, 16))
    held_on: Mapped[date] = mapped_column(Date)
    # The wall-clock time in the seminar's timezone; NULL for sessions recorded before it was asked.
    starts_at: Mapped[time | None] = mapped_column(Time)
    topic: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[QuotaPlan] = relationship()
    curator = relationship("User")
    quotas: Mapped[list[ConsultationQuota]] = relationship(secondary=mentoring_participants)


class CatchUpPlan(db.Model):
    """How many consultations a week a trainee who fell behind will hold until the deadline."""

    __tablename__ = "catch_up_plans"
    __table_args__ = (CheckConstraint("per_week IS NULL OR per_week BETWEEN 1 AND 100", name="per_week_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quota_id: Mapped[int] = mapped_column(ForeignKey("consultation_quotas.id", ondelete="CASCADE"), unique=True)
    state: Mapped[CatchUpState] = mapped_column(enum_column(CatchUpState, 16))
    per_week: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    # The accepted count and the day the plan starts from: its line on the pace chart.
    from_count: Mapped[int] = mapped_column(default=0)
    starts_on: Mapped[date | None] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    quota: Mapped[ConsultationQuota] = relationship(back_populates="catch_up")


class CuratorTask(db.Model):
    """Something a curator must act on; at most one open task per quota and kind (`open_key`)."""

    __tablename__ = "curator_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    quota_id: Mapped[int] = mapped_column(ForeignKey("consultation_quotas.id", ondelete="CASCADE"), index=True)
    curator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[TaskKind] = mapped_column(enum_column(TaskKind, 24))
    # "<quota id>:<kind>" while open, NULL once closed: the unique constraint allows one open task.
    open_key: Mapped[str | None] = mapped_column(String(48), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str] = mapped_column(String(32), default="")

    quota: Mapped[ConsultationQuota] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CuratorDigest(db.Model):
    """When a curator last got the digest of waiting reviews and open tasks (at most one a day)."""

    __tablename__ = "curator_digests"

    curator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime)

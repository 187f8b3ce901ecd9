"""Indicators of a programme (plan, source of the fact), hand-entered facts, notes and frozen snapshots.

DHIS2's rule: a computed indicator's value is never typed; it comes from the data through the
source named in `source`. Manual indicators keep one fact per programme or stage, with a note and
an evidence link. A ReportSnapshot is the report as it was at a moment, stored as JSON: never
changed afterwards (a flush that tries raises).
"""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Timestamps, UTCDateTime, utcnow
from app.extensions import db

MANUAL = "manual"


class Indicator(Timestamps, db.Model):
    __tablename__ = "indicators"
    __table_args__ = (CheckConstraint("plan >= 0", name="plan_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(50), default="")
    # The overall target: the end-of-programme column compares with this, never with a sum of stages.
    plan: Mapped[int] = mapped_column(default=0)
    # A computed source key (app.reports.sources.SOURCES) or "manual".
    source: Mapped[str] = mapped_column(String(40), default=MANUAL)
    # Source filters: stage_id, event_kind, date_from, date_to (ISO), event_id, option (service/kind).
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    # Why the fact differs from the plan (seed 000: "delays through the team's long illness"): the analytical
    # report's deviation note beside the indicator.
    deviation_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    stage_plans: Mapped[list["IndicatorStagePlan"]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", lazy="selectin")
    manual_facts: Mapped[list["ManualFact"]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_manual(self) -> bool:
        return self.source == MANUAL

    def stage_plan(self, stage_id: int) -> int | None:
        return next((p.plan for p in self.stage_plans if p.stage_id == stage_id), None)

    def manual_fact(self, stage_id: int | None) -> "ManualFact | None":
        return next((f for f in self.manual_facts if f.stage_id == stage_id), None)


class IndicatorStagePlan(db.Model):
    """The target of one indicator in one stage (optional; ActivityInfo's target per period)."""

    __tablename__ = "indicator_stage_plans"
    __table_args__ = (
        UniqueConstraint("indicator_id", "stage_id", name="uq_indicator_stage_plans_indicator_stage"),
        CheckConstraint("plan >= 0", name="plan_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("programme_stages.id", ondelete="CASCADE"), index=True)
    plan: Mapped[int]

    indicator: Mapped[Indicator] = relationship(back_populates="stage_plans")


class ManualFact(db.Model):
    """A fact typed by the organiser for a manual indicator, overall (no stage) or for one stage."""

    __tablename__ = "indicator_manual_facts"
    __table_args__ = (
        UniqueConstraint("indicator_id", "stage_id", name="uq_indicator_manual_facts_indicator_stage"),
        Index("uq_indicator_manual_facts_overall", "indicator_id", unique=True,
              sqlite_where=db.text("stage_id IS NULL"), postgresql_where=db.text("stage_id IS NULL")),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("programme_stages.id", ondelete="CASCADE"))
    value: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="manual_facts")
    entered_by = relationship("User")


class ReportNote(db.Model):
    """The organiser's "deviations" text: one for the programme (no stage) and one per stage."""

    __tablename__ = "report_notes"
    __table_args__ = (
        UniqueConstraint("programme_id", "stage_id", name="uq_report_notes_programme_stage"),
        Index("uq_report_notes_programme_overall", "programme_id", unique=True,
              sqlite_where=db.text("stage_id IS NULL"), postgresql_where=db.text("stage_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("programme_stages.id", ondelete="CASCADE"))
    deviations: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReportSnapshot(db.Model):
    """The report frozen at a moment for the funder: dated, never changed afterwards."""

    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))

    frozen_by = relationship("User")


class SnapshotImmutable(RuntimeError):
    """Raised when anything tries to change a frozen snapshot."""


@event.listens_for(ReportSnapshot, "before_update")
def _refuse_snapshot_update(_mapper, _connection, target: ReportSnapshot) -> None:
    raise SnapshotImmutable(f"report snapshot {target.id} is frozen")


class ProgrammeChange(db.Model):
    """One flush that changed what a programme's report counts (programme_id NULL: possibly every programme).

    Written by app/reports/freshness.py in the writer's own transaction; only ever inserted (and pruned),
    so writers to one programme never wait on each other as they would on a counter row. No foreign key:
    the row of a programme deleted in the same flush is already gone.
    """

    __tablename__ = "programme_changes"
    __table_args__ = (Index("ix_programme_changes_programme_id", "programme_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None]
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""Grant programmes, their stages and calendar plan (seed 001's «Календарный план»)."""
from collections import Counter
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from app.extensions import db

programme_organisers = Table(
    "programme_organisers",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

plan_item_events = Table(
    "plan_item_events",
    db.metadata,
    Column("plan_item_id", ForeignKey("plan_items.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)


DEFAULT_TIMEZONE = "Europe/Moscow"


class HoursUnit(LabelledEnum):
    """How a programme's certificates count their volume: clock hours, or academic hours of 45 minutes."""

    CLOCK = "clock", _l("Clock hours (60 minutes)")
    ACADEMIC = "academic", _l("Academic hours (45 minutes)")

    @property
    def minutes(self) -> int:
        return 45 if self is HoursUnit.ACADEMIC else 60


class Programme(db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    funder: Mapped[str] = mapped_column(String(300), default="")
    grant_number: Mapped[str] = mapped_column(String(100), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    target_groups: Mapped[str] = mapped_column(Text, default="")
    region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    hours_unit: Mapped[HoursUnit] = mapped_column(enum_column(HoursUnit, 16), default=HoursUnit.CLOCK,
                                                  server_default=HoursUnit.CLOCK.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisers = relationship("User", secondary=programme_organisers, lazy="selectin")
    stages: Mapped[list["Stage"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Stage.number"
    )
    plan_items: Mapped[list["PlanItem"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="PlanItem.position"
    )
    # The programme's own events, read-only from this side (events.models owns Event.programme): named, not
    # imported, since the programmes area sits below events.
    events = relationship("Event", viewonly=True, order_by="[Event.starts_at, Event.id]")

    @property
    def timezone(self) -> str:
        """The zone its report's times and "as of" dates are shown in: that of most of its events
        (the earliest event's on a tie; Moscow while it has none)."""
        zones = Counter(event.timezone for event in self.events)
        return zones.most_common(1)[0][0] if zones else DEFAULT_TIMEZONE

    @classmethod
    def organised_by(cls, user_id: int):
        """SQL: the programmes that name `user_id` among their organisers."""
        return cls.id.in_(select(programme_organisers.c.programme_id).where(programme_organisers.c.user_id == user_id))

    def __repr__(self) -> str:
        return f"<Programme {self.id} {self.title!r}>"


class Stage(db.Model):
    __tablename__ = "programme_stages"
    __table_args__ = (UniqueConstraint("programme_id", "number", name="uq_programme_stages_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")

    programme: Mapped[Programme] = relationship(back_populates="stages")


class PlanItem(db.Model):
    """One numbered activity of the calendar plan, linked to the events that carry it out."""

    __tablename__ = "plan_items"
    __table_args__ = (UniqueConstraint("programme_id", "number", name="uq_plan_items_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("programme_stages.id", ondelete="SET NULL"))
    position: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    activity: Mapped[str] = mapped_column(Text)
    planned_start: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date] = mapped_column(Date)

    programme: Mapped[Programme] = relationship(back_populates="plan_items")
    stage: Mapped["Stage | None"] = relationship()
    events = relationship("Event", secondary=plan_item_events, lazy="selectin", order_by="Event.starts_at")

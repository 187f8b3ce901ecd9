"""Events of five kinds, their sessions, outreach-trip and self-help-group details, series rules, the change log."""
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from app.extensions import db
from app.programmes.models import programme_organisers


class EventKind(LabelledEnum):
    SEMINAR = "seminar", _l("Seminar")
    WEBINAR = "webinar", _l("Webinar")
    ROUND_TABLE = "round_table", _l("Round table")
    OUTREACH_TRIP = "outreach_trip", _l("Outreach trip")
    SELF_HELP_GROUP = "self_help_group", _l("Self-help group")


class GroupMembership(LabelledEnum):
    """Open: anyone signed in joins the series; closed: the organiser approves each new member."""

    OPEN = "open", _l("Open: anyone may join")
    CLOSED = "closed", _l("Closed: new members are approved")


class SeriesFrequency(LabelledEnum):
    WEEKLY = "weekly", _l("Every week or every few weeks")
    MONTHLY = "monthly", _l("Monthly, on the nth or last weekday")


class EventStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    PUBLISHED = "published", _l("Published")
    CANCELLED = "cancelled", _l("Cancelled")


# What the organiser's list shows: the stored status, except that a published event that has ended is "past".
PAST = "past"
PHASE_LABELS = {**{status.value: status.label for status in EventStatus}, PAST: _l("Past")}


class TeamRole(LabelledEnum):
    DOCTOR = "doctor", _l("Doctor")
    NURSE = "nurse", _l("Nurse")
    STUDENT_VOLUNTEER = "student_volunteer", _l("Student volunteer")
    DRIVER = "driver", _l("Driver")


class TripService(LabelledEnum):
    CHECKUPS = "checkups", _l("Health check-ups")
    BLOOD_DONATION = "blood_donation", _l("Blood donation")
    CAREER_GUIDANCE = "career_guidance", _l("Career guidance for pupils")
    LECTURES = "lectures", _l("Health lectures")
    VACCINATION = "vaccination", _l("Vaccination")


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("offer_hours > 0", name="offer_hours_positive"),
        Index("ix_events_status_starts_at", "status", "starts_at"),
        Index("ix_events_status_ends_at", "status", "ends_at"),
        Index("ix_events_status_starts_on_ends_on", "status", "starts_on", "ends_on"),
        CheckConstraint("attendance_threshold BETWEEN 0 AND 100", name="attendance_threshold_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="ru")
    # Title and description in other languages than `language`: {"bg": {"title": "…", "description": "…"}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    status: Mapped[EventStatus] = mapped_column(enum_column(EventStatus, 16), default=EventStatus.DRAFT)
    sequence: Mapped[int] = mapped_column(default=0)
    region_code: Mapped[str | None] = mapped_column(String(10), index=True)
    is_online: Mapped[bool] = mapped_column(default=False)
    venue: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    online_url: Mapped[str | None] = mapped_column(String(500))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    speakers: Mapped[str] = mapped_column(Text, default="")
    outcome_summary: Mapped[str] = mapped_column(Text, default="")
    # Why it was cancelled: shown on the event page, on /me and in the cancellation mail.
    cancellation_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    max_per_region: Mapped[int | None]
    max_per_organisation: Mapped[int | None]
    offer_hours: Mapped[int] = mapped_column(default=48)
    attendance_threshold: Mapped[int] = mapped_column(default=75)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Local calendar dates of the first start and last end in the event's timezone: the
    # `from`/`to` filters compare dates as the event's own visitors read them.
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Title + description folded to lower case (Python's Unicode-aware casefold, ё → е), so
    # `q` is Cyrillic case-insensitive on SQLite too, whose lower() only folds ASCII.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed: max(updated_at) is the calendar feeds' cache validator, read on every feed request.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    programme = relationship("Programme", lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id])
    sessions: Mapped[list["Session"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Session.starts_at"
    )
    trip: Mapped["TripDetails | None"] = relationship(
        back_populates="event", cascade="all, delete-orphan", uselist=False
    )
    team_roles: Mapped[list["TripTeamRole"]] = relationship(cascade="all, delete-orphan", order_by="TripTeamRole.id")
    results: Mapped[list["TripResult"]] = relationship(cascade="all, delete-orphan", order_by="TripResult.id")
    changes: Mapped[list["EventChange"]] = relationship(
        cascade="all, delete-orphan", order_by="EventChange.id.desc()"
    )
    series: Mapped["SeriesRule | None"] = relationship(
        back_populates="event", cascade="all, delete-orphan", uselist=False
    )
    group: Mapped["GroupDetails | None"] = relationship(
        back_populates="event", cascade="all, delete-orphan", uselist=False
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == EventStatus.DRAFT

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_trip(self) -> bool:
        return self.kind == EventKind.OUTREACH_TRIP

    @classmethod
    def organised_by(cls, user_id: int):
        """SQL: the events `user_id` created or whose programme names them among its organisers."""
        managed = select(programme_organisers.c.programme_id).where(programme_organisers.c.user_id == user_id)
        return or_(cls.created_by_id == user_id, cls.programme_id.in_(managed))

    @property
    def can_be_published(self) -> bool:
        """Drafts are published. A cancelled event is not published again by the way: it is
        reinstated, deliberately, and everyone registered is told (`can_be_reinstated`)."""
        return self.status == EventStatus.DRAFT

    @property
    def can_be_reinstated(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_over(self) -> bool:
        """The last session has ended."""
        return self.ends_at is not None and self.ends_at < clock.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at is not None and self.starts_at <= clock.now()

    @property
    def phase(self) -> str:
        """draft, published, cancelled, or past (a published event that has ended)."""
        if self.status == EventStatus.PUBLISHED and self.is_over:
            return PAST
        return self.status.value

    @property
    def phase_label(self):
        return PHASE_LABELS[self.phase]

    @property
    def can_be_cancelled(self) -> bool:
        """What happened cannot be called off: a past event keeps its status."""
        return self.status != EventStatus.CANCELLED and not self.is_over

    @property
    def can_be_deleted(self) -> bool:
        """Only a draft; the service also refuses one that somebody is registered for."""
        return self.status == EventStatus.DRAFT

    def text_in(self, locale: str | None) -> dict:
        """Title and description in `locale` when the organiser gave them, else in the event's language;
        `language` says which it is (for `lang` attributes)."""
        code = str(locale or "")[:2]
        given = (self.translations or {}).get(code) or {}
        if not given.get("title"):
            return {"title": self.title, "description": self.description or "", "language": self.language}
        return {"title": given["title"], "description": given.get("description") or self.description or "",
                "language": code}

    def _local(self) -> dict:
        locale = get_locale()
        return self.text_in(str(locale) if locale else None)

    @property
    def local_title(self) -> str:
        """The title in the language being rendered (the reader's, a recipient's, a PDF's)."""
        return self._local()["title"]

    @property
    def local_description(self) -> str:
        return self._local()["description"]

    @property
    def local_language(self) -> str:
        return self._local()["language"]

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind} {self.title!r}>"


def search_key(text: str | None) -> str:
    """The normal form both `search_text` and a query `q` are compared in."""
    return re.sub(r"\s+", " ", (text or "").casefold().replace("ё", "е")).strip()


@event.listens_for(Event, "before_insert")
@event.listens_for(Event, "before_update")
def _refresh_search_text(_mapper, _connection, target: Event) -> None:
    """Keep `search_text` right whatever path saved the event (services, demo, admin shell)."""
    texts = [target.title or "", target.description or ""]
    for given in (target.translations or {}).values():
        texts += [given.get("title") or "", given.get("description") or ""]
    target.search_text = search_key("\n".join(texts))


class Session(db.Model):
    """One day or part of an event, or one meeting of a series; attendance and calendar entries are per session.

    A meeting moved or cancelled on its own bumps its own `sequence` (its VEVENT's SEQUENCE is the
    event's plus this one), so the other meetings' calendar entries stay as they are. A cancelled
    meeting is kept, with `cancelled_at`, so feeds can show it as STATUS:CANCELLED.
    """

    __tablename__ = "event_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("guests IS NULL OR guests >= 0", name="guests_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300), default="")
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The local date the series rule gave this meeting (kept when it is moved): None outside a series.
    series_date: Mapped[date | None] = mapped_column(Date)
    # After a meeting: people who came without being members (a count only) and a short outcome.
    guests: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(Text, default="", server_default="")
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="sessions")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class SeriesRule(db.Model):
    """The recurrence rule an event's meetings were generated from (times are local to the event)."""

    __tablename__ = "event_series"
    __table_args__ = (
        CheckConstraint("every BETWEEN 1 AND 52", name="every_range"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("count IS NULL OR count > 0", name="count_positive"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[SeriesFrequency] = mapped_column(enum_column(SeriesFrequency, 16))
    every: Mapped[int] = mapped_column(default=1)  # every N weeks (weekly) or months (monthly)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 = Monday … 6 = Sunday
    month_position: Mapped[int | None]  # 1…4, or -1 for the last one (monthly rules)
    starts_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None]
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int]
    excluded_dates: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="series")


class GroupDetails(db.Model):
    """The self-help-group part of an event (seed 002): the community it serves and its facilitator."""

    __tablename__ = "group_details"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    community: Mapped[str] = mapped_column(String(200))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    membership: Mapped[GroupMembership] = mapped_column(enum_column(GroupMembership, 16),
                                                        default=GroupMembership.OPEN)

    event: Mapped[Event] = relationship(back_populates="group")
    facilitator = relationship("User")


class TripDetails(db.Model):
    """The outreach-trip part of an event (#ДоброВСело)."""

    __tablename__ = "trip_details"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    settlement: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(200), default="")
    departure_point: Mapped[str] = mapped_column(String(300), default="")
    departure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seats: Mapped[int | None]
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    media_invited: Mapped[bool] = mapped_column(default=False)
    results_notes: Mapped[str] = mapped_column(Text, default="")
    results_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="trip")


class TripTeamRole(db.Model):
    __tablename__ = "trip_team_roles"
    __table_args__ = (
        UniqueConstraint("event_id", "role", name="uq_trip_team_roles_event_role"),
        CheckConstraint("needed > 0", name="needed_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    role: Mapped[TeamRole] = mapped_column(enum_column(TeamRole))
    needed: Mapped[int]


class TripResult(db.Model):
    """People served per service: counts only, never personal data."""

    __tablename__ = "trip_results"
    __table_args__ = (
        UniqueConstraint("event_id", "service", name="uq_trip_results_event_service"),
        CheckConstraint("people_served >= 0", name="people_served_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    service: Mapped[TripService] = mapped_column(enum_column(TripService))
    people_served: Mapped[int]
    # Who wrote the count last and when (the phone's time for an offline entry), and that entry's key:
    # a later send of the same key changes nothing, an older entry never overwrites a newer one.
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_key: Mapped[str | None] = mapped_column(String(36))

    recorded_by = relationship("User")


class EventChange(db.Model):
    """Change log shown to organisers; every bump of `sequence` has a row."""

    __tablename__ = "event_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sequence: Mapped[int]
    fields: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User")

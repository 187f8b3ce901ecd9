"""Messages to participants (with their recipients) and the organisers' notification preferences and digests."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from app.extensions import db

# --- messages to participants ------------------------------------------------------------


class EventMessage(db.Model):
    """A mail the organiser wrote to (a filtered set of) an event's participants, kept on the event."""

    __tablename__ = "event_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict] = mapped_column(JSON, default=dict)  # the filters it was sent with
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")
    recipients: Mapped[list["MessageRecipient"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="MessageRecipient.id")


class MessageRecipient(db.Model):
    """One person a message went to; its delivery state is that of its outbox row (none yet: queued)."""

    __tablename__ = "message_recipients"
    __table_args__ = (UniqueConstraint("message_id", "user_id", name="uq_message_recipients_message_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("event_messages.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The outbox row carrying this mail. Not a foreign key: the outbox is an operational queue, not part
    # of the event's data, so a programme's export (app/backup) holds recipients without their rows.
    outbox_message_id: Mapped[int | None] = mapped_column(index=True)

    message: Mapped[EventMessage] = relationship(back_populates="recipients")
    user = relationship("User")
    outbox_message = relationship(
        "OutboxMessage", primaryjoin="foreign(MessageRecipient.outbox_message_id) == OutboxMessage.id")


# --- what organisers are told ----------------------------------------------------------------


class OrganiserTopic(LabelledEnum):
    APPLICATION = "application", _l("A new application awaits approval")
    CANCELLATION = "cancellation", _l("A participant cancelled their registration")
    EVENT_FULL = "event_full", _l("The event became full")
    OFFER_EXPIRED = "offer_expired", _l("An offered seat was not taken in time")


class Delivery(LabelledEnum):
    AT_ONCE = "at_once", _l("At once")
    DIGEST = "digest", _l("Daily digest")
    OFF = "off", _l("Off")


DEFAULT_DELIVERY = Delivery.AT_ONCE


class OrganiserPreference(db.Model):
    """How one organiser wants to hear about one topic; no row means at once."""

    __tablename__ = "organiser_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[OrganiserTopic] = mapped_column(enum_column(OrganiserTopic), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, 16))


class OrganiserDigest(db.Model):
    """The daily digest mailed to one organiser: at most one per day, guarded by the unique key."""

    __tablename__ = "organiser_digests"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_organiser_digests_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestItem(db.Model):
    """Something an organiser will read in the next daily digest (digested_on: the day it was mailed)."""

    __tablename__ = "digest_items"
    __table_args__ = (Index("ix_digest_items_user_digested", "user_id", "digested_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    topic: Mapped[OrganiserTopic] = mapped_column(enum_column(OrganiserTopic))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    digested_on: Mapped[date | None] = mapped_column(Date)

    event = relationship("Event")

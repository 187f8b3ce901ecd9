"""OutboxMessage: a consequence of a change (a mail, a job), written in the change's own transaction."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from app.extensions import db


class OutboxState(LabelledEnum):
    PENDING = "pending", _l("Waiting")
    SENDING = "sending", _l("Being delivered")
    SENT = "sent", _l("Delivered")
    FAILED = "failed", _l("Failed")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "state", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[OutboxState] = mapped_column(enum_column(OutboxState, 16), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")

    @property
    def summary(self) -> str:
        """What an admin needs to recognise the row: the recipient or subject, if the payload names one."""
        return str(self.payload.get("summary", ""))

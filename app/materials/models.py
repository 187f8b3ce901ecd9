"""Materials of an event or one of its sessions: uploaded files and links (Indico's attachments).

A file's bytes live in the materials storage (app/materials/storage.py) under a random key; the
row keeps the original filename only for display and download. A link may be held back until the
event's last session has ended (a recording published "after the event").
"""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import LabelledEnum, Timestamps, enum_column
from app.events.models import Event, Session
from app.extensions import db


class MaterialKind(enum.StrEnum):
    FILE = "file"
    LINK = "link"


class Visibility(LabelledEnum):
    PUBLIC = "public", _l("Everyone")
    PARTICIPANTS = "participants", _l("Confirmed participants only")


class Material(Timestamps, db.Model):
    __tablename__ = "materials"
    __table_args__ = (
        CheckConstraint("(kind = 'file' AND storage_key IS NOT NULL) OR (kind = 'link' AND url IS NOT NULL)",
                        name="file_has_key_link_has_url"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # A session's materials fall back to the whole event when the session is removed.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("event_sessions.id", ondelete="SET NULL"), index=True)
    kind: Mapped[MaterialKind] = mapped_column(enum_column(MaterialKind, 8))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, 16), default=Visibility.PUBLIC)
    position: Mapped[int] = mapped_column(default=0)
    url: Mapped[str | None] = mapped_column(String(1000))
    available_after_event: Mapped[bool] = mapped_column(default=False)
    storage_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(120), default="")
    size_bytes: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    session: Mapped[Session | None] = relationship()

    @property
    def is_file(self) -> bool:
        return self.kind == MaterialKind.FILE

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    def released(self, now: datetime) -> bool:
        """Held-back links appear once the event's last session has ended."""
        if not self.available_after_event:
            return True
        return self.event.ends_at is not None and self.event.ends_at <= now

    def __repr__(self) -> str:
        return f"<Material {self.id} {self.kind.value} event={self.event_id}>"

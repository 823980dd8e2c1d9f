"""The demo's one table: notes, each owned by a user of the auth plugin."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from corolla_auth.models import User  # noqa: F401 - auth_user must be in the metadata for the foreign key
from corolla_orm import Model


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Note(Model):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    def as_dict(self) -> dict[str, Any]:
        """The note as the JSON API shows it."""
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }


def _iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes even for timezone=True columns; they were stored as UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()

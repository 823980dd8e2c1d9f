"""The models the orm tests share (a module of its own: test helpers need unique names suite-wide)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from corolla_orm import Model


class Counter(Model):
    __tablename__ = "orm_test_counters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), unique=True)
    n: Mapped[int] = mapped_column(default=0)

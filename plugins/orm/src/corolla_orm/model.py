"""``Model``: the SQLAlchemy 2 declarative base shared by the app's models.

Importing this module imports SQLAlchemy; ``corolla_orm.Model`` imports it
only when first used, so loading the plugin stays cheap.

    from sqlalchemy.orm import Mapped, mapped_column
    from corolla_orm import Model

    class Note(Model):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str]

A model stored in a named bind (``[orm.binds]``) says so with
``__bind_key__ = "name"``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

#: Constraint names Alembic can find again (autogenerate, batch mode on SQLite).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    """Base class of the app's models; ``Model.metadata`` holds every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        key = getattr(cls, "__bind_key__", None)
        table = cls.__dict__.get("__table__")
        if key is not None and table is not None:
            table.info["bind_key"] = key

    def __repr__(self) -> str:
        mapper = type(self).__mapper__
        pk = ", ".join(repr(getattr(self, attr.key)) for attr in mapper.primary_key if attr.key is not None)
        return f"<{type(self).__name__} {pk}>"


__all__ = ["NAMING_CONVENTION", "Model"]

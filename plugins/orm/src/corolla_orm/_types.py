"""``OrmApp`` and ``OrmRequest``: what the orm plugin adds to ``app`` and ``request``, for type checkers.

Combine them with the core classes in the app's own types (annotations only;
the attributes are added at start-up)::

    class App(corolla.App, OrmApp): ...
    class Request(corolla.Request, OrmRequest): ...

    def view(request: Request) -> str:
        return str(request.db.scalar(sa.select(sa.func.count()).select_from(Note)))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ._database import Database

    def _added_at_start_up() -> Any:
        """Stands for the value the plugin sets on the app; seen by type checkers only."""


class OrmApp(Protocol):
    """What the orm plugin adds to ``app``: ``db``, the app's ``Database`` (engines made on first use)."""

    # The values exist for type checkers only (TYPE_CHECKING), so a class
    # naming this protocol as a base can be instantiated without mypy calling
    # it abstract, while at run time the app has these names only when the
    # plugin added them.
    if TYPE_CHECKING:
        db: Database = _added_at_start_up()


class OrmRequest(Protocol):
    """What the orm plugin adds to ``request``: ``db``, a SQLAlchemy session made on first access."""

    db: Session

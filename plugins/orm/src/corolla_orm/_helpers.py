"""``get_or_404``: a row by primary key, or a 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")


def get_or_404(session: Session, model: type[T], pk: Any, **options: Any) -> T:
    """``session.get(model, pk)``, raising ``RowNotFound`` (a 404) when there is no such row.

    ``RowNotFound`` is both werkzeug's ``NotFound`` (so the app answers 404
    and routing's ``@app.errorhandler(404)`` applies) and SQLAlchemy's
    ``NoResultFound`` (so scripts can catch it as they would ``.one()``'s).
    """
    row = session.get(model, pk, **options)
    if row is None:
        from ._missing import RowNotFound

        raise RowNotFound(f"no {model.__name__} with primary key {pk!r}")
    return row

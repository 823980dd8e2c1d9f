"""``RowNotFound``: imported only when a row is missing (it needs SQLAlchemy)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import NoResultFound
from werkzeug.exceptions import NotFound


class RowNotFound(NotFound, NoResultFound):
    """No row with that primary key: a 404 for the client, a ``NoResultFound`` for code."""

    #: werkzeug's status (404, first in the MRO), which also stands in for SQLAlchemy's error code (a str or None).
    code: Any = NotFound.code

    def __init__(self, detail: str) -> None:
        # The client sees werkzeug's generic 404 text; the detail (model and
        # key) stays in the exception for logs and tests.
        NotFound.__init__(self)
        self.detail = detail

    def __str__(self) -> str:
        return f"404 Not Found: {self.detail}"

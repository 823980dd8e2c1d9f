"""``RowNotFound``: imported only when a row is missing (it needs SQLAlchemy)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import NoResultFound
from werkzeug.exceptions import NotFound


class RowNotFound(NotFound, NoResultFound):
    """No row with that primary key: a 404 for the client, a ``NoResultFound`` for code."""

    #: Both bases have a ``code``: werkzeug's HTTP status (404) wins, first in the MRO. Declared here
    #: only because SQLAlchemy types its own ``code`` (an error-page id) as ``str | None``.
    code: Any = NotFound.code

    def __init__(self, detail: str) -> None:
        # The client sees werkzeug's generic 404 text; the detail (model and
        # key) stays in the exception for logs and tests.
        NotFound.__init__(self)
        self.detail = detail

    def __str__(self) -> str:
        return f"404 Not Found: {self.detail}"

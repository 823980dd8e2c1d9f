"""``request.db``: a SQLAlchemy Session that refuses use once its request is over.

A plain Session that is closed starts over when used again: a reference kept
past the request (a module global, a thread, a generator that runs later)
would silently check out a new connection and hold a transaction open until
garbage collection. ``close_resets_only=False`` makes SQLAlchemy refuse
instead, and this subclass says why in words that point at the mistake.
Imported on first use of ``request.db`` only (it imports SQLAlchemy).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, SessionTransaction

from ._database import mark_committed


class RequestFinishedError(InvalidRequestError):
    """``request.db`` was used after the request it belonged to finished."""


class RequestSession(Session):
    """The Session behind ``request.db``: closed for good when its request finishes."""

    #: The request's log line ("GET /notes"), set when the request finished.
    finished_request: str | None = None

    def __init__(self, **options: Any) -> None:
        super().__init__(close_resets_only=False, **options)

    def finish(self, request_line: str) -> None:
        """Close the session for good; later use raises ``RequestFinishedError`` naming the request."""
        self.finished_request = request_line
        self.close()

    # Every use (execute, get, flush, begin...) starts its transaction here;
    # SQLAlchemy would refuse a closed session a line later with "permanently
    # closed", which does not say which request or what to do instead.
    def _autobegin_t(self, begin: bool = False) -> SessionTransaction:
        if self.finished_request is not None and self._transaction is None:
            raise RequestFinishedError(
                f"request.db was used after its request ('{self.finished_request}') finished: that Session "
                "was closed with the request and cannot open a new transaction. Keep ids or plain values "
                "beyond a request, not the session or its objects; outside a request use "
                "`with app.db as session:` (a script, a thread, a CLI command)"
            )
        return super()._autobegin_t(begin)


# A request's transaction committed: its answer must not become an error now (Request.mark_committed).
event.listen(RequestSession, "after_commit", mark_committed)

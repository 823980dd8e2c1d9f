"""Database errors as responses: a missing row is a 404, an unreachable database a 503.

Runs on the error path only. SQLAlchemy is never imported here: when
``sqlalchemy.exc`` is not loaded yet, the exception cannot be one of its.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, NotFound, ServiceUnavailable

if TYPE_CHECKING:
    import corolla

    from ._database import Database

logger = logging.getLogger("corolla_orm")

#: Messages of SQLite's OperationalError that mean "cannot use the file now",
#: as opposed to schema mistakes ("no such table") that are plain 500s.
_SQLITE_UNAVAILABLE = ("unable to open", "database is locked", "disk i/o", "busy", "readonly", "disk is full")


def is_unavailable(exception: BaseException) -> bool:
    """Whether ``exception`` says the database cannot be reached (or used) right now."""
    exc = sys.modules.get("sqlalchemy.exc")
    if exc is None or not isinstance(exception, exc.SQLAlchemyError):
        return False
    if isinstance(exception, (exc.DisconnectionError, exc.TimeoutError)):
        return True
    if isinstance(exception, exc.DBAPIError) and exception.connection_invalidated:
        return True
    if isinstance(exception, (exc.OperationalError, exc.InterfaceError)):
        orig = exception.orig
        if type(orig).__module__.startswith("sqlite3"):
            return any(text in str(orig).lower() for text in _SQLITE_UNAVAILABLE)
        return True
    return False


def http_error_for(db: Database, request: corolla.Request, exception: Exception) -> HTTPException | None:
    """The HTTP error a database error stands for (404, 503), or None to leave ``exception`` as it is.

    An unavailable database is logged here, once, naming the URL without its password.
    """
    if isinstance(exception, HTTPException):
        return None  # get_or_404's RowNotFound is a NotFound already
    exc = sys.modules.get("sqlalchemy.exc")
    if exc is None:
        return None
    if isinstance(exception, exc.NoResultFound):
        return NotFound()
    if is_unavailable(exception):
        url = getattr(exception, "corolla_orm_url", None) or db.safe_url()
        orig = getattr(exception, "orig", None) or exception
        first_line = (str(orig).strip().splitlines() or [""])[0]
        logger.error(
            "Database unavailable on '%s': %s (%s: %s); answered 503",
            request.log_line(),
            url,
            type(orig).__name__,
            first_line,
        )
        return ServiceUnavailable("The database is unavailable right now. Please try again in a moment.")
    return None

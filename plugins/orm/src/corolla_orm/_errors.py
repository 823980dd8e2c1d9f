"""Database errors as responses: a missing row is a 404, a refused value a 400, an unreachable database a 503.

Runs on the error path only. SQLAlchemy is never imported here: when
``sqlalchemy.exc`` is not loaded yet, the exception cannot be one of its.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

from werkzeug.exceptions import BadRequest, HTTPException, NotFound, ServiceUnavailable

if TYPE_CHECKING:
    import corolla

    from ._database import Database

logger = logging.getLogger("corolla_orm")

#: Seconds a client is asked to wait (``Retry-After``) while the database is unavailable.
RETRY_AFTER = 5

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


def refused_value(exception: BaseException) -> str | None:
    """What was wrong with a value the database (or its driver) refused, or None for other errors.

    The client's data, not the server, is at fault: a NUL byte in text
    (PostgreSQL), a number beyond its column's range, a string holding lone
    surrogates (not Unicode, so no driver can encode it). Only the database's
    first line is kept: never the statement or its parameters.
    """
    exc = sys.modules.get("sqlalchemy.exc")
    orig: BaseException | None = exception
    if exc is not None and isinstance(exception, exc.StatementError):
        orig = exception.orig
    if orig is exception and not _raised_in_sqlalchemy(exception):
        orig = None  # a view's own UnicodeEncodeError or OverflowError is a bug: a 500, as it was
    if isinstance(orig, UnicodeEncodeError):
        return "it holds characters that are not valid Unicode (lone surrogates)"
    if isinstance(orig, OverflowError):
        return "a number is too large for its column"
    if exc is not None and isinstance(exception, exc.DataError):
        return (str(orig).strip().splitlines() or ["the database refused a value"])[0]
    return None


class _Described(Exception):
    """The database error as one line (URL without password, driver error), with the original traceback."""

    def __init__(self, text: str, cause: BaseException) -> None:
        super().__init__(text)
        self.__cause__ = cause
        self.__traceback__ = cause.__traceback__


def _raised_in_sqlalchemy(exception: BaseException) -> bool:
    # Drivers raise these while SQLAlchemy executes; SQLAlchemy passes them on unwrapped.
    tb = exception.__traceback__
    while tb is not None:
        if f"{os.sep}sqlalchemy{os.sep}" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
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
    refused = refused_value(exception)
    if refused is not None:
        logger.info("A value was refused by the database on '%s': %s; answered 400", request.log_line(), refused)
        return BadRequest(
            f"A value sent could not be stored: {refused}. Nothing was saved; correct the value and send it again."
        )
    if is_unavailable(exception):
        url = getattr(exception, "corolla_orm_url", None) or db.safe_url()
        orig = getattr(exception, "orig", None) or exception
        first_line = (str(orig).strip().splitlines() or [""])[0]
        # A traceback when the outage starts, then one line per request (OutageLog).
        db.outage.failed(request.log_line(), _Described(f"{url}: {type(orig).__name__}: {first_line}", exception))
        return ServiceUnavailable(
            "The database is unavailable right now. Please try again in a moment.", retry_after=RETRY_AFTER
        )
    return None

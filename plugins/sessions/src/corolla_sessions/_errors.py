"""The errors the sessions plugin raises on purpose.

The two that reach the client are werkzeug ``HTTPException`` subclasses, so
the core answers them with their own status (503, 500) and description; the
plugin logs each one before raising it, naming the backend or the size.
"""

from __future__ import annotations

from werkzeug.exceptions import InternalServerError, ServiceUnavailable

from corolla import CorollaError


class SessionError(CorollaError):
    """A session could not be saved (a value JSON cannot store, a misconfigured backend...)."""


#: Seconds a client is asked to wait (``Retry-After``) when a backend is unavailable.
RETRY_AFTER = 5


class SessionBackendUnavailable(CorollaError, ServiceUnavailable):
    """The session backend (Redis, the database) did not answer: the request gets a 503.

    ``backend`` names it. Nothing was written: a save is one atomic command.
    """

    def __init__(self, backend: str, detail: str) -> None:
        self.backend = backend
        self.detail = detail
        ServiceUnavailable.__init__(
            self,
            f"Sessions are unavailable: the {backend} session backend did not answer. Try again shortly.",
            retry_after=RETRY_AFTER,
        )

    def __str__(self) -> str:
        return f"the {self.backend} session backend is unavailable: {self.detail}"


class SessionCookieTooLarge(CorollaError, InternalServerError):
    """The signed session cookie is larger than browsers keep (4 KB): the request gets a 500.

    A browser silently drops a cookie that large, which would lose the
    session without a trace; failing loudly at save time points at the fix.
    """

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        InternalServerError.__init__(
            self,
            f"The sessions plugin could not save the session: its cookie would be {size} bytes, "
            f"over the {limit} bytes browsers keep.",
        )

    def __str__(self) -> str:
        return (
            f"the session cookie would be {self.size} bytes, over the {self.limit} bytes browsers keep; "
            "store less in the session (an id, not the object) or use the redis or sql backend"
        )

"""``SessionsRequest``: what the sessions plugin adds to ``request``, for type checkers.

Combine it with ``corolla.Request`` in the app's request type (an annotation
only; the attribute itself is added at start-up)::

    class Request(corolla.Request, SessionsRequest): ...

    def view(request: Request) -> str:
        request.session["visits"] = request.session.get("visits", 0) + 1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ._session import Session


class SessionsRequest(Protocol):
    """What the sessions plugin adds to ``request``: ``session``, loaded on first access."""

    session: Session

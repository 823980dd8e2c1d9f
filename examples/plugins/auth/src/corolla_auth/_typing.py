"""For the type checker only: the request as the auth plugin's code sees it. Nothing here runs.

The plugins auth requires add lazy attributes to every request; mypy cannot
know them, so the views take, and the hooks ``cast`` to, ``AuthRequest``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session as DBSession

    import corolla
    from corolla_sessions import Session

    from .models import User

    class AuthRequest(corolla.Request):
        """A request with the attributes of the plugins auth requires (never instantiated)."""

        session: Session  # sessions
        db: DBSession  # orm
        url_for: Callable[..., str]  # routing
        render: Callable[..., corolla.Response]  # templates
        user: User | None  # auth itself

"""What the sessions plugin puts into template contexts (when the templates plugin is loaded).

``session`` is a read-only view that loads ``request.session`` only when a
template reads it, so rendering a page that never shows the session costs no
cookie parsing, no signature check and no backend call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from corolla import Request


class SessionView(Mapping[str, Any]):
    """A read-only, lazy view of ``request.session`` for templates."""

    __slots__ = ("_request",)

    def __init__(self, request: Request) -> None:
        self._request = request

    @property
    def _session(self) -> Mapping[str, Any]:
        return self._request.session  # type: ignore[attr-defined,no-any-return]

    def __getitem__(self, key: str) -> Any:
        return self._session[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._session)

    def __len__(self) -> int:
        return len(self._session)

    def __contains__(self, key: object) -> bool:
        return key in self._session

    def get(self, key: str, default: Any = None) -> Any:
        return self._session.get(key, default)

    def __repr__(self) -> str:
        loaded = self._request.touched("session")
        return f"<SessionView {self._session!r}>" if loaded else "<SessionView (not loaded)>"

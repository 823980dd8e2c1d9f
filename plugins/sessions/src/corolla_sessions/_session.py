"""``Session``: the dict a view sees as ``request.session``.

A ``dict`` subclass, so reads cost what a dict read costs and ``json.dumps``
takes it as it is; the methods that change it also set ``modified``.
Changes inside a mutable value (``session["cart"].append(x)``) are not seen:
assign the value again or set ``session.modified = True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The key under which a session's ``permanent`` flag travels in the stored
#: payload; it never appears in the mapping itself.
PERMANENT_KEY = "_permanent"

_MISSING: Any = object()


class Session(dict[str, Any]):
    """The session of one request: a dict that knows when it was changed.

    ``new``
        True when the request carried no valid session (none, expired,
        tampered...); False when it was loaded from the backend.
    ``modified``
        Set by every method that changes the mapping; set it yourself after
        changing a mutable value in place.
    ``permanent``
        Whether the cookie outlives the browser session (``Max-Age`` =
        ``max_age``). New sessions take the ``permanent`` setting; changing
        it marks the session modified.
    ``sid``
        The backend's id for the stored data (None for the cookie backend,
        and for a server-side session not stored yet).
    """

    __slots__ = ("_permanent", "modified", "new", "previous_sid", "resign", "sid")

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        new: bool = True,
        permanent: bool = False,
        sid: str | None = None,
        resign: bool = False,
    ) -> None:
        if data:
            dict.__init__(self, data)
        self.new = new
        self.modified = False
        self._permanent = permanent
        self.sid = sid
        #: The id the data was stored under before ``regenerate()``; the
        #: backend deletes it when the session is saved.
        self.previous_sid: str | None = None
        #: Loaded with a fallback key (or otherwise due for re-signing): save it again.
        self.resign = resign

    @property
    def permanent(self) -> bool:
        return self._permanent

    @permanent.setter
    def permanent(self, value: bool) -> None:
        value = bool(value)
        if value != self._permanent:
            self._permanent = value
            self.modified = True

    # -- changes ------------------------------------------------------------

    def __setitem__(self, key: str, value: Any) -> None:
        self.modified = True
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self.modified = True

    def __ior__(self, other: Any) -> Session:  # type: ignore[override]
        self.update(other)
        return self

    def clear(self) -> None:
        if self:
            self.modified = True
        dict.clear(self)

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        if key in self:
            self.modified = True
            return dict.pop(self, key)
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[str, Any]:
        item = dict.popitem(self)
        self.modified = True
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.modified = True
        return dict.setdefault(self, key, default)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        dict.update(self, other, **kwargs)
        self.modified = True

    # -- life cycle ---------------------------------------------------------

    def regenerate(self) -> None:
        """Keep the data under a new id; the old id stops working (call it on login).

        Server-side backends store the data under a fresh random id when the
        response goes out and delete the old one, so a session id an attacker
        planted or saw before the login is worthless after it. The cookie
        backend has no id: the cookie is signed again (a new timestamp).
        """
        if self.sid is not None:
            self.previous_sid = self.sid
            self.sid = None
        self.modified = True

    def __repr__(self) -> str:
        flags = [name for name in ("new", "modified", "permanent") if getattr(self, name)]
        return f"<Session {dict.__repr__(self)}{' ' if flags else ''}{' '.join(flags)}>"

    def __reduce__(self) -> Any:  # a plain dict when pickled or copied
        return (dict, (dict(self),))

    def copy(self) -> dict[str, Any]:
        return dict(self)

    def __or__(self, other: Any) -> dict[str, Any]:  # type: ignore[override]
        return dict(self) | dict(other)

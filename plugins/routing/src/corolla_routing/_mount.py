"""Plain WSGI apps mounted at a prefix, called from inside the Corolla pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from corolla import Request


class Mounted:
    """A plain WSGI app mounted at a prefix: called with SCRIPT_NAME/PATH_INFO moved as DispatcherMiddleware does."""

    def __init__(self, prefix: str, app: Any) -> None:
        self.prefix = prefix
        self.app = app
        # The prefix as it appears in a WSGI environ (UTF-8 bytes in a latin-1 str).
        self.raw_prefix = prefix.encode("utf-8").decode("latin1")
        self.__qualname__ = f"mounted {getattr(app, '__qualname__', type(app).__qualname__)}"
        self.__module__ = getattr(app, "__module__", None) or type(app).__module__

    def __call__(self, request: Request, **_values: Any) -> Response:
        environ = dict(request.environ)
        raw = "/" + str(environ.get("PATH_INFO") or "").lstrip("/")
        environ["SCRIPT_NAME"] = str(environ.get("SCRIPT_NAME") or "").rstrip("/") + self.raw_prefix
        environ["PATH_INFO"] = raw[len(self.raw_prefix) :]
        # Streams: the mounted app's iterable is passed through, not buffered.
        return Response.from_app(self.app, environ)

    def __repr__(self) -> str:
        return f"<mounted {self.app!r} at {self.prefix!r}>"

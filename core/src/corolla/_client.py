"""The test client: werkzeug's ``Client`` plus what Flask's test client gives.

- ``with client:`` keeps the last request: ``client.last_request`` after
  ``client.get(...)`` is the very ``Request`` the app served, with whatever
  it computed (``request.session``, ``request.user``...).
- ``client.request_context(path)`` yields a request the app did not serve,
  carrying the client's cookies; what plugins changed on it is saved as a
  real response would save it (``request.after_response`` callbacks, e.g. a
  modified session), then teardown hooks run and the cookies set come back
  to the client.
- ``client.session_transaction()`` is that, yielding ``request.session``:
  read and write the session between requests, whichever backend keeps it.

Imports werkzeug's test module only, so ``App.test_client()`` does not
import pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from werkzeug.test import Client as _WerkzeugClient
from werkzeug.test import EnvironBuilder

from ._wrappers import AFTER_RESPONSE, Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.datastructures import Headers

    from ._app import App

__all__ = ["Client"]


class Client(_WerkzeugClient):
    """A test client for a Corolla ``App`` (``app.test_client()``, or the ``client`` fixture)."""

    application: App

    def __init__(self, application: App, *args: Any, **kwargs: Any) -> None:
        super().__init__(application, *args, **kwargs)
        self._keeping = False
        self._last: Request | None = None

    # -- with client: the last request ---------------------------------------

    def __enter__(self) -> Client:
        if self._keeping:
            raise RuntimeError("this client is already in a `with client:` block; nesting them is not supported")
        self._keeping = True
        self._last = None
        return self

    def __exit__(self, *exc: object) -> None:
        self._keeping = False
        self._last = None

    @property
    def last_request(self) -> Request:
        """The request the app served last, inside ``with client:``."""
        if not self._keeping:
            raise RuntimeError(
                "client.last_request is kept only inside `with client:` (as Flask's test client keeps "
                "its request context): `with client: client.get('/'); client.last_request.session`"
            )
        if self._last is None:
            raise RuntimeError("no request was made in this `with client:` block yet")
        return self._last

    def run_wsgi_app(self, environ: WSGIEnvironment, buffered: bool = False) -> tuple[Any, str, Headers]:
        if not self._keeping:
            return super().run_wsgi_app(environ, buffered)
        pipeline = self.application._pipeline
        served = pipeline.request_class
        kept: list[Request] = []

        # A subclass that remembers its instance, set on this app's pipeline
        # only while this request runs: the request path stays as it is.
        class Kept(served):  # type: ignore[valid-type,misc]
            def __init__(self, environ: Any, app: Any = None) -> None:
                super().__init__(environ, app)
                kept.append(self)

        Kept.__name__ = Kept.__qualname__ = served.__name__
        pipeline.request_class = Kept
        try:
            result = super().run_wsgi_app(environ, buffered)
        finally:
            pipeline.request_class = served
        if kept:
            self._last = kept[0]
        return result

    # -- a request the app did not serve -------------------------------------

    @contextmanager
    def request_context(self, path: str = "/", **builder_args: Any) -> Iterator[Request]:
        """A ``Request`` for ``path`` with this client's cookies; what it saves comes back as cookies.

        ``builder_args`` go to werkzeug's ``EnvironBuilder`` (``method``,
        ``headers``, ``base_url``...). Leaving the block runs the request's
        ``after_response`` callbacks on an empty response (a session plugin
        saves a modified session there), then the teardown hooks, and
        stores the cookies that response sets in this client. A plugin
        that changes responses in a ``corolla_wrap_request`` wrapper instead
        (not through ``after_response``) is not run: the block is not a view.
        """
        from ._pipeline import run_after_response

        app = self.application
        builder = EnvironBuilder(path, **builder_args)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        self._add_cookies_to_wsgi(environ)
        request = app.request_class(environ, app)
        error: Exception | None = None
        try:
            yield request
            response = Response()
            if AFTER_RESPONSE in request.__dict__:
                run_after_response(request, response)
            self._update_cookies_from_response(
                request.host.partition(":")[0], request.path, response.headers.getlist("Set-Cookie")
            )
        except Exception as exc:
            error = exc
            raise
        finally:
            app._pipeline.teardown(request, error)

    @contextmanager
    def session_transaction(self, path: str = "/", **builder_args: Any) -> Iterator[Any]:
        """``request.session`` of a request with this client's cookies; saved when the block ends.

        Works with any plugin that adds ``request.session`` (corolla-sessions
        and each of its backends: cookie, redis, sql). Changes are saved as
        a response would save them: only when the block ends without an
        exception.
        """
        with self.request_context(path, **builder_args) as request:
            try:
                session = request.session  # type: ignore[attr-defined]
            except AttributeError:
                raise RuntimeError(
                    "client.session_transaction(): no loaded plugin adds request.session; install and enable "
                    "one (pip install corolla-sessions, then check `corolla plugins list`)"
                ) from None
            yield session

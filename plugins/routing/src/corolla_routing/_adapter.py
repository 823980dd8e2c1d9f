"""A werkzeug ``MapAdapter`` bound to one request, cheaply.

``Map.bind_to_environ`` costs about 4 µs: it works out the host (Host
header, port, allowed characters), the subdomain and the scheme, and decodes
four environ strings, all before matching. Matching needs none of that
unless host matching is on: only the path, the method and the subdomain
(``""`` when subdomain matching is off). So binding here is a few attribute
assignments; the host is worked out only when a redirect needs it (``get_host``),
and the scheme and script name are ``lazy`` (saves ~4 µs per request).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.routing import Map, MapAdapter

from corolla import lazy

if TYPE_CHECKING:
    from corolla import Request


def _dance(value: str) -> str:
    # WSGI strings are latin-1 "bytes in str"; werkzeug decodes them as UTF-8.
    return value if value.isascii() else value.encode("latin1").decode("utf-8", "replace")


class RequestAdapter(MapAdapter):
    """``MapAdapter`` for ``request``.

    ``server_name`` None means "the request's host, when needed": matching
    without host matching never reads it (the subdomain is the domain part),
    and the paths that do (redirects, external URLs) go through
    ``get_host``, which fills it in first. Rules with ``redirect_to`` read it
    directly, so the routing table passes the host eagerly when it has any.
    """

    _host_pending = False

    def __init__(
        self,
        map: Map,  # noqa: A002 - werkzeug's name
        request: Request,
        path: str,
        method: str,
        subdomain: str | None,
        server_name: str | None = None,
    ) -> None:
        # Deliberately no super().__init__(): see the module docstring.
        self.map = map
        self.request = request
        self.subdomain = subdomain
        self.path_info = path
        self.default_method = method
        self.websocket = False
        query = request.environ.get("QUERY_STRING")
        self.query_args = _dance(query) if query else None
        if server_name is None:
            self.server_name = ""
            self._host_pending = True
        else:
            self.server_name = server_name

    def get_host(self, domain_part: str | None) -> str:
        if self._host_pending:
            self.server_name = str(self.request.host).lower()
            self._host_pending = False
        return super().get_host(domain_part)

    @lazy
    def url_scheme(self) -> str:
        return str(self.request.scheme)

    @lazy
    def script_name(self) -> str:
        return str(self.request.root_path) + "/"


def subdomain_of(request: Request, server_name: str) -> tuple[str, str | None]:
    """(server name without its default port, the request's subdomain under it, or None for another host).

    As ``Map.bind_to_environ`` does it, minus its warning.
    """
    host = str(request.host).lower()
    scheme = request.scheme
    server_name = server_name.lower()
    if scheme == "http" and server_name.endswith(":80"):
        server_name = server_name[:-3]
    elif scheme == "https" and server_name.endswith(":443"):
        server_name = server_name[:-4]
    wanted = server_name.split(".")
    got = host.split(".")
    if got[-len(wanted) :] != wanted:
        return server_name, None
    return server_name, ".".join(filter(None, got[: -len(wanted)]))


def bind_outside_request(map: Map, server_name: str | None, root: str, scheme: str) -> MapAdapter:  # noqa: A002
    """The adapter ``app.url_for`` uses: no request, so the configured server name."""
    return map.bind(server_name or "localhost", script_name=root or "/", url_scheme=scheme)

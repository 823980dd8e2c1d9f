"""A werkzeug ``MapAdapter`` bound to one request, cheaply.

``Map.bind_to_environ`` costs about 4 µs: it works out the host (Host
header, port, trusted characters), the subdomain, the scheme and decodes four
environ strings, all before matching. Matching a plain route needs none of
that: only the path and the method. Here the adapter is a few attribute
assignments; the host, scheme and script name are ``lazy`` and computed only
when a redirect or ``request.url_for`` needs them (saves ~4 µs per request).
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
    """``MapAdapter`` for ``request``; ``subdomain`` is "" unless subdomain or host matching is on."""

    def __init__(self, map: Map, request: Request, path: str, method: str, subdomain: str | None) -> None:  # noqa: A002
        # Deliberately no super().__init__(): see the module docstring.
        self.map = map
        self.request = request
        self.subdomain = subdomain
        self.path_info = path
        self.default_method = method
        self.websocket = False
        query = request.environ.get("QUERY_STRING")
        self.query_args = _dance(query) if query else None

    @lazy
    def server_name(self) -> str:
        return str(self.request.host).lower()

    @lazy
    def url_scheme(self) -> str:
        return str(self.request.scheme)

    @lazy
    def script_name(self) -> str:
        return str(self.request.root_path) + "/"


class ServerAdapter(RequestAdapter):
    """The adapter when subdomain matching is on: the configured server name, the request's subdomain."""

    def __init__(self, map: Map, request: Request, path: str, method: str, server_name: str) -> None:  # noqa: A002
        host = str(request.host).lower()
        scheme = request.scheme
        if scheme == "http" and server_name.endswith(":80"):
            server_name = server_name[:-3]
        elif scheme == "https" and server_name.endswith(":443"):
            server_name = server_name[:-4]
        wanted = server_name.split(".")
        got = host.split(".")
        # As Map.bind_to_environ does, minus its warning: another host is an invalid subdomain (404).
        subdomain = ".".join(filter(None, got[: -len(wanted)])) if got[-len(wanted) :] == wanted else "<invalid>"
        super().__init__(map, request, path, method, subdomain)
        self.__dict__["server_name"] = server_name


def bind_outside_request(map: Map, server_name: str | None, root: str, scheme: str) -> MapAdapter:  # noqa: A002
    """The adapter ``app.url_for`` uses: no request, so the configured server name."""
    return map.bind(server_name or "localhost", script_name=root or "/", url_scheme=scheme)

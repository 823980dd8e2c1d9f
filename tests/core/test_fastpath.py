"""The response fast path (``_fastpath.py``) sends exactly what werkzeug's full machinery sends.

One dispatch plugin returns every kind of value a view may return. The same
plugin serves three real apps: one alone (the fast path), one beside a plugin
with a no-op ``corolla_response`` (every response is a full werkzeug
``Response``, then sent directly), and one whose ``corolla_response`` adds a
close callback (so werkzeug's ``Response.__call__`` sends it). The core's
security headers (and HSTS over https) are part of what is compared. For GET and HEAD of every path, the status
line, the header list (names, values, order) and the body must be the same.
``corolla.Response``'s constructor is checked the same way against
werkzeug's.
"""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Response as WerkzeugResponse

from corolla import App, Response
from corolla.testing import SyntheticPlugins

VIEWS = """
@hookimpl
def corolla_dispatch(self, request):
    from werkzeug.datastructures import Headers
    from werkzeug.wrappers import Response as WerkzeugResponse
    from corolla import Response

    def _with_cookie(response):
        response.set_cookie("k", "v", httponly=True)
        return response

    values = {
        "/str": "<p>caf\\u00e9</p>",
        "/bytes": b"raw",
        "/dict": {"name": "caf\\u00e9", "n": [1, 2]},
        "/list": ["a", 1, None],
        "/empty-str": "",
        "/status": ("made", 201),
        "/status-unknown": ("odd", 299),
        "/status-str": ("teapot", "418 I'm a teapot"),
        "/status-code-str": ("teapot", "418"),
        "/headers": ("with headers", {"X-One": "1", "X-Two": "two"}),
        "/headers-type": ("plain", {"Content-Type": "text/plain; charset=utf-8"}),
        "/headers-type-lower": ("plain", {"content-type": "text/csv"}),
        "/own-frame": ("x", {"X-Frame-Options": "SAMEORIGIN", "referrer-policy": "no-referrer"}),
        "/response-own-frame": Response("x", headers={"X-Frame-Options": "SAMEORIGIN"}),
        "/status-headers": ({"id": 7}, 201, {"X-Id": "7"}),
        "/location": ("moved", 302, {"Location": "/caf\\u00e9"}),
        "/length": ("abc", {"Content-Length": "3"}),
        "/int-header": ("x", {"X-N": 5}),
        "/case-twice": ("x", {"X-A": "1", "x-a": "2"}),
        "/list-headers": ("x", [("X-A", "1"), ("X-A", "2")]),
        "/werkzeug-headers": ("x", Headers([("X-M", "1"), ("X-M", "2")])),
        "/no-content": ("", 204),
        "/not-modified": ("", 304, {"ETag": '"x"'}),
        "/response": Response("teapot", status=418, mimetype="text/plain"),
        "/response-default": Response("<p>hi</p>"),
        "/response-bytes": Response(b"\\x00\\x01", content_type="application/octet-stream"),
        "/response-json": Response('{"a":1}', mimetype="application/json"),
        "/response-headers": Response("h", headers={"X-H": "1"}),
        "/response-cookie": _with_cookie(Response("c")),
        "/response-chunks": Response([b"a", b"bc"]),
        "/response-str-chunks": Response(["a", "bc"]),
        "/response-204": Response(status=204),
        "/response-location": Response("", 301, {"Location": "/x"}),
        "/response-status-str": Response("s", status="299 Custom"),
        "/werkzeug-response": WerkzeugResponse("w", mimetype="text/plain"),
        "/response-stream": Response(iter([b"s", b"t"])),
        "/response-passthrough": Response([b"p"], direct_passthrough=True),
    }
    return values.get(request.path)
"""

PATHS = [
    "/str", "/bytes", "/dict", "/list", "/empty-str", "/status", "/status-unknown", "/status-str",
    "/status-code-str", "/headers", "/headers-type", "/headers-type-lower", "/own-frame", "/response-own-frame",
    "/status-headers", "/location",
    "/length", "/int-header", "/case-twice", "/list-headers", "/werkzeug-headers", "/no-content",
    "/not-modified", "/response", "/response-default", "/response-bytes", "/response-json",
    "/response-headers", "/response-cookie", "/response-chunks", "/response-str-chunks", "/response-204",
    "/response-location", "/response-status-str", "/werkzeug-response", "/response-stream",
    "/response-passthrough", "/missing",
]  # fmt: skip

NO_OP_RESPONSE = """
@hookimpl
def corolla_response(self, request, response):
    pass
"""

# A close callback: the core must leave the sending to werkzeug's own Response.__call__.
WERKZEUG_SENDS = """
@hookimpl
def corolla_response(self, request, response):
    response.call_on_close(lambda: None)
"""


def sent(app: App, path: str, method: str) -> tuple[str, list[tuple[str, str]], bytes]:
    scheme = "https" if method == "GET-https" else "http"
    method = method.removesuffix("-https")
    environ = EnvironBuilder(path=path, method=method, base_url=f"{scheme}://localhost/").get_environ()
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    return status, headers.to_wsgi_list(), b"".join(body)


@pytest.fixture
def apps(corolla_plugins: SyntheticPlugins, make_app: Any) -> tuple[App, App, App]:
    corolla_plugins.add("views", body=VIEWS)
    corolla_plugins.add("watcher", body=NO_OP_RESPONSE)
    corolla_plugins.add("werkzeug-sends", body=WERKZEUG_SENDS)
    config = {"core": {"hsts_seconds": 3600}}  # the security headers, and HSTS over https
    fast, watched, werkzeug = (
        make_app(["views"], config),
        make_app(["views", "watcher"], config),
        make_app(["views", "werkzeug-sends"], config),
    )
    assert fast._pipeline.fast and not watched._pipeline.fast
    return fast, watched, werkzeug


@pytest.mark.parametrize("method", ["GET", "HEAD", "GET-https"])
def test_the_fast_path_sends_what_werkzeug_sends(apps: tuple[App, App, App], method: str) -> None:
    # fast: the view's value sent directly; watched: a full Response a plugin saw, sent
    # directly; werkzeug: the same Response sent by werkzeug's own Response.__call__.
    fast, watched, werkzeug = apps
    for path in PATHS:
        answer = sent(werkzeug, path, method)
        assert sent(fast, path, method) == answer, path
        assert sent(watched, path, method) == answer, path
        assert answer[0][0] in "234" or path == "/missing", answer  # the views answered, no 500
    if method == "GET-https":
        assert ("Strict-Transport-Security", "max-age=3600") in sent(fast, "/str", method)[1]


CONSTRUCTOR_CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("hello",), {}),
    ((b"bytes",), {}),
    (("caf\u00e9",), {"mimetype": "text/plain"}),
    (("x",), {"status": 404}),
    (("x",), {"status": 299}),
    (("x",), {"status": 999}),
    (("x", 201), {"mimetype": "application/json"}),
    (("x",), {"content_type": "text/csv; charset=latin-1"}),
    (("x",), {"mimetype": ""}),
    (("",), {}),
    (("x",), {"status": "418 I'm a teapot"}),
    (("x",), {"headers": {"X-A": "1"}}),
    ((None,), {}),
    (([b"a"],), {}),
]


@pytest.mark.parametrize(("args", "kwargs"), CONSTRUCTOR_CALLS)
def test_response_constructor_sets_what_werkzeugs_sets(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    fast = Response(*args, **kwargs)
    slow = Response.__new__(Response)
    WerkzeugResponse.__init__(slow, *args, **kwargs)
    assert {k: v for k, v in vars(fast).items() if k != "headers"} == {
        k: v for k, v in vars(slow).items() if k != "headers"
    }
    assert fast.headers.to_wsgi_list() == slow.headers.to_wsgi_list()
    assert type(fast.headers) is type(slow.headers)


def test_a_newline_in_the_content_type_is_refused_as_werkzeug_refuses_it() -> None:
    with pytest.raises(ValueError, match="newline"):
        Response("x", content_type="text/plain\r\nX-Evil: 1")

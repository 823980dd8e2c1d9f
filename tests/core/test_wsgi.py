"""WSGI conformance: every response path of the core passes ``wsgiref.validate``.

Each request is driven by hand: a PEP 3333 environ from
``wsgiref.util.setup_testing_defaults``, the app wrapped in
``wsgiref.validate.validator``, the body iterator consumed and closed. The
validator raises (or warns, which the test config turns into errors) on any
breach: a status that is not a str, a missing Content-Type, a body item that
is not bytes, an iterator returned before ``start_response``, and so on.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from werkzeug.datastructures import Headers

from corolla import App

NO_DISPATCH = "no installed plugin implements the corolla_dispatch hook"

# One dispatch plugin serving every kind of return value the core accepts.
VIEWS = """
@hookimpl
def corolla_dispatch(self, request):
    from werkzeug.exceptions import MethodNotAllowed, NotFound
    from corolla import Response

    path = request.path
    if path == "/str":
        return "hello"
    if path == "/unicode":
        return "h\\u00e9llo \\u2603"
    if path == "/bytes":
        return b"\\x00raw"
    if path == "/dict":
        return {"a": 1, "b": ["x"]}
    if path == "/list":
        return [1, 2, 3]
    if path == "/status":
        return "created", 201
    if path == "/status-text":
        return "teapot", "418 I'm a teapot"
    if path == "/status-headers":
        return "accepted", 202, {"X-Extra": "yes"}
    if path == "/headers":
        return {"ok": True}, {"X-Extra": "yes"}
    if path == "/headers-list":
        return "listed", [("X-Extra", "yes")]
    if path == "/response":
        return Response("plain", status=203, mimetype="text/plain", headers={"X-Extra": "yes"})
    if path == "/not-found":
        raise NotFound()
    if path == "/not-allowed":
        raise MethodNotAllowed(valid_methods=["GET", "POST"])
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/bad-return":
        return object()
    if path == "/form":
        return dict(request.form)
    if path == "/no-content":
        return "", 204
    if path == "/no-content-typed":
        return "", 204, {"Content-Type": "application/json"}
    if path == "/not-modified":
        return "", 304, {"ETag": '"v1"'}
    return None
"""

ADD_HEADER = """
@hookimpl
def corolla_response(self, request, response):
    response.headers["X-Seen"] = "1"
"""

NOOP_TEARDOWN = """
@hookimpl
def corolla_teardown(self, request, exception):
    pass
"""


@dataclass
class Result:
    status: str
    headers: Headers
    body: bytes

    @property
    def code(self) -> int:
        return int(self.status.split(" ", 1)[0])


def wsgi_call(
    app: Callable[..., Iterable[bytes]],
    path: str = "/",
    method: str = "GET",
    body: bytes = b"",
    content_type: str | None = None,
    query: str = "",
) -> Result:
    """Call ``app`` through the PEP 3333 validator with a hand-made environ."""
    environ: dict[str, Any] = {"SCRIPT_NAME": "", "PATH_INFO": path, "REQUEST_METHOD": method, "QUERY_STRING": query}
    if body:
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
    if content_type:
        environ["CONTENT_TYPE"] = content_type
    setup_testing_defaults(environ)
    seen: dict[str, Any] = {}
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
        seen["status"], seen["headers"] = status, headers
        return written.append

    iterator = validator(app)(environ, start_response)
    try:
        chunks = list(iterator)
    finally:
        iterator.close()  # type: ignore[attr-defined]
    return Result(seen["status"], Headers(seen["headers"]), b"".join(written + chunks))


@pytest.fixture(params=["fast", "response-hook", "teardown-hook"])
def app(request: pytest.FixtureRequest, corolla_plugins: Any, make_app: Callable[..., App]) -> App:
    """The views app: on the fast path, with a response hook (which forces the Response
    path), or with a teardown hook (which the fast path runs too)."""
    corolla_plugins.add("views", body=VIEWS)
    if request.param == "response-hook":
        corolla_plugins.add("headers", body=ADD_HEADER)
    if request.param == "teardown-hook":
        corolla_plugins.add("cleanup", body=NOOP_TEARDOWN)
    built = make_app()
    assert built._pipeline.fast is (request.param != "response-hook")
    return built


@pytest.mark.parametrize(
    ("path", "status", "content_type", "body", "extra"),
    [
        ("/str", "200 OK", "text/html; charset=utf-8", b"hello", None),
        ("/unicode", "200 OK", "text/html; charset=utf-8", "h\u00e9llo \u2603".encode(), None),
        ("/bytes", "200 OK", "text/html; charset=utf-8", b"\x00raw", None),
        ("/dict", "200 OK", "application/json", b'{"a":1,"b":["x"]}', None),
        ("/list", "200 OK", "application/json", b"[1,2,3]", None),
        ("/status", "201 CREATED", "text/html; charset=utf-8", b"created", None),
        ("/status-text", "418 I'M A TEAPOT", "text/html; charset=utf-8", b"teapot", None),
        ("/status-headers", "202 ACCEPTED", "text/html; charset=utf-8", b"accepted", "yes"),
        ("/headers", "200 OK", "application/json", b'{"ok":true}', "yes"),
        ("/headers-list", "200 OK", "text/html; charset=utf-8", b"listed", "yes"),
        ("/response", "203 NON AUTHORITATIVE INFORMATION", "text/plain; charset=utf-8", b"plain", "yes"),
    ],
)
def test_success_paths_are_valid_wsgi(
    app: App, path: str, status: str, content_type: str, body: bytes, extra: str | None
) -> None:
    result = wsgi_call(app, path)
    assert result.status.upper() == status
    assert result.headers["Content-Type"] == content_type
    assert result.body == body
    assert result.headers["Content-Length"] == str(len(body))
    assert result.headers.get("X-Extra") == extra
    if app._pipeline.response_hooks:
        assert result.headers["X-Seen"] == "1"


@pytest.mark.parametrize(
    ("path", "code", "needle"),
    [
        ("/not-found", 404, b"Not Found"),
        ("/not-allowed", 405, b"Method Not Allowed"),
        # dispatch returned None: a plain 404 (the hint is for apps with no dispatch plugin)
        ("/nothing-here", 404, b"The requested URL was not found"),
        ("/boom", 500, b"Internal Server Error"),
        ("/bad-return", 500, b"Internal Server Error"),
    ],
)
def test_error_paths_are_valid_wsgi(app: App, path: str, code: int, needle: bytes, caplog: Any) -> None:
    caplog.set_level("CRITICAL", logger="corolla")  # the 500s log; that is tested in test_errors.py
    result = wsgi_call(app, path)
    assert result.code == code
    assert result.headers["Content-Type"].startswith("text/html")
    assert needle in result.body
    if app._pipeline.response_hooks:  # response hooks see error responses too
        assert result.headers["X-Seen"] == "1"
    if code == 405:
        assert set(result.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_no_content_responses_are_valid_wsgi(app: App) -> None:
    result = wsgi_call(app, "/no-content")
    assert result.code == 204
    assert result.body == b""
    assert "Content-Type" not in result.headers
    assert "Content-Length" not in result.headers
    result = wsgi_call(app, "/not-modified")
    assert result.code == 304
    assert result.body == b""
    assert result.headers["ETag"] == '"v1"'


def test_explicit_content_type_on_a_204_is_kept(corolla_plugins: Any, make_app: Callable[..., App]) -> None:
    from werkzeug.test import Client

    corolla_plugins.add("views", body=VIEWS)
    r = Client(make_app()).get("/no-content-typed")
    assert r.status_code == 204
    assert r.headers["Content-Type"] == "application/json"


def test_head_is_valid_wsgi_and_has_no_body(app: App) -> None:
    result = wsgi_call(app, "/str", method="HEAD")
    assert result.code == 200
    assert result.body == b""
    # Content-Length still says what a GET would send (RFC 9110, 9.3.2).
    assert result.headers["Content-Length"] == str(len(b"hello"))
    assert result.headers["Content-Type"] == "text/html; charset=utf-8"


def test_head_on_an_error_has_no_body(app: App) -> None:
    result = wsgi_call(app, "/not-found", method="HEAD")
    assert result.code == 404
    assert result.body == b""


def test_post_with_a_form_body_is_valid_wsgi(app: App) -> None:
    result = wsgi_call(
        app, "/form", method="POST", body=b"name=ada&lang=py", content_type="application/x-www-form-urlencoded"
    )
    assert result.code == 200
    assert result.headers["Content-Type"] == "application/json"
    assert result.body == b'{"name":"ada","lang":"py"}'


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_no_dispatch_plugin_is_a_valid_404_with_the_hint(
    corolla_plugins: Any, make_app: Callable[..., App], method: str
) -> None:
    app = make_app()
    assert list(app.resolution.order) == []
    result = wsgi_call(app, "/anything", method=method)
    assert result.code == 404
    assert result.headers["Content-Type"] == "text/html; charset=utf-8"
    if method == "HEAD":
        assert result.body == b""
    else:
        assert NO_DISPATCH.encode() in result.body
        assert b"corolla plugins list" in result.body


def test_no_dispatch_plugin_with_only_other_hooks(corolla_plugins: Any, make_app: Callable[..., App]) -> None:
    corolla_plugins.add("headers", body=ADD_HEADER)
    result = wsgi_call(make_app(), "/")
    assert result.code == 404
    assert NO_DISPATCH.encode() in result.body
    assert result.headers["X-Seen"] == "1"


def test_debug_500_is_valid_wsgi(corolla_plugins: Any, make_app: Callable[..., App], caplog: Any) -> None:
    caplog.set_level("CRITICAL", logger="corolla")
    corolla_plugins.add("views", body=VIEWS)
    result = wsgi_call(make_app(config={"core": {"debug": True}}), "/boom")
    assert result.code == 500
    assert result.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"RuntimeError: boom" in result.body


def test_exception_hook_response_is_valid_wsgi(corolla_plugins: Any, make_app: Callable[..., App]) -> None:
    corolla_plugins.add("views", body=VIEWS)
    corolla_plugins.add(
        "errors",
        body="""
        @hookimpl
        def corolla_handle_exception(self, request, exception):
            return {"error": type(exception).__name__}, 409
        """,
    )
    result = wsgi_call(make_app(), "/boom")
    assert result.code == 409
    assert result.headers["Content-Type"] == "application/json"
    assert result.body == b'{"error":"RuntimeError"}'


def test_wrapper_returning_a_response_is_valid_wsgi(corolla_plugins: Any, make_app: Callable[..., App]) -> None:
    corolla_plugins.add("views", body=VIEWS)
    corolla_plugins.add(
        "wrap",
        body="""
        @hookimpl
        def corolla_wrap_request(self, app, handler):
            def wrapped(request):
                rv = handler(request)
                return rv + " (wrapped)", 200, {"X-Wrapped": "1"}
            return wrapped
        """,
    )
    result = wsgi_call(make_app(), "/str")
    assert result.code == 200
    assert result.body == b"hello (wrapped)"
    assert result.headers["X-Wrapped"] == "1"


UPLOADS = """
@hookimpl
def corolla_dispatch(self, request):
    from corolla_test_journal import calls

    upload = request.files["doc"]
    calls.append(upload)
    if request.path == "/upload-str":
        return "got " + upload.filename
    return {"name": upload.filename}
"""


@pytest.mark.parametrize("path", ["/upload-str", "/upload-json"])
def test_uploaded_files_are_closed_after_the_request(
    corolla_plugins: Any, make_app: Callable[..., App], journal: list[Any], path: str
) -> None:
    from werkzeug.test import Client

    corolla_plugins.add("uploads", body=UPLOADS)
    r = Client(make_app()).post(path, data={"doc": (io.BytesIO(b"x" * 100_000), "a.txt")})
    assert r.status_code == 200
    (upload,) = journal
    assert upload.filename == "a.txt"
    assert upload.stream.closed  # werkzeug leaves them open; the core closes them


AFTER = """
@hookimpl
def corolla_dispatch(self, request):
    from werkzeug.exceptions import NotFound

    def mark(request, response):
        response.headers["X-After"] = "yes"

    def boom(request, response):
        raise RuntimeError("callback failed")

    if request.path.startswith("/mark"):
        request.after_response(mark)
    if request.path.endswith("/boom"):
        request.after_response(boom)
    if request.path.endswith("/unavailable"):
        def unavailable(request, response):
            from werkzeug.exceptions import ServiceUnavailable

            request.after_response(mark)  # registered by a failing callback: runs on the replacement
            raise ServiceUnavailable()

        request.after_response(unavailable)
    if request.path == "/missing/unavailable":
        raise NotFound()
    if request.path == "/mark/missing":
        raise NotFound()
    if request.path == "/mark/crash":
        raise ValueError("view failed")
    return "page"
"""


@pytest.mark.parametrize(
    ("path", "code", "after"),
    [
        ("/plain", 200, None),  # nothing registered: the fast path, no header
        ("/mark", 200, "yes"),  # a str result, with a callback: a Response is built for it
        ("/mark/missing", 404, "yes"),  # error responses get it too
        ("/mark/crash", 500, "yes"),
        # A raising callback: the 500 for its exception, a new response that the
        # callbacks (each run at most once) do not see again.
        ("/mark/boom", 500, None),
        # An HTTPException from a callback: its own response, on the normal
        # path (through the exception hooks) and on an error page alike.
        ("/unavailable", 503, "yes"),
        ("/missing/unavailable", 503, "yes"),
    ],
)
def test_after_response_callbacks(
    corolla_plugins: Any, make_app: Callable[..., App], path: str, code: int, after: str | None, caplog: Any
) -> None:
    corolla_plugins.add("after", body=AFTER)
    app = make_app()
    result = wsgi_call(app, path)
    assert result.code == code
    assert result.headers.get("X-After") == after
    if path.endswith("/boom"):
        assert "callback failed" in caplog.text


def test_log_line_names_method_and_path_never_the_query_string(app: App) -> None:
    from werkzeug.test import EnvironBuilder

    from corolla import Request

    environ = EnvironBuilder(path="/login", method="POST", query_string="token=secret").get_environ()
    assert Request(environ, app).log_line() == "POST /login"

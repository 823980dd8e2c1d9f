"""Plain WSGI apps mounted at a prefix: SCRIPT_NAME and PATH_INFO as DispatcherMiddleware sets them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from werkzeug.test import Client

from corolla import App
from corolla_routing import RoutingError


def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = json.dumps(
        {"script": environ["SCRIPT_NAME"], "path": environ["PATH_INFO"], "method": environ["REQUEST_METHOD"]}
    ).encode()
    start_response("203 Non-Authoritative Information", [("Content-Type", "application/json"), ("X-Legacy", "1")])
    return [body]


@pytest.mark.parametrize(
    ("url", "script", "path"),
    [
        ("/legacy", "/legacy", ""),
        ("/legacy/", "/legacy", "/"),
        ("/legacy/a/b", "/legacy", "/a/b"),
        ("/legacy/caf%C3%A9", "/legacy", "/caf\xc3\xa9"),  # WSGI strings: UTF-8 bytes as latin-1
    ],
)
def test_mount_moves_the_prefix_into_script_name(app: App, client: Client, url: str, script: str, path: str) -> None:
    app.mount("/legacy", legacy)
    response = client.get(url)
    assert response.status_code == 203
    assert response.headers["X-Legacy"] == "1"
    assert response.json == {"script": script, "path": path, "method": "GET"}


def test_mount_under_a_script_name_and_any_method(app: App) -> None:
    app.mount("/old", legacy)
    response = Client(app).open("/old/x", method="PATCH", environ_overrides={"SCRIPT_NAME": "/site"})
    assert response.json == {"script": "/site/old", "path": "/x", "method": "PATCH"}


def test_mount_beside_routes(app: App, client: Client) -> None:
    app.mount("/legacy", legacy)
    app.get("/", endpoint="home")(lambda request: "home")
    app.get("/legacyish", endpoint="near")(lambda request: "not mounted")
    assert client.get("/").text == "home"
    assert client.get("/legacyish").text == "not mounted"
    assert client.get("/legacy/x").status_code == 203


def test_mounted_werkzeug_app_sees_its_own_root(app: App, client: Client) -> None:
    from werkzeug.wrappers import Request, Response

    @Request.application
    def inner(request: Request) -> Response:
        return Response(f"{request.root_path}|{request.path}|{request.url}")

    app.mount("/w", inner)
    assert client.get("/w/page?x=1").text == "/w|/page|http://localhost/w/page?x=1"


def test_mount_errors(app: App) -> None:
    with pytest.raises(RoutingError, match=r"must not be empty"):
        app.mount("/", legacy)
    with pytest.raises(RoutingError, match=r"not a WSGI application"):
        app.mount("/x", "nope")
    app.mount("/x", legacy)
    with pytest.raises(RoutingError, match=r"already mounted"):
        app.mount("/x/", legacy)


def test_mounted_app_body_is_streamed_and_closed(app: App, client: Client) -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Any:
            yield b"a"
            yield b"b"

        def close(self) -> None:
            closed.append(True)

    def streaming(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    app.mount("/s", streaming)
    response = client.get("/s")
    assert closed == []  # not buffered: nothing is closed before the server is done with the body
    assert response.data == b"ab"
    response.close()
    assert closed == [True]

"""Hostile and broken requests get a 4xx, never a 500, and never reach a view with garbage."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.routing import BaseConverter, ValidationError
from werkzeug.test import Client, EnvironBuilder

from corolla import App

seen: list[Any] = []


@pytest.fixture
def routed(app: App) -> App:
    seen.clear()
    app.get("/")(lambda request: "home")
    app.get("/n/<int:n>", endpoint="n")(lambda request, n: seen.append(n) or "n")
    app.get("/s/<name>", endpoint="s")(lambda request, name: seen.append(name) or "s")
    app.get("/p/<path:rest>", endpoint="p")(lambda request, rest: seen.append(rest) or "p")
    return app


def raw_get(app: App, raw_path: str, method: str = "GET") -> int:
    """Send PATH_INFO exactly as given (a WSGI string: bytes as latin-1)."""
    environ = EnvironBuilder(method=method).get_environ()
    environ["PATH_INFO"] = raw_path
    statuses: list[str] = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    return int(statuses[0][:3])


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("/s/%zz", 200),  # invalid percent-encoding arrives undecoded: just a name
        ("/%", 404),
        ("/s/\xff\xfe", 400),  # not UTF-8
        ("/s/caf\xc3\xa9", 200),  # UTF-8: fine
        ("/p/../../etc/passwd", 400),
        ("/p/a/./b", 400),
        ("/s/..", 400),
        ("/s/a\x00b", 400),
        ("/p/" + "a" * 65536, 414),
        ("/n/" + "9" * 6000, 404),  # int() refuses 6,000 digits with ValueError: no route, not a 500
        ("/n/99999999999999999999999999", 404),  # beyond 64 bits (a BIGINT): int matches no route
        (f"/n/{2**63 - 1}", 200),  # the largest id a 64-bit column holds
        ("/n/-1", 404),
        ("/..", 400),
        ("//s//x", 308),
    ],
)
def test_bad_paths(routed: App, raw: str, status: int) -> None:
    assert raw_get(routed, raw) == status


def test_no_bad_value_reaches_a_view(routed: App) -> None:
    for raw in ("/s/\xff", "/p/../x", "/s/a\x00", "/n/" + "9" * 6000):
        raw_get(routed, raw)
    assert seen == []


@pytest.mark.parametrize("method", ["BREW", "PROPFIND", "get ", "", "G\x00T", "X" * 1000])
def test_unknown_methods(routed: App, method: str) -> None:
    assert raw_get(routed, "/", method) in (400, 405)
    assert raw_get(routed, "/missing", method) == 404


class EvenConverter(BaseConverter):
    """Matches any digits (the regex accepts odd numbers), but ``to_python`` refuses them."""

    regex = r"\d+"
    refused: list[str] = []

    def to_python(self, value: str) -> int:
        if int(value) % 2:
            EvenConverter.refused.append(value)
            raise ValidationError()
        return int(value)


def test_converter_validation_error_is_404(app: App) -> None:
    EvenConverter.refused.clear()
    seen.clear()
    app.url_map.converters["even"] = EvenConverter
    app.get("/e/<even:n>", endpoint="e")(lambda request, n: seen.append(n) or "even")
    client = Client(app)
    assert client.get("/e/4").status_code == 200
    assert client.get("/e/3").status_code == 404
    assert EvenConverter.refused == ["3"]  # the regex matched: to_python raised ValidationError
    assert seen == [4]


def test_long_path_limit_is_configurable(build: Any) -> None:
    app = build({"routing": {"max_path_length": 10}})
    app.get("/<name>")(lambda request, name: name)
    assert raw_get(app, "/123456789") == 200
    assert raw_get(app, "/1234567890") == 414


def test_percent_encoded_dot_segments_are_refused(routed: App) -> None:
    # a server decodes %2e%2e to '..' before the app sees PATH_INFO
    assert Client(routed).get("/p/%2e%2e/secret").status_code == 400


def test_bad_host_under_host_matching(build: Any) -> None:
    app = build({"routing": {"host_matching": True}})
    app.get("/", host="example.com")(lambda request: "main")
    client = Client(app)
    assert client.get("/", headers={"Host": "exa mple.com"}).status_code == 404
    assert client.get("/", headers={"Host": "example.com:99999"}).status_code == 404

"""The compiled matcher (``_matcher.py``) answers exactly as werkzeug's matcher would, through the real app.

One app holds routes that compete for the same paths (static beside dynamic,
int beside string, path converters, the same rule for several methods,
strict and non-strict slashes, a custom converter with a regex and a
``to_python`` that refuses, converter arguments, a mount). Every path and
method below is sent through the app, and the answer (status, view, values)
is compared with what werkzeug's ``MapAdapter.match`` gives for the same
request, so a compiled answer that differs from werkzeug's fails here.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, RequestRedirect, ValidationError
from werkzeug.test import Client

from corolla import App


class EvenConverter(BaseConverter):
    """Digits, and only even numbers: ``to_python`` refuses odd ones (ValidationError)."""

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        if int(value) % 2:
            raise ValidationError()
        return int(value)


class SlugConverter(BaseConverter):
    """A regex with a group of its own: values must still land on the right arguments."""

    regex = r"([a-z]+)(-[a-z]+)*"


RULES: list[tuple[str, list[str] | None, dict[str, Any]]] = [
    ("/", None, {}),
    ("/about", None, {}),
    ("/users/", None, {}),
    ("/users/new", None, {}),
    ("/users/<int:user_id>", None, {}),
    ("/users/<int:user_id>", ["PUT", "DELETE"], {}),
    ("/users/<name>", None, {}),
    ("/users/<int:user_id>/posts/<slug:post>", None, {}),
    ("/files/<path:rest>", None, {}),
    ("/files/<path:rest>/edit", None, {}),
    ("/even/<even:n>", None, {}),
    ("/even/<even:n>", ["POST"], {}),
    ("/range/<int(min=1, max=9):n>", None, {}),
    ("/neg/<int(signed=True):n>", None, {}),
    ("/price/<float:x>", None, {}),
    ("/id/<uuid:id>", None, {}),
    ("/colour/<any(red, green):c>", None, {}),
    ("/code/<string(length=3):code>", None, {}),
    ("/doc-<int:n>.txt", None, {}),
    ("/loose", None, {"strict_slashes": False}),
    ("/loose-dir/", None, {"strict_slashes": False}),
    ("/<page>", None, {}),
    ("/<page>/<int:part>", ["POST"], {}),
]

PATHS = [
    "/", "/about", "/about/", "/users", "/users/", "/users/new", "/users/7", "/users/-7", "/users/bob",
    "/users/7/posts/hello-world", "/users/7/posts/Hello", "/users/7/posts/a-b-c", "/users/x/posts/a",
    "/files/a", "/files/a/b/c.txt", "/files/a/b/edit", "/files/", "/files/a/", "/files//a", "/even/4", "/even/3",
    "/range/0", "/range/5", "/range/10", "/neg/-3", "/neg/3", "/price/1.5", "/price/1",
    f"/id/{uuid.UUID(int=5)}", "/id/nope", "/colour/red", "/colour/blue", "/code/abc", "/code/abcd",
    "/doc-3.txt", "/doc-x.txt", "/loose", "/loose/", "/loose-dir", "/loose-dir/", "/x", "/x/", "/x/2", "/x/y/z",
    "/users//7", "/files//b", "/users/" + "9" * 5000, "/caf\u00e9", "/m", "/m/", "/m/deep/er",
]  # fmt: skip

METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def view_for(index: int) -> Any:
    def view(request: Any, **values: Any) -> dict[str, Any]:
        return {"route": index, "values": {k: str(v) for k, v in values.items()}}

    view.__qualname__ = f"route{index}"
    return view


@pytest.fixture
def app(build: Any) -> App:
    app = build()
    app.url_map.converters["even"] = EvenConverter
    app.url_map.converters["slug"] = SlugConverter
    for index, (rule, methods, options) in enumerate(RULES):
        app.add_url_rule(rule, f"route{index}", view_for(index), methods=methods, **options)
    app.mount("/m", mounted)
    return app


def mounted(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"mounted"]


def werkzeug_answer(app: App, path: str, method: str) -> tuple[int, Any]:
    """(status, (route index, values) or the redirect target) by werkzeug's own matcher."""
    table = app.plugins["routing"].table  # type: ignore[attr-defined]
    adapter = table.url_map.bind("localhost", "/")
    try:
        rule, values = adapter.match(path, method, return_rule=True)
    except RequestRedirect as exc:
        return exc.code, exc.new_url.replace("http://localhost", "")
    except HTTPException as exc:
        if exc.code == 405 and method == "OPTIONS":
            return 200, None
        return exc.code or 500, None
    except (ValueError, OverflowError):
        return 404, None
    if rule.endpoint.startswith("mount:"):
        return 200, "mounted"
    return 200, (int(rule.endpoint[5:]), {k: str(v) for k, v in values.items()})


def app_answer(client: Client, path: str, method: str) -> tuple[int, Any]:
    response = client.open(path, method=method)
    if response.status_code in (301, 302, 307, 308):
        return response.status_code, response.headers["Location"].replace("http://localhost", "")
    if response.status_code == 200 and response.data == b"mounted":
        return 200, "mounted"
    if response.status_code != 200 or method == "OPTIONS":
        return response.status_code, None
    if method == "HEAD":
        return 200, werkzeug_answer(client.application, path, "GET")[1]  # type: ignore[arg-type]
    body = response.json
    return 200, (body["route"], body["values"])


def test_the_compiled_matcher_is_in_use(app: App) -> None:
    client = Client(app)
    assert client.get("/users/7").json == {"route": 4, "values": {"user_id": "7"}}
    table = app.plugins["routing"].table  # type: ignore[attr-defined]
    assert table.compiled is not None


@pytest.mark.parametrize("method", METHODS)
def test_every_answer_is_werkzeugs(app: App, method: str) -> None:
    client = Client(app)
    for path in PATHS:
        # Twice: the second request may be answered from the static-route memo.
        for _ in range(2):
            assert app_answer(client, path, method) == werkzeug_answer(app, path, method), (method, path)


def test_without_a_compiled_form_werkzeug_answers(build: Any) -> None:
    # defaults may make werkzeug redirect to the URL of the defaults: no compiled matcher at all.
    app = build()

    def page(request: Any, n: int) -> str:
        return str(n)

    app.add_url_rule("/page/", "page", page, defaults={"n": 1})
    app.add_url_rule("/page/<int:n>", "page", page)
    client = Client(app)
    assert client.get("/page/2").text == "2"
    assert client.get("/page/1").status_code == 308  # werkzeug's redirect to the defaults' URL
    assert app.plugins["routing"].table.compiled is None  # type: ignore[attr-defined]

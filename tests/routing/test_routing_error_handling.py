"""Error handlers: redirects bypass them, root groups do not take the app's 404s, the 500 fallback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from werkzeug.exceptions import HTTPException, InternalServerError, Unauthorized
from werkzeug.test import Client

from corolla import App
from corolla_routing import Router


def test_strict_slash_redirect_is_not_given_to_a_catch_all_handler(app: App, client: Client) -> None:
    seen: list[BaseException] = []
    app.get("/users/", endpoint="users")(lambda request: "users")

    @app.errorhandler(Exception)
    def on_anything(request: Any, exc: Exception) -> str:
        seen.append(exc)
        return "handled"

    response = client.get("/users")
    assert response.status_code == 308
    assert response.headers["Location"] == "/users/"
    assert seen == []


def test_strict_slash_redirect_is_not_given_to_an_http_exception_handler(app: App, client: Client) -> None:
    app.get("/users/", endpoint="users")(lambda request: "users")
    app.errorhandler(HTTPException)(lambda request, exc: "an http error")
    response = client.get("/users")
    assert (response.status_code, response.headers["Location"]) == (308, "/users/")


def test_bare_body_for_an_http_exception_keeps_its_response_headers(app: App, client: Client) -> None:
    from corolla import Response

    def login(request: Any) -> str:
        raise Unauthorized(www_authenticate=None, response=Response("x", 401, {"WWW-Authenticate": 'Basic realm="r"'}))

    app.get("/login", endpoint="login")(login)
    app.errorhandler(401)(lambda request, exc: "please log in")
    response = client.get("/login")
    assert (response.status_code, response.text) == (401, "please log in")
    assert response.headers["WWW-Authenticate"] == 'Basic realm="r"'
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Content-Length"] == str(len("please log in"))


def make_pages() -> Router:
    pages = Router(name="pages")
    pages.get("/about")(lambda request: "about")

    @pages.errorhandler(404)
    def pages_404(request: Any, exc: Exception) -> str:
        return "pages 404"

    return pages


def test_a_root_group_does_not_take_the_apps_404s(app: App, client: Client) -> None:
    app.include(make_pages())
    app.errorhandler(404)(lambda request, exc: "app 404")
    response = client.get("/nowhere")
    assert (response.status_code, response.text) == (404, "app 404")
    assert client.get("/about").text == "about"


def test_a_root_group_without_app_handler_leaves_the_default_404(app: App, client: Client) -> None:
    app.include(make_pages())
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "pages 404" not in response.text


def test_a_prefixed_group_still_claims_unmatched_paths_under_it(app: App, client: Client) -> None:
    app.include(make_pages())
    docs = Router("/docs", name="docs")
    docs.errorhandler(404)(lambda request, exc: "docs 404")
    app.include(docs)
    app.errorhandler(404)(lambda request, exc: "app 404")
    assert client.get("/docs/missing").text == "docs 404"
    assert client.get("/docsmissing").text == "app 404"
    assert client.get("/missing").text == "app 404"


def test_a_root_group_handles_errors_of_its_own_routes(app: App, client: Client) -> None:
    pages = Router(name="pages")
    pages.get("/boom")(lambda request: {}["x"])
    pages.errorhandler(KeyError)(lambda request, exc: ("pages key error", 409))
    app.include(pages)
    response = client.get("/boom")
    assert (response.status_code, response.text) == (409, "pages key error")


def boom(request: Any) -> str:
    raise ValueError("kaput")


def test_unhandled_exception_falls_back_to_the_500_handler(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    app.get("/boom", endpoint="boom")(boom)
    seen: list[BaseException] = []

    @app.errorhandler(500)
    def on_500(request: Any, exc: InternalServerError) -> str:
        seen.append(exc)
        return "our 500 page"

    with caplog.at_level(logging.ERROR):
        response = client.get("/boom?token=secret")
    assert (response.status_code, response.text) == (500, "our 500 page")
    (server_error,) = seen
    assert isinstance(server_error, InternalServerError)
    assert isinstance(server_error.original_exception, ValueError)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    (record,) = errors
    assert "'GET /boom'" in record.getMessage() and "ValueError" in record.getMessage()
    assert "secret" not in record.getMessage()
    assert record.exc_info is not None and record.exc_info[1] is server_error.original_exception


def test_500_fallback_by_exception_class(app: App, client: Client) -> None:
    app.get("/boom", endpoint="boom")(boom)
    app.errorhandler(InternalServerError)(lambda request, exc: (f"500: {exc.original_exception}", 503))
    response = client.get("/boom")
    assert (response.status_code, response.text) == (503, "500: kaput")


def test_500_fallback_prefers_the_groups_handler(app: App, client: Client) -> None:
    api = Router("/api", name="api")
    api.get("/boom")(boom)
    api.errorhandler(500)(lambda request, exc: "api 500")
    app.include(api)
    app.get("/boom", endpoint="boom")(boom)
    app.errorhandler(500)(lambda request, exc: "app 500")
    assert client.get("/api/boom").text == "api 500"
    assert client.get("/boom").text == "app 500"


def test_a_specific_handler_wins_over_the_500_fallback(app: App, client: Client) -> None:
    app.get("/boom", endpoint="boom")(boom)
    app.errorhandler(ValueError)(lambda request, exc: ("value", 400))
    app.errorhandler(500)(lambda request, exc: "500")
    assert client.get("/boom").status_code == 400


def test_without_a_500_handler_the_core_answers_and_logs(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    app.get("/boom", endpoint="boom")(boom)
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "ValueError" in errors[0].getMessage()


def test_a_500_handler_returning_none_leaves_it_to_the_core_logged_once(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    app.get("/boom", endpoint="boom")(boom)
    app.errorhandler(500)(lambda request, exc: None)
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    assert response.status_code == 500 and "Internal Server Error" in response.text
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1

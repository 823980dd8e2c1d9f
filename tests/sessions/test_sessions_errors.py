"""The session on error responses, through the routing plugin: error handlers, 4xx saves, 5xx does not, Vary."""

from __future__ import annotations

import base64
import logging
import os

import pytest
import servers
from sessions_support import SECRET, cookie_of
from werkzeug.exceptions import Forbidden
from werkzeug.test import Client

from corolla_sessions import flash, get_flashed_messages


@pytest.fixture
def routed_app(make_app):
    """``routed_app(sessions={...})``: routing and sessions, a few routes and a 404 page that shows flashes."""

    def build(sessions=None):
        config = {"core": {"secret_key": SECRET}, "sessions": sessions or {}}
        app = make_app(["routing", "sessions"], config, isolated=False)

        @app.get("/flash")
        def add_flash(request):
            flash(request, "saved!")
            return "flashed"

        @app.get("/flashes")
        def show_flashes(request):
            return repr(get_flashed_messages(request))

        @app.get("/count")
        def count(request):
            request.session["n"] = request.session.get("n", 0) + 1
            return f"n={request.session['n']}"

        @app.get("/peek")
        def peek(request):
            return f"n={request.session.get('n')}"

        @app.get("/crash")
        def crash(request):
            request.session["n"] = 100
            flash(request, "lost")
            raise RuntimeError("boom")

        @app.get("/forbidden")
        def forbidden(request):
            flash(request, "not for you")
            raise Forbidden()

        @app.get("/plain")
        def plain(request):
            return "plain"

        @app.errorhandler(404)
        def not_found(request, exc):
            return f"not found; messages={get_flashed_messages(request)}"

        return app

    return build


def test_flash_consumed_on_a_404_page_is_gone_on_the_next_request(routed_app):
    client = Client(routed_app())
    client.get("/flash")
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.text == "not found; messages=['saved!']"
    assert page.headers["Vary"] == "Cookie"
    assert cookie_of(page) is not None  # the consumption is saved
    assert client.get("/flashes").text == "[]"
    assert client.get("/no/such/page").text == "not found; messages=[]"


def test_untouched_error_page_is_left_alone(make_app):
    app = make_app(["routing", "sessions"], {"core": {"secret_key": SECRET}}, isolated=False)
    app.errorhandler(404)(lambda request, exc: ("nothing here", 404))
    page = Client(app).get("/missing")
    assert page.status_code == 404
    assert "Vary" not in page.headers and cookie_of(page) is None


def test_a_4xx_raised_by_the_view_saves_the_session(routed_app):
    client = Client(routed_app())
    response = client.get("/forbidden")
    assert response.status_code == 403
    assert response.headers["Vary"] == "Cookie"
    assert client.get("/flashes").text == "['not for you']"


def test_a_crash_after_touching_the_session_varies_and_saves_nothing(routed_app):
    client = Client(routed_app())
    assert client.get("/count").text == "n=1"
    client.get("/flash")
    response = client.get("/crash")
    assert response.status_code == 500
    assert response.headers["Vary"] == "Cookie"
    assert cookie_of(response) is None
    assert client.get("/peek").text == "n=1"
    assert client.get("/flashes").text == "['saved!']"  # "lost" was never stored


def test_a_500_page_from_an_error_handler_saves_nothing_either(routed_app):
    app = routed_app()

    @app.errorhandler(Exception)
    def crashed(request, exc):
        return f"sorry; messages={get_flashed_messages(request)}", 500

    client = Client(app)
    client.get("/flash")
    response = client.get("/crash")
    assert response.status_code == 500
    assert response.text == "sorry; messages=['saved!', 'lost']"
    assert response.headers["Vary"] == "Cookie" and cookie_of(response) is None
    assert client.get("/flashes").text == "['saved!']"  # shown again: the 500 kept nothing


def test_oversized_session_on_a_404_page_is_a_500_naming_plugin_and_size(routed_app, caplog):
    app = routed_app()

    @app.errorhandler(404)
    def not_found(request, exc):
        request.session["noise"] = base64.b64encode(os.urandom(4000)).decode()  # does not compress
        return "not found"

    client = Client(app)
    with caplog.at_level(logging.ERROR):
        response = client.get("/missing")
    assert response.status_code == 500
    assert "sessions plugin" in response.text and "bytes" in response.text
    assert response.headers["Vary"] == "Cookie" and cookie_of(response) is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "'GET /missing'" in errors[0] and "over the 4093 bytes" in errors[0]
    assert client.get("/count").text == "n=1"


def test_redis_down_while_saving_is_a_503_on_views_and_on_error_pages(routed_app, caplog):
    port = servers.refused_port()  # nothing listens: a new visitor loads for free, the save fails
    app = routed_app(sessions={"backend": "redis", "redis_url": f"redis://127.0.0.1:{port}/0"})

    @app.errorhandler(404)
    def not_found(request, exc):
        flash(request, f"{request.path} is gone")
        return "not found"

    client = Client(app, use_cookies=False)
    with caplog.at_level(logging.ERROR):
        from_view = client.get("/flash")
        from_page = client.get("/missing")
    for response in (from_view, from_page):
        assert response.status_code == 503
        assert "session backend" in response.text
        assert response.headers["Vary"] == "Cookie" and cookie_of(response) is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and all("503" in e and "redis session backend is unavailable" in e for e in errors)
    assert client.get("/plain").text == "plain"


def test_an_apps_503_handler_applies_to_a_failed_save(routed_app):
    port = servers.refused_port()
    app = routed_app(sessions={"backend": "redis", "redis_url": f"redis://127.0.0.1:{port}/0"})
    app.errorhandler(503)(lambda request, exc: ("down for a moment", 503))
    response = Client(app).get("/count")
    assert (response.status_code, response.text) == (503, "down for a moment")
    assert response.headers["Vary"] == "Cookie"


TOUCHER = """
@hookimpl
def corolla_wrap_request(self, app, handler):
    def touch(request):
        request.session["seen"] = True  # before dispatch: every request, also those no route matches
        return handler(request)

    return touch
"""


def test_routings_own_404_page_keeps_the_session_headers(make_app, corolla_plugins):
    # No errorhandler: routing answers "no route" with its prebuilt page, which
    # must still carry what the session's after_response callback adds.
    corolla_plugins.add("toucher", requires=["sessions"], body=TOUCHER)
    app = make_app(["routing", "sessions", "toucher"], {"core": {"secret_key": SECRET}}, isolated=False)
    page = Client(app).get("/nothing/here")
    assert page.status_code == 404
    assert page.headers["Vary"] == "Cookie"
    assert cookie_of(page) is not None

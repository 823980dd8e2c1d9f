"""Errors while serving: never a lost request, always a log line naming the plugin.

Exceptions raised in dispatch, in a wrapper, in a request attribute, in the
response, exception and teardown hooks: each gives a response (500 unless a
hook turned it into something else), is logged on the ``corolla`` logger with
the request line and the plugin it came from, and the app keeps serving.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from werkzeug.test import Client

from corolla import App
from corolla.testing import SyntheticPlugins

MakeApp = Callable[..., App]

BOOM = """
class Conflict(Exception):
    pass

@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/boom":
        raise RuntimeError("kaboom")
    if request.path == "/conflict":
        raise self.Conflict("name taken")
    if request.path == "/deep":
        import json
        return json.loads("{not json")
    if request.path == "/gone":
        from werkzeug.exceptions import Gone
        raise Gone()
    if request.path == "/not-allowed":
        from werkzeug.exceptions import MethodNotAllowed
        raise MethodNotAllowed(valid_methods=["POST"])
    if request.path == "/ok":
        return "fine"
    return None
"""


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "corolla" and r.levelno >= logging.ERROR]


@pytest.fixture
def boom(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> App:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    return make_app()


@pytest.fixture(autouse=True)
def _errors_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="corolla")


# -- exceptions in plugin code -------------------------------------------------


def test_exception_in_dispatch_is_a_logged_500(boom: App, caplog: pytest.LogCaptureFixture) -> None:
    client = Client(boom)
    r = client.get("/boom")
    assert r.status_code == 500
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Internal Server Error" in r.text
    (record,) = errors(caplog)
    message = record.getMessage()
    assert message.startswith("Unhandled RuntimeError on 'GET /boom', raised in plugin 'boom' (corolla-boom 2.1) at ")
    assert "synth_corolla_boom.py:" in message
    assert message.endswith(" in corolla_dispatch")
    assert record.corolla_plugin == "boom"  # type: ignore[attr-defined]
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "kaboom"

    caplog.clear()
    r = client.get("/ok")  # the app keeps serving
    assert (r.status_code, r.text) == (200, "fine")
    assert errors(caplog) == []


def test_request_line_leaves_the_query_string_out(boom: App, caplog: pytest.LogCaptureFixture) -> None:
    # Query strings carry reset tokens and the like; the log gets the path only.
    Client(boom).post("/boom?token=SECRET-RESET-TOKEN")
    (record,) = errors(caplog)
    assert "on 'POST /boom'," in record.getMessage()
    assert "SECRET" not in record.getMessage()


def test_exception_below_plugin_code_names_the_calling_plugin(boom: App, caplog: pytest.LogCaptureFixture) -> None:
    r = Client(boom).get("/deep")
    assert r.status_code == 500
    (record,) = errors(caplog)
    message = record.getMessage()
    assert message.startswith("Unhandled JSONDecodeError on 'GET /deep', raised at ")
    assert "json" in message.split(", called from plugin")[0]
    assert ", called from plugin 'boom' (corolla-boom 2.1) at " in message
    assert record.corolla_plugin == "boom"  # type: ignore[attr-defined]


def test_exception_in_a_wrapper_is_a_logged_500(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    corolla_plugins.add(
        "audit",
        version="0.9",
        body="""
        @hookimpl
        def corolla_wrap_request(self, app, handler):
            def audited(request):
                if request.args.get("fail"):
                    raise LookupError("audit log unavailable")
                return handler(request)
            return audited
        """,
    )
    client = Client(make_app())
    r = client.get("/ok?fail=1")
    assert r.status_code == 500
    (record,) = errors(caplog)
    message = record.getMessage()
    assert message.startswith("Unhandled LookupError on 'GET /ok', raised in plugin 'audit' (corolla-audit 0.9)")
    assert message.endswith(" in audited (its corolla_wrap_request)")  # the place, and the hook it was running
    assert record.corolla_plugin == "audit"  # type: ignore[attr-defined]
    assert client.get("/ok").text == "fine"


def test_exception_in_dispatch_under_a_wrapper_blames_dispatch(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    corolla_plugins.add(
        "audit",
        body="""
        @hookimpl
        def corolla_wrap_request(self, app, handler):
            def audited(request):
                return handler(request)
            return audited
        """,
    )
    Client(make_app()).get("/boom")
    (record,) = errors(caplog)
    assert "raised in plugin 'boom' (corolla-boom 2.1)" in record.getMessage()
    assert record.corolla_plugin == "boom"  # type: ignore[attr-defined]


def test_exception_in_a_request_attribute_names_its_plugin(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add(
        "db",
        version="3.0",
        request_attributes=["db"],
        body="""
        @hookimpl
        def corolla_request_attributes(self, app):
            return {"db": self.connect}

        def connect(self, request):
            raise ConnectionError("database is down")
        """,
    )
    corolla_plugins.add(
        "views",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return "db" if request.path == "/db" and request.db else "no db needed"
        """,
    )
    client = Client(make_app())
    assert client.get("/db").status_code == 500
    (record,) = errors(caplog)
    assert "Unhandled ConnectionError on 'GET /db', raised in plugin 'db' (corolla-db 3.0)" in record.getMessage()
    assert client.get("/other").text == "no db needed"


@pytest.mark.parametrize("always", [False, True])
def test_exception_in_a_response_hook_is_a_logged_500(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture, always: bool
) -> None:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    corolla_plugins.add(
        "stamp",
        version="1.2",
        body=f"""
        @hookimpl
        def corolla_response(self, request, response):
            if {always} or response.status_code == 200:
                raise ValueError("cannot stamp")
            response.headers["X-Stamp"] = "1"
        """,
    )
    client = Client(make_app())
    r = client.get("/ok")
    assert r.status_code == 500
    assert "Internal Server Error" in r.text
    records = errors(caplog)
    assert (
        records[0]
        .getMessage()
        .startswith("Unhandled ValueError on 'GET /ok', raised in plugin 'stamp' (corolla-stamp 1.2)")
    )
    if always:  # it failed on the error response as well: the core's plain 500 goes out
        assert len(records) == 2
        assert "while building the error response" in records[1].getMessage()
        assert "'stamp' (corolla-stamp 1.2)" in records[1].getMessage()
        assert "X-Stamp" not in r.headers
    else:  # the error response went through the response hooks
        assert len(records) == 1
        assert r.headers["X-Stamp"] == "1"


def test_exception_in_a_teardown_hook_is_logged_and_the_response_kept(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture, journal: list[object]
) -> None:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    corolla_plugins.add(
        "first",
        body="""
        @hookimpl
        def corolla_teardown(self, request, exception):
            from corolla_test_journal import calls
            calls.append(("first", exception))
        """,
    )
    corolla_plugins.add(
        "second",
        requires=["first"],
        version="0.2",
        body="""
        @hookimpl
        def corolla_teardown(self, request, exception):
            raise OSError("disk full")
        """,
    )
    client = Client(make_app())
    r = client.get("/ok")
    assert (r.status_code, r.text) == (200, "fine")
    (record,) = errors(caplog)
    message = record.getMessage()
    assert message.startswith("Unhandled OSError on 'GET /ok' in corolla_teardown, raised in plugin 'second' ")
    assert "(corolla-second 0.2)" in message
    assert journal == [("first", None)]  # the other teardown still ran (after it: reverse order)

    journal.clear()
    caplog.clear()
    assert client.get("/boom").status_code == 500
    (teardown_exception,) = (exc for _, exc in journal)  # type: ignore[misc]
    assert isinstance(teardown_exception, RuntimeError)
    assert [r.getMessage().split(",")[0] for r in errors(caplog)] == [
        "Unhandled RuntimeError on 'GET /boom'",
        "Unhandled OSError on 'GET /boom' in corolla_teardown",
    ]


# -- corolla_handle_exception --------------------------------------------------

HANDLER = """
@hookimpl
def corolla_handle_exception(self, request, exception):
    from werkzeug.exceptions import HTTPException
    if type(exception).__name__ == "Conflict":
        return {"error": str(exception)}, 409
    if isinstance(exception, HTTPException) and exception.code == 404:
        return "<h1>Nothing at " + request.path + "</h1>", 404
    return None
"""


@pytest.fixture
def handled(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> Client:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    corolla_plugins.add("errors", body=HANDLER)
    return Client(make_app())


def test_exception_hook_turns_an_exception_into_a_response(handled: Client, caplog: pytest.LogCaptureFixture) -> None:
    r = handled.get("/conflict")
    assert r.status_code == 409
    assert r.headers["Content-Type"] == "application/json"
    assert r.json == {"error": "name taken"}
    assert errors(caplog) == []  # handled: not an error


def test_exception_hook_sees_http_exceptions(handled: Client) -> None:
    r = handled.get("/nowhere")  # dispatch returned None: the core's NotFound
    assert r.status_code == 404
    assert r.text == "<h1>Nothing at /nowhere</h1>"
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"


def test_exception_hook_sees_the_404_when_no_plugin_dispatches(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("errors", body=HANDLER)
    r = Client(make_app()).get("/x")
    assert (r.status_code, r.text) == (404, "<h1>Nothing at /x</h1>")


def test_exception_hook_returning_none_leaves_it_to_the_core(handled: Client, caplog: pytest.LogCaptureFixture) -> None:
    r = handled.get("/gone")
    assert r.status_code == 410
    assert "Gone" in r.text
    r = handled.get("/not-allowed")
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"
    assert errors(caplog) == []  # HTTP errors are answers, not failures
    assert handled.get("/boom").status_code == 500
    (record,) = errors(caplog)
    assert "raised in plugin 'boom' (corolla-boom 2.1)" in record.getMessage()


def test_first_exception_hook_result_wins(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("boom", body=BOOM)
    corolla_plugins.add(
        "outer",
        body="""
        @hookimpl
        def corolla_handle_exception(self, request, exception):
            return "outer", 503
        """,
    )
    corolla_plugins.add(
        "inner",
        requires=["outer"],
        body="""
        @hookimpl
        def corolla_handle_exception(self, request, exception):
            return "inner", 502
        """,
    )
    r = Client(make_app()).get("/boom")
    assert (r.status_code, r.text) == (503, "outer")


def test_exception_in_the_exception_hook_is_logged_naming_it(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    corolla_plugins.add(
        "sentry",
        version="5.0",
        body="""
        @hookimpl
        def corolla_handle_exception(self, request, exception):
            raise ConnectionRefusedError("cannot report")
        """,
    )
    client = Client(make_app())
    r = client.get("/boom")
    assert r.status_code == 500
    assert "Internal Server Error" in r.text
    hook_record, original = errors(caplog)
    assert hook_record.getMessage().startswith(
        "Unhandled ConnectionRefusedError on 'GET /boom' in corolla_handle_exception, "
        "raised in plugin 'sentry' (corolla-sentry 5.0)"
    )
    assert hook_record.corolla_plugin == "sentry"  # type: ignore[attr-defined]
    # The original exception is not lost either.
    assert original.getMessage().startswith("Unhandled RuntimeError on 'GET /boom', raised in plugin 'boom'")
    assert client.get("/ok").text == "fine"


def test_exception_hook_returning_something_unusable_is_a_logged_500(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("boom", body=BOOM)
    corolla_plugins.add(
        "odd",
        body="""
        @hookimpl
        def corolla_handle_exception(self, request, exception):
            return 42
        """,
    )
    r = Client(make_app()).get("/boom")
    assert r.status_code == 500
    (record,) = errors(caplog)
    assert "while building the error response" in record.getMessage()
    assert record.exc_info is not None
    assert "returned a int" in str(record.exc_info[1])


# -- debug ---------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
def test_debug_shows_the_traceback_and_production_hides_it(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, debug: bool
) -> None:
    corolla_plugins.add("boom", body=BOOM)
    r = Client(make_app(config={"core": {"debug": debug}})).get("/boom")
    assert r.status_code == 500
    if debug:
        assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert "Traceback (most recent call last)" in r.text
        assert "synth_corolla_boom.py" in r.text
        assert "RuntimeError: kaboom" in r.text
    else:
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Traceback" not in r.text
        assert "kaboom" not in r.text
        assert "synth_corolla_boom" not in r.text


def test_debug_from_the_environment(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("boom", body=BOOM)
    app = make_app(environ={"COROLLA_CORE__DEBUG": "1"})
    assert app.debug is True
    assert "RuntimeError: kaboom" in Client(app).get("/boom").text


@pytest.mark.parametrize(
    ("returned", "said"),
    [
        ('("x",)', "returned a tuple of 1 items"),
        ('("x", "abc")', "returned the status 'abc'; use an int from 100 to 599"),
        ('("x", 99)', "returned the status 99"),
        ("{1, 2}", "returned a set"),
        ("{'when': object()}", "cannot be encoded as JSON"),
    ],
)
def test_unusable_return_value_is_a_500_naming_the_plugin_that_returned_it(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture, returned: str, said: str
) -> None:
    corolla_plugins.add(
        "sloppy",
        version="0.3",
        body=f"""
        @hookimpl
        def corolla_dispatch(self, request):
            return {returned}
        """,
    )
    client = Client(make_app())

    assert client.get("/").status_code == 500
    (record,) = errors(caplog)
    message = record.getMessage()
    assert said in message
    assert message.startswith("Unhandled ResponseValueError on 'GET /', raised by make_response: ")
    assert message.endswith("; the value was returned through 'sloppy' (corolla-sloppy 0.3)")
    assert record.corolla_plugin == "sloppy"  # type: ignore[attr-defined]

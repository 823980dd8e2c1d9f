"""Plugin failures while serving are counted, per plugin, hook and place, in the instance folder.

Policy (docs/deploy.md, "failure behaviour"): a plugin that raises while
serving is never switched off; each failure is a 500, a log line naming the
plugin, and one more in its count, which ``corolla plugins why`` shows over
every worker (tests/reliability/test_plugin_failures.py runs it under gunicorn).
Only the plugin whose code raised (or called the library that raised) is
counted: the app's own code failing under a plugin's dispatch is the app's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from corolla import App
from corolla._failures import FILE_NAME, clear_failures, read_failures
from corolla.testing import Client, SyntheticPlugins

MakeApp = Callable[..., App]

BOOM = """
@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/boom":
        raise RuntimeError("kaboom")
    if request.path == "/deep":
        import json
        return json.loads("{not json")
    if request.path == "/ok":
        return "fine"
    return None
"""

AUDIT = """
@hookimpl
def corolla_wrap_request(self, app, handler):
    def audited(request):
        if request.args.get("fail"):
            raise LookupError("the audit log is full")
        return handler(request)
    return audited

@hookimpl
def corolla_request_attributes(self, app):
    return {"audit_trail": self.trail}

def trail(self, request):
    raise PermissionError("no audit trail for " + request.path)
"""


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="corolla")


def counts(app: App) -> dict[tuple[str, str, str], int]:
    return {(f.plugin, f.hook, f.error): f.count for f in read_failures(app.instance_path)}


def test_each_failure_is_counted_against_the_plugin_and_the_hook_it_was_running(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    corolla_plugins.add("audit", version="0.9", request_attributes=["audit_trail"], body=AUDIT)
    app = make_app()
    client = Client(app)
    statuses = [client.get(path).status_code for path in ["/boom"] * 3 + ["/deep", "/ok?fail=1", "/ok", "/ok"]]
    assert statuses == [500, 500, 500, 500, 500, 200, 200]
    assert counts(app) == {
        ("boom", "corolla_dispatch", "RuntimeError"): 3,
        # json raised, but boom called it: boom's failure, placed at boom's own line.
        ("boom", "corolla_dispatch", "JSONDecodeError"): 1,
        ("audit", "corolla_wrap_request", "LookupError"): 1,
    }
    deep = next(f for f in read_failures(app.instance_path) if f.error == "JSONDecodeError")
    assert "synth_corolla_boom.py:" in deep.place and deep.place.endswith(" in corolla_dispatch")
    (audit,) = read_failures(app.instance_path, "audit")
    assert audit.message == "the audit log is full" and audit.first_at <= audit.last_at
    assert audit.place.endswith(" in audited")


def test_a_failing_request_attribute_is_counted_as_that_attribute(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("audit", version="0.9", request_attributes=["audit_trail"], body=AUDIT)
    corolla_plugins.add(
        "reader",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return str(request.audit_trail)
        """,
    )
    app = make_app()
    app.before_request(lambda request: None)  # compiles the request path again: the attributes stay known
    assert Client(app).get("/x").status_code == 500
    # The factory raised: the attribute's plugin, not the plugin that read it.
    assert counts(app) == {("audit", "request attribute 'audit_trail'", "PermissionError"): 1}


def test_the_apps_own_code_is_not_counted_against_the_plugin_that_called_it(make_app: MakeApp) -> None:
    app = make_app(["routing"], isolated=False)

    @app.route("/view")  # type: ignore[attr-defined,misc]
    def view(request: object) -> str:
        raise ValueError("the view's own bug")

    assert Client(app).get("/view").status_code == 500
    assert read_failures(app.instance_path) == []


def test_a_failure_answered_by_the_apps_500_handler_is_counted_too(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add("audit", version="0.9", request_attributes=["audit_trail"], body=AUDIT)
    app = make_app(["routing", "audit"], isolated=False)
    app.route("/page")(lambda request: "page")  # type: ignore[attr-defined]
    app.errorhandler(500)(lambda request, error: ("our own 500 page", 500))  # type: ignore[attr-defined]
    client = Client(app)
    assert [client.get("/page?fail=1").text for _ in range(2)] == ["our own 500 page"] * 2
    assert counts(app) == {("audit", "corolla_wrap_request", "LookupError"): 2}


def test_counts_that_cannot_be_written_are_kept_and_written_later(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the instance folder's parent should be")
    app = make_app(config={"core": {"instance_path": str(blocker / "instance")}})
    client = Client(app)
    caplog.set_level(logging.WARNING, logger="corolla")
    assert [client.get("/boom").status_code for _ in range(2)] == [500, 500]  # still answered, not worse
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings  # once per process, not per failure
    assert "plugin failures are not recorded in" in warnings[0] and "instance_path" in warnings[0]
    blocker.unlink()  # the disk is writable again: the next failure writes the ones kept
    assert client.get("/boom").status_code == 500
    assert counts(app) == {("boom", "corolla_dispatch", "RuntimeError"): 3}


def test_the_record_is_private_and_can_be_cleared(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    corolla_plugins.add("boom", version="2.1", body=BOOM)
    app = make_app()
    Client(app).get("/boom")
    path = app.instance_path / FILE_NAME
    assert path.stat().st_mode & 0o777 == 0o600  # messages may quote what a request sent
    assert clear_failures(app.instance_path, "other") == 0
    assert clear_failures(app.instance_path, "boom") == 1
    assert read_failures(app.instance_path) == []


def test_an_exception_whose_str_raises_is_still_a_500_and_counted(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp
) -> None:
    corolla_plugins.add(
        "odd",
        body="""
        class Unprintable(Exception):
            def __str__(self):
                raise ValueError("no text for this one")

        @hookimpl
        def corolla_dispatch(self, request):
            raise self.Unprintable()
        """,
    )
    app = make_app()
    assert Client(app).get("/").status_code == 500  # the error path never raises
    (failure,) = read_failures(app.instance_path)
    assert (failure.plugin, failure.error, failure.count) == ("odd", "Unprintable", 1)
    assert failure.message == "<Unprintable: its str() raised>"

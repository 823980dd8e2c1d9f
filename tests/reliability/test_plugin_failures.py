"""A third-party plugin raising in a per-request hook, in an app with an error handler.

Policy (docs/deploy.md, "failure behaviour"): the app keeps serving. A
plugin is never switched off at run time: a failure in one request says
nothing certain about the next, and quarantining a plugin the app was
planned with would serve requests the plan never allowed (no CSRF check, no
session). Each failure is a 500 page without details, logged once with the
plugin's name, distribution and version, the hook and the place it raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from corolla import App
from corolla.testing import SyntheticPlugins

WRAPPER = """
@hookimpl
def corolla_wrap_request(self, app, handler):
    def audited(request):
        if request.path.startswith("/audited"):
            raise LookupError("the audit log is full")
        return handler(request)
    return audited
"""


def test_a_failing_wrapper_is_named_when_the_app_has_a_500_handler(
    corolla_plugins: SyntheticPlugins, make_app: Callable[..., App], caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("audit", version="0.9", distribution="corolla-audit", body=WRAPPER)
    app = make_app(["routing", "audit"], isolated=False)
    app.route("/audited/page", endpoint="audited")(lambda request: "never")  # type: ignore[attr-defined]
    app.route("/fine", endpoint="fine")(lambda request: "fine")  # type: ignore[attr-defined]
    app.errorhandler(500)(lambda request, error: ("our own 500 page", 500))  # type: ignore[attr-defined]
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        failed = [client.get("/audited/page") for _ in range(3)]
        fine = client.get("/fine")
    assert [r.status_code for r in failed] == [500, 500, 500]
    assert all(r.text == "our own 500 page" for r in failed)  # no details, no traceback
    assert fine.status_code == 200 and fine.text == "fine"  # routes the hook does not touch keep working
    records = [r for r in caplog.records if "LookupError" in r.getMessage()]
    assert len(records) == 3
    message = records[0].getMessage()
    assert "raised in plugin 'audit' (corolla-audit 0.9)" in message, message
    assert "answered by the 500 error handler" in message

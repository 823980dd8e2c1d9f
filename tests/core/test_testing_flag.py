"""``[core] testing``: an exception no hook handles reaches the test client (teardown still runs)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from corolla import App, Check
from corolla.testing import SyntheticPlugins

MakeApp = Callable[..., App]

RAISER = """
seen = []

@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/boom":
        raise RuntimeError("boom in the view")
    if request.path == "/handled":
        raise KeyError("handled")
    if request.path == "/missing":
        from werkzeug.exceptions import NotFound
        raise NotFound()
    return "fine"

@hookimpl
def corolla_handle_exception(self, request, exception):
    if isinstance(exception, KeyError):
        return "a hook answered", 418
    return None

@hookimpl
def corolla_teardown(self, request, exception):
    type(self).seen.append((request.path, repr(exception)))
"""


@pytest.fixture
def raiser(corolla_plugins: SyntheticPlugins) -> SyntheticPlugins:
    corolla_plugins.add("raiser", body=RAISER)
    return corolla_plugins


def test_testing_lets_an_unhandled_exception_reach_the_client(raiser: SyntheticPlugins, make_app: MakeApp) -> None:
    app = make_app(config={"core": {"testing": True}})
    assert app.propagate_exceptions
    client = app.test_client()
    with pytest.raises(RuntimeError, match="boom in the view"):
        client.get("/boom")
    seen = type(app.plugins["raiser"]).seen  # type: ignore[attr-defined]
    assert seen == [("/boom", "RuntimeError('boom in the view')")]  # teardown ran, with the exception
    # What a hook handles, and HTTP errors, are still responses.
    assert client.get("/handled").status_code == 418
    assert client.get("/missing").status_code == 404
    assert client.get("/").text == "fine"


def test_without_testing_it_is_a_500(raiser: SyntheticPlugins, make_app: MakeApp) -> None:
    app = make_app()
    assert not app.propagate_exceptions
    assert app.test_client().get("/boom").status_code == 500


def deploy_check(app: App, check_id: str) -> Check:
    (check,) = [
        c for group in app.plugin_manager.hook.corolla_deploy_checks(app=app) for c in group if c.id == check_id
    ]
    return check


def test_testing_from_the_environment_and_the_deploy_check(raiser: SyntheticPlugins, make_app: MakeApp) -> None:
    app = make_app(environ={"COROLLA_CORE__TESTING": "1"})
    assert app.config["core"]["testing"] is True
    check = deploy_check(app, "core.testing")
    assert not check.ok and "set [core] testing = false" in check.fix
    assert deploy_check(make_app(), "core.testing").ok


def test_the_flask_spelling_is_a_config_error_naming_the_right_one(make_app: MakeApp) -> None:
    from corolla import ConfigError

    with pytest.raises(ConfigError) as info:
        make_app(config={"core": {"TESTING": True}})
    assert "testing" in str(info.value)

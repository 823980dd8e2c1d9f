"""pytest fixtures for Corolla apps and plugins (registered through ``pytest11``).

Fixtures:

``corolla_plugins``
    A ``SyntheticPlugins`` folder on ``sys.path`` for this test: make real
    plugin distributions with ``corolla_plugins.add(name, ...)``.
``make_app``
    ``make_app(plugins=None, config=None, *, isolated=True, environ=None,
    root=None)`` builds an ``App`` rooted in a temporary folder (or in
    ``root``: your app's folder, to read its ``corolla.toml`` and
    templates). ``isolated`` discovers only the ``corolla_plugins``
    distributions; ``isolated=False`` sees every installed plugin (for
    testing your real plugin). ``environ`` defaults to an empty mapping so
    the developer's ``COROLLA_*`` variables do not leak in.
    ``make_app(config=..., factory=create_app)`` calls your app factory
    with the config instead (``factory(config)``), its ``[core]
    instance_path`` a temporary folder unless the config sets one, so a
    test never writes your real instance folder. Apps are closed after the
    test. ``strict``
    (default True, not with ``factory``) sets ``[plugins] strict``: any installed plugin that
    cannot load fails the test, even when the app pins no plugin set (an
    app would skip it with a warning).
``client``
    A test ``Client`` for the ``app`` fixture you define (what
    ``app.test_client()`` returns): werkzeug's client, plus ``with client:``
    keeping ``client.last_request``, ``client.request_context(path)`` and
    ``client.session_transaction()`` (read and write the session between
    requests, for every session backend).

``run_cli(*args, app=None, cwd=None, environ=None, plugin_path=None)``
    Runs the ``corolla`` command line in-process (click's ``CliRunner``) and
    returns click's ``Result`` (``exit_code``, ``stdout``, ``stderr``,
    ``output``). ``app`` is the app the commands see (as if found by
    ``--app``), e.g. one built with ``make_app``; without it the commands see
    no app. ``environ`` (default empty) is what config reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from ._app import App
from ._client import Client
from ._synthetic import SyntheticPlugins

__all__ = ["Client", "SyntheticPlugins", "check_manifest", "client", "corolla_plugins", "make_app", "run_cli"]


@pytest.fixture
def corolla_plugins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyntheticPlugins]:
    plugins = SyntheticPlugins(tmp_path_factory.mktemp("corolla-plugins"))
    plugins.activate()
    try:
        yield plugins
    finally:
        plugins.deactivate()


@pytest.fixture
def make_app(
    corolla_plugins: SyntheticPlugins, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., App]]:
    apps: list[App] = []

    def build(
        plugins: list[str] | None = None,
        config: Mapping[str, Any] | None = None,
        *,
        isolated: bool = True,
        environ: Mapping[str, str] | None = None,
        root: str | Path | None = None,
        factory: Callable[[dict[str, Any]], App] | None = None,
        strict: bool = True,
    ) -> App:
        if factory is not None:
            if plugins is not None or root is not None:
                raise TypeError(
                    "make_app(factory=...) lets the factory choose the plugins and the root; "
                    "pass only config=... (and pin plugins in the app's corolla.toml or App(plugins=[...]))"
                )
            settings = {section: dict(values) for section, values in (config or {}).items()}
            core = settings.setdefault("core", {})
            core.setdefault("instance_path", str(tmp_path_factory.mktemp("corolla-instance")))
            app = factory(settings)
            if not isinstance(app, App):
                raise TypeError(f"make_app(factory=...): {factory!r} returned {app!r}, not a corolla.App")
            apps.append(app)
            return app
        given = {} if config is None else config
        if strict and isinstance(given, Mapping) and isinstance(given.get("plugins", {}), Mapping):
            # Tests see every installed plugin's problem, as `corolla plugins check` does in CI.
            config = {**given, "plugins": {"strict": True, **given.get("plugins", {})}}
        app = App(
            config,
            plugins,
            root=root if root is not None else tmp_path_factory.mktemp("corolla-app"),
            plugin_path=corolla_plugins.path if isolated else None,
            environ={} if environ is None else environ,
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()


def run_cli(
    *args: str,
    app: App | None = None,
    cwd: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    plugin_path: list[str] | None = None,
) -> Any:
    """Run ``corolla *args`` in-process; returns click's ``Result``. Plugins' own commands included."""
    from click.testing import CliRunner

    from .cli import cli, make_state

    overrides: dict[str, Any] = {"environ": dict(environ or {}), "plugin_path": plugin_path, "app": app}
    if cwd is not None:
        overrides["cwd"] = Path(cwd)
    state = make_state(args, overrides)
    try:
        return CliRunner().invoke(cli, list(args), obj=state, prog_name="corolla")
    finally:
        state.close()


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Client:
    app = request.getfixturevalue("app")
    return Client(app)


def check_manifest(name: str) -> None:
    """Assert that plugin ``name``'s shipped manifest matches its class and its distribution.

    Call it in a plugin's tests (the scaffold does). It fails naming the
    manifest file and the class, one line per difference, with the manifest
    the class implies, and when a required plugin's distribution is missing
    from ``[project] dependencies``.
    """
    from ._manifest import check_installed

    problems = check_installed(name)
    if problems:
        raise AssertionError(f"plugin {name!r}: manifest and code disagree:\n" + "\n".join(problems))

"""Corolla apps for the per-request scenarios, built from real plugin distributions.

The plugins are written by ``SyntheticPlugins`` (the same helper as the
``corolla_plugins`` pytest fixture) into a temporary folder, so each variant
goes through discovery, resolution, registration and compilation exactly as an
installed plugin would. ``App(plugins=[...], plugin_path=[folder])`` picks the
set for each variant; the demo plugin and anything else installed stay out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from corolla import App

# corolla.testing re-exports SyntheticPlugins but imports pytest, which the
# bench group does not install; the class itself lives here.
from corolla._synthetic import SyntheticPlugins

WSGIApp = Callable[..., Iterable[bytes]]

PLUGIN_COUNT = 10

DISPATCH = """
@hookimpl
def corolla_dispatch(self, request):
    return "Hello, World!"
"""

# Start-up hooks only: nothing of these runs per request.
STARTUP_ONLY = """
@hookimpl
def corolla_configure(self, app):
    pass

@hookimpl
def corolla_startup(self, app):
    pass

@hookimpl
def corolla_shutdown(self, app):
    pass
"""

PASS_THROUGH_WRAPPER = """
@hookimpl
def corolla_wrap_request(self, app, handler):
    def wrapped(request):
        return handler(request)
    return wrapped
"""

NO_OP_HOOKS = {
    "on-response": """
@hookimpl
def corolla_response(self, request, response):
    pass
""",
    "on-teardown": """
@hookimpl
def corolla_teardown(self, request, exception):
    pass
""",
    "on-exception": """
@hookimpl
def corolla_handle_exception(self, request, exception):
    return None
""",
}

STARTUP = [f"startup-{i:02d}" for i in range(PLUGIN_COUNT)]
WRAPPERS = [f"wrap-{i:02d}" for i in range(PLUGIN_COUNT)]

#: variant -> the plugins enabled beside the dispatch plugin.
VARIANTS: dict[str, list[str]] = {
    "Corolla": [],
    f"+ {PLUGIN_COUNT} start-up-only plugins": STARTUP,
    f"+ {PLUGIN_COUNT} pass-through wrappers": WRAPPERS,
    "+ no-op corolla_handle_exception": ["on-exception"],
    "+ no-op corolla_response": ["on-response"],
    "+ no-op corolla_teardown": ["on-teardown"],
}


def write_plugins(folder: Path) -> SyntheticPlugins:
    """Write every plugin the variants use; the folder goes on ``sys.path``."""
    plugins = SyntheticPlugins(folder)
    plugins.add("bench-hello", body=DISPATCH)
    for name in STARTUP:
        plugins.add(name, body=STARTUP_ONLY)
    for name in WRAPPERS:
        plugins.add(name, body=PASS_THROUGH_WRAPPER)
    for name, body in NO_OP_HOOKS.items():
        plugins.add(name, body=body)
    plugins.activate()
    return plugins


def build(plugins: SyntheticPlugins, root: Path, extra: list[str]) -> App:
    app = App(plugins=["bench-hello", *extra], plugin_path=plugins.path, root=root, environ={})
    expected = {"bench-hello", *extra}
    if set(app.resolution.order) != expected:
        raise RuntimeError(f"expected plugins {sorted(expected)}, loaded {app.resolution.order}")
    if extra == WRAPPERS and len(app.pipeline) != PLUGIN_COUNT:
        raise RuntimeError(f"expected {PLUGIN_COUNT} wrappers in the pipeline, got {app.pipeline}")
    return app


def build_all(folder: Path, root: Path) -> tuple[SyntheticPlugins, dict[str, App]]:
    plugins = write_plugins(folder)
    return plugins, {name: build(plugins, root, extra) for name, extra in VARIANTS.items()}

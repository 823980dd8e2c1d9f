"""Fixtures for the command line: synthetic plugins, a working folder, and an in-process ``corolla``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import Corolla, Greeter

from corolla.testing import SyntheticPlugins


@pytest.fixture
def corolla(corolla_plugins: SyntheticPlugins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Corolla]:
    cwd = tmp_path / "project"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    saved_path = list(sys.path)
    yield Corolla(corolla_plugins, cwd)
    # Modules imported from the working folder (app.py) must not leak into other tests.
    sys.path[:] = saved_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.fixture
def trio(corolla_plugins: SyntheticPlugins) -> SyntheticPlugins:
    """sessions <- forms (requires sessions>=0.2), orm optional for forms; a greeter adding a command."""
    corolla_plugins.add(
        "sessions",
        version="0.3",
        settings={
            "backend": "Setting(str, 'cookie', 'Where sessions live', choices=['cookie', 'redis'])",
            "secret": "Setting(str, 's3cret', 'A secret', secret=True)",
        },
        request_attributes=["session"],
        body="""
        @hookimpl
        def corolla_request_attributes(self, app):
            return {"session": lambda request: {}}
        """,
    )
    corolla_plugins.add("forms", version="0.1", requires=["sessions>=0.2"], optional=["orm"])
    corolla_plugins.add("greeter", version="2.0", plugin=Greeter)
    return corolla_plugins

"""Shared fixtures for the whole test suite."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest
import servers


@pytest.fixture
def journal(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """A list synthetic plugins append to, as ``from corolla_test_journal import calls``.

    It lives in a module put into ``sys.modules`` for this test only, so it
    survives an ``App(...)`` that fails to start (there is no app to ask).
    """
    module = types.ModuleType("corolla_test_journal")
    calls: list[object] = []
    module.calls = calls  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return calls


@pytest.fixture(scope="session")
def redis_server() -> Iterator[servers.Redis]:
    """One real ``redis-server`` on 127.0.0.1 for the whole run (see tests/servers.py)."""
    with servers.redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[servers.Postgres]:
    """One real PostgreSQL cluster on 127.0.0.1 for the whole run (see tests/servers.py)."""
    with servers.postgres_server() as server:
        yield server

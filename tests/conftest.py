"""Shared fixtures for the whole test suite."""

from __future__ import annotations

import sys
import types

import pytest


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

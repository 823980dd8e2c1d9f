"""Fixtures for the routing plugin's tests: a real app with the installed ``routing`` plugin only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from corolla import App


@pytest.fixture
def build(make_app: Callable[..., App]) -> Callable[..., App]:
    """``build(config={...}, plugins=[...])``: an app over the installed routing plugin (plus synthetic ones)."""

    def _build(config: dict[str, Any] | None = None, plugins: list[str] | None = None) -> App:
        return make_app(["routing", *(plugins or [])], config, isolated=False)

    return _build


@pytest.fixture
def app(build: Callable[..., App]) -> App:
    return build()

"""Fixtures for the notes demo: a migrated SQLite database made once, copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from notes_support import Visitor, create_app

from corolla import App
from corolla.testing import run_cli


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """instance/app.db after `corolla db upgrade`, as `make demo` leaves it (once per run: it takes a second)."""
    instance = tmp_path_factory.mktemp("notes-migrated")
    app = create_app(instance)
    try:
        result = run_cli("db", "upgrade", app=app)
        assert result.exit_code == 0, result.output
    finally:
        app.close()
    return instance / "app.db"


@pytest.fixture
def app(tmp_path: Path, migrated_db: Path) -> Iterator[App]:
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copyfile(migrated_db, instance / "app.db")
    app = create_app(instance)
    yield app
    app.close()


@pytest.fixture
def alice(app: App) -> Visitor:
    return Visitor(app).signup("alice")


@pytest.fixture
def bob(app: App) -> Visitor:
    return Visitor(app).signup("bob")

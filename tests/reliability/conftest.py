"""Fixtures for the reliability tests: the notes demo, migrated once, on SQLite or a real PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_support import create_app

from corolla import App
from corolla.testing import run_cli


@pytest.fixture(scope="session")
def notes_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated notes database (SQLite), made once per run and copied for each app."""
    instance = tmp_path_factory.mktemp("reliability-migrated")
    app = create_app(instance)
    try:
        result = run_cli("db", "upgrade", app=app)
        assert result.exit_code == 0, result.output
    finally:
        app.close()
    return instance / "app.db"


@pytest.fixture
def notes_app(tmp_path: Path, notes_db: Path) -> Callable[..., App]:
    """``notes_app(**config)``: the demo on a fresh copy of the migrated SQLite database."""
    made: list[App] = []

    def make(**config: Any) -> App:
        instance = tmp_path / f"instance{len(made)}"
        instance.mkdir()
        shutil.copyfile(notes_db, instance / "app.db")
        app = create_app(instance, **config)
        made.append(app)
        return app

    yield make  # type: ignore[misc]
    for app in made:
        app.close()


@pytest.fixture
def pg_url(postgres_server: Any) -> Iterator[str]:
    """A new, empty database on the shared PostgreSQL server, dropped afterwards."""
    with postgres_server.new_database("rel") as url:  # tests stop and restart the server in between
        yield url


@pytest.fixture
def pg_notes_app(tmp_path: Path, pg_url: str) -> Iterator[App]:
    """The demo on a migrated PostgreSQL database."""
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(instance, orm={"url": pg_url})
    result = run_cli("db", "upgrade", app=app)
    assert result.exit_code == 0, result.output
    yield app
    app.close()


@pytest.fixture(scope="session")
def redis_url(redis_server: Any) -> str:
    return str(redis_server.url)

"""Alembic, driven programmatically with the app's engine and ``Model.metadata``.

No ``alembic.ini``: the ``Config`` is built here and carries the app's
``Database`` in ``config.attributes["corolla_db"]``, which the shipped
``env.py`` reads. Migration scripts live in the app's folder
(``[orm] migrations``, default ``migrations/``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from alembic.config import Config

    import corolla

    from ._database import Database

TEMPLATE = Path(__file__).parent / "migration_template"


class MigrationsMissing(Exception):
    """The migrations folder has not been made yet (``corolla db init``)."""


def folder(app: corolla.App) -> Path:
    """The app's migrations folder (``[orm] migrations``, relative to the app root)."""
    return app.root / app.config["orm"]["migrations"]


def alembic_config(app: corolla.App, db: Database, stdout: TextIO | None = None) -> Config:
    """An Alembic ``Config`` for the app: its migrations folder and its database."""
    from alembic.config import Config

    where = folder(app)
    if not (where / "env.py").exists():
        raise MigrationsMissing(
            f"no migrations folder at {where}; create it with `corolla db init` "
            "(or set [orm] migrations to where it is)"
        )
    config = Config(stdout=stdout or sys.stdout)
    # configparser would read a %-sign in the path as interpolation.
    config.set_main_option("script_location", str(where).replace("%", "%%"))
    # Paths are split on os.pathsep, not on spaces (Alembic's legacy default warns).
    config.set_main_option("path_separator", "os")
    config.attributes["corolla_db"] = db
    return config


def init(app: corolla.App) -> Path:
    """Create the migrations folder from the shipped template; refuse to overwrite one."""
    where = folder(app)
    if where.exists() and any(where.iterdir()):
        raise FileExistsError(f"{where} exists and is not empty; remove it or choose another [orm] migrations")
    (where / "versions").mkdir(parents=True, exist_ok=True)
    for name in ("env.py", "script.py.mako", "README"):
        shutil.copyfile(TEMPLATE / name, where / name)
    return where


def heads_and_current(app: corolla.App, db: Database) -> tuple[set[str], set[str]]:
    """The scripts' heads and the database's current revisions (connects to the database)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(app, db))
    heads = set(script.get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return heads, current


def run(command_name: str, app: corolla.App, db: Database, *args: Any, **kwargs: Any) -> Any:
    """Run ``alembic.command.<command_name>`` with the app's config."""
    from alembic import command

    return getattr(command, command_name)(alembic_config(app, db), *args, **kwargs)

"""Alembic, driven programmatically with the app's engine and ``Model.metadata``.

No ``alembic.ini``: the ``Config`` is built here and carries the app's
``Database`` in ``config.attributes["corolla_db"]``, which the shipped
``env.py`` reads. Migration scripts live in the app's folder
(``[orm] migrations``, default ``migrations/``), and in the folders loaded
plugins return from ``corolla_migration_folders``: all of them are Alembic
``version_locations``, so one ``corolla db upgrade`` applies the app's and
the plugins' revisions. An app without a migrations folder of its own still
gets its plugins' tables: the shipped ``env.py`` template runs them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import corolla

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ._database import Database

TEMPLATE = Path(__file__).parent / "migration_template"


class MigrationsMissing(Exception):
    """The migrations folder has not been made yet (``corolla db init``), or a plugin's folder is missing."""


def folder(app: corolla.App) -> Path:
    """The app's migrations folder (``[orm] migrations``, relative to the app root)."""
    where: str = app.config["orm"]["migrations"]
    return app.root / where


def has_own(app: corolla.App) -> bool:
    """Whether the app has a migrations folder of its own (``corolla db init`` made it)."""
    return (folder(app) / "env.py").exists()


def plugin_folders(app: corolla.App) -> list[tuple[str, Path]]:
    """``(plugin name, folder)`` for every folder of revisions the loaded plugins ship, in load order."""
    found: list[tuple[str, Path]] = []
    for plugin, result in corolla.call_each(app, "corolla_migration_folders", app=app):
        if isinstance(result, (str, os.PathLike)):
            result = [result]
        for item in result or ():
            path = Path(item)
            if not path.is_dir():
                raise MigrationsMissing(
                    f"plugin {plugin!r} returned {str(path)!r} from corolla_migration_folders, "
                    "which is not a folder; reinstall the plugin's distribution (its migrations must be "
                    "package data in the wheel)"
                )
            found.append((plugin, path))
    return found


def alembic_config(app: corolla.App, db: Database, stdout: TextIO | None = None, *, writing: bool = False) -> Config:
    """An Alembic ``Config`` for the app: its migrations folder, its plugins' folders, and its database.

    ``writing``: a new revision is to be written, which needs the app's own folder.
    """
    from alembic.config import Config

    where = folder(app)
    own = has_own(app)
    plugins = plugin_folders(app)
    if not own and (writing or not plugins):
        raise MigrationsMissing(
            f"no migrations folder at {where}; create it with `corolla db init` "
            "(or set [orm] migrations to where it is)"
        )
    config = Config(stdout=stdout or sys.stdout)
    # configparser would read a %-sign in a path as interpolation.
    config.set_main_option("script_location", _ini(where if own else TEMPLATE))
    # Paths are split on os.pathsep, not on spaces (Alembic's legacy default warns).
    config.set_main_option("path_separator", "os")
    if plugins:
        locations = ([where / "versions"] if own else []) + [path for _, path in plugins]
        config.set_main_option("version_locations", os.pathsep.join(_ini(p) for p in locations))
    config.attributes["corolla_db"] = db
    return config


def _ini(path: Path) -> str:
    return str(path).replace("%", "%%")


def revision_options(app: corolla.App, config: Config) -> dict[str, Any]:
    """Where ``corolla db revision`` writes, and what it builds on, when plugins ship revisions too.

    With plugin branches there are several heads, and Alembic would ask
    which one to build on: the new revision follows the app's own head, and
    is written to the app's ``versions/``. The app's first revision starts
    the app's own history and ``depends_on`` the plugins' heads, so the
    plugins' tables exist before the app's refer to them.
    """
    if not plugin_folders(app):
        return {}
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    versions = (folder(app) / "versions").resolve()
    own_heads = [
        head
        for head in script.get_revisions("heads")
        if head is not None and Path(head.path).resolve().parent == versions
    ]
    options: dict[str, Any] = {"version_path": str(versions)}
    if len(own_heads) == 1:
        options["head"] = own_heads[0].revision
    elif not own_heads:
        # The app's first revision: it runs after the plugins' (current) heads,
        # so the app's tables can refer to theirs (a foreign key to auth_user).
        options["head"] = "base"
        plugin_heads = sorted(str(head) for head in script.get_heads() if head is not None)
        if plugin_heads:
            options["depends_on"] = plugin_heads
    # Several heads of the app's own: leave it to Alembic, which asks for a merge.
    return options


def init(app: corolla.App) -> Path:
    """Create the migrations folder from the shipped template; refuse to overwrite one."""
    where = folder(app)
    if where.exists() and any(where.iterdir()):
        raise FileExistsError(f"{where} exists and is not empty; remove it or choose another [orm] migrations")
    (where / "versions").mkdir(parents=True, exist_ok=True)
    for name in ("env.py", "script.py.mako", "README"):
        shutil.copyfile(TEMPLATE / name, where / name)
    return where


def state(app: corolla.App, db: Database, connect: bool = True) -> tuple[set[str], set[str], set[str]]:
    """(the scripts' heads, the database's current revisions, the heads not yet applied); connects.

    ``connect=False``: the database is known to be empty (a SQLite file that
    does not exist, which connecting would create), so nothing is applied.

    A head is applied when it is one of the current revisions or an
    ancestor of one, dependencies (``depends_on``) included: Alembic records
    only the newest revision of each branch it applied.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(app, db))
    heads = set(script.get_heads())
    if not connect:
        return heads, set(), heads
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return heads, current, heads - _applied(script, current)


def _applied(script: ScriptDirectory, current: set[str]) -> set[str]:
    applied: set[str] = set()
    for revision in current:
        applied.update(rev.revision for rev in script.iterate_revisions(revision, "base"))
    return applied


def current_revisions(db: Database) -> set[str]:
    """The revisions the database's version table holds (connects; empty at base)."""
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


#: What ``summary`` says a command did when the revisions changed.
DONE = {"upgrade": "Upgraded to", "downgrade": "Downgraded to", "stamp": "Stamped as"}


def summary(config: Config, command_name: str, before: set[str], after: set[str]) -> str:
    """One line on what ``upgrade``, ``downgrade`` or ``stamp`` did, from the revisions before and after.

    Revisions are named as ``corolla db current`` and ``history`` name them,
    with their branch labels: ``3f9c2d1a7b40 (notes) (head), c0a17e5a0001
    (auth) (effective head)`` (an effective head is one the database does
    not record because a later revision depends on it).
    """
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    revisions = sorted(script.get_all_current(tuple(after)), key=lambda rev: rev.revision)
    where = ", ".join(rev.cmd_format(False, include_branches=True, tree_indicators=False) for rev in revisions)
    if before != after:
        return f"{DONE[command_name]} {where or 'base'}"
    if command_name != "downgrade" and not set(script.get_heads()) - _applied(script, after):
        return f"Already at head: {where}" if where else "Already at head"
    return f"Nothing to {command_name}: the database is at {where or 'base'}"

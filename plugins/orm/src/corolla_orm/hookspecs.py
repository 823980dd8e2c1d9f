"""The hook specification the orm plugin declares for other plugins: ``OrmHooks``."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import TYPE_CHECKING

from corolla import hookspec

if TYPE_CHECKING:
    from corolla import App


class OrmHooks:
    """Declared through ``OrmPlugin.hookspecs``; implement with ``@corolla.hookimpl``."""

    @hookspec
    def corolla_migration_folders(self, app: App) -> Sequence[str | PathLike[str]] | None:
        """Return the folders of Alembic revision scripts this plugin ships (its tables' migrations).

        Each folder holds revision files only (no ``env.py``): they join the
        app's own ``versions/`` in Alembic's ``version_locations``, so
        ``corolla db upgrade`` applies them with the app's, and the deploy
        check wants every head applied. Give your revisions a branch label
        named after your plugin (``branch_labels = ("auth",)``) and
        ``down_revision = None`` for the first one, so they form a branch of
        their own that the app's migrations can ``depends_on``. Called
        whenever migrations are run or checked (never per request); all
        results are used, in load order. Declare ``requires = ["orm"]`` (or
        ``optional = ["orm"]`` with ``@hookimpl(optionalhook=True)``).
        """
        raise NotImplementedError

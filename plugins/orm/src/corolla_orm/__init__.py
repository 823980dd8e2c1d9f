"""Corolla's ORM plugin: SQLAlchemy 2 sessions per request, Alembic migrations.

This module only re-exports. ``Model`` needs SQLAlchemy, so it is loaded on
first access (``from corolla_orm import Model``) rather than here: the plugin
manager imports this package just to read the declaration, and ``corolla
plugins list`` must not pay for SQLAlchemy. ``OrmPlugin`` and
``is_unavailable`` need werkzeug (its ``__init__`` imports its server
and test client, about 25 ms), so they load on first use too: ``corolla
--help`` imports this package for the ``db`` command's help only.
"""

from typing import TYPE_CHECKING

from corolla import lazy_exports

from ._database import Database
from ._helpers import get_or_404
from ._types import OrmApp, OrmRequest
from .hookspecs import OrmHooks

if TYPE_CHECKING:
    from ._errors import is_unavailable
    from ._plugin import OrmPlugin
    from .model import Model

__all__ = ["Database", "Model", "OrmApp", "OrmHooks", "OrmPlugin", "OrmRequest", "get_or_404", "is_unavailable"]

__getattr__ = lazy_exports(
    __name__,
    {"Model": ".model", "OrmPlugin": "._plugin", "is_unavailable": "._errors"},
)

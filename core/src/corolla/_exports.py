"""``lazy_exports``: a package re-exports names whose modules load on first use.

The plugin manager imports a plugin's package just to read its declaration
(even for ``corolla plugins list``), so a package re-exporting a name that
needs SQLAlchemy, WTForms or Jinja2 would make every command pay for that
library. Instead its ``__init__.py`` says::

    from typing import TYPE_CHECKING

    import corolla

    if TYPE_CHECKING:  # what type checkers and IDEs see
        from .model import Model

    __getattr__ = corolla.lazy_exports(__name__, {"Model": ".model"})

and ``from corolla_orm import Model`` imports ``.model`` on first access (PEP
562), then stores the value in the package so later lookups are plain.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name in ``names`` (name -> module, relative allowed)
    is imported from its module on first access and kept in the package's namespace."""
    table = dict(names)

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # later lookups skip __getattr__
        return value

    return __getattr__

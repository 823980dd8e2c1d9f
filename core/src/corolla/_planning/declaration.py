"""A plugin class's declaration: its class attributes, parsed and checked.

``parse_declaration`` reads what a ``Plugin`` subclass declares (requirements,
capabilities, ordering hints, settings, attributes) into a ``Declaration``,
raising on anything invalid. Nothing here imports or discovers: the caller
hands in the class, so a declaration could as well come from data.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .._commands import parse_commands
from .._plugin import Plugin, Setting

CORE_DISTRIBUTION = "corolla"


@dataclass(frozen=True)
class Declaration:
    """A plugin class's declaration, parsed and checked."""

    requires: tuple[Requirement, ...] = ()
    core: SpecifierSet = field(default_factory=SpecifierSet)
    provides: Mapping[str, Version | None] = field(default_factory=dict)
    optional: tuple[str, ...] = ()
    conflicts: tuple[Requirement, ...] = ()
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    settings: Mapping[str, Setting] = field(default_factory=dict)
    app_attributes: tuple[str, ...] = ()
    request_attributes: tuple[str, ...] = ()
    commands: Mapping[str, str] = field(default_factory=dict)
    autoload: bool = True


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{what} must be a list of strings, not {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what} must be a list of strings, found {item!r}")
    return items


class WrittenRequirement(Requirement):
    """A requirement that prints as its author wrote it (``routing>=0.1,<0.2``, not ``routing<0.2,>=0.1``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.written = text.strip()

    def __str__(self) -> str:
        return self.written


def _requirements(value: Any, what: str) -> tuple[Requirement, ...]:
    out = []
    for text in _strings(value, what):
        try:
            req = WrittenRequirement(text)
        except InvalidRequirement as exc:
            raise ValueError(f"{what} entry {text!r} is not a valid requirement: {exc}") from None
        # Markers and extras mean nothing between plugins; refusing them beats ignoring them.
        if req.marker is not None or req.extras or req.url:
            raise ValueError(
                f"{what} entry {text!r} may not carry markers, extras or URLs: write a name and a version "
                "range, e.g. 'sessions>=0.2'"
            )
        if canonicalize_name(req.name) == CORE_DISTRIBUTION:
            raise ValueError(
                f"{what} entry {text!r} names the core; declare the core range as core = {str(req.specifier)!r}"
            )
        out.append(req)
    return tuple(out)


_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


def _names(value: Any, what: str) -> tuple[str, ...]:
    names = _strings(value, what)
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"{what} entry {name!r} must be a plugin or capability name, without a version")
    return names


def _attributes(value: Any, what: str) -> tuple[str, ...]:
    names = _strings(value, what)
    for name in names:
        if not name.isidentifier() or name.startswith("_") or keyword.iskeyword(name):
            raise ValueError(f"{what} entry {name!r} must be a public Python identifier (no leading underscore)")
    return names


def parse_declaration(cls: type[Plugin]) -> Declaration:
    """Read and check a plugin class's declaration; raises on anything invalid."""
    try:
        core = SpecifierSet(cls.core or "")
    except InvalidSpecifier:
        raise ValueError(f"core = {cls.core!r} is not a valid version specifier") from None
    provides: dict[str, Version | None] = {}
    for req in _requirements(cls.provides, "provides"):
        pinned = [s for s in req.specifier if s.operator == "=="]
        if len(req.specifier) and (len(pinned) != 1 or len(req.specifier) != 1):
            raise ValueError(f"provides entry {str(req)!r} may only pin one version with '=='")
        provides[canonicalize_name(req.name)] = Version(pinned[0].version) if pinned else None
    if not isinstance(cls.autoload, bool):
        raise TypeError(f"autoload must be True or False, not {cls.autoload!r}")
    settings = dict(cls.settings)
    for key, setting in settings.items():
        if not isinstance(setting, Setting):
            raise TypeError(f"settings[{key!r}] must be a corolla.Setting, not {setting!r}")
    return Declaration(
        requires=_requirements(cls.requires, "requires"),
        core=core,
        provides=provides,
        optional=tuple(canonicalize_name(n) for n in _names(cls.optional, "optional")),
        conflicts=_requirements(cls.conflicts, "conflicts"),
        before=_names(cls.before, "before"),
        after=_names(cls.after, "after"),
        settings=settings,
        app_attributes=_attributes(cls.app_attributes, "app_attributes"),
        request_attributes=_attributes(cls.request_attributes, "request_attributes"),
        commands=parse_commands(cls.commands),
        autoload=cls.autoload,
    )

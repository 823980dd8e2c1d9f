"""Deprecated hook specifications: marked once, reported for every plugin still implementing them.

A specification is deprecated with ``@corolla.deprecated_hookspec(since=...,
removed_in=..., replacement=...)`` instead of ``@corolla.hookspec``. It is
pluggy's ``warn_on_impl``: the warning it carries holds the structured
deprecation. pluggy would warn once per implementation without saying which
plugin it came from; ``PluginHost`` silences that warning and reports each
plugin itself (``deprecation_problems``): a log warning when ``App()`` starts,
a ``DeprecationWarning`` subclass (so a plugin's own test suite fails on it
under ``-W error``), a warning in ``corolla plugins check``, and a line in
``corolla hooks`` and docs/hooks.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ._errors import Problem
from ._markers import PROJECT, hookspec

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class HookDeprecation:
    """When a hook was deprecated, when it goes, and what to implement instead ("" when nothing)."""

    since: str
    removed_in: str
    replacement: str = ""

    def describe(self, declarer: str) -> str:
        """``deprecated since corolla 0.2, removed in 0.3; implement corolla_new instead``."""
        text = f"deprecated since {declarer} {self.since}, removed in {self.removed_in}"
        return text + (f"; implement {self.replacement} instead" if self.replacement else "")

    def as_dict(self) -> dict[str, str]:
        return {"since": self.since, "removed_in": self.removed_in, "replacement": self.replacement}


class HookDeprecationWarning(DeprecationWarning):
    """Warned for a plugin implementing a deprecated hook; ``deprecation`` holds the details."""

    def __init__(self, message: str, deprecation: HookDeprecation) -> None:
        super().__init__(message)
        self.deprecation = deprecation


def deprecated_hookspec(*, since: str, removed_in: str, replacement: str = "", **options: Any) -> Callable[[F], F]:
    """``@hookspec`` for a deprecated hook: implementations still work, and each plugin is told.

    ``options`` are ``hookspec``'s own (``firstresult``, ``historic``).
    """
    deprecation = HookDeprecation(since, removed_in, replacement)
    warning = HookDeprecationWarning("a deprecated hook is implemented", deprecation)
    marker: Callable[[F], F] = hookspec(warn_on_impl=warning, **options)
    return marker


def deprecation_of(spec_function: Any) -> HookDeprecation | None:
    """The deprecation of a specification function (None when it is not deprecated)."""
    opts = getattr(spec_function, f"{PROJECT}_spec", None) or {}
    warning = opts.get("warn_on_impl")
    return warning.deprecation if isinstance(warning, HookDeprecationWarning) else None


def deprecated_hooks(namespaces: Mapping[str, object]) -> dict[str, tuple[str, HookDeprecation]]:
    """hook name -> (declarer, deprecation), over ``declarer -> hookspecs namespace``."""
    out: dict[str, tuple[str, HookDeprecation]] = {}
    for declarer, namespace in namespaces.items():
        for attr in dir(namespace):
            found = deprecation_of(getattr(namespace, attr, None))
            if found is not None:
                out.setdefault(attr, (declarer, found))
    return out


def deprecation_problems(
    implementations: Iterable[tuple[str, str, str]], deprecated: Mapping[str, tuple[str, HookDeprecation]]
) -> list[Problem]:
    """One warning per (plugin name, plugin label, hook) implementing a deprecated hook, with the fix."""
    out = []
    for name, label, hook in implementations:
        if hook not in deprecated:
            continue
        declarer, deprecation = deprecated[hook]
        fix = (
            f"implement {deprecation.replacement} instead of {hook} (upgrade the plugin if a newer release does)"
            if deprecation.replacement
            else f"remove {hook} from the plugin (upgrade it if a newer release does)"
        )
        out.append(
            Problem(
                name,
                "deprecated-hook",
                f"plugin {label} implements {hook}, {deprecation.describe(declarer)}",
                fix,
            )
        )
    return out


def class_deprecations(plugins: Mapping[str, tuple[str, type]]) -> list[Problem]:
    """``deprecation_problems`` for plugin classes not registered anywhere (``corolla plugins check``).

    ``plugins`` maps a plugin name to (its label, its class); the core's and
    these classes' own specifications count.
    """
    from . import hookspecs
    from ._manifest import implemented_hooks

    namespaces: dict[str, object] = {"corolla": hookspecs}
    for name, (_, cls) in plugins.items():
        if getattr(cls, "hookspecs", None) is not None:
            namespaces.setdefault(name, cls.hookspecs)  # type: ignore[attr-defined]
    deprecated = deprecated_hooks(namespaces)
    impls = [
        (name, label, hook)
        for name, (label, cls) in sorted(plugins.items())
        for hook in implemented_hooks(cls)
        if hook in deprecated
    ]
    return deprecation_problems(impls, deprecated)

"""The ``CorollaError`` hierarchy.

Every message says what failed, which plugin or hook, and how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._planning.plan import Plan


class CorollaError(Exception):
    """Base class of every error Corolla raises on purpose.

    ``plan`` is set on errors raised while ``App`` is built once its plugins
    were planned: the ``corolla`` command line renders it (which plugins, why).
    """

    plan: Plan | None = None


@dataclass(frozen=True)
class Action:
    """One step of a fix, in parts, for tools: ``plugins check --json`` lists them beside the prose.

    ``command`` is a shell command to run as it is, ``config`` a setting to
    write; the other fields say what it is about. Empty fields are left out.
    """

    command: str = ""
    config: str = ""
    distribution: str = ""
    requirement: str = ""
    provider: str = ""
    capability: str = ""

    def as_dict(self) -> dict[str, str]:
        parts = {
            "command": self.command,
            "config": self.config,
            "distribution": self.distribution,
            "requirement": self.requirement,
            "provider": self.provider,
            "capability": self.capability,
        }
        return {key: value for key, value in parts.items() if value}


@dataclass(frozen=True)
class Problem:
    """One problem found while resolving plugins or validating config.

    ``plugin`` is the plugin (or config section) the problem belongs to,
    ``kind`` a stable machine-readable tag (see docs/architecture.md),
    ``message`` what is wrong and ``fix`` what to do about it: each command
    on a line of its own, prose on other lines. ``actions`` are the fix's
    steps in parts (the command, the distribution, the requirement...).
    """

    plugin: str
    kind: str
    message: str
    fix: str
    actions: tuple[Action, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "kind": self.kind,
            "message": self.message,
            "fix": self.fix,
            "actions": [action.as_dict() for action in self.actions],
        }

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}\n    fix: {indent_fix(self.fix, 9)}"


def indent_fix(fix: str, width: int) -> str:
    """``fix`` with its later lines indented under its first: each command stays a line of its own."""
    return fix.replace("\n", "\n" + " " * width)


@dataclass(frozen=True)
class ConfigProblem(Problem):
    """A problem with one configured value, in parts: no need to parse ``message`` back.

    ``plugin`` is the section; ``key`` the setting (empty for a whole
    section), ``source`` the layer the value came from (``corolla.toml``, an
    environment variable...), ``value`` what was configured (``"***"`` for a
    secret) and ``reason`` why it is refused.
    """

    key: str = ""
    source: str = ""
    value: Any = field(default=None, compare=False)
    reason: str = ""

    @property
    def section(self) -> str:
        return self.plugin

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "section": self.plugin,
            "key": self.key,
            "source": self.source,
            "value": self.value,
            "reason": self.reason,
        }


def _format(headline: str, problems: Sequence[Problem]) -> str:
    lines = [f"{headline} ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
    for number, problem in enumerate(problems, 1):
        lines.append(f"  {number}. {problem}")
    return "\n".join(lines)


class PluginResolutionError(CorollaError):
    """The installed plugin set does not resolve; nothing was loaded.

    ``problems`` lists every problem at once, each with its fix.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(_format("The plugin set does not resolve, so no plugin was loaded", self.problems))


class ConfigError(CorollaError):
    """The configuration does not match what the core and the plugins declare."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(_format("The configuration is invalid", self.problems))


class PluginError(CorollaError):
    """A plugin failed while the app was being built or shut down.

    ``plugin`` names it; the app did not start (nothing is half-loaded).
    """

    def __init__(self, plugin: str, message: str) -> None:
        self.plugin = plugin
        super().__init__(message)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word``, or None when none is close."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest candidate, or an empty string."""
    close = closest(word, candidates)
    return f"did you mean {close!r}?" if close else ""

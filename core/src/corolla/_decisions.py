"""What resolution decides: the operator's ``Selection``, each plugin's ``Decision``,
and the whole ``Resolution``. Plain records, so the CLI can render them as
tables or JSON without knowing how they were made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from packaging.utils import canonicalize_name
from packaging.version import Version

from ._discovery import PluginRecord
from ._errors import Problem
from ._graph import Edge

ENABLED = "enabled"
DISABLED = "disabled"
REFUSED = "refused"
OPTIONAL_SKIPPED = "optional-skipped"


@dataclass(frozen=True)
class Selection:
    """Which plugins the operator asked for, and where each choice came from.

    ``enabled`` is an allowlist (None means autoload every installed plugin);
    ``disabled`` a denylist; ``optional`` plugins are skipped with a warning
    when they cannot load; ``providers`` chooses one plugin per capability.
    The ``*_source`` fields name where a choice was made, for messages.
    """

    enabled: tuple[str, ...] | None = None
    enabled_source: str = ""
    disabled: Mapping[str, str] = field(default_factory=dict)
    optional: frozenset[str] = frozenset()
    providers: Mapping[str, str] = field(default_factory=dict)

    def selects(self, name: str) -> bool:
        """Whether plugin ``name`` passes the allowlist and the denylist."""
        return (self.enabled is None or name in self.enabled) and name not in self.disabled


@dataclass
class Decision:
    """Why one plugin is loaded, disabled, refused or skipped."""

    name: str
    status: str
    reason: str
    record: PluginRecord
    position: int | None = None
    #: requirement text -> name of the plugin that satisfies it
    satisfied_by: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        decl = self.record.declaration
        return {
            "name": self.name,
            "version": self.record.version,
            "distribution": self.record.distribution,
            "status": self.status,
            "reason": self.reason,
            "position": self.position,
            "provides": sorted(provided_capabilities(self.record)),
            "requires": [str(r) for r in decl.requires] if decl else [],
        }


@dataclass(frozen=True)
class Resolution:
    """The outcome: a load order (empty when any problem exists) and the record of decisions."""

    order: tuple[str, ...]
    decisions: Mapping[str, Decision]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    edges: tuple[Edge, ...]
    core_version: str

    @property
    def ok(self) -> bool:
        return not self.problems

    def dependents(self, name: str) -> list[tuple[str, str]]:
        """Plugins that need ``name``: (dependent, edge kind), sorted."""
        return sorted((e.target, e.kind) for e in self.edges if e.source == name and e.kind in ("requires", "optional"))


def provided_capabilities(record: PluginRecord) -> dict[str, Version | None]:
    """Capability -> version (None: the plugin's own version); a plugin always provides its name."""
    caps: dict[str, Version | None] = {canonicalize_name(record.name): None}
    if record.declaration is not None:
        caps.update(record.declaration.provides)
    return caps

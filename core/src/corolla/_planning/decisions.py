"""What resolution decides: each plugin's ``Decision`` and the whole ``Resolution``.

Plain records, so the CLI can render them as tables or JSON without knowing
how they were made. ``Findings`` collects them while the resolver runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from packaging.utils import canonicalize_name
from packaging.version import Version

from .._errors import Problem
from .discovery import PluginRecord
from .graph import Edge

#: What became of one plugin.
Status = Literal["enabled", "disabled", "refused", "optional-skipped", "skipped"]
ENABLED: Final = "enabled"
DISABLED: Final = "disabled"
REFUSED: Final = "refused"
OPTIONAL_SKIPPED: Final = "optional-skipped"
#: Installed, not pinned by the app, and unable to load: the app starts without it (with a warning).
SKIPPED: Final = "skipped"


@dataclass
class Decision:
    """Why one plugin is loaded, disabled, refused or skipped."""

    name: str
    status: Status
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
            # False: an older plugin without corolla-plugin.toml, whose class was imported to read it.
            "manifest": bool(self.record.manifest),
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
    #: Candidates with no problem of their own: their config is validated even when the set fails.
    sound: tuple[str, ...] = ()

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


@dataclass
class Findings:
    """What resolution found so far: problems (fatal), warnings, and a decision per plugin."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)

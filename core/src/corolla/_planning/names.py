"""Names the plan reserves or derives: config sections and their environment prefixes."""

from __future__ import annotations

#: Environment variables ``COROLLA_<SECTION>__<KEY>`` configure a section's key.
ENV_PREFIX = "COROLLA_"

#: Names no plugin may take: the core's own config sections and its own plugin.
RESERVED_NAMES = frozenset({"app", "core", "corolla", "plugins"})


def env_section(name: str) -> str:
    """The environment spelling of a section name: ``my-plugin`` -> ``MY_PLUGIN``."""
    return name.upper().replace("-", "_").replace(".", "_")


#: Compared as environment prefixes, so 'Core' or 'plug-ins' cannot take COROLLA_CORE__ either.
RESERVED_PREFIXES = frozenset(env_section(name) for name in RESERVED_NAMES)

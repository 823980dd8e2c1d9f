"""Configuration: layered sections, validated against what the core and plugins declare.

Layers, later wins: each plugin's defaults < ``corolla.toml`` (or
``[tool.corolla]`` in ``pyproject.toml``) in the app's root folder <
``App(config=...)`` < environment variables ``COROLLA_<SECTION>__<KEY>``.
There is one section per plugin, named after it, plus ``core`` and
``plugins`` (which plugins to load). Every value remembers where it came from,
so messages and ``corolla plugins show`` can say so.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ._decisions import Selection
from ._errors import ConfigError, Problem, did_you_mean
from ._plugin import Setting, fits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, no-redef, unused-ignore]

ENV_PREFIX = "COROLLA_"
DEFAULTS = "defaults"

MiB = 1024 * 1024

CORE_SETTINGS: dict[str, Setting] = {
    "secret_key": Setting(
        str,
        None,
        "Key for signing cookies and tokens; in development one is generated in the instance folder",
        secret=True,
    ),
    "secret_key_fallbacks": Setting(list, [], "Older keys still accepted when verifying signatures", secret=True),
    "debug": Setting(bool, False, "Show tracebacks in error responses; never in production"),
    "trace_hooks": Setting(
        bool, False, "Log every request-time hook call with its plugin and duration (corolla run --trace-hooks)"
    ),
    "instance_path": Setting(str, "", "Folder for per-deployment files (default: <root>/instance)"),
    "max_content_length": Setting(int, 16 * MiB, "Largest request body accepted, in bytes (413 above)"),
    "max_form_memory_size": Setting(
        int, 500_000, "Largest non-file multipart field, or whole urlencoded form, in bytes (413 above)"
    ),
    "max_form_parts": Setting(int, 1000, "Most parts of a multipart body, or fields of an urlencoded one (413 above)"),
}

PLUGINS_SETTINGS: dict[str, Setting] = {
    "enabled": Setting(list, None, "Exact set of plugins to load (default: every installed plugin)"),
    "disabled": Setting(list, [], "Plugins never to load"),
    "optional": Setting(list, [], "Plugins skipped with a warning, instead of failing start-up, when they cannot load"),
    "providers": Setting(dict, {}, "Which plugin provides a capability when several could"),
}

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_section(name: str) -> str:
    return name.upper().replace("-", "_").replace(".", "_")


class Config(Mapping[str, Mapping[str, Any]]):
    """Validated configuration: ``config["sessions"]["backend"]``.

    ``source(section, key)`` says which layer a value came from.
    """

    def __init__(
        self,
        sections: dict[str, dict[str, Any]],
        sources: dict[tuple[str, str], str],
        schemas: Mapping[str, Mapping[str, Setting]],
    ) -> None:
        self._sections = sections
        self._sources = sources
        self._schemas = schemas

    def __getitem__(self, section: str) -> Mapping[str, Any]:
        return self._sections[section]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sections)

    def __len__(self) -> int:
        return len(self._sections)

    def source(self, section: str, key: str) -> str:
        return self._sources.get((section, key), DEFAULTS)

    def schema(self, section: str) -> Mapping[str, Setting]:
        return self._schemas.get(section, {})

    def masked(self, section: str) -> dict[str, Any]:
        """The section with secret values replaced by ``'***'`` (for display)."""
        schema = self.schema(section)
        return {
            key: ("***" if schema.get(key, Setting(str)).secret and value not in (None, "", []) else value)
            for key, value in self._sections.get(section, {}).items()
        }


class Layers:
    """The raw, unvalidated layers, in order: file, explicit, environment."""

    def __init__(self, root: Path, explicit: Mapping[str, Any] | None, environ: Mapping[str, str]) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.layers: list[tuple[str, dict[str, Any]]] = []
        file_layer = self._read_file(root)
        if file_layer is not None:
            self.layers.append(file_layer)
        if explicit:
            self.layers.append(("App(config=...)", self._sections(dict(explicit), "App(config=...)")))
        self.env_layer: dict[str, dict[str, str]] = {}
        for var, value in environ.items():
            if var.startswith(ENV_PREFIX) and "__" in var[len(ENV_PREFIX) :]:
                section, _, key = var[len(ENV_PREFIX) :].partition("__")
                self.env_layer.setdefault(section, {})[key.lower()] = value

    def _sections(self, data: dict[str, Any], source: str) -> dict[str, Any]:
        out = {}
        for section, values in data.items():
            if not isinstance(values, Mapping):
                self.problems.append(
                    Problem(
                        str(section),
                        "config-layout",
                        # The value is not shown: it may be a secret (a misplaced secret_key).
                        f"{source}: {section!r} is not inside a section",
                        f"put it in the section it belongs to, e.g. {{'core': {{{section!r}: ...}}}} "
                        f"or [core] in corolla.toml",
                    )
                )
                continue
            out[str(section)] = dict(values)
        return out

    def _read_file(self, root: Path) -> tuple[str, dict[str, Any]] | None:
        path = root / "corolla.toml"
        key: tuple[str, ...] = ()
        if not path.is_file():
            path, key = root / "pyproject.toml", ("tool", "corolla")
            if not path.is_file():
                return None
        try:
            with path.open("rb") as fh:
                data: Any = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            self.problems.append(Problem(str(path), "config-file", f"cannot read {path}: {exc}", "fix the TOML syntax"))
            return None
        for part in key:
            data = data.get(part, {}) if isinstance(data, dict) else {}
        if not data:
            return None
        label = str(path) + (" [tool.corolla]" if key else "")
        if not isinstance(data, dict):  # e.g. `tool.corolla = 5`
            self.problems.append(
                Problem(label, "config-layout", f"{label} is {data!r}, not a table", "make [tool.corolla] a table")
            )
            return None
        return label, self._sections(data, label)

    def section_names(self) -> set[str]:
        names = {s for _, layer in self.layers for s in layer}
        return names

    def env_sections(self) -> set[str]:
        return set(self.env_layer)

    def build(
        self, schemas: Mapping[str, Mapping[str, Setting]], ignore: set[str] | None = None
    ) -> tuple[Config, list[Problem]]:
        """Merge the layers over ``schemas``' defaults and validate every value.

        A section with no schema is a problem (with a did-you-mean) unless it is
        in ``ignore`` (plugins that are installed but not enabled).
        """
        problems: list[Problem] = []
        sections: dict[str, dict[str, Any]] = {
            name: {key: _copy(setting.default) for key, setting in schema.items()} for name, schema in schemas.items()
        }
        sources: dict[tuple[str, str], str] = {}
        known = set(schemas) | set(ignore or ())

        def put(section: str, key: str, value: Any, source: str, from_env: bool) -> None:
            schema = schemas.get(section)
            if schema is None:
                return
            setting = schema.get(key)
            where = f"[{section}] {key}" if not from_env else f"{ENV_PREFIX}{env_section(section)}__{key.upper()}"
            if setting is None:
                hint = did_you_mean(key, schema)
                problems.append(
                    Problem(
                        section,
                        "unknown-key",
                        f"{source}: unknown key {key!r} in section [{section}]" + (f"; {hint}" if hint else ""),
                        f"rename it ({hint})"
                        if hint
                        else f"use one of: {', '.join(sorted(schema))}"
                        if schema
                        else f"remove it: [{section}] has no settings",
                    )
                )
                return
            try:
                value = coerce(setting, value, from_env)
            except (TypeError, ValueError) as exc:
                # A secret's value, and the parser's words (which quote it), stay out of logs.
                shown, why = ("***", f"expected {setting.type.__name__}") if setting.secret else (repr(value), exc)
                problems.append(
                    Problem(
                        section,
                        "wrong-type",
                        f"{source}: {where} = {shown}: {why}",
                        f"give {where} a {setting.type.__name__} value",
                    )
                )
                return
            sections[section][key] = value
            sources[(section, key)] = source

        for source, layer in self.layers:
            for section, values in layer.items():
                if section not in known:
                    hint = did_you_mean(section, known)
                    problems.append(
                        Problem(
                            section,
                            "unknown-section",
                            f"{source}: section [{section}] matches no installed plugin"
                            + (f"; {hint}" if hint else ""),
                            f"rename it ({hint})" if hint else "remove it, or install the plugin it configures",
                        )
                    )
                    continue
                for key, value in values.items():
                    put(section, str(key), value, source, False)
        # Deterministic: an enabled plugin's section wins over an ignored one
        # with the same prefix (clashes among loaded plugins are a resolution problem).
        by_env = {env_section(name): name for name in sorted(set(ignore or ()) - set(schemas))}
        by_env.update({env_section(name): name for name in sorted(schemas)})
        for env_name, values in self.env_layer.items():
            env_target = by_env.get(env_name)
            if env_target is None:
                continue  # another program's variable, or a plugin that is not installed
            for key, value in values.items():
                put(env_target, key, value, f"environment {ENV_PREFIX}{env_name}__{key.upper()}", True)
        core = sections.get("core")
        if core is not None and isinstance(core.get("secret_key"), str) and not core["secret_key"].strip():
            problems.append(
                Problem(
                    "core",
                    "secret-key",
                    f"{sources.get(('core', 'secret_key'), DEFAULTS)}: [core] secret_key is empty",
                    "set it to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                    "or leave it unset in development to use the generated key",
                )
            )
        return Config(sections, sources, schemas), problems


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _from_env_string(kind: type, value: str) -> Any:
    if kind is bool:
        low = value.strip().lower()
        if low in TRUE:
            return True
        if low in FALSE:
            return False
        raise ValueError("expected one of 1/0, true/false, yes/no, on/off")
    if kind is int:
        return int(value)
    if kind is float:
        return float(value)
    if kind is list:
        return [item.strip() for item in value.split(",") if item.strip()]
    if kind is dict:
        parsed = json.loads(value)
        if not isinstance(parsed, dict):
            raise ValueError("expected a JSON object")
        return parsed
    return value


def coerce(setting: Setting, value: Any, from_env: bool) -> Any:
    """Check ``value`` against the setting's type; environment strings are converted first."""
    kind = setting.type
    if value is None and setting.default is None:
        return None
    if from_env and isinstance(value, str):
        # Converted, then checked like any other value (choices included).
        value = _from_env_string(kind, value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)  # and still checked against choices below
    if not fits(kind, value):
        raise TypeError(
            "expected a list of strings"
            if kind is list and isinstance(value, list)
            else f"expected {kind.__name__}, got {type(value).__name__}"
        )
    if setting.choices and value not in setting.choices:
        raise ValueError(f"expected one of {', '.join(map(repr, setting.choices))}")
    return _copy(value)


def selection_from(
    plugins_section: Mapping[str, Any], config: Config, allowlist: Any, environ: Mapping[str, str]
) -> Selection:
    """The operator's plugin selection: config, ``App(plugins=...)``, then the environment."""
    enabled = plugins_section.get("enabled")
    source = f"[plugins] enabled ({config.source('plugins', 'enabled')})"
    if allowlist is not None:
        enabled, source = list(allowlist), "App(plugins=...)"
    env_enabled = environ.get("COROLLA_PLUGINS")
    if env_enabled is not None:
        enabled, source = [n.strip() for n in env_enabled.split(",") if n.strip()], "COROLLA_PLUGINS"
    disabled = {
        name: f"[plugins] disabled ({config.source('plugins', 'disabled')})"
        for name in plugins_section.get("disabled") or ()
    }
    for name in (environ.get("COROLLA_DISABLE_PLUGINS") or "").split(","):
        if name.strip():
            disabled[name.strip()] = "COROLLA_DISABLE_PLUGINS"
    return Selection(
        enabled=tuple(enabled) if enabled is not None else None,
        enabled_source=source,
        disabled=disabled,
        optional=frozenset(plugins_section.get("optional") or ()),
        providers=dict(plugins_section.get("providers") or {}),
    )


def instance_secret_key(instance: Path) -> str:
    """The development secret key: created once in ``instance/secret_key`` (mode 0600), then reused."""
    path = instance / "secret_key"
    try:
        return _nonempty_key(path)
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Write a private temporary file, then link it into place: the link is
    # atomic and fails if another worker got there first, so no process ever
    # reads a half-written key.
    fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _nonempty_key(path)
        except OSError:
            # No hard links on this filesystem: create exclusively instead.
            # A concurrent reader may then see an empty file for an instant,
            # which _nonempty_key reports rather than using.
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return _nonempty_key(path)
            with os.fdopen(fd2, "w") as fh:
                fh.write(key + "\n")
    finally:
        os.unlink(tmp)
    return key


def _nonempty_key(path: Path) -> str:
    # An empty file (truncated, or made by hand) must never become an empty signing key.
    key = path.read_text().strip()
    if not key:
        raise ConfigError(
            [
                Problem(
                    "core",
                    "secret-key",
                    f"the development secret key file {path} is empty",
                    f"delete {path} so a new key is generated, or set [core] secret_key",
                )
            ]
        )
    return key

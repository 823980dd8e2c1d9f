"""Config layers and their validation: the settings half of the plan.

Layers, later wins: each plugin's defaults < ``corolla.toml`` (or
``[tool.corolla]`` in ``pyproject.toml``) in the app's root folder <
``App(config=...)`` < environment variables ``COROLLA_<SECTION>__<KEY>``.
There is one section per plugin, named after it, plus ``core`` and
``plugins`` (which plugins to load). Every value remembers where it came from.
``Layers.build`` checks each value against its ``Setting``: type, choices,
then the setting's own ``check``; every problem is a ``ConfigProblem``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._config import DEFAULTS, Config, copy_value
from .._errors import ConfigError, ConfigProblem, Problem, closest, did_you_mean
from .._plugin import Setting, fits
from .names import ENV_PREFIX, env_section
from .selection import Selection

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, no-redef, unused-ignore]

from .._secrets import no_placeholders, not_a_placeholder
from .._security import host_names, not_negative

MiB = 1024 * 1024

CORE_SETTINGS: dict[str, Setting] = {
    "secret_key": Setting(
        str,
        None,
        "Key for signing cookies and tokens; in development one is generated in the instance folder",
        secret=True,
        check=not_a_placeholder,
    ),
    "secret_key_fallbacks": Setting(
        list, [], "Older keys still accepted when verifying signatures", secret=True, check=no_placeholders
    ),
    "debug": Setting(bool, False, "Show tracebacks in error responses; never in production"),
    "testing": Setting(
        bool,
        False,
        "Let exceptions no exception hook handles propagate to the caller (the test client) instead of a 500",
    ),
    "trace_hooks": Setting(
        bool, False, "Log every request-time hook call with its plugin and duration (corolla run --trace-hooks)"
    ),
    "instance_path": Setting(str, "", "Folder for per-deployment files (default: <root>/instance)"),
    "trusted_hosts": Setting(
        list,
        [],
        "Host names this app answers to ('example.com', '.example.com' with subdomains); others get 400. "
        "Empty: any host (the deploy check fails)",
        check=host_names,
    ),
    "ssl_redirect": Setting(bool, False, "Redirect every plain-http request to https (301), unless the proxy does"),
    "hsts_seconds": Setting(
        int,
        31_536_000,
        "Strict-Transport-Security max-age on https responses, in seconds; 0: no header",
        check=not_negative,
    ),
    "hsts_include_subdomains": Setting(bool, False, "Add includeSubDomains to Strict-Transport-Security"),
    "content_type_nosniff": Setting(bool, True, "Send X-Content-Type-Options: nosniff"),
    "frame_options": Setting(
        str,
        "DENY",
        "X-Frame-Options (and CSP frame-ancestors): DENY, SAMEORIGIN, or '' for none",
        choices=("DENY", "SAMEORIGIN", ""),
    ),
    "referrer_policy": Setting(str, "same-origin", "Referrer-Policy header; '' for none"),
    "cross_origin_opener_policy": Setting(str, "same-origin", "Cross-Origin-Opener-Policy header; '' for none"),
    "silenced_checks": Setting(
        dict, {}, "Deploy checks that do not fail `corolla check --deploy`: check id -> the reason (reported)"
    ),
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
    "lock": Setting(str, None, "A lock file (corolla plugins lock): start only when the plugins match it"),
    "strict": Setting(
        bool,
        False,
        "Without a pinned set, refuse to start when any installed plugin cannot load (default: skip it, warning)",
    ),
}

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


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

    def build(
        self, schemas: Mapping[str, Mapping[str, Setting]], ignore: set[str] | None = None
    ) -> tuple[Config, list[Problem]]:
        """Merge the layers over ``schemas``' defaults and validate every value.

        A section with no schema is a problem (with a did-you-mean) unless it is
        in ``ignore`` (plugins that are installed but not enabled). Each
        setting's own ``check`` runs on the merged section.
        """
        merged = _Merged(schemas, set(ignore or ()))
        for source, layer in self.layers:
            for section, values in layer.items():
                if merged.knows(section, source):
                    for key, value in values.items():
                        merged.put(section, str(key), value, source, False)
        # Deterministic: an enabled plugin's section wins over an ignored one
        # with the same prefix (clashes among loaded plugins are a resolution problem).
        by_env = {env_section(name): name for name in sorted(merged.ignore - set(schemas))}
        by_env.update({env_section(name): name for name in sorted(schemas)})
        for env_name, values in self.env_layer.items():
            env_target = by_env.get(env_name)
            if env_target is None:
                continue  # another program's variable, or a plugin that is not installed
            for key, value in values.items():
                merged.put(env_target, key, value, f"environment {ENV_PREFIX}{env_name}__{key.upper()}", True)
        config = Config(merged.sections, merged.sources, schemas)
        return config, [*merged.problems, *_empty_secret_key(config), *setting_checks(config)]


class _Merged:
    """Sections being merged from the layers, with the source of each value and the problems so far."""

    def __init__(self, schemas: Mapping[str, Mapping[str, Setting]], ignore: set[str]) -> None:
        self.schemas = schemas
        self.ignore = ignore
        self.sections: dict[str, dict[str, Any]] = {
            name: {key: copy_value(setting.default) for key, setting in schema.items()}
            for name, schema in schemas.items()
        }
        self.sources: dict[tuple[str, str], str] = {}
        self.problems: list[Problem] = []

    def knows(self, section: str, source: str) -> bool:
        """Whether ``section`` is a declared (or ignored) one; a problem when it is not."""
        known = set(self.schemas) | self.ignore
        if section in known:
            return True
        hint = did_you_mean(section, known)
        self.problems.append(
            ConfigProblem(
                section,
                "unknown-section",
                f"{source}: section [{section}] matches no installed plugin" + (f"; {hint}" if hint else ""),
                f"rename it ({hint})" if hint else "remove it, or install the plugin it configures",
                source=source,
                reason="no installed plugin has this section",
            )
        )
        return False

    def put(self, section: str, key: str, value: Any, source: str, from_env: bool) -> None:
        schema = self.schemas.get(section)
        if schema is None:
            return  # an ignored section: its plugin is installed but not enabled
        setting = schema.get(key)
        if setting is None:
            self.problems.append(_unknown_key(section, key, schema, source, value))
            return
        try:
            value = coerce(setting, value, from_env)
        except (TypeError, ValueError) as exc:
            where = f"{ENV_PREFIX}{env_section(section)}__{key.upper()}" if from_env else f"[{section}] {key}"
            # A secret's value, and the parser's words (which quote it), stay out of logs.
            shown, why = ("***", f"expected {setting.type.__name__}") if setting.secret else (value, str(exc))
            self.problems.append(
                ConfigProblem(
                    section,
                    "wrong-type",
                    f"{source}: {where} = {shown if setting.secret else repr(shown)}: {why}",
                    f"give {where} a {setting.type.__name__} value",
                    key=key,
                    source=source,
                    value=shown,
                    reason=why,
                )
            )
            return
        self.sections[section][key] = value
        self.sources[(section, key)] = source


def _unknown_key(section: str, key: str, schema: Mapping[str, Setting], source: str, value: Any) -> ConfigProblem:
    hint = did_you_mean(key, schema)
    return ConfigProblem(
        section,
        "unknown-key",
        f"{source}: unknown key {key!r} in section [{section}]" + (f"; {hint}" if hint else ""),
        _unknown_key_fix(section, key, schema, source),
        key=key,
        source=source,
        value="***",  # unknown, so maybe a misplaced secret: never shown
        reason=f"[{section}] has no setting {key!r}",
    )


def _unknown_key_fix(section: str, key: str, schema: Mapping[str, Setting], source: str) -> str:
    """What to do about an unknown key: for an environment variable, name the variable to change."""
    close = closest(key, schema)
    if source.startswith("environment "):
        var = source.removeprefix("environment ")
        if close:
            return f"rename {var} to {ENV_PREFIX}{env_section(section)}__{close.upper()}"
        keys = f"has the settings: {', '.join(sorted(schema))}" if schema else "has no settings"
        return f"unset {var}\n[{section}] {keys}"
    if close:
        return f"rename it (did you mean {close!r}?)"
    return f"use one of: {', '.join(sorted(schema))}" if schema else f"remove it: [{section}] has no settings"


def setting_checks(config: Config) -> list[ConfigProblem]:
    """Every setting's own ``check``, run on its merged section (a None value is never checked)."""
    problems = []
    for section in config:
        values = config[section]
        for key, setting in config.schema(section).items():
            value = values.get(key)
            if setting.check is None or value is None:
                continue
            reason = setting.check(value, values)
            if reason is None:
                continue
            source = config.source(section, key)
            shown = "***" if setting.secret else value
            problems.append(
                ConfigProblem(
                    section,
                    "wrong-value",
                    f"{source}: [{section}] {key} = {shown if setting.secret else repr(shown)}: {reason}",
                    f"change [{section}] {key} ({source})"
                    if source != DEFAULTS
                    else f"set [{section}] {key}: its default does not pass its own check",
                    key=key,
                    source=source,
                    value=shown,
                    reason=reason,
                )
            )
    return problems


def _empty_secret_key(config: Config) -> list[ConfigProblem]:
    key = config["core"].get("secret_key") if "core" in config else None
    if not isinstance(key, str) or key.strip():
        return []
    source = config.source("core", "secret_key")
    return [
        ConfigProblem(
            "core",
            "secret-key",
            f"{source}: [core] secret_key is empty",
            "set it to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
            "or leave it unset in development to use the generated key",
            key="secret_key",
            source=source,
            value="***",
            reason="is empty",
        )
    ]


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
    return copy_value(value)


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
        names = [n.strip() for n in env_enabled.split(",") if n.strip()]
        if allowlist is not None:
            # The app's own App(plugins=[...]) is its pin: the environment may narrow it (switch a
            # plugin off on one machine), never widen it to code the app did not ask for.
            wider = [n for n in names if n not in list(allowlist)]
            if wider:
                listed = ", ".join(repr(n) for n in wider)
                raise ConfigError(
                    [
                        Problem(
                            "plugins",
                            "widened-pin",
                            f"COROLLA_PLUGINS names {listed}, which App(plugins=...) does not list; the "
                            "environment may narrow the app's plugin set, not widen it",
                            f"remove {listed} from COROLLA_PLUGINS, or add it to App(plugins=[...]) in the app",
                        )
                    ]
                )
        source = "COROLLA_PLUGINS (narrowing App(plugins=...))" if allowlist is not None else "COROLLA_PLUGINS"
        enabled = names
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

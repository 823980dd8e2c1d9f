"""Plugin manifests: a plugin's declaration as data, read without importing it.

A manifest is a TOML file named ``corolla-plugin.toml`` shipped inside the
plugin's import package (``corolla_routing/corolla-plugin.toml``). It holds
what the ``Plugin`` class declares (requires, provides, core range, settings
with their types and defaults...) plus what only the code would otherwise
tell: the hooks the class implements, the hook specifications it declares
and the commands it adds. The version is not repeated: it is the
distribution's, from its metadata.

Why written by the author (and checked) rather than generated at build time:
every build backend would need a Corolla build hook that imports the plugin
while building; a file in the package works with any backend, is readable
from an installed distribution (its ``RECORD``) and from a wheel (a zip),
and ``corolla.testing.check_manifest`` (in the scaffold's tests) says, with
both names, where it and the class disagree and prints the manifest the
class implies. ``manifest_text`` writes that text from a class.

An installed distribution's manifests are the files named
``corolla-plugin.toml`` its ``RECORD`` lists; an editable install lists
none, so the file in the entry point's top-level package is used (found with
``PathFinder``, which imports nothing).
"""

from __future__ import annotations

import csv
import importlib.metadata as metadata
import json
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.machinery import PathFinder
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ._plugin import SETTING_TYPES, Plugin, Setting

if TYPE_CHECKING:
    from ._planning.declaration import Declaration

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, no-redef, unused-ignore]

FILENAME = "corolla-plugin.toml"
FORMAT = 1

#: Declaration fields that are lists of strings, in the order a manifest lists them.
LIST_FIELDS = (
    "requires",
    "provides",
    "optional",
    "conflicts",
    "before",
    "after",
    "app_attributes",
    "request_attributes",
)
#: What the code implies besides the declaration: hooks, declared specifications, commands.
CODE_FIELDS = ("hooks", "hookspecs", "commands")
_TYPES = {kind.__name__: kind for kind in SETTING_TYPES}
_KNOWN = {"format", "name", "class", "core", "autoload", "settings", *LIST_FIELDS, *CODE_FIELDS}
_SETTING_KEYS = {"type", "default", "help", "secret", "choices"}


class ManifestError(ValueError):
    """A manifest that cannot be read or does not follow the format; the message names the file."""


@dataclass(frozen=True)
class Manifest:
    """One plugin's manifest, parsed. ``source`` is where it was read (a path, or wheel!member)."""

    name: str
    entry_point: str
    source: str
    core: str = ""
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    settings: Mapping[str, Setting] = field(default_factory=dict)
    hooks: tuple[str, ...] = ()
    hookspecs: tuple[str, ...] = ()
    commands: Mapping[str, str] = field(default_factory=dict)
    autoload: bool = True

    def declaration(self) -> Declaration:
        """The declaration this manifest makes, checked as a class's would be (raises ``ManifestError``)."""
        from ._planning.declaration import parse_declaration

        # The base class's defaults for anything a manifest does not carry.
        defaults = {k: v for k, v in vars(Plugin).items() if not k.startswith("_") and not callable(v)}
        source = SimpleNamespace(
            **{
                **defaults,
                **dict(self.lists),
                "core": self.core,
                "settings": dict(self.settings),
                "commands": dict(self.commands),
                "autoload": self.autoload,
            }
        )
        try:
            return parse_declaration(source)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ManifestError(f"{self.source}: {exc}") from None


def _strings(data: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ManifestError(f"{source}: {key} must be a list of strings, not {value!r}")
    return tuple(value)


def _autoload(data: Mapping[str, Any], source: str) -> bool:
    value = data.get("autoload", True)
    if not isinstance(value, bool):
        raise ManifestError(f"{source}: autoload must be true or false, not {value!r}")
    return value


def _commands(data: Mapping[str, Any], source: str) -> dict[str, str]:
    value = data.get("commands", {})
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ManifestError(f'{source}: commands must be a table of name = "module:factory", not {value!r}')
    return dict(value)


def _setting(key: str, raw: Any, source: str) -> Setting:
    if not isinstance(raw, dict):
        raise ManifestError(f"{source}: [settings.{key}] must be a table with type, default, help")
    unknown = sorted(set(raw) - _SETTING_KEYS)
    if unknown:
        raise ManifestError(f"{source}: [settings.{key}] has unknown keys {', '.join(unknown)}")
    kind = _TYPES.get(raw.get("type", ""))
    if kind is None:
        raise ManifestError(
            f"{source}: [settings.{key}] type must be one of {', '.join(_TYPES)}, not {raw.get('type')!r}"
        )
    try:
        return Setting(
            kind,
            raw.get("default"),
            str(raw.get("help", "")),
            bool(raw.get("secret", False)),
            tuple(raw.get("choices", ())),
        )
    except TypeError as exc:
        raise ManifestError(f"{source}: [settings.{key}]: {exc}") from None


def parse(text: str, source: str) -> Manifest:
    """Parse a manifest's text; raises ``ManifestError`` naming ``source``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{source}: not valid TOML: {exc}") from None
    if data.get("format") != FORMAT:
        raise ManifestError(f"{source}: format = {data.get('format')!r}; this core reads format = {FORMAT}")
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ManifestError(f"{source}: unknown keys {', '.join(unknown)} (known: {', '.join(sorted(_KNOWN))})")
    name, entry_point = data.get("name"), data.get("class")
    if not isinstance(name, str) or not name or not isinstance(entry_point, str) or ":" not in entry_point:
        raise ManifestError(f"{source}: name (the entry point name) and class ('module:Class') are required")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ManifestError(f"{source}: settings must be a table of [settings.KEY] tables")
    core = data.get("core", "")
    if not isinstance(core, str):
        raise ManifestError(f"{source}: core must be a version range string, e.g. '>=0.1,<0.2'")
    return Manifest(
        name=name,
        entry_point=entry_point,
        source=source,
        core=core,
        lists={key: _strings(data, key, source) for key in LIST_FIELDS},
        settings={key: _setting(key, raw, source) for key, raw in settings.items()},
        hooks=_strings(data, "hooks", source),
        hookspecs=_strings(data, "hookspecs", source),
        commands=_commands(data, source),
        autoload=_autoload(data, source),
    )


# -- finding manifests ---------------------------------------------------------


def installed_manifests(
    dist: metadata.Distribution,
    path: Sequence[str] | None = None,
    entry_points: Sequence[metadata.EntryPoint] | None = None,
) -> dict[str, Manifest]:
    """The manifests of an installed distribution, by plugin name (empty when it ships none).

    ``entry_points``: the distribution's ``corolla.plugins`` entry points when
    the caller has read them already (discovery), so ``entry_points.txt`` is
    not read and parsed again. Raises ``ManifestError`` for a manifest that
    cannot be parsed.
    """
    found: list[tuple[str, str]] = []
    eps = [ep for ep in dist.entry_points if ep.group == "corolla.plugins"] if entry_points is None else entry_points
    # Where a package ships it, one stat finds it; reading RECORD (dist.files) costs a
    # CSV parse per distribution, which 200 plugins feel (docs/cli.md, timings).
    for ep in eps:
        if ep.group == "corolla.plugins":
            top = ep.value.split(":")[0].split(".")[0].strip()
            direct = Path(str(dist.locate_file(f"{top}/{FILENAME}")))
            if direct.is_file():
                found.append((direct.read_text(encoding="utf-8"), str(direct)))
    if found:
        return _by_name(found)
    files = _listed_manifests(dist)
    for file in files:
        located = Path(str(dist.locate_file(file)))
        try:
            found.append((located.read_text(encoding="utf-8"), str(located)))
        except OSError:
            continue  # listed but gone: the verify command reports changed files
    if not files:
        # An editable install's RECORD lists a .pth, not the package: look beside the code.
        for ep in eps:
            if ep.group != "corolla.plugins":
                continue
            top = ep.value.split(":")[0].split(".")[0].strip()
            spec = PathFinder.find_spec(top, None if path is None else list(path))
            for folder in (spec.submodule_search_locations or []) if spec else []:
                candidate = Path(folder) / FILENAME
                if candidate.is_file():
                    found.append((candidate.read_text(encoding="utf-8"), str(candidate)))
    return _by_name(found)


def _listed_manifests(dist: metadata.Distribution) -> list[str]:
    """The files named ``corolla-plugin.toml`` the distribution's file list (``dist.files``) holds.

    ``RECORD`` is read directly: ``dist.files`` makes a path object per row
    (about 60 µs a distribution, 13 ms for 200 plugins), and most RECORDs do
    not mention a manifest at all (one substring test). Without a ``RECORD``
    (egg-info), ``dist.files`` reads the other lists as before.
    """
    record = dist.read_text("RECORD")
    if not record:
        return [str(f) for f in dist.files or () if f.name == FILENAME]
    if FILENAME not in record:
        return []
    rows = csv.reader(record.splitlines())
    return [row[0] for row in rows if row and PurePosixPath(row[0]).name == FILENAME]


def _by_name(found: Iterable[tuple[str, str]]) -> dict[str, Manifest]:
    out: dict[str, Manifest] = {}
    for text, source in found:
        manifest = parse(text, source)
        out.setdefault(manifest.name, manifest)
    return out


@dataclass(frozen=True)
class WheelPlugins:
    """What a wheel says without being installed: its name, version, requirements, plugins."""

    distribution: str
    version: str
    requires_dist: tuple[str, ...]
    entry_points: Mapping[str, str]
    manifests: Mapping[str, Manifest]


def read_wheel(wheel: str | Path) -> WheelPlugins:
    """Read a wheel's metadata, ``corolla.plugins`` entry points and manifests (a zip: nothing runs)."""
    import email.parser
    from configparser import ConfigParser

    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        info = next((n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA") and n.count("/") == 1), None)
        if info is None:
            raise ManifestError(f"{wheel}: no .dist-info/METADATA: not a wheel")
        meta = email.parser.Parser().parsestr(zf.read(f"{info}/METADATA").decode("utf-8"))
        entry_points: dict[str, str] = {}
        if f"{info}/entry_points.txt" in names:
            parser = ConfigParser(delimiters=("=",), interpolation=None)
            parser.optionxform = str  # type: ignore[assignment,method-assign]
            parser.read_string(zf.read(f"{info}/entry_points.txt").decode("utf-8"))
            if parser.has_section("corolla.plugins"):
                entry_points = {k.strip(): v.strip() for k, v in parser.items("corolla.plugins")}
        manifests: dict[str, Manifest] = {}
        for member in names:
            if member.rsplit("/", 1)[-1] == FILENAME:
                manifest = parse(zf.read(member).decode("utf-8"), f"{Path(wheel).name}!{member}")
                manifests.setdefault(manifest.name, manifest)
    return WheelPlugins(
        distribution=meta["Name"] or "?",
        version=meta["Version"] or "0",
        requires_dist=tuple(meta.get_all("Requires-Dist") or ()),
        entry_points=entry_points,
        manifests=manifests,
    )


# -- the class's side ----------------------------------------------------------


def implemented_hooks(cls: type) -> tuple[str, ...]:
    """The methods of ``cls`` marked with ``@hookimpl`` (core and plugin-declared hooks), sorted."""
    out = []
    for attr in dir(cls):
        if attr.startswith("__"):
            continue
        # The stored attribute, so no property or descriptor runs.
        raw = next((k.__dict__[attr] for k in cls.__mro__ if attr in k.__dict__), None)
        if hasattr(raw, "corolla_impl") or hasattr(getattr(raw, "__func__", None), "corolla_impl"):
            out.append(attr)
    return tuple(sorted(out))


def declared_hookspecs(cls: type[Plugin]) -> tuple[str, ...]:
    """The names of the hook specifications ``cls.hookspecs`` declares, sorted."""
    namespace = cls.hookspecs
    if namespace is None:
        return ()
    return tuple(sorted(n for n in dir(namespace) if hasattr(getattr(namespace, n, None), "corolla_spec")))


def class_commands(cls: type) -> dict[str, str]:
    """The commands a class declares (``commands``: name -> ``"module:factory"``), sorted by name."""
    value = getattr(cls, "commands", None) or {}
    return {str(k): str(v) for k, v in sorted(dict(value).items())}


def _setting_table(setting: Setting) -> dict[str, Any]:
    table: dict[str, Any] = {"type": setting.type.__name__}
    if setting.default is not None:
        table["default"] = setting.default
    if setting.help:
        table["help"] = setting.help
    if setting.secret:
        table["secret"] = True
    if setting.choices:
        table["choices"] = list(setting.choices)
    return table


def class_data(cls: type[Plugin], name: str, entry_point: str | None = None) -> dict[str, Any]:
    """What ``cls`` (loaded from ``entry_point``) implies a manifest says, as the manifest's data."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "name": name,
        "class": entry_point or f"{cls.__module__}:{cls.__qualname__}",
    }
    data["core"] = cls.core or ""
    data["autoload"] = bool(getattr(cls, "autoload", True))
    for key in LIST_FIELDS:
        data[key] = list(getattr(cls, key) or ())
    data["hooks"] = list(implemented_hooks(cls))
    data["hookspecs"] = list(declared_hookspecs(cls))
    data["commands"] = class_commands(cls)
    data["settings"] = {key: _setting_table(s) for key, s in dict(cls.settings).items()}
    return data


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a valid TOML basic string (same escapes) once non-ASCII stays as is.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {value!r} to TOML")


def dumps(data: Mapping[str, Any], header: str = "") -> str:
    """TOML text for a manifest's data (flat keys, then one ``[settings.KEY]`` table per setting)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for key, value in data.items():
        if key != "settings":
            lines.append(f"{key} = {_toml_value(value)}")
    for key, table in dict(data.get("settings", {})).items():
        lines.append("")
        lines.append(f"[settings.{json.dumps(key) if not key.replace('_', '').isalnum() else key}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def manifest_text(cls: type[Plugin], name: str, entry_point: str | None = None) -> str:
    """The manifest ``cls`` implies, as TOML text to save as ``corolla-plugin.toml`` in its package."""
    header = (
        f"The declaration of plugin {name!r}, read by the plugin manager without importing the code.\n"
        f"Keep it equal to {cls.__module__}.{cls.__qualname__}: corolla.testing.check_manifest says where they differ."
    )
    return dumps(class_data(cls, name, entry_point), header)


def differences(
    manifest: Manifest, cls: type[Plugin], entry_point: str | None = None, *, help_text: bool = True
) -> list[str]:
    """Where ``manifest`` and ``cls`` (loaded from ``entry_point``) disagree, one line each naming both.

    ``help_text=False`` ignores settings' help (``App()`` does: a reworded help
    changes no decision; the author's check still reports it).
    """
    where = f"{manifest.source} says"
    them = f"{cls.__module__}.{cls.__qualname__} has"
    expected = class_data(cls, manifest.name, entry_point or manifest.entry_point)
    out = []
    if manifest.entry_point != expected["class"]:
        out.append(f"class: {where} {manifest.entry_point!r}, but the entry point is {expected['class']!r}")
    if manifest.autoload != expected["autoload"]:
        out.append(f"autoload: {where} {manifest.autoload}; {them} {expected['autoload']}")
    if manifest.core != expected["core"]:
        out.append(f"core: {where} {manifest.core!r}; {them} {expected['core']!r}")
    for key in LIST_FIELDS:
        if list(manifest.lists.get(key, ())) != expected[key]:
            out.append(f"{key}: {where} {list(manifest.lists.get(key, ()))}; {them} {expected[key]}")
    if sorted(manifest.hooks) != expected["hooks"]:
        out.append(f"hooks: {where} {sorted(manifest.hooks)}; {them} {expected['hooks']} (implemented, @hookimpl)")
    if sorted(manifest.hookspecs) != expected["hookspecs"]:
        out.append(f"hookspecs: {where} {sorted(manifest.hookspecs)}; {them} {expected['hookspecs']}")
    if dict(sorted(manifest.commands.items())) != expected["commands"]:
        out.append(f"commands: {where} {dict(sorted(manifest.commands.items()))}; {them} {expected['commands']}")
    mine = {key: _setting_table(s) for key, s in manifest.settings.items()}
    if not help_text:
        for table in (*mine.values(), *expected["settings"].values()):
            table.pop("help", None)
    for key in sorted(set(mine) | set(expected["settings"])):
        if mine.get(key) != expected["settings"].get(key):
            out.append(f"settings.{key}: {where} {mine.get(key)}; {them} {expected['settings'].get(key)}")
    return out


# -- the author's check ----------------------------------------------------------


def _distribution_of(name: str, path: Sequence[str] | None) -> metadata.Distribution | None:
    for dist in metadata.distributions(path=list(sys.path if path is None else path)):
        if any(ep.group == "corolla.plugins" and ep.name == name for ep in dist.entry_points):
            return dist
    return None


def undeclared_dependencies(
    requires: Iterable[str], requires_dist: Iterable[str], path: Sequence[str] | None = None
) -> list[str]:
    """Plugins ``requires`` names whose installed distribution ``requires_dist`` does not depend on.

    pip installs what ``Requires-Dist`` names, not what a plugin class
    requires: a plugin requiring ``routing`` whose distribution does not
    depend on ``corolla-routing`` installs fine and fails to resolve.
    Only installed providers are checked (a capability nobody installed has
    no distribution to name). Returns one line per gap, with the fix.
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    depends = set()
    for line in requires_dist:
        try:
            depends.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    out = []
    for text in requires:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        provider = _distribution_of(req.name, path)
        if provider is None:
            continue
        dist_name = provider.metadata["Name"] or "?"
        if canonicalize_name(dist_name) not in depends:
            out.append(
                f"requires {text!r}, which {dist_name} provides, but the distribution does not depend on it; "
                f'add "{dist_name}" (with a version range) to [project] dependencies'
            )
    return out


def check_installed(name: str, path: Sequence[str] | None = None) -> list[str]:
    """Everything wrong between plugin ``name``'s installed manifest, its class and its distribution.

    Imports the plugin (this is the author's check, not the manager's).
    Returns one line per problem, each naming the manifest and the class.
    """
    from ._planning.discovery import GROUP

    dist = _distribution_of(name, path)
    if dist is None:
        return [f"no installed distribution has a {GROUP!r} entry point named {name!r}"]
    ep = next(ep for ep in dist.entry_points if ep.group == GROUP and ep.name == name)
    cls = ep.load()
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        return [f"entry point {ep.value!r} is {cls!r}, not a subclass of corolla.Plugin"]
    try:
        manifest = installed_manifests(dist, path).get(name)
    except ManifestError as exc:
        return [str(exc)]
    if manifest is None:
        package = ep.value.split(":")[0].split(".")[0]
        return [
            f"{dist.metadata['Name']} ships no {FILENAME} for plugin {name!r}; save this as "
            f"{package}/{FILENAME} (package data):\n{manifest_text(cls, name, ep.value)}"
        ]
    out = differences(manifest, cls, ep.value)
    if out:
        implied = manifest_text(cls, name, ep.value)
        out.append(f"the manifest {cls.__module__}.{cls.__qualname__} implies:\n{implied}")
    out += undeclared_dependencies(
        manifest.lists.get("requires", ()), dist.metadata.get_all("Requires-Dist") or (), path
    )
    return out

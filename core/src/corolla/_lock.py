"""``corolla.lock``: the plugin set production starts from.

``corolla plugins lock`` writes, for each plugin the app loads, its name,
distribution, version, entry point, a hash of the distribution's installed
files as its ``RECORD`` lists them, and the wheel's hash when the installer
recorded one (``direct_url.json``). With ``[plugins] lock = "corolla.lock"``
``App()`` compares the plugins it would load with the lock before importing
any of them and refuses every difference at once (added, removed, another
version or distribution, files changed since installation), each with its
fix; ``corolla plugins verify`` runs the same comparison in CI.

The layout follows PEP 751 (``pylock.toml``): ``lock-version``,
``created-by`` and one ``[[packages]]`` table per distribution with ``name``,
``version`` and ``wheels`` hashes where known; what only Corolla needs (the
plugin name, entry point, files hash) is in ``[packages.tool.corolla]``, the
place PEP 751 gives tools. It is not an installer's lock: it pins what was
tested; installing that set stays pip's (or uv's) job.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata as metadata
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from ._errors import Action, Problem
from ._manifest import _toml_value

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, no-redef, unused-ignore]

LOCK_VERSION = "1.0"
KIND = "lock"


@dataclass(frozen=True)
class Locked:
    """One plugin as locked (or as installed, to compare with the lock)."""

    name: str
    distribution: str
    version: str
    entry_point: str
    files: str  # "sha256:<hex>" over RECORD's (path, hash) pairs
    wheel: str = ""  # "sha256:<hex>" of the wheel installed, when the installer recorded it

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "entry_point": self.entry_point,
            "files": self.files,
            "wheel": self.wheel,
        }


class LockError(ValueError):
    """A lock file that cannot be read; the message names it and says how to make a new one."""


def _find(distribution: str, path: Sequence[str] | None) -> metadata.Distribution | None:
    key = canonicalize_name(distribution)
    for dist in metadata.distributions(path=list(sys.path if path is None else path)):
        if canonicalize_name(dist.metadata["Name"] or "") == key:
            return dist  # the first on the path, as imports would find it
    return None


def _record_rows(dist: metadata.Distribution) -> list[tuple[str, str]]:
    text = dist.read_text("RECORD") or ""
    rows = []
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[1]:  # RECORD itself and .pyc files carry no hash
            rows.append((row[0], row[1]))
    return sorted(rows)


def files_hash(dist: metadata.Distribution) -> str:
    """A hash over the installed files' paths and hashes as RECORD lists them (changes with any rebuild)."""
    digest = hashlib.sha256()
    for path, file_hash in _record_rows(dist):
        digest.update(f"{path},{file_hash}\n".encode())
    return f"sha256:{digest.hexdigest()}"


def changed_files(dist: metadata.Distribution) -> list[str]:
    """Files whose content no longer matches the hash RECORD recorded at installation (or that are gone)."""
    out = []
    for path, file_hash in _record_rows(dist):
        algorithm, _, expected = file_hash.partition("=")
        located = Path(str(dist.locate_file(path)))
        try:
            data = located.read_bytes()
        except OSError:
            out.append(f"{path} (missing)")
            continue
        try:
            actual = hashlib.new(algorithm, data).digest()
        except ValueError:
            continue  # an algorithm this Python lacks: nothing to say about it
        if base64.urlsafe_b64encode(actual).rstrip(b"=").decode() != expected:
            out.append(path)
    return out


def wheel_hash(dist: metadata.Distribution) -> str:
    """``sha256:<hex>`` of the archive it was installed from, when ``direct_url.json`` recorded it."""
    try:
        info = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return ""
    hashes = (info.get("archive_info") or {}).get("hashes") or {}
    if "sha256" in hashes:
        return f"sha256:{hashes['sha256']}"
    legacy = str((info.get("archive_info") or {}).get("hash") or "")
    return legacy.replace("sha256=", "sha256:") if legacy.startswith("sha256=") else ""


def installed(plugins: Iterable[tuple[str, str, str, str]], path: Sequence[str] | None = None) -> dict[str, Locked]:
    """(name, distribution, version, entry point) of installed plugins -> ``Locked`` records, by name."""
    out = {}
    for name, distribution, version, entry_point in plugins:
        dist = _find(distribution, path)
        out[name] = Locked(
            name,
            distribution,
            version,
            entry_point,
            files_hash(dist) if dist else "",
            wheel_hash(dist) if dist else "",
        )
    return out


def dumps(locked: Mapping[str, Locked], core_version: str) -> str:
    """The lock file's text."""
    lines = [
        "# The plugin set production starts from: written by `corolla plugins lock`, checked by App() when",
        "# [plugins] lock names this file, and by `corolla plugins verify`. Layout: PEP 751 (pylock.toml).",
        f"lock-version = {_toml_value(LOCK_VERSION)}",
        f"created-by = {_toml_value('corolla')}",
        "",
        "[tool.corolla]",
        f"core = {_toml_value(core_version)}",
    ]
    for item in sorted(locked.values(), key=lambda r: r.name):
        lines += [
            "",
            "[[packages]]",
            f"name = {_toml_value(item.distribution)}",
            f"version = {_toml_value(item.version)}",
        ]
        if item.wheel:
            algorithm, _, value = item.wheel.partition(":")
            lines.append(f"wheels = [{{ hashes = {{ {algorithm} = {_toml_value(value)} }} }}]")
        lines += [
            "[packages.tool.corolla]",
            f"plugin = {_toml_value(item.name)}",
            f"entry-point = {_toml_value(item.entry_point)}",
            f"files = {_toml_value(item.files)}",
        ]
    return "\n".join(lines) + "\n"


def load(path: Path) -> tuple[str, dict[str, Locked]]:
    """(core version, plugin name -> ``Locked``) from a lock file; raises ``LockError``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LockError(f"cannot read the lock file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"the lock file {path} is not valid TOML ({exc})") from None
    if data.get("lock-version") != LOCK_VERSION:
        raise LockError(f"the lock file {path} has lock-version {data.get('lock-version')!r}, not {LOCK_VERSION!r}")
    out = {}
    try:
        for package in data.get("packages", []):
            tool = package["tool"]["corolla"]
            wheels = package.get("wheels") or [{}]
            hashes = wheels[0].get("hashes") or {}
            wheel = next((f"{k}:{v}" for k, v in hashes.items()), "")
            item = Locked(
                tool["plugin"], package["name"], package["version"], tool["entry-point"], tool["files"], wheel
            )
            out[item.name] = item
        core = str(data["tool"]["corolla"]["core"])
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise LockError(f"the lock file {path} lacks {exc}; write it again with corolla plugins lock") from None
    return core, out


def _pin(item: Locked) -> str:
    return f'pip install "{item.distribution}=={item.version}"'


def differences(
    lock_path: Path,
    locked: Mapping[str, Locked],
    found: Mapping[str, Locked],
    changed: Mapping[str, Sequence[str]] | None = None,
    *,
    core_locked: str = "",
    core_version: str = "",
) -> list[Problem]:
    """Every difference between the lock and the plugins found, each a ``Problem`` (kind "lock") with its fix.

    ``changed`` maps a plugin name to its files that no longer match RECORD.
    """
    # Each fix: a prose line, then each command alone (pasteable); relocking is always the last way out.
    relock = "corolla plugins lock"
    relock_note = f"(relock only if the new set is the one you tested: it rewrites {lock_path.name})"

    def fix(*commands: str, distribution: str = "") -> tuple[str, tuple[Action, ...]]:
        text = "\n".join(["restore the locked set, or relock:", *commands, relock, relock_note])
        actions = tuple(Action(command=c, distribution=distribution) for c in commands)
        return text, (*actions, Action(command=relock))

    out = []
    if core_locked and core_version and core_locked != core_version:
        out.append(
            Problem(
                "corolla",
                KIND,
                f"{lock_path.name} was made with corolla {core_locked}, but corolla {core_version} is installed",
                *fix(f'pip install "corolla=={core_locked}"', distribution="corolla"),
            )
        )
    for name in sorted(set(locked) | set(found)):
        want, have = locked.get(name), found.get(name)
        if have is None and want is not None:
            out.append(
                Problem(
                    name,
                    KIND,
                    f"plugin {name!r} ({want.distribution} {want.version}) is in {lock_path.name} but not installed",
                    *fix(_pin(want), distribution=want.distribution),
                )
            )
        elif want is None and have is not None:
            out.append(
                Problem(
                    name,
                    KIND,
                    f"plugin {name!r} ({have.distribution} {have.version}) is installed but not in {lock_path.name}",
                    *fix(
                        f"pip uninstall {have.distribution}",
                        f"export COROLLA_DISABLE_PLUGINS={name}",
                        distribution=have.distribution,
                    ),
                )
            )
        elif want is not None and have is not None:
            what = []
            if canonicalize_name(want.distribution) != canonicalize_name(have.distribution):
                what.append(f"comes from {have.distribution}, locked from {want.distribution}")
            elif want.version != have.version:
                what.append(f"is at version {have.version}, locked at {want.version}")
            elif want.entry_point != have.entry_point:
                what.append(f"loads {have.entry_point}, locked to load {want.entry_point}")
            elif want.files != have.files or (want.wheel and have.wheel and want.wheel != have.wheel):
                what.append("was installed from another build than the one locked (its RECORD differs)")
            files = list((changed or {}).get(name, ()))
            if files:
                shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
                what.append(f"has files changed since installation: {shown}")
            if what:
                reinstall = f'pip install --force-reinstall "{want.distribution}=={want.version}"'
                out.append(
                    Problem(
                        name,
                        KIND,
                        f"plugin {name!r} ({have.distribution} {have.version}) " + "; ".join(what),
                        *fix(reinstall, distribution=want.distribution),
                    )
                )
    return out


def verify(
    lock_path: Path,
    plugins: Iterable[tuple[str, str, str, str]],
    core_version: str,
    path: Sequence[str] | None = None,
) -> list[Problem]:
    """Compare the lock at ``lock_path`` with the (name, distribution, version, entry point) plugins found.

    Reads RECORD and hashes the files of the plugins in both; imports nothing.
    """
    try:
        core_locked, locked = load(lock_path)
    except LockError as exc:
        return [Problem("plugins", KIND, str(exc), "corolla plugins lock")]
    found = installed(plugins, path)
    changed: dict[str, list[str]] = {}
    for name, item in found.items():
        if name in locked:
            dist = _find(item.distribution, path)
            if dist is not None:
                changed[name] = changed_files(dist)
    return differences(lock_path, locked, found, changed, core_locked=core_locked, core_version=core_version)


def as_data(locked: Mapping[str, Locked]) -> list[dict[str, Any]]:
    return [locked[name].as_dict() for name in sorted(locked)]


@dataclass(frozen=True)
class LockCheck:
    """What ``[plugins] lock`` decided: the records to plan with, and every difference from the lock."""

    records: tuple[Any, ...]
    problems: tuple[Problem, ...]
    ignored: tuple[Problem, ...]


def apply_lock(
    lock_path: Path,
    records: Sequence[Any],
    selects: Callable[[Any], bool],
    core_version: str,
    path: Sequence[str] | None = None,
) -> LockCheck:
    """Check discovered ``records`` (``PluginRecord``) that ``selects(record)`` against the lock.

    The lock pins each plugin to a distribution: another distribution
    registering the same name is dropped here, before anything is imported
    (``ignored`` says so). Imports nothing.
    """
    try:
        _, locked = load(lock_path)
    except LockError:
        locked = {}
    kept, ignored = [], []
    for record in records:
        want = locked.get(record.name)
        twins = [r for r in records if r.name == record.name]
        if want is not None and len(twins) > 1:
            if canonicalize_name(record.distribution) != canonicalize_name(want.distribution):
                ignored.append(
                    Problem(
                        record.name,
                        KIND,
                        f"ignored plugin {record.label()}: "
                        f"{lock_path.name} pins {record.name!r} to {want.distribution}",
                        f"pip uninstall {record.distribution}",
                    )
                )
                continue
        kept.append(record)
    # The lock pins the environment; the selection chooses among it. A locked plugin the app
    # does not load is still compared (a changed or missing one is drift); an installed one
    # neither locked nor selected is none of the lock's business.
    selected = [(r.name, r.distribution, r.version, r.entry_point) for r in kept if selects(r) or r.name in locked]
    return LockCheck(tuple(kept), tuple(verify(lock_path, selected, core_version, path)), tuple(ignored))

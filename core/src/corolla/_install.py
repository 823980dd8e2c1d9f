"""Installing, upgrading and removing plugins as one transaction that resolves before it changes anything.

``Environment`` is the Python environment to change (this one by default,
or another through its interpreter). A change goes in this order:

1. **Pre-flight.** pip is asked what it would do (``pip install --dry-run
   --report``); the manifests of the distributions it would bring are read
   from their wheels (zip files: nothing runs), and Corolla's resolver runs
   on the *would-be* set: the installed plugins, minus those replaced or
   removed, plus the new ones. Plugin-to-plugin requirements of the
   installed plugins go to pip as constraints (``sessions>=0.2`` of an
   installed plugin becomes ``corolla-sessions>=0.2``), so pip picks
   versions that fit; when that holds a plugin back from its newest
   release, the plan says which plugin does.
2. **Refusal**, when the would-be set does not resolve: nothing changed,
   every problem is reported with its fix.
3. **Backup** of every distribution about to change: the files its RECORD
   lists, copied aside.
4. **The change**, with the same arguments and constraints.
5. **Verification** in a fresh interpreter of the environment: the new set
   is discovered, imported and resolved. When it does not resolve (a plugin
   that fails to import, say), the new distributions are uninstalled, the
   backups put back, and the report says so.

pip is used for both steps (``uv pip`` has no ``--report`` for a dry run).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ._errors import Problem
from ._manifest import ManifestError, installed_manifests, read_wheel
from ._planning.decisions import Resolution, provided_capabilities
from ._planning.declaration import CORE_DISTRIBUTION
from ._planning.discovery import PluginRecord, _core_requirement, discover
from ._planning.resolve import resolve
from ._planning.selection import Selection

Progress = Callable[[str], None]


class InstallError(Exception):
    """The installer itself failed (pip exited non-zero); ``output`` is what it printed."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


@dataclass(frozen=True)
class Change:
    """One distribution the transaction changes."""

    distribution: str
    before: str | None  # installed version, None when new
    after: str | None  # version afterwards, None when removed
    wheel: str = ""  # where its wheel is (a local path), for reading its manifests
    held_back: str = ""  # why not the newest version: the plugin whose requirement holds it back

    @property
    def action(self) -> str:
        if self.before is None:
            return "install"
        if self.after is None:
            return "remove"
        try:
            newer = Version(self.after) > Version(self.before)
        except InvalidVersion:
            newer = True
        return "upgrade" if newer else ("reinstall" if self.after == self.before else "downgrade")

    def as_dict(self) -> dict[str, Any]:
        return {
            "distribution": self.distribution,
            "action": self.action,
            "before": self.before,
            "after": self.after,
            "held_back": self.held_back,
        }


@dataclass
class Plan:
    """What a transaction would do, and whether Corolla's resolver accepts the result."""

    changes: list[Change] = field(default_factory=list)
    resolution: Resolution | None = None
    problems: list[Problem] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    pip_args: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "changes": [c.as_dict() for c in self.changes],
            "constraints": list(self.constraints),
            "order": list(self.resolution.order) if self.resolution else [],
            "errors": [p.as_dict() for p in self.problems],
        }


class Environment:
    """A Python environment: its interpreter, its plugin search path, and pip run against it."""

    def __init__(self, python: str | None = None) -> None:
        self.python = python or sys.executable
        # Not resolve(): every venv's python is a symlink to the same base interpreter.
        self.own = python is None or Path(python).absolute() == Path(sys.executable).absolute()
        self._path: list[str] | None = None

    @property
    def path(self) -> list[str] | None:
        """Where its plugins are (None: this interpreter's ``sys.path``)."""
        if self.own:
            return None
        if self._path is None:
            out = self.run([self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
            self._path = [out.strip()]
        return self._path

    def run(self, args: Sequence[str], what: str = "") -> str:
        result = subprocess.run(list(args), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise InstallError(f"{what or args[0]} failed (exit {result.returncode})", result.stderr + result.stdout)
        return result.stdout

    def pip(self, *args: str) -> list[str]:
        base = [sys.executable, "-m", "pip"]
        return [*base, *(() if self.own else ("--python", self.python)), *args]

    def records(self) -> list[PluginRecord]:
        """The installed plugins with the declarations their manifests make (nothing imported)."""
        return with_manifests(discover(self.path), self.path)


def with_manifests(records: Iterable[PluginRecord], path: Sequence[str] | None) -> list[PluginRecord]:
    """``records`` with each declaration read from its distribution's manifest, where it ships one."""
    import importlib.metadata as metadata

    dists: dict[str, metadata.Distribution] = {}
    for dist in metadata.distributions(path=list(sys.path if path is None else path)):
        dists.setdefault(canonicalize_name(dist.metadata["Name"] or ""), dist)
    out = []
    for record in records:
        found = dists.get(canonicalize_name(record.distribution))
        try:
            manifest = installed_manifests(found, path).get(record.name) if found else None
            if manifest is not None:
                record = replace(record, declaration=manifest.declaration())
        except ManifestError as exc:
            record = replace(record, error=str(exc), error_kind="invalid-declaration")
        out.append(record)
    return out


def _wheel_path(item: Mapping[str, Any]) -> str:
    url = str((item.get("download_info") or {}).get("url") or "")
    parsed = urlparse(url)
    # Imported here: urllib.request pulls in http.client, ssl and email (~7 ms) for
    # every command line start; only reading pip's install report needs it.
    from urllib.request import url2pathname

    return url2pathname(unquote(parsed.path)) if parsed.scheme == "file" else ""


def wheel_records(wheel: str, version_hint: str = "") -> list[PluginRecord]:
    """The plugins a wheel would install, with their manifests' declarations (nothing imported)."""
    found = read_wheel(wheel)
    out = []
    for name, entry_point in sorted(found.entry_points.items()):
        record = PluginRecord(
            name=name,
            distribution=found.distribution,
            version=found.version or version_hint,
            entry_point=entry_point,
            dist_core=_core_requirement(found.requires_dist),
            requires_dist=tuple(found.requires_dist),
        )
        manifest = found.manifests.get(name)
        if manifest is None:
            record = replace(
                record,
                error=f"ships no corolla-plugin.toml, so what it requires is known only once it is installed "
                f"(from {Path(wheel).name})",
                error_kind="no-manifest",
            )
        else:
            try:
                record = replace(record, declaration=manifest.declaration())
            except ManifestError as exc:
                record = replace(record, error=str(exc), error_kind="invalid-declaration")
        out.append(record)
    return out


def plugin_constraints(records: Iterable[PluginRecord]) -> list[str]:
    """pip constraints from plugin-to-plugin requirements: ``sessions>=0.2`` -> ``corolla-sessions>=0.2``.

    Only a requirement on a plugin's own name (whose version is its
    distribution's) translates; a capability provided under another name
    has no distribution to constrain.
    """
    records = list(records)
    dist_of = {canonicalize_name(r.name): r.distribution for r in records}
    out = []
    for record in records:
        for req in record.declaration.requires if record.declaration else ():
            dist = dist_of.get(canonicalize_name(req.name))
            if (
                dist is not None
                and str(req.specifier)
                and canonicalize_name(dist) != canonicalize_name(record.distribution)
            ):
                out.append(f"{dist}{req.specifier}")
    return sorted(set(out))


def would_be(
    installed: Sequence[PluginRecord], changes: Sequence[Change], new: Sequence[PluginRecord]
) -> list[PluginRecord]:
    """The installed records minus the changed distributions, plus the new ones."""
    changed = {canonicalize_name(c.distribution) for c in changes}
    kept = [r for r in installed if canonicalize_name(r.distribution) not in changed]
    return sorted([*kept, *new], key=lambda r: (r.name, r.distribution))


def _resolve(records: Sequence[PluginRecord], selection: Selection, core_version: str) -> Resolution:
    # A plugin without a manifest cannot be judged before it is installed: the
    # pre-flight resolves the rest and the verification after the change judges it.
    judged = [r for r in records if r.error_kind != "no-manifest"]
    return resolve(judged, selection, core_version)


class Transaction:
    """``install``, ``upgrade`` and ``remove`` on one environment, each planned (and refused) before it acts."""

    def __init__(self, env: Environment, selection: Selection, progress: Progress | None = None) -> None:
        self.env = env
        self.selection = selection
        self.progress = progress or (lambda _: None)
        self.installed = env.records()

    # -- pre-flight ------------------------------------------------------------

    def core_version(self, changes: Sequence[Change]) -> str:
        for change in changes:
            if canonicalize_name(change.distribution) == CORE_DISTRIBUTION and change.after:
                return change.after
        import importlib.metadata as metadata

        for dist in metadata.distributions(name=CORE_DISTRIBUTION, path=self.env.path or sys.path):
            return str(dist.version)
        from ._version import __version__

        return __version__

    def dry_run(
        self, specs: Sequence[str], pip_args: Sequence[str], constraints: Sequence[str]
    ) -> list[dict[str, Any]]:
        """pip's report of what it would install (items of ``install``)."""
        with tempfile.TemporaryDirectory(prefix="corolla-install-") as tmp:
            report = Path(tmp) / "report.json"
            args = ["install", "--dry-run", "--quiet", "--report", str(report), *pip_args]
            if constraints:
                (Path(tmp) / "constraints.txt").write_text("\n".join(constraints) + "\n")
                args += ["--constraint", str(Path(tmp) / "constraints.txt")]
            self.env.run(self.env.pip(*args, *specs), "pip install --dry-run")
            data: dict[str, Any] = json.loads(report.read_text())
        return list(data.get("install") or [])

    def _changes(self, items: Sequence[Mapping[str, Any]]) -> tuple[list[Change], list[PluginRecord]]:
        versions = {canonicalize_name(r.distribution): r.version for r in self.installed}
        changes, new = [], []
        for item in items:
            meta = item.get("metadata") or {}
            name, version = str(meta.get("name", "?")), str(meta.get("version", ""))
            before = versions.get(canonicalize_name(name))
            if before is None:
                before = self._installed_version(name)
            wheel = _wheel_path(item)
            changes.append(Change(name, before, version, wheel))
            if wheel.endswith(".whl"):
                new.extend(wheel_records(wheel, version))
        return changes, new

    def _installed_version(self, distribution: str) -> str | None:
        import importlib.metadata as metadata

        for dist in metadata.distributions(name=distribution, path=self.env.path or sys.path):
            return str(dist.version)
        return None

    def plan_install(self, specs: Sequence[str], pip_args: Sequence[str] = (), upgrade: bool = False) -> Plan:
        """What installing ``specs`` would do, resolved; nothing changes."""
        args = [*pip_args, *(["--upgrade"] if upgrade else [])]
        constraints = plugin_constraints(self.installed)
        self.progress("asking pip what it would install (dry run)")
        items = self.dry_run(specs, args, constraints)
        changes, new = self._changes(items)
        # The new plugins' own requirements constrain the rest too: ask again when they add any.
        more = plugin_constraints(would_be(self.installed, changes, new))
        if set(more) - set(constraints):
            constraints = sorted(set(constraints) | set(more))
            self.progress("asking pip again with the new plugins' requirements as constraints")
            items = self.dry_run(specs, args, constraints)
            changes, new = self._changes(items)
        if upgrade and constraints:
            changes = self._explain_held_back(specs, args, changes, constraints)
        self.progress("resolving the plugin set the change would leave")
        records = would_be(self.installed, changes, new)
        resolution = _resolve(records, self.selection, self.core_version(changes))
        return Plan(changes, resolution, list(resolution.problems), constraints, [*args, *specs])

    def _explain_held_back(
        self, specs: Sequence[str], args: Sequence[str], changes: list[Change], constraints: Sequence[str]
    ) -> list[Change]:
        """Say which plugin holds a distribution back from the version pip would pick without constraints."""
        try:
            free = {
                canonicalize_name(str(i["metadata"]["name"])): str(i["metadata"]["version"])
                for i in self.dry_run(specs, args, ())
            }
        except InstallError:
            return changes
        out = []
        for change in changes:
            newest = free.get(canonicalize_name(change.distribution))
            if newest and change.after and newest != change.after:
                own = {
                    canonicalize_name(r.name)
                    for r in self.installed
                    if canonicalize_name(r.distribution) == canonicalize_name(change.distribution)
                }
                holders = [
                    f"{r.label()} requires {req}"
                    for r in self.installed
                    for req in (r.declaration.requires if r.declaration else ())
                    if canonicalize_name(req.name) in own and not req.specifier.contains(newest, prereleases=True)
                ]
                reason = f"{change.distribution} {newest} would break " + (
                    "; ".join(holders) if holders else "the installed plugins"
                )
                change = replace(change, held_back=f"{reason}; installing {change.after}, the newest that fits")
            out.append(change)
        return out

    def plan_remove(self, names: Sequence[str], cascade: bool = False) -> Plan:
        """What removing plugins ``names`` (and, with ``cascade``, what requires them) would do."""
        by_name = {r.name: r for r in self.installed}
        problems: list[Problem] = []
        removing = set()
        for name in names:
            if name not in by_name:
                problems.append(
                    Problem(name, "unknown-plugin", f"no installed plugin is named {name!r}", "corolla plugins list")
                )
            else:
                removing.add(name)
        # Everything that requires what goes, transitively.
        while True:
            gone: set[str] = {canonicalize_name(n) for n in removing}
            for n in removing:
                gone |= set(provided_capabilities(by_name[n]))
            dependants = {
                r.name
                for r in self.installed
                if r.name not in removing
                and self.selection.selects(r.name)
                and any(canonicalize_name(q.name) in gone for q in (r.declaration.requires if r.declaration else ()))
                and not self._provided_elsewhere(r, gone, removing)
            }
            if not dependants or not cascade:
                break
            removing |= dependants
        if dependants and not cascade:
            for dependant in sorted(dependants):
                record = by_name[dependant]
                needs = [str(q) for q in record.declaration.requires if canonicalize_name(q.name) in gone]  # type: ignore[union-attr]
                problems.append(
                    Problem(
                        dependant,
                        "required",
                        f"plugin {record.label()} requires {', '.join(needs)}, which the removal takes away",
                        f"corolla plugins remove {' '.join(names)} --cascade (also removes {dependant})",
                    )
                )
        changes = []
        for dist in sorted({by_name[n].distribution for n in removing}):
            version = next(r.version for r in self.installed if r.distribution == dist)
            changes.append(Change(dist, version, None))
        records = would_be(self.installed, changes, [])
        resolution = _resolve(records, self.selection, self.core_version(changes))
        if not problems:
            problems = list(resolution.problems)
        return Plan(changes, resolution, problems)

    def _provided_elsewhere(self, record: PluginRecord, gone: set[str], removing: set[str]) -> bool:
        """Whether every requirement ``record`` has on ``gone`` is also met by a plugin that stays."""
        staying: set[str] = set()
        for other in self.installed:
            if other.name in removing or other.name == record.name:
                continue
            staying |= set(provided_capabilities(other))
        needs = {canonicalize_name(q.name) for q in (record.declaration.requires if record.declaration else ())}
        return not (needs & gone) - staying

    # -- the change itself -----------------------------------------------------

    def apply(self, plan: Plan, remove: bool = False) -> list[str]:
        """Make the planned change; verify; restore everything on failure. Returns the verification's problems."""
        with tempfile.TemporaryDirectory(prefix="corolla-backup-") as tmp:
            backups = self.backup([c for c in plan.changes if c.before is not None], Path(tmp))
            try:
                if remove:
                    self.progress("uninstalling " + ", ".join(c.distribution for c in plan.changes))
                    self.env.run(
                        self.env.pip("uninstall", "--yes", *[c.distribution for c in plan.changes]), "pip uninstall"
                    )
                else:
                    self.progress("installing " + ", ".join(f"{c.distribution} {c.after}" for c in plan.changes))
                    constraints = Path(tmp) / "constraints.txt"
                    constraints.write_text("\n".join(plan.constraints) + "\n")
                    extra = ["--constraint", str(constraints)] if plan.constraints else []
                    self.env.run(self.env.pip("install", "--quiet", *extra, *plan.pip_args), "pip install")
                self.progress("checking the installed set in a fresh interpreter")
                problems = self.verify()
            except InstallError as exc:
                problems = [f"{exc}: {exc.output.strip()}"]
            if problems:
                self.progress("restoring the previous versions")
                self.restore(plan, backups)
            return problems

    def backup(self, changes: Sequence[Change], folder: Path) -> list[tuple[Path, Path, list[str]]]:
        """Copy aside every file the RECORD of each changed distribution lists: (site folder, copy, files)."""
        import importlib.metadata as metadata

        kept = []
        for change in changes:
            for dist in metadata.distributions(name=change.distribution, path=self.env.path or sys.path):
                root = Path(str(dist.locate_file("")))
                files = [row[0] for row in csv.reader(io.StringIO(dist.read_text("RECORD") or "")) if row]
                saved = folder / canonicalize_name(change.distribution)
                for name in files:
                    if (root / name).is_file():
                        (saved / name).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(root / name, saved / name)
                kept.append((root, saved, files))
                break  # the first on the path is the one imports see
        return kept

    def restore(self, plan: Plan, backups: Sequence[tuple[Path, Path, list[str]]]) -> None:
        """Uninstall what the change brought, then put the backed-up files back."""
        new = [c.distribution for c in plan.changes if c.after is not None]
        if new:
            try:
                self.env.run(self.env.pip("uninstall", "--yes", *new), "pip uninstall")
            except InstallError:
                pass  # a half-installed distribution may not uninstall; its files are overwritten below
        for root, saved, files in backups:
            for name in files:
                if (saved / name).is_file():
                    (root / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(saved / name, root / name)

    def verify(self) -> list[str]:
        """Discover, import and resolve the environment's plugins in a fresh interpreter; the problems found."""
        script = (
            "import json, sys\n"
            "from corolla._install import check_environment\n"
            "print(json.dumps(check_environment(json.loads(sys.argv[1]), json.loads(sys.argv[2]))))\n"
        )
        selection = {"enabled": self.selection.enabled, "disabled": list(self.selection.disabled)}
        out = self.env.run(
            [self.env.python, "-c", script, json.dumps(self.env.path), json.dumps(selection)], "the check"
        )
        problems: list[str] = json.loads(out.strip().splitlines()[-1])
        return problems


def check_environment(path: list[str] | None, selection: Mapping[str, Any]) -> list[str]:
    """Run in the changed environment's own interpreter: every problem of its plugin set, as text."""
    from ._planning.discovery import load_declaration

    sel = Selection(
        enabled=tuple(selection["enabled"]) if selection.get("enabled") is not None else None,
        disabled={n: "the selection" for n in selection.get("disabled") or ()},
    )
    records = [load_declaration(r) if sel.selects(r.name) else r for r in discover(path)]
    resolution = resolve(records, sel)
    return [f"{p.message} (fix: {p.fix})" for p in resolution.problems]


def requirement_name(spec: str) -> str:
    try:
        return Requirement(spec).name
    except InvalidRequirement:
        return spec

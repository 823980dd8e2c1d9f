"""Discovery: one scan of the ``corolla.plugins`` entry points.

What resolution needs (name, version, distribution, the core range from
``Requires-Dist``) comes from distribution metadata, so a plugin whose code
fails to import is still listed, named and refused rather than hiding the
rest. ``load_declaration`` imports the plugin class and reads its declaration;
any failure there is recorded on the record, never raised.
"""

from __future__ import annotations

import email.message
import email.parser
import importlib
import importlib.metadata as metadata
import os
import sys
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .._manifest import Manifest, ManifestError, differences, installed_manifests
from .._manifest import parse as parse_manifest
from .._plugin import Plugin
from .declaration import CORE_DISTRIBUTION, Declaration, parse_declaration

GROUP = "corolla.plugins"


@dataclass(frozen=True)
class PluginRecord:
    """One discovered plugin: what metadata says, its declaration, and once imported its class.

    ``declaration`` comes from the distribution's manifest when it ships one
    (``manifest`` is then the manifest's path; nothing was imported), else
    from the class once ``load_declaration`` imported it. ``error`` is set
    when the manifest is invalid, the entry point could not be imported, its
    declaration is invalid or the class disagrees with the manifest;
    ``error_kind`` is then ``"invalid-manifest"``, ``"import"``,
    ``"invalid-declaration"`` or ``"manifest-mismatch"``.
    """

    name: str
    distribution: str
    version: str
    entry_point: str
    dist_core: SpecifierSet | None = None
    location: str = ""
    declaration: Declaration | None = None
    plugin_class: type[Plugin] | None = None
    error: str | None = None
    error_kind: str | None = None
    manifest: str = ""
    #: The distribution's own Requires-Dist lines: which distribution provides a required plugin.
    requires_dist: tuple[str, ...] = ()

    @property
    def loaded(self) -> bool:
        """Whether its declaration is known (from a manifest or the class), or why it cannot be."""
        return self.declaration is not None or self.error is not None

    @property
    def imported(self) -> bool:
        """Whether its class was imported (or the import was tried and failed)."""
        return self.plugin_class is not None or self.error is not None

    @property
    def parsed_version(self) -> Version | None:
        try:
            return Version(self.version)
        except InvalidVersion:
            return None

    def label(self) -> str:
        """``'name' (distribution version)``, the way every message names a plugin."""
        return f"{self.name!r} ({self.distribution} {self.version})"


def _core_requirement(requires: Iterable[str] | None) -> SpecifierSet | None:
    for line in requires or ():
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(req.name) != CORE_DISTRIBUTION:
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        return req.specifier
    return None


def discover(path: Sequence[str] | None = None) -> list[PluginRecord]:
    """Every plugin entry point in the distributions on ``path`` (default ``sys.path``).

    Imports nothing. A distribution shipping a manifest gives its plugins'
    declarations here; the others' are read by ``load_declaration``. A
    distribution seen twice on the path counts once (the first wins, as for
    imports); two distributions declaring the same plugin name both appear,
    and resolution reports the duplicate.
    """
    records: list[PluginRecord] = []
    seen: set[str] = set()
    search = list(sys.path if path is None else path)
    for dist in metadata.distributions(path=search):
        eps = [ep for ep in dist.entry_points if ep.group == GROUP]
        if not eps:
            continue
        # Read METADATA once: .version and .requires would parse it again each.
        meta = _headers(dist)
        dist_name = meta["Name"] or "?"
        key = canonicalize_name(dist_name)
        if key in seen:
            continue
        seen.add(key)
        requires_dist = tuple(meta.get_all("Requires-Dist") or ())
        core = _core_requirement(requires_dist)
        try:
            manifests, manifest_error = installed_manifests(dist, path, eps), ""
        except ManifestError as exc:
            manifests, manifest_error = {}, str(exc)
        for ep in eps:
            record = PluginRecord(
                name=ep.name,
                distribution=dist_name,
                version=meta["Version"] or "0",
                entry_point=ep.value,
                dist_core=core,
                requires_dist=requires_dist,
            )
            records.append(_declared(record, manifests.get(ep.name), manifest_error))
    records.sort(key=lambda r: (r.name, r.distribution))
    return records


def _headers(dist: metadata.Distribution) -> email.message.Message:
    """METADATA's headers, as ``dist.metadata`` reads them, without parsing the body.

    The body is the long description (often a whole README): ``dist.metadata``
    runs the email parser over it for nothing discovery reads, a cost 200
    plugins feel (docs/cli.md, timings).
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or dist.read_text("") or ""
    return email.parser.HeaderParser().parsestr(text)


def _declared(record: PluginRecord, manifest: Manifest | None, manifest_error: str) -> PluginRecord:
    """``record`` with its manifest's declaration, or the reason the manifest cannot be used."""
    if manifest_error:
        return replace(record, error=f"has an invalid manifest: {manifest_error}", error_kind="invalid-manifest")
    if manifest is None:
        return record
    if manifest.entry_point != record.entry_point:
        return replace(
            record,
            manifest=manifest.source,
            error=f"has a manifest {manifest.source} for class {manifest.entry_point!r}, but its entry point "
            f"is {record.entry_point!r}",
            error_kind="manifest-mismatch",
        )
    try:
        return replace(record, manifest=manifest.source, declaration=manifest.declaration())
    except ManifestError as exc:
        return replace(
            record, manifest=manifest.source, error=f"has an invalid manifest: {exc}", error_kind="invalid-manifest"
        )


# Frames in these folders are never where a plugin broke: importlib's machinery,
# and corolla itself (discovery's own call, or a corolla API the plugin called
# wrongly at import time: the plugin's own line is the one to fix).
_NOT_THE_PLUGIN = tuple(
    os.path.join(os.path.dirname(os.path.abspath(path)), "")
    for path in (importlib.__file__ or "", os.path.dirname(__file__))  # the corolla package, not only _planning
)


def _where(exc: BaseException) -> str:
    """``file:line`` of the innermost frame that belongs to the plugin (or a library it uses), or ``""``."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        # "<frozen importlib._bootstrap>", "<string>" (code a dataclass generated): no file to open.
        if not (frame.filename.startswith("<") or frame.filename.startswith(_NOT_THE_PLUGIN)):
            return f"{frame.filename}:{frame.lineno}"
    return ""  # e.g. the entry point's module does not exist: there is no plugin file to point at


def load_declaration(record: PluginRecord) -> PluginRecord:
    """Import the entry point and parse its declaration; failures land on the record.

    For a plugin with a manifest, the class is checked against it: where
    they differ the record gets an error (kind ``"manifest-mismatch"``)
    naming the manifest file and the class.
    """
    if record.imported:
        return record
    ep = metadata.EntryPoint(name=record.name, value=record.entry_point, group=GROUP)
    try:
        obj = ep.load()
    except (Exception, SystemExit) as exc:  # any import failure is reported, never raised
        line = traceback.format_exception_only(type(exc), exc)[-1].strip()
        where = _where(exc)
        return replace(
            record,
            error=f"failed to import {record.entry_point!r}: {line}" + (f" (at {where})" if where else ""),
            error_kind="import",
        )
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    location = getattr(module, "__file__", "") or ""
    if not (isinstance(obj, type) and issubclass(obj, Plugin)):
        return replace(
            record,
            location=location,
            error=f"entry point {record.entry_point!r} is {obj!r}, not a subclass of corolla.Plugin",
            error_kind="invalid-declaration",
        )
    try:
        declaration = parse_declaration(obj)
    except (TypeError, ValueError, InvalidVersion) as exc:
        return replace(
            record,
            location=location,
            plugin_class=obj,
            error=f"invalid declaration in {obj.__module__}.{obj.__qualname__}: {exc}",
            error_kind="invalid-declaration",
        )
    if record.manifest:
        differ = _manifest_differences(record, obj)
        if differ:
            return replace(
                record,
                location=location,
                plugin_class=obj,
                error="disagrees with its manifest: " + "; ".join(differ),
                error_kind="manifest-mismatch",
            )
    return replace(record, location=location, plugin_class=obj, declaration=declaration)


def _manifest_differences(record: PluginRecord, cls: type[Plugin]) -> list[str]:
    # What resolution used (the manifest) must be what runs (the class); the
    # hooks and commands are compared too, as inspection shows them from the manifest.
    try:
        manifest = parse_manifest(Path(record.manifest).read_text(encoding="utf-8"), record.manifest)
    except (OSError, ManifestError) as exc:
        return [f"cannot read {record.manifest} again: {exc}"]
    return differences(manifest, cls, record.entry_point, help_text=False)

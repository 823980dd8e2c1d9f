"""Real, importable plugin distributions made on the fly, for tests.

``SyntheticPlugins(folder).add("sessions", version="0.2", ...)`` writes a
module and a ``.dist-info`` folder (METADATA with ``Requires-Dist``,
``entry_points.txt``) exactly as pip would, so discovery and resolution run
against real installed metadata, not mocks. Put the folder on ``sys.path``
(the ``corolla_plugins`` fixture does) and pass it as ``App(plugin_path=...)``
to see only these plugins.

``add(name, plugin=Cls)`` makes the distribution's entry point a real class
written in the test itself (a ``corolla.Plugin`` subclass, its declaration
read from the class): the generated module only hands that class out, so
it works in this process only (not in a subprocess).
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import re
import shutil
import sys
import textwrap
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._manifest import FILENAME, FORMAT, dumps

#: Classes given as ``add(name, plugin=Cls)``, by key; the generated module looks them up here.
_CLASSES: dict[str, type[Any]] = {}


def registered(key: str) -> type[Any]:
    """The class ``add(..., plugin=Cls)`` registered under ``key`` (called by the generated module)."""
    return _CLASSES[key]


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_line(file: Path, root: Path) -> str:
    """A RECORD row as pip writes it: path, sha256 (urlsafe base64, unpadded), size."""
    data = file.read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{file.relative_to(root).as_posix()},sha256={digest},{len(data)}"


class SyntheticPlugins:
    """A folder of synthetic plugin distributions."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.modules: set[str] = set()

    @property
    def path(self) -> list[str]:
        """Pass as ``App(plugin_path=...)`` to discover only these plugins."""
        return [str(self.folder)]

    def add(
        self,
        name: str,
        *,
        version: str = "1.0",
        distribution: str | None = None,
        requires: Iterable[str] = (),
        provides: Iterable[str] = (),
        optional: Iterable[str] = (),
        conflicts: Iterable[str] = (),
        before: Iterable[str] = (),
        after: Iterable[str] = (),
        core: str = "",
        app_attributes: Iterable[str] = (),
        request_attributes: Iterable[str] = (),
        settings: Mapping[str, str] | None = None,
        body: str = "",
        source: str | None = None,
        requires_dist: Iterable[str] = ("corolla",),
        module: str | None = None,
        entry_point: str | None = None,
        extra_entry_points: Mapping[str, Mapping[str, str]] | None = None,
        plugin: type[Any] | None = None,
        manifest: bool | str | Mapping[str, Any] = False,
    ) -> Path:
        """Write one distribution holding one plugin; returns the module file.

        The keyword arguments become the plugin class's declaration;
        ``settings`` maps a key to the source of its ``Setting(...)``; ``body``
        is more class body (hook implementations). ``source`` replaces the
        whole module; its entry point is then ``entry_point`` (default
        ``<module>:Plugin``). ``requires_dist`` goes to METADATA. ``plugin``
        is a class to use as is: its own attributes are the declaration, so
        it excludes the declaration keywords, ``body`` and ``source``.

        ``manifest=True`` also ships a ``corolla-plugin.toml`` made from the
        same keyword arguments (hooks: the ``def corolla_*`` in ``body``); a
        mapping updates that manifest's data (to make it disagree with the
        class); a string is written as the manifest's text. It sits in a
        ``<module>-data`` folder that ``RECORD`` lists, as a wheel's package
        data would be.
        """
        distribution = distribution or f"corolla-{name}"
        module = module or f"synth_{_normalize(distribution)}"
        if plugin is not None:
            declared = (requires, provides, optional, conflicts, before, after, core, app_attributes)
            source = self._stub(module, plugin, (*declared, request_attributes, settings, body, source))
        if source is None:
            attrs = {
                "requires": list(requires),
                "provides": list(provides),
                "optional": list(optional),
                "conflicts": list(conflicts),
                "before": list(before),
                "after": list(after),
                "app_attributes": list(app_attributes),
                "request_attributes": list(request_attributes),
            }
            lines = [f"    {key} = {value!r}" for key, value in attrs.items() if value]
            if core:
                lines.append(f"    core = {core!r}")
            if settings:
                items = ", ".join(f"{key!r}: corolla.{src}" for key, src in settings.items())
                lines.append(f"    settings = {{{items}}}")
            if body:
                lines.append(textwrap.indent(textwrap.dedent(body).strip("\n"), "    "))
            source = (
                "import corolla\nfrom corolla import hookimpl\n\n\n"
                "class Plugin(corolla.Plugin):\n" + ("\n".join(lines) or "    pass") + "\n"
            )
        else:
            source = textwrap.dedent(source)
        module_file = self.folder / f"{module}.py"
        module_file.write_text(source)
        self.modules.add(module)
        # Adding the same distribution again replaces it, as reinstalling would.
        sys.modules.pop(module, None)
        for cached in (self.folder / "__pycache__").glob(f"{module}.*.pyc"):
            cached.unlink()  # a rewrite within the same second could otherwise load the old bytecode
        for old in self.folder.glob(f"{_normalize(distribution)}-*.dist-info"):
            shutil.rmtree(old)

        info = self.folder / f"{_normalize(distribution)}-{version}.dist-info"
        info.mkdir(exist_ok=True)
        meta = ["Metadata-Version: 2.1", f"Name: {distribution}", f"Version: {version}"]
        meta += [f"Requires-Dist: {req}" for req in requires_dist]
        (info / "METADATA").write_text("\n".join(meta) + "\n")
        groups: dict[str, dict[str, str]] = {"corolla.plugins": {name: entry_point or f"{module}:Plugin"}}
        for group, entries in (extra_entry_points or {}).items():
            groups.setdefault(group, {}).update(entries)
        text = ""
        for group, entries in groups.items():
            text += f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()) + "\n"
        (info / "entry_points.txt").write_text(text)
        (info / "top_level.txt").write_text(module + "\n")
        record = [_record_line(module_file, self.folder)]
        data_folder = self.folder / f"{module}-data"
        shutil.rmtree(data_folder, ignore_errors=True)
        if manifest is not False:
            data_folder.mkdir()
            if isinstance(manifest, str):
                text = manifest
            elif plugin is not None:
                from ._manifest import class_data

                data = class_data(plugin, name, entry_point or f"{module}:Plugin")
                data.update(manifest if isinstance(manifest, Mapping) else {})
                text = dumps(data)
            else:
                data = self._manifest_data(
                    name,
                    entry_point or f"{module}:Plugin",
                    core,
                    settings or {},
                    body,
                    requires=list(requires),
                    provides=list(provides),
                    optional=list(optional),
                    conflicts=list(conflicts),
                    before=list(before),
                    after=list(after),
                    app_attributes=list(app_attributes),
                    request_attributes=list(request_attributes),
                )
                if isinstance(manifest, Mapping):
                    data.update(manifest)
                text = dumps(data)
            (data_folder / FILENAME).write_text(text)
            record.append(_record_line(data_folder / FILENAME, self.folder))
        (info / "RECORD").write_text("\n".join(record) + "\n")
        importlib.invalidate_caches()
        return module_file

    def _stub(self, module: str, plugin: type[Any], declared: tuple[Any, ...]) -> str:
        """The module handing out ``plugin`` (registered under a key naming this folder and module)."""
        if any(declared):
            raise TypeError(
                "add(plugin=Cls) takes the declaration from the class: set requires, settings, hooks... on it, "
                "not as keywords, body or source"
            )
        key = f"{self.folder}:{module}"
        _CLASSES[key] = plugin
        return f"from corolla._synthetic import registered\n\nPlugin = registered({key!r})\n"

    def wheel(self, name: str, *, version: str = "1.0", distribution: str | None = None, **declaration: Any) -> Path:
        """Build a wheel of a plugin distribution into this folder; returns its path.

        The arguments are ``add``'s; the wheel holds the same files ``add``
        writes (module, manifest data, ``.dist-info`` with a hashed RECORD), so
        pip installs what ``add`` would have made. Use the folder as
        ``pip install --no-index --find-links``.
        """
        distribution = distribution or f"corolla-{name}"
        stem = f"{_normalize(distribution)}-{version}"
        scratch = SyntheticPlugins(self.folder / ".build" / stem)
        scratch.add(name, version=version, distribution=distribution, **declaration)
        sys.modules.pop(next(iter(scratch.modules)), None)
        info = f"{stem}.dist-info"
        (scratch.folder / info / "WHEEL").write_text(
            "Wheel-Version: 1.0\nGenerator: corolla-synthetic\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        files = sorted(
            p for p in scratch.folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.name != "RECORD"
        )
        rows = [_record_line(p, scratch.folder) for p in files] + [f"{info}/RECORD,,"]
        (scratch.folder / info / "RECORD").write_text("\n".join(rows) + "\n")
        wheel = self.folder / f"{stem}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            for path in [*files, scratch.folder / info / "RECORD"]:
                zf.write(path, path.relative_to(scratch.folder).as_posix())
        shutil.rmtree(scratch.folder)
        return wheel

    @staticmethod
    def _manifest_data(
        name: str, entry_point: str, core: str, settings: Mapping[str, str], body: str, **lists: list[str]
    ) -> dict[str, Any]:
        import corolla

        from ._manifest import _setting_table

        data: dict[str, Any] = {
            "format": FORMAT,
            "name": name,
            "class": entry_point,
            "core": core,
            "autoload": True,
            **lists,
        }
        data["hooks"] = sorted(set(re.findall(r"def (corolla_\w+)", body)))
        data["hookspecs"] = []
        data["commands"] = {}
        data["settings"] = {
            key: _setting_table(eval(f"corolla.{src}", {"corolla": corolla}))  # test code, written by the test
            for key, src in settings.items()
        }
        return data

    def activate(self) -> None:
        """Put the folder first on ``sys.path``."""
        if str(self.folder) not in sys.path:
            sys.path.insert(0, str(self.folder))
        importlib.invalidate_caches()

    def deactivate(self) -> None:
        """Take the folder off ``sys.path`` and forget the modules imported from it."""
        while str(self.folder) in sys.path:
            sys.path.remove(str(self.folder))
        for module in self.modules:
            sys.modules.pop(module, None)
            _CLASSES.pop(f"{self.folder}:{module}", None)
        importlib.invalidate_caches()

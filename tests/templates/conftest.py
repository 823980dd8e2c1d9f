"""Fixtures for the templates plugin's tests: a tiny dispatch plugin, apps with files on disk.

Routing is another plugin (built in parallel), so these tests dispatch with
``pages``, a synthetic plugin that looks the request's path up in the
``views`` dict a test fills: ``views["/"] = lambda request: request.render(...)``.
"""

from __future__ import annotations

import sys
import textwrap
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from corolla import App
from corolla.testing import SyntheticPlugins

Views = dict[str, Callable[..., Any]]
Build = Callable[..., App]

PAGES = """
@hookimpl
def corolla_dispatch(self, request):
    import corolla_test_views

    view = corolla_test_views.views.get(request.path)
    return view(request) if view is not None else None
"""


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content))


@pytest.fixture
def views(monkeypatch: pytest.MonkeyPatch, corolla_plugins: SyntheticPlugins) -> Views:
    module = types.ModuleType("corolla_test_views")
    registry: Views = {}
    module.views = registry  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    corolla_plugins.add("pages", body=PAGES)
    return registry


@pytest.fixture
def build(make_app: Callable[..., App], views: Views, tmp_path: Path) -> Build:
    """``build(files, config, plugins=[...])``: an app over the real templates plugin, rooted in tmp_path/app."""

    def make(
        files: Mapping[str, str | bytes] | None = None,
        config: Mapping[str, Any] | None = None,
        plugins: Iterable[str] = ("templates", "pages"),
    ) -> App:
        root = tmp_path / "app"
        root.mkdir(exist_ok=True)
        write(root, files or {})
        return make_app(list(plugins), config, isolated=False, root=root)

    return make


@pytest.fixture
def package_plugin(corolla_plugins: SyntheticPlugins) -> Callable[..., Path]:
    """A synthetic plugin whose class lives in a package, with files (templates/, static/) beside it."""

    def add(name: str, files: Mapping[str, str | bytes], *, requires: Iterable[str] = (), body: str = "") -> Path:
        package = f"synth_pkg_{name.replace('-', '_')}"
        folder = corolla_plugins.folder / package
        folder.mkdir(exist_ok=True)
        source = "import corolla\nfrom corolla import hookimpl\n\n\nclass Plugin(corolla.Plugin):\n"
        source += f"    requires = {list(requires)!r}\n" + textwrap.indent(textwrap.dedent(body), "    ")
        (folder / "__init__.py").write_text(source)
        write(folder, files)
        # The distribution's metadata, with its entry point naming the package.
        corolla_plugins.add(name, source="", module=f"{package}_stub", entry_point=f"{package}:Plugin")
        corolla_plugins.modules.add(package)
        sys.modules.pop(package, None)
        return folder

    return add

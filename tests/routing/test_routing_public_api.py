"""The public face of ``corolla_routing``: the ``__init__`` only re-exports, with a sorted ``__all__``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import corolla_routing


def test_init_only_reexports_with_a_sorted_all() -> None:
    init = Path(corolla_routing.__file__)
    tree = ast.parse(init.read_text())
    assert ast.get_docstring(tree)
    imported: set[str] = set()
    typed: set[str] = set()
    lazy: set[str] = set()
    for node in tree.body[1:]:
        if isinstance(node, ast.ImportFrom) and (node.module, node.level) in (("typing", 0), ("corolla", 0)):
            assert [a.name for a in node.names] in (["TYPE_CHECKING"], ["lazy_exports"])
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 1, "re-export from the package's own modules only"
            imported.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            # The lazy exports as type checkers see them.
            for inner in node.body:
                assert isinstance(inner, ast.ImportFrom) and inner.level == 1
                typed.update(alias.asname or alias.name for alias in inner.names)
        elif isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__getattr__"]:
            # ``__getattr__ = lazy_exports(__name__, {name: module})``: what needs werkzeug loads on first use.
            assert isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "lazy_exports"
            lazy.update(ast.literal_eval(node.value.args[1]))
        elif isinstance(node, ast.Assign):
            assert [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__all__"]
        else:
            raise AssertionError(f"line {node.lineno}: {type(node).__name__} in an __init__ that should only re-export")
    assert typed == lazy
    names = list(corolla_routing.__all__)
    assert set(names) == imported | lazy
    assert names == sorted(names, key=lambda n: (not n[:1].isupper(), n))
    for name in names:
        assert getattr(corolla_routing, name) is not None


def test_the_plugin_declares_what_it_adds() -> None:
    plugin = corolla_routing.RoutingPlugin
    assert set(plugin.app_attributes) >= {
        "route", "get", "post", "put", "patch", "delete", "add_url_rule", "url_for", "include", "mount",
        "errorhandler", "url_map",
    }  # fmt: skip
    assert set(plugin.request_attributes) >= {"url_for", "url_rule", "view_args"}
    assert plugin.hookspecs is corolla_routing.RoutingHooks


def test_building_the_routes_command_imports_no_werkzeug() -> None:
    """``corolla --help`` builds the ``routes`` command for its help line: that must not import werkzeug."""
    code = (
        "import sys, corolla_routing._cli as c; c.routes_command(None); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'werkzeug'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

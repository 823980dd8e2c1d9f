"""The public face of ``corolla_routing``: the ``__init__`` only re-exports, with a sorted ``__all__``."""

from __future__ import annotations

import ast
from pathlib import Path

import corolla_routing


def test_init_only_reexports_with_a_sorted_all() -> None:
    init = Path(corolla_routing.__file__)
    tree = ast.parse(init.read_text())
    assert ast.get_docstring(tree)
    imported: set[str] = set()
    for node in tree.body[1:]:
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1, "re-export from the package's own modules only"
            imported.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Assign):
            assert [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__all__"]
        else:
            raise AssertionError(f"line {node.lineno}: {type(node).__name__} in an __init__ that should only re-export")
    names = list(corolla_routing.__all__)
    assert set(names) == imported
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

"""The user guide and the public face stay honest: every setting, check and hook is documented."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import corolla_templates
from corolla_templates import TemplatesHooks, TemplatesPlugin

GUIDE = Path(__file__).parents[2] / "docs" / "plugins" / "templates.md"


def test_every_setting_is_in_the_config_table() -> None:
    text = GUIDE.read_text()
    for key, setting in TemplatesPlugin.settings.items():
        assert f"| `{key}` | {setting.type.__name__} |" in text, key


def test_the_hook_has_a_heading_with_its_exact_signature() -> None:
    text = GUIDE.read_text()
    for name, function in inspect.getmembers(TemplatesHooks, inspect.isfunction):
        params = [p for p in inspect.signature(function).parameters if p != "self"]
        assert f"### `{name}({', '.join(params)})`" in text


def test_deploy_check_ids_are_documented(tmp_path: Path) -> None:
    from corolla import App

    app = App(plugins=["templates"], root=tmp_path, environ={})
    text = GUIDE.read_text()
    for check in app.plugins["templates"].corolla_deploy_checks(app):  # type: ignore[attr-defined]
        assert f"| `{check.id}` |" in text
    app.close()


def test_init_only_reexports_with_a_sorted_all() -> None:
    source = Path(corolla_templates.__file__).read_text()
    tree = ast.parse(source)
    assert ast.get_docstring(tree)
    for node in tree.body[1:]:
        if isinstance(node, ast.If):  # the lazy exports as type checkers see them
            assert ast.unparse(node.test) == "TYPE_CHECKING"
            assert all(isinstance(inner, ast.ImportFrom) and inner.level == 1 for inner in node.body)
            continue
        assert isinstance(node, (ast.ImportFrom, ast.Assign)), ast.dump(node)
        if isinstance(node, ast.ImportFrom) and node.module in ("typing", "corolla"):
            # ``TYPE_CHECKING`` and ``lazy_exports``: what needs werkzeug loads on first use.
            assert [alias.name for alias in node.names] in (["TYPE_CHECKING"], ["lazy_exports"])
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 1
    assert corolla_templates.__all__ == sorted(corolla_templates.__all__)
    assert all(hasattr(corolla_templates, name) for name in corolla_templates.__all__)

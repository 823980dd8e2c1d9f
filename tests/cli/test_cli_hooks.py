"""``corolla hooks [NAME]``: specifications, implementations in call order, wrappers, declaring plugin."""

from __future__ import annotations

from cli_support import Corolla

from corolla.testing import SyntheticPlugins

SPECS = '''
import corolla
from corolla import hookimpl, hookspec


class Specs:
    @hookspec
    def corolla_template_context(self, request):
        """Return extra template variables."""


class Plugin(corolla.Plugin):
    hookspecs = Specs

    @hookimpl
    def corolla_template_context(self, request):
        return {}
'''


def add_plugins(plugins: SyntheticPlugins) -> None:
    plugins.add("templates", source=SPECS)
    plugins.add(
        "outer",
        before=["inner"],
        body="""
        @hookimpl(wrapper=True)
        def corolla_dispatch(self, request):
            return (yield)

        @hookimpl(optionalhook=True)
        def corolla_template_context(self, request):
            return {"x": 1}
        """,
    )
    plugins.add(
        "inner",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            return "inner"
        """,
    )


def test_hooks_table(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    add_plugins(corolla_plugins)
    out = corolla("hooks").stdout
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert lines["corolla_dispatch"].split()[1:] == ["corolla", "firstresult", "outer", "[wrapper]", "->", "inner"]
    assert lines["corolla_template_context"].split()[1:] == ["templates", "-", "outer", "->", "templates"]
    assert lines["corolla_deploy_checks"].split()[-1] == "corolla"
    assert lines["corolla_teardown"].split()[-1] == "(none)"


def test_hooks_json_and_one_hook(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    add_plugins(corolla_plugins)
    (dispatch,) = corolla.json("hooks", "corolla_dispatch", "--json")
    assert dispatch["declared_by"] == "corolla"
    assert dispatch["firstresult"] is True
    assert dispatch["arguments"] == ["request"]
    assert [(i["plugin"], i["wrapper"]) for i in dispatch["implementations"]] == [("outer", True), ("inner", False)]
    assert dispatch["summary"].startswith("Find and call the view")
    # the short name works too
    assert corolla.json("hooks", "template_context", "--json")[0]["declared_by"] == "templates"
    assert "Return extra template variables." in corolla("hooks", "corolla_template_context").stdout


def test_unknown_hook_did_you_mean(corolla: Corolla) -> None:
    result = corolla("hooks", "corolla_dispach", code=2)
    assert "no hook is named 'corolla_dispach'; did you mean 'corolla_dispatch'?" in result.output


def test_hooks_with_a_set_that_does_not_resolve(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("forms", requires=["sessions"])
    result = corolla("hooks", environ={"COROLLA_PLUGINS": "forms"}, code=2)
    assert "the installed plugins do not start" in result.stderr
    assert "requires 'sessions'" in result.stderr


def test_markdown_includes_plugin_specs(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    add_plugins(corolla_plugins)
    text = corolla("hooks", "--markdown").stdout
    assert text.startswith("# Hook reference\n")
    assert "### `corolla_dispatch`" in text
    assert "corolla_dispatch(request: Request) -> Any" in text
    assert "## Hooks declared by the plugin `templates`" in text
    assert "corolla_template_context(request)" in text

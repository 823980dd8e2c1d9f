"""``corolla shell``: the app and what plugins add (corolla_shell_context) predefined."""

from __future__ import annotations

from cli_support import Corolla
from click.testing import CliRunner

from corolla.cli import cli, make_state
from corolla.testing import SyntheticPlugins

CONTEXT = """
@hookimpl
def corolla_shell_context(self, app):
    return {"answer": 42, "where": app.root.name}
"""

BROKEN = """
@hookimpl
def corolla_shell_context(self, app):
    raise RuntimeError("no context today")
"""


def shell(corolla: Corolla, source: str) -> tuple[str, str]:
    state = make_state(["shell"], {"cwd": corolla.cwd, "environ": {}, "plugin_path": corolla.plugins.path})
    result = CliRunner().invoke(cli, ["shell"], obj=state, input=source)
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_shell_predefines_the_app_and_the_plugins_names(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("context", body=CONTEXT)
    corolla.write_app()
    out, err = shell(corolla, "print(type(app).__name__, answer, where)\n")
    assert "App: <App " in err  # the banner, as Python's own, on stderr
    assert "Predefined: answer, app, where" in err
    assert "App 42 project" in out


def test_a_failing_context_hook_is_named_and_the_shell_still_starts(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("broken", body=BROKEN)
    corolla.write_app()
    out, err = shell(corolla, "print('still here', app.root.name)\n")
    assert "still here project" in out
    assert "plugin 'broken' (corolla-broken 1.0) failed in corolla_shell_context: RuntimeError('no context" in err


def test_shell_needs_an_app(corolla: Corolla) -> None:
    result = corolla("shell", code=2)
    assert "corolla shell needs an app: pass --app module:app or set COROLLA_APP" in result.stderr

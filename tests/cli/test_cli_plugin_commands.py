"""Plugins' commands through ``corolla_cli_commands``: listed in --help, run, isolated from failures."""

from __future__ import annotations

from collections.abc import Callable

from cli_support import GREET, Corolla

from corolla import App
from corolla.testing import SyntheticPlugins, run_cli

RAISES = """
@hookimpl
def corolla_cli_commands(self, app):
    raise RuntimeError("no commands today")
"""


def test_help_lists_plugin_commands(corolla: Corolla, trio: SyntheticPlugins) -> None:
    out = corolla("--help").stdout
    assert "  greet " in out
    assert "Say hello (added by the greeter plugin)." in out
    assert "Commands added by plugins:\n  greet  from plugin 'greeter'" in out
    for builtin in ("check", "hooks", "new", "plugins", "run"):
        assert f"  {builtin} " in out


def test_plugin_command_runs_without_an_app(corolla: Corolla, trio: SyntheticPlugins) -> None:
    assert corolla("greet").stdout == "hello from greet; app: none\n"


def test_plugin_command_gets_the_app(corolla: Corolla, trio: SyntheticPlugins) -> None:
    corolla.write_app()
    assert corolla("greet").stdout == "hello from greet; app: found\n"


def test_a_raising_hook_is_named_and_other_commands_work(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("greeter", body=GREET)
    corolla_plugins.add("boom", body=RAISES)
    result = corolla("--help")
    assert "plugin 'boom' (corolla-boom 1.0) failed in corolla_cli_commands: RuntimeError('no commands today')" in (
        result.stderr
    )
    assert "greet" in result.stdout
    assert corolla("greet").stdout.startswith("hello from greet")
    assert corolla("plugins", "check").exit_code == 0
    result = corolla("missing", code=2)
    assert "no such command 'missing'" in result.output
    assert "plugin 'boom' (corolla-boom 1.0) failed in corolla_cli_commands" in result.output


def test_unknown_command_did_you_mean(corolla: Corolla, trio: SyntheticPlugins) -> None:
    assert "no such command 'gret'; did you mean 'greet'?" in corolla("gret", code=2).output
    assert "did you mean 'plugins'?" in corolla("plugin", code=2).output


def test_hook_returning_junk_is_named(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add(
        "junk",
        body="""
        @hookimpl
        def corolla_cli_commands(self, app):
            return ["not a command"]
        """,
    )
    result = corolla("--help")
    assert "plugin 'junk' (corolla-junk 1.0): corolla_cli_commands returned 'not a command'" in result.stderr


def test_plugin_cannot_replace_a_builtin(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add(
        "sneaky",
        body="""
        @hookimpl
        def corolla_cli_commands(self, app):
            import click
            return [click.Command("run", callback=lambda: click.echo("sneaky"))]
        """,
    )
    result = corolla("--help")
    assert "plugin 'sneaky' adds command 'run', which is built in" in result.stderr
    assert "needs an app" in corolla("run", code=2).stderr


def test_no_plugin_commands_when_the_set_does_not_resolve(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("greeter", body=GREET, requires=["missing"])
    result = corolla("--help")
    assert "plugin commands are unavailable" in result.stderr
    assert "greet" not in result.stdout


def test_run_cli_helper_passes_an_app_built_by_make_app(trio: SyntheticPlugins, make_app: Callable[..., App]) -> None:
    app = make_app(["greeter"])
    result = run_cli("greet", app=app)
    assert result.exit_code == 0
    assert result.stdout == "hello from greet; app: found\n"
    assert run_cli("plugins", "check", app=app).stdout.strip() == "ok: the plugin set resolves; load order: greeter"

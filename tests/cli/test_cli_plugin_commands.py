"""Plugins' commands through ``corolla_cli_commands``: listed in --help, run, isolated from failures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
    assert "Commands added by plugins:\n  greet  [greeter] Say hello (added by the greeter plugin)." in out
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


def recorder(log: Path) -> str:
    """A plugin body appending each hook it runs (and whether it had an app) to ``log``."""
    return f"""
def _note(self, what):
    with open({str(log)!r}, "a") as f:
        f.write(what + "\\n")

@hookimpl
def corolla_configure(self, app):
    self._note("configure")

@hookimpl
def corolla_startup(self, app):
    self._note("startup")

@hookimpl
def corolla_cli_commands(self, app):
    import click
    self._note("cli_commands app=" + ("none" if app is None else "found") + " self.app=" + repr(self.app))

    @click.command()
    def recorded():
        \"\"\"A recorded command.\"\"\"
        click.echo("ran")

    return [recorded]
"""


def test_help_starts_no_plugin_and_imports_no_app(
    corolla: Corolla, corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    corolla_plugins.add("recorder", body=recorder(log))
    (corolla.cwd / "app.py").write_text(f"open({str(tmp_path / 'imported')!r}, 'w').close()\nraise SystemExit(9)\n")
    out = corolla("--help").stdout
    assert "  recorded  [recorder] A recorded command." in out
    # Only the command hook ran, on an instance never configured nor started, and the app was not imported.
    assert log.read_text() == "cli_commands app=none self.app=None\n"
    assert not (tmp_path / "imported").exists()


def test_a_plugin_command_is_built_with_the_started_plugins(
    corolla: Corolla, corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    corolla_plugins.add("recorder", body=recorder(log))
    assert corolla("recorded").stdout == "ran\n"
    assert log.read_text().splitlines()[:2] == ["configure", "startup"]
    assert log.read_text().splitlines()[2].startswith("cli_commands app=none self.app=<App ")

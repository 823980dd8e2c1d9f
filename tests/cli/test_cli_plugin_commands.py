"""Plugins' commands: declared as data (``Plugin.commands``), listed in --help, run, isolated from failures.

The deprecated ``corolla_cli_commands`` hook keeps working for plugins that
still use it (the last tests).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from cli_support import LEGACY_GREET, Corolla, Greeter

from corolla import App, AppRef, Plugin, hookimpl
from corolla.testing import SyntheticPlugins, run_cli

#: What the recorder plugin and its command factory did, in order (reset by each test using it).
CALLS: list[str] = []


def raising_factory(app: AppRef) -> click.Command:
    raise RuntimeError("no commands today")


def junk_factory(app: AppRef) -> Any:
    return "not a command"


def sneaky_run(app: AppRef) -> click.Command:
    return click.Command("run", callback=lambda: click.echo("sneaky"))


def misnamed(app: AppRef) -> click.Command:
    return click.Command("other", callback=lambda: None)


def recorded_commands(app: AppRef) -> click.Command:
    CALLS.append(f"factory {app!r}")

    @click.group()
    def recorded() -> None:
        """A recorded command."""

    @recorded.command()
    def plain() -> None:
        click.echo("ran without the app")

    @recorded.command()
    def started() -> None:
        the_app = app.get()
        click.echo(f"ran with {type(the_app.plugins[app.plugin]).__name__}")

    return recorded


class Boom(Plugin):
    commands = {"boom": f"{__name__}:raising_factory"}


class Junk(Plugin):
    commands = {"junk": f"{__name__}:junk_factory"}


class Sneaky(Plugin):
    commands = {"run": f"{__name__}:sneaky_run"}


class Misnamed(Plugin):
    commands = {"named": f"{__name__}:misnamed"}


class Needy(Greeter):
    requires = ["missing"]


class Recorder(Plugin):
    commands = {"recorded": f"{__name__}:recorded_commands"}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        CALLS.append("__init__")

    @hookimpl
    def corolla_configure(self, app: App) -> None:
        CALLS.append("configure")

    @hookimpl
    def corolla_startup(self, app: App) -> None:
        CALLS.append("startup")


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


def test_an_app_without_the_plugin_is_named(corolla: Corolla, trio: SyntheticPlugins) -> None:
    corolla.write_app('app = App(plugins=["sessions"], plugin_path=PLUGIN_PATH, environ={})')
    result = corolla("greet", code=2)
    assert "corolla greet comes from plugin 'greeter', which the app does not load (its plugins: sessions)" in (
        result.output
    )


def test_a_raising_factory_is_named_and_other_commands_work(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("greeter", plugin=Greeter)
    corolla_plugins.add("boom", plugin=Boom)
    result = corolla("--help")
    assert (
        f"plugin 'boom' (corolla-boom 1.0): command 'boom' ({__name__}:raising_factory) failed to build: "
        "RuntimeError('no commands today')"
    ) in result.stderr
    assert "greet" in result.stdout and "boom" not in result.stdout
    assert corolla("greet").stdout.startswith("hello from greet")
    assert corolla("plugins", "check").exit_code == 0
    result = corolla("boom", code=2)
    assert "no such command 'boom'" in result.output
    assert "plugin 'boom' (corolla-boom 1.0): command 'boom'" in result.output


def test_unknown_command_did_you_mean(corolla: Corolla, trio: SyntheticPlugins) -> None:
    assert "no such command 'gret'; did you mean 'greet'?" in corolla("gret", code=2).output
    assert "did you mean 'plugins'?" in corolla("plugin", code=2).output


def test_a_factory_returning_junk_or_a_misnamed_command_is_named(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("junk", plugin=Junk)
    corolla_plugins.add("misnamed", plugin=Misnamed)
    result = corolla("--help")
    assert "plugin 'junk' (corolla-junk 1.0): command 'junk' (" in result.stderr
    assert "the factory returned 'not a command', not a click command" in result.stderr
    assert "the factory built a command named 'other'; name it 'named'" in result.stderr


def test_plugin_cannot_replace_a_builtin(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("sneaky", plugin=Sneaky)
    result = corolla("--help")
    assert "plugin 'sneaky' (corolla-sneaky 1.0) adds command 'run', which is built in" in result.stderr
    assert "needs an app" in corolla("run", code=2).stderr


def test_an_invalid_declaration_is_refused_by_the_plan(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("bad", body="commands = {'Bad Name': 'x:y', 'ok': 'no colon'}")
    data = corolla.json("plugins", "show", "bad", "--json", environ={"COROLLA_PLUGINS": "bad"})
    assert data["status"] == "refused"  # pinned: refused (unpinned it would be skipped, see docs/cli.md)
    assert "commands key 'Bad Name' must be a command name" in data["error"]


def test_no_plugin_commands_when_the_set_does_not_resolve(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("greeter", plugin=Needy)
    result = corolla("--help", environ={"COROLLA_PLUGINS": "greeter"})
    assert "plugin commands are unavailable" in result.stderr
    assert "greet" not in result.stdout


def test_run_cli_helper_passes_an_app_built_by_make_app(trio: SyntheticPlugins, make_app: Callable[..., App]) -> None:
    app = make_app(["greeter"])
    result = run_cli("greet", app=app)
    assert result.exit_code == 0
    assert result.stdout == "hello from greet; app: found\n"
    assert run_cli("plugins", "check", app=app).stdout.strip() == "ok: the plugin set resolves; load order: greeter"


def test_help_starts_no_plugin_for_their_commands(
    corolla: Corolla, corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    CALLS.clear()
    corolla_plugins.add("recorder", plugin=Recorder)
    (corolla.cwd / "app.py").write_text(f"open({str(tmp_path / 'imported')!r}, 'w').close()\nraise SystemExit(9)\n")
    result = corolla("--help")
    assert "  recorded  [recorder] A recorded command." in result.stdout
    # Only the factory ran, with an app reference that loaded nothing; no plugin instance.
    assert CALLS == ["factory <LazyApp for plugin 'recorder'>"]
    # The app is imported, to list its own commands (as flask --help does); one exiting on import is named.
    assert (tmp_path / "imported").exists()
    assert "the app's own commands are unavailable: importing the app exited (9)" in result.stderr
    # Without an app in the folder nothing is imported at all.
    (corolla.cwd / "app.py").unlink()
    (tmp_path / "imported").unlink()
    corolla("--help")
    assert not (tmp_path / "imported").exists()


def test_the_app_starts_only_when_a_command_asks_for_it(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    CALLS.clear()
    corolla_plugins.add("recorder", plugin=Recorder)
    corolla.write_app()
    assert corolla("recorded", "plain").stdout == "ran without the app\n"
    assert CALLS == ["factory <LazyApp for plugin 'recorder'>"]
    CALLS.clear()
    assert corolla("recorded", "started").stdout == "ran with Recorder\n"
    assert CALLS == ["factory <LazyApp for plugin 'recorder'>", "__init__", "configure", "startup"]


# -- the deprecated corolla_cli_commands hook ----------------------------------


def test_the_deprecated_hook_still_adds_commands(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("greeter", body=LEGACY_GREET)
    corolla_plugins.add("static", plugin=Greeter, distribution="corolla-static-greeter")
    help_text = corolla("--help").stdout
    assert "  (greeter)  [greeter] not listed (deprecated corolla_cli_commands hook)" in help_text
    assert "  greet      [static] Say hello" in help_text
    corolla_plugins.add("static", body="pass", distribution="corolla-static-greeter")  # only the hook's greet now
    assert corolla("greet").stdout == "hello from greet; app: none\n"
    corolla.write_app()
    assert corolla("greet").stdout == "hello from greet; app: found\n"
    assert corolla.json("plugins", "show", "greeter", "--json")["commands"] == ["greet"]


def test_a_raising_deprecated_hook_is_named(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("greeter", plugin=Greeter)
    corolla_plugins.add(
        "boom",
        body="""
        @hookimpl
        def corolla_cli_commands(self, app):
            raise RuntimeError("no commands today")
        """,
    )
    assert corolla("greet").stdout.startswith("hello from greet")
    result = corolla("missing", code=2)
    assert "no such command 'missing'" in result.output
    assert "plugin 'boom' (corolla-boom 1.0) failed in corolla_cli_commands: RuntimeError('no commands today')" in (
        result.output
    )

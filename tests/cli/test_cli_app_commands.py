"""The app's own commands (``app.cli``, as Flask's): listed in ``corolla --help`` when the app is found, run by name."""

from __future__ import annotations

from cli_support import Corolla, Greeter

from corolla import App
from corolla.testing import SyntheticPlugins, run_cli

APP_WITH_COMMANDS = """
import click

app = App(plugin_path=PLUGIN_PATH, environ={})


@app.cli.command("init-db")
@click.option("--force", is_flag=True, help="Drop what is there first.")
def init_db(app, force):
    \"\"\"Clear the existing data and create new tables.\"\"\"
    click.echo(f"initialized {app.root.name} force={force}")


@app.cli.command()
def hello():
    \"\"\"Say hello, without needing the app.\"\"\"
    click.echo("hello")


@app.cli.command("greet")
def greet_here():
    \"\"\"The app's greet, which the plugin's hides.\"\"\"
    click.echo("the app's greet")
"""


def test_help_lists_the_apps_commands_when_found(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("greeter", plugin=Greeter)
    corolla.write_app(APP_WITH_COMMANDS)
    out = corolla("--help").stdout
    section = out.split("Commands of the app:\n", 1)[1]
    assert "  init-db  Clear the existing data and create new tables." in section
    assert "  hello    Say hello, without needing the app." in section
    # Without an app in the working folder, no such section.
    (corolla.cwd / "app.py").unlink()
    assert "Commands of the app" not in corolla("--help").stdout


def test_an_apps_command_runs_with_the_app(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("greeter", plugin=Greeter)
    corolla.write_app(APP_WITH_COMMANDS)
    assert corolla("init-db", "--force").stdout == "initialized project force=True\n"
    assert corolla("hello").stdout == "hello\n"
    # A plugin's command of the same name is found first (without importing the app).
    assert corolla("greet").stdout == "hello from greet; app: found\n"
    assert "--force     Drop what is there first." in corolla("init-db", "--help").stdout


def test_a_misspelt_app_command_gets_a_did_you_mean(corolla: Corolla) -> None:
    corolla.write_app(APP_WITH_COMMANDS)
    result = corolla("init-bd", code=2)
    assert "no such command 'init-bd'; did you mean 'init-db'?" in result.stderr


def test_a_broken_app_still_gets_the_help_with_a_warning(corolla: Corolla) -> None:
    (corolla.cwd / "app.py").write_text("import nonexistent_module_xyz\n")
    result = corolla("--help")
    assert "Usage: corolla" in result.stdout
    assert "the app's own commands are unavailable: could not load the app 'app.py'" in result.stderr


def test_route_group_commands_join_the_app_under_the_groups_name(make_app: object) -> None:
    import click

    from corolla_routing import Router

    blog = Router("/blog", name="blog")
    tools = Router()

    @blog.cli.command("reindex")
    def reindex(app: App) -> None:
        """Rebuild the blog's search index."""
        click.echo(f"reindexed for {type(app).__name__}")

    @tools.cli.command("top-level")
    def top_level() -> None:
        click.echo("top")

    app = make_app(["routing"], isolated=False)  # type: ignore[operator]
    app.include(blog)
    app.include(tools)
    assert set(app.cli.commands) == {"blog", "top-level"}
    assert run_cli("blog", "reindex", app=app).stdout == "reindexed for App\n"
    assert run_cli("top-level", app=app).stdout == "top\n"
    out = run_cli("--help", app=app).stdout
    assert "  blog       Commands of the route group 'blog'." in out
    assert "Rebuild the blog's search index." in run_cli("blog", "--help", app=app).stdout


def test_add_command_refuses_a_second_command_of_the_same_name(make_app: object) -> None:
    import click
    import pytest

    app = make_app()  # type: ignore[operator]

    @app.cli.command("seed")
    def seed() -> None:
        pass

    with pytest.raises(ValueError, match=r"app already has a command 'seed'"):
        app.cli.add_command(click.Command("seed"))
    with pytest.raises(TypeError, match=r"takes a click command"):
        app.cli.add_command(seed.callback)

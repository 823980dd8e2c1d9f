"""Finding the app: --app, COROLLA_APP, app.py / wsgi.py; broken and missing apps are one-line errors."""

from __future__ import annotations

import pytest
from cli_support import Corolla

from corolla.testing import SyntheticPlugins


def test_app_py_in_the_working_folder_is_used(corolla: Corolla, trio: SyntheticPlugins) -> None:
    corolla.write_app('app = App(plugins=["sessions"], plugin_path=PLUGIN_PATH, environ={})')
    rows = {r["name"]: r["status"] for r in corolla.json("plugins", "list", "--json")}
    assert rows == {"sessions": "enabled", "forms": "disabled", "greeter": "disabled"}


def test_wsgi_py_is_the_fallback(corolla: Corolla, trio: SyntheticPlugins) -> None:
    corolla.write_app('application = App(plugins=["greeter"], plugin_path=PLUGIN_PATH, environ={})', name="wsgi.py")
    # no 'app' attribute, no factory: the single App in the module is used
    assert corolla.json("plugins", "check", "--json")["order"] == ["greeter"]


NEW_APP = 'App(plugins=["forms", "sessions"], plugin_path=PLUGIN_PATH, environ={})'


@pytest.mark.parametrize(
    ("body", "ref"),
    [
        (f"app = {NEW_APP}", "myapp"),
        (f"def create_app():\n    return {NEW_APP}", "myapp"),
        (f"web = {NEW_APP}", "myapp:web"),
        (f"def make():\n    return {NEW_APP}", "myapp:make()"),
        (f"app = {NEW_APP}", "myapp.py"),
    ],
)
def test_app_option_forms(corolla: Corolla, trio: SyntheticPlugins, body: str, ref: str) -> None:
    corolla.write_app(body, name="myapp.py")
    assert corolla.json("--app", ref, "plugins", "check", "--json")["order"] == ["sessions", "forms"]


def test_corolla_app_environment_variable(corolla: Corolla, trio: SyntheticPlugins) -> None:
    corolla.write_app('app = App(plugins=["greeter"], plugin_path=PLUGIN_PATH, environ={})', name="envapp.py")
    data = corolla.json("plugins", "check", "--json", environ={"COROLLA_APP": "envapp"})
    assert data["order"] == ["greeter"]


def test_option_wins_over_the_environment(corolla: Corolla, trio: SyntheticPlugins) -> None:
    corolla.write_app('app = App(plugins=["greeter"], plugin_path=PLUGIN_PATH, environ={})', name="one.py")
    corolla.write_app('app = App(plugins=["sessions"], plugin_path=PLUGIN_PATH, environ={})', name="two.py")
    data = corolla.json("--app", "two", "plugins", "check", "--json", environ={"COROLLA_APP": "one"})
    assert data["order"] == ["sessions"]


def test_no_app_inspects_the_installed_set(corolla: Corolla, trio: SyntheticPlugins) -> None:
    assert corolla.json("plugins", "check", "--json")["order"] == ["greeter", "sessions", "forms"]


def test_missing_module_is_one_line_naming_what_was_tried(corolla: Corolla) -> None:
    result = corolla("--app", "nosuchmodule", "run", code=2)
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "Error: could not load the app 'nosuchmodule' (tried --app 'nosuchmodule'): "
        "ModuleNotFoundError: No module named 'nosuchmodule' (--traceback shows where)"
    ]
    assert "Traceback" not in result.output


def test_missing_attribute(corolla: Corolla, trio: SyntheticPlugins) -> None:
    corolla.write_app("app = App(plugin_path=PLUGIN_PATH, environ={})", name="myapp.py")
    result = corolla("--app", "myapp:nope", "run", code=2)
    assert "module 'myapp' has no attribute 'nope'" in result.stderr
    result = corolla("--app", "myapp:PLUGIN_PATH", "run", code=2)
    assert "'myapp:PLUGIN_PATH' is list, not a corolla.App" in result.stderr


def test_module_without_app_or_factory(corolla: Corolla) -> None:
    (corolla.cwd / "app.py").write_text("x = 1\n")
    result = corolla("run", code=2)
    assert "has no 'app' attribute and no create_app() factory" in result.stderr
    assert f"tried --app, COROLLA_APP, then app.py and wsgi.py in {corolla.cwd}" in result.stderr


def test_broken_app_is_one_line_and_traceback_shows_it(corolla: Corolla) -> None:
    (corolla.cwd / "app.py").write_text("from corolla import App\n\n1 / 0\n")
    result = corolla("hooks", code=2)
    assert result.stderr.count("\n") == 1
    assert "ZeroDivisionError: division by zero (at app.py:3) (--traceback shows where)" in result.stderr
    result = corolla("--traceback", "hooks", code=2)
    assert "Traceback (most recent call last)" in result.stderr
    assert 'app.py", line 3' in result.stderr


def test_app_whose_plugins_do_not_resolve_still_explains_why(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("forms", requires=["sessions"])
    corolla.write_app('app = App(plugins=["forms"], plugin_path=PLUGIN_PATH, environ={})')
    data = corolla.json("plugins", "check", "--json", code=1)
    assert data["errors"][0]["kind"] == "missing"
    rows = corolla.json("plugins", "list", "--json")
    assert rows[0]["status"] == "refused"
    result = corolla("run", code=2)
    assert "The plugin set does not resolve" in result.stderr


def test_run_needs_an_app(corolla: Corolla) -> None:
    result = corolla("run", code=2)
    assert "corolla run needs an app: pass --app module:app or set COROLLA_APP" in result.stderr


def test_syntax_error_names_file_and_line(corolla: Corolla) -> None:
    (corolla.cwd / "app.py").write_text("from corolla import App\n\n\nx = = 1\napp = App()\n")
    result = corolla("run", code=2)
    assert result.stderr.count("\n") == 1
    assert "SyntaxError" in result.stderr
    assert "(at app.py:4)" in result.stderr


def test_error_names_the_innermost_frame_in_the_users_code(corolla: Corolla) -> None:
    (corolla.cwd / "helpers.py").write_text("def make():\n    return {}['missing']\n")
    (corolla.cwd / "app.py").write_text("from helpers import make\n\n\ndef create_app():\n    return make()\n")
    result = corolla("run", code=2)
    assert "KeyError: 'missing' (at helpers.py:2)" in result.stderr


def test_plugins_commands_fall_back_to_the_folder_when_the_app_does_not_import(
    corolla: Corolla, trio: SyntheticPlugins
) -> None:
    (corolla.cwd / "app.py").write_text("import nonexistent_mod\n")
    # The CI gate fails: what the app would start with is unknown (the folder's set is shown by the others).
    result = corolla("plugins", "check", code=1)
    assert "[app] could not load the app 'app.py'" in result.stdout
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1
    assert warning[0].startswith("warning: could not load the app 'app.py'")
    assert "No module named 'nonexistent_mod' (at app.py:1)" in warning[0]
    assert f"showing the installed plugins with the config in {corolla.cwd} instead" in warning[0]
    rows = corolla.json("plugins", "list", "--json")
    assert [r["name"] for r in rows] == ["greeter", "sessions", "forms"]
    assert corolla("plugins", "why", "sessions").stdout.startswith("sessions 0.3")
    assert "greeter" in corolla("plugins", "graph").stdout
    # Commands that need the app still fail, in one line; check reports it as a failed start-up.
    assert "No module named 'nonexistent_mod'" in corolla("run", code=2).stderr
    errors = corolla.json("check", "--json", code=1)["errors"]
    assert [(e["plugin"], e["kind"]) for e in errors] == [("app", "startup")]
    assert errors[0]["fix"] == "fix the app so that it imports (--traceback shows where)"

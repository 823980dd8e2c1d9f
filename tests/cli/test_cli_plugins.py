"""``corolla plugins list|show|check|graph|why``, text and JSON, over synthetic plugins."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Corolla

from corolla import App
from corolla.cli._data import PRECEDENCE
from corolla.testing import Client, SyntheticPlugins

LIST_KEYS = {"name", "version", "distribution", "status", "reason", "provides", "requires", "position", "manifest"}


def test_list_text_is_an_aligned_table_in_load_order(corolla: Corolla, trio: SyntheticPlugins) -> None:
    out = corolla("plugins", "list").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["#", "NAME", "VERSION", "DISTRIBUTION", "STATUS", "PROVIDES", "REQUIRES", "WHY"]
    *rows, footnote = lines[1:]
    names = [line.split()[1] for line in rows]
    assert names == ["greeter*", "sessions*", "forms*"]  # these synthetic plugins ship no manifest
    assert footnote.startswith("* no manifest: its declaration was read by importing it")
    # aligned: every row's VERSION column starts where the header's does
    col = lines[0].index("VERSION")
    assert all(line[col - 2 : col] == "  " and line[col] != " " for line in rows)
    assert "\x1b[" not in out  # not a terminal: no colour


def test_bare_plugins_is_plugins_list(corolla: Corolla, trio: SyntheticPlugins) -> None:
    assert corolla("plugins").stdout == corolla("plugins", "list").stdout


def test_disable_plugin_leaves_plugins_out_for_one_invocation(corolla: Corolla, trio: SyntheticPlugins) -> None:
    rows = {r["name"]: r for r in corolla.json("--disable-plugin", "greeter", "plugins", "list", "--json")}
    assert rows["greeter"]["status"] == "disabled"
    assert rows["sessions"]["status"] == "enabled"
    rows = {
        r["name"]: r
        for r in corolla.json(
            "--disable-plugin=greeter",
            "--disable-plugin",
            "forms",
            "plugins",
            "list",
            "--json",
            environ={"COROLLA_DISABLE_PLUGINS": "nothing-else"},
        )
    }
    assert rows["greeter"]["status"] == rows["forms"]["status"] == "disabled"
    assert "COROLLA_DISABLE_PLUGINS" in rows["forms"]["reason"]
    # The next invocation has them back.
    assert {r["name"]: r["status"] for r in corolla.json("plugins", "list", "--json")}["greeter"] == "enabled"


def test_check_reports_an_unknown_key_by_environment_as_a_config_problem(
    corolla: Corolla, trio: SyntheticPlugins
) -> None:
    out = corolla("plugins", "check", environ={"COROLLA_CORE__DEBG": "1"}, code=1).stdout

    assert "does not resolve" not in out
    assert out.splitlines() == [
        "error: the config has 1 problem (the plugin set resolves):",
        "  1. [unknown-key] environment COROLLA_CORE__DEBG: unknown key 'debg' in section [core]; "
        "did you mean 'debug'?",
        "     fix: rename COROLLA_CORE__DEBG to COROLLA_CORE__DEBUG",
    ]


def test_check_json_fixes_carry_their_parts(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("forms", requires=["base>=0.2"], requires_dist=["corolla", "acme-base>=0.3"])
    corolla_plugins.add("sessions", version="0.6")
    corolla_plugins.add("memory-sessions", version="0.3", provides=["sessions"])
    corolla_plugins.add("orm", version="1.0")
    corolla_plugins.add("audit", requires=["orm>=2", "sessions>=0.5"])

    pinned = {"COROLLA_PLUGINS": "forms,sessions,memory-sessions,orm,audit"}
    errors = {e["kind"]: e for e in corolla.json("plugins", "check", "--json", environ=pinned, code=1)["errors"]}

    assert errors["missing"]["actions"] == [
        {"command": 'pip install "acme-base>=0.3"', "distribution": "acme-base", "requirement": "acme-base>=0.3"}
    ]
    assert errors["version"]["actions"] == [
        {
            "command": 'pip install -U "corolla-orm>=2"',
            "distribution": "corolla-orm",
            "requirement": "orm>=2",
            "provider": "orm",
        }
    ]
    assert errors["capability-conflict"]["actions"] == [
        {"config": '[plugins.providers] sessions = "sessions"', "capability": "sessions", "provider": "sessions"}
    ]


def test_check_prints_each_fix_command_on_a_line_of_its_own(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("future", version="3.0", requires_dist=["corolla>=9"])

    out = corolla("plugins", "check", code=1).stdout

    lines = out.splitlines()
    fix = lines.index("     fix: install a release of corolla-future made for corolla 0.1.0:")
    assert lines[fix + 1 : fix + 4] == [
        "          pip install -U corolla-future",
        "          or a core every plugin's range admits:",
        '          pip install "corolla>=9"',
    ]


def test_list_json_has_the_documented_keys(corolla: Corolla, trio: SyntheticPlugins) -> None:
    rows = corolla.json("plugins", "list", "--json")
    assert all(set(row) >= LIST_KEYS for row in rows)
    forms = next(r for r in rows if r["name"] == "forms")
    assert forms["status"] == "enabled"
    assert forms["position"] == 2
    assert forms["requires"] == ["sessions>=0.2"]
    assert forms["distribution"] == "corolla-forms"


def test_list_shows_why_a_plugin_is_disabled(corolla: Corolla, trio: SyntheticPlugins) -> None:
    (corolla.cwd / "corolla.toml").write_text('[plugins]\ndisabled = ["greeter"]\n')
    rows = {r["name"]: r for r in corolla.json("plugins", "list", "--json")}
    assert rows["greeter"]["status"] == "disabled"
    assert rows["greeter"]["position"] is None
    assert "[plugins] disabled" in rows["greeter"]["reason"]
    text = corolla("plugins", "list").stdout
    assert "disabled by [plugins] disabled" in text


def test_list_environment_selection_is_honoured(corolla: Corolla, trio: SyntheticPlugins) -> None:
    rows = {r["name"]: r for r in corolla.json("plugins", "list", "--json", environ={"COROLLA_PLUGINS": "sessions"})}
    assert rows["sessions"]["status"] == "enabled"
    assert rows["forms"]["status"] == "disabled"


def test_list_with_nothing_installed(corolla: Corolla) -> None:
    assert "No plugins are installed" in corolla("plugins", "list").stdout
    assert corolla.json("plugins", "list", "--json") == []


def test_list_broken_plugin_is_refused_with_the_import_error(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("broken", source="import not_a_module_anywhere\n")
    corolla_plugins.add("fine")
    pinned = {"COROLLA_PLUGINS": "broken,fine"}
    rows = {r["name"]: r for r in corolla.json("plugins", "list", "--json", environ=pinned)}
    assert rows["broken"]["status"] == "refused"
    assert "No module named 'not_a_module_anywhere'" in rows["broken"]["reason"]
    assert rows["fine"]["status"] == "refused"  # nothing of a pinned set is half-loaded
    assert "refused" in corolla("plugins", "list", environ=pinned).stdout


def test_an_unpinned_broken_plugin_is_skipped_and_fails_the_check(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("broken", source="import not_a_module_anywhere\n")
    corolla_plugins.add("fine")
    rows = {r["name"]: r for r in corolla.json("plugins", "list", "--json")}
    assert rows["fine"]["status"] == "enabled"  # the app starts without the plugin it never asked for
    assert rows["broken"]["status"] == "skipped"
    assert "No module named 'not_a_module_anywhere'" in rows["broken"]["reason"]
    assert "skipped" in corolla("plugins", "list").stdout
    data = corolla.json("plugins", "check", "--json", code=1)  # the CI gate still fails on it
    assert [(e["plugin"], e["kind"]) for e in data["errors"]] == [("broken", "import")]
    assert "\npip uninstall corolla-broken\n" in data["errors"][0]["fix"]


def test_check_ok_exits_0(corolla: Corolla, trio: SyntheticPlugins) -> None:
    out = corolla("plugins", "check").stdout
    assert out.strip() == "ok: the plugin set resolves; load order: greeter, sessions, forms"
    data = corolla.json("plugins", "check", "--json")
    assert data == {"ok": True, "order": ["greeter", "sessions", "forms"], "errors": [], "warnings": []}


def test_check_failure_exits_1_with_every_problem_and_fix(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("sessions", version="0.1")
    corolla_plugins.add("forms", requires=["sessions>=0.2"])
    corolla_plugins.add("a", requires=["b"])
    corolla_plugins.add("b", requires=["a"])
    out = corolla("plugins", "check", code=1).stdout
    assert "does not resolve (2 problems)" in out
    assert "[version] plugin 'forms' (corolla-forms 1.0) requires 'sessions>=0.2'" in out
    assert 'fix: pip install -U "corolla-sessions>=0.2"' in out
    assert "[cycle]" in out
    data = corolla.json("plugins", "check", "--json", code=1)
    assert data["ok"] is False and data["order"] == []
    assert [e["kind"] for e in data["errors"]] == ["version", "cycle"]
    assert all(set(e) == {"plugin", "kind", "message", "fix", "actions"} for e in data["errors"])


def test_check_reports_config_problems(corolla: Corolla, trio: SyntheticPlugins) -> None:
    (corolla.cwd / "corolla.toml").write_text("[sessions]\nbackedn = 'redis'\n")
    data = corolla.json("plugins", "check", "--json", code=1)
    assert data["errors"][0]["kind"] == "unknown-key"
    assert "did you mean 'backend'?" in data["errors"][0]["message"]


def test_show_everything_about_one_plugin(corolla: Corolla, trio: SyntheticPlugins) -> None:
    (corolla.cwd / "corolla.toml").write_text("[sessions]\nbackend = 'redis'\nsecret = 'hunter2'\n")
    data = corolla.json("plugins", "show", "sessions", "--json")
    assert data["name"] == "sessions" and data["version"] == "0.3"
    assert data["entry_point"].endswith(":Plugin")
    assert data["location"].endswith(".py")
    assert data["request_attributes"] == ["session"]
    assert [h["hook"] for h in data["hooks"]] == ["corolla_request_attributes"]
    settings = {s["key"]: s for s in data["settings"]}
    assert settings["backend"]["value"] == "redis"
    assert settings["backend"]["default"] == "cookie"
    assert settings["backend"]["source"].endswith("corolla.toml")
    assert settings["secret"]["value"] == "***" and settings["secret"]["default"] == "***"
    text = corolla("plugins", "show", "sessions").stdout
    assert "hunter2" not in text and "s3cret" not in text
    assert "request attrs: session" in text
    assert "backend" in text and "'redis'" in text


def test_show_an_invalid_value_as_configured_with_its_source(corolla: Corolla, trio: SyntheticPlugins) -> None:
    (corolla.cwd / "corolla.toml").write_text("[sessions]\nbackend = 'memcached'\nsecret = 42\n")
    data = corolla.json("plugins", "show", "sessions", "--json")
    settings = {s["key"]: s for s in data["settings"]}
    backend = settings["backend"]
    assert backend["value"] == "memcached" and backend["default"] == "cookie"
    assert backend["source"].endswith("corolla.toml")
    assert backend["invalid"] == "expected one of 'cookie', 'redis'"
    assert settings["secret"]["value"] == "***" and settings["secret"]["invalid"] == "expected str"
    env = {"COROLLA_SESSIONS__BACKEND": "{'a': 'b: c'}"}
    backend = {s["key"]: s for s in corolla.json("plugins", "show", "sessions", "--json", environ=env)["settings"]}[
        "backend"
    ]
    assert backend["value"] == "{'a': 'b: c'}"
    assert backend["source"] == "environment COROLLA_SESSIONS__BACKEND"
    text = corolla("plugins", "show", "sessions").stdout
    assert "'memcached' (invalid: expected one of 'cookie', 'redis')" in text
    assert "'cookie'  'cookie'" not in text
    (corolla.cwd / "corolla.toml").write_text("[sessions]\nbackend = 'redis'\n")
    valid = corolla.json("plugins", "show", "sessions", "--json")["settings"]
    assert [s["invalid"] for s in valid] == [None, None]


def test_a_setting_check_is_reported_once_by_check_and_shown_by_show(corolla: Corolla) -> None:
    check = "lambda value, section: None if value > 0 else 'must be positive'"
    corolla.plugins.add("counter", settings={"tries": f"Setting(int, 3, 'Tries', check={check})"})
    (corolla.cwd / "corolla.toml").write_text("[counter]\ntries = 0\n")
    out = corolla("plugins", "check", code=1).output
    assert out.count("[counter] tries = 0: must be positive") == 1
    [error] = corolla.json("plugins", "check", "--json", code=1)["errors"]
    assert error["kind"] == "wrong-value"
    assert (error["section"], error["key"], error["value"], error["reason"]) == (
        "counter",
        "tries",
        0,
        "must be positive",
    )
    assert error["source"].endswith("corolla.toml")
    [tries] = corolla.json("plugins", "show", "counter", "--json")["settings"]
    assert (tries["value"], tries["invalid"]) == (0, "must be positive")


def test_show_lists_commands_a_plugin_adds(corolla: Corolla, trio: SyntheticPlugins) -> None:
    assert corolla.json("plugins", "show", "greeter", "--json")["commands"] == ["greet"]
    assert corolla.json("plugins", "show", "forms", "--json")["commands"] == []
    forms = corolla.json("plugins", "show", "forms", "--json")
    assert forms["satisfied_by"] == {"sessions>=0.2": "sessions"}
    assert forms["optional"] == ["orm"]


def test_show_a_disabled_plugin_reads_its_declaration(corolla: Corolla, trio: SyntheticPlugins) -> None:
    data = corolla.json("plugins", "show", "forms", "--json", environ={"COROLLA_DISABLE_PLUGINS": "forms"})
    assert data["status"] == "disabled"
    assert data["requires"] == ["sessions>=0.2"]


@pytest.mark.parametrize("command", ["show", "why"])
def test_unknown_name_is_a_usage_error_with_did_you_mean(
    corolla: Corolla, trio: SyntheticPlugins, command: str
) -> None:
    result = corolla("plugins", command, "sesions", code=2)
    assert "no installed plugin is named 'sesions'; did you mean 'sessions'?" in result.output
    result = corolla("plugins", command, "zzz", code=2)
    assert "did you mean" not in result.output


def test_why_gives_the_reason_and_reverse_dependencies(corolla: Corolla, trio: SyntheticPlugins) -> None:
    text = corolla("plugins", "why", "sessions").stdout
    assert text.splitlines() == [
        "sessions 0.3 (corolla-sessions) is enabled: loaded at position 1",
        "loaded because:",
        "  autoloaded: no allowlist ([plugins] enabled, App(plugins=...), COROLLA_PLUGINS) names the plugins",
        "  required by forms (sessions>=0.2)",
        "plugin set chosen by: autoload (nothing pins the set)",
        f"  (which wins: {PRECEDENCE})",
        "required by:",
        "  <- forms (requires 'sessions>=0.2', enabled)",
        "failures while serving: none recorded in instance/plugin-failures.sqlite3",
    ]
    data = corolla.json("plugins", "why", "sessions", "--json")
    assert data["needed_by"] == [
        {"plugin": "forms", "status": "enabled", "kind": "requires", "requirement": "sessions>=0.2", "needed_by": []}
    ]
    forms = corolla.json("plugins", "why", "forms", "--json")
    assert forms["needs"] == [
        {"requirement": "sessions>=0.2", "kind": "requires", "provider": "sessions"},
        {"requirement": "orm", "kind": "optional", "provider": None},
    ]


def test_why_chains_through_several_plugins(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("base")
    corolla_plugins.add("middle", requires=["base"])
    corolla_plugins.add("top", requires=["middle"])
    text = corolla("plugins", "why", "base").stdout
    assert "required by:\n  <- middle (requires 'base', enabled)\n     <- top (requires 'middle', enabled)" in text


def test_why_follows_only_requires_beyond_the_first_level_and_lists_integrators_once(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    # templates <-optional- routing <-optional- orm <-optional- sessions; site requires all of them.
    corolla_plugins.add("templates")
    corolla_plugins.add("routing", optional=["templates"])
    corolla_plugins.add("orm", optional=["routing"])
    corolla_plugins.add("sessions", optional=["orm", "templates"])
    corolla_plugins.add("site", requires=["templates", "routing", "orm", "sessions"])
    enabled = '["templates", "routing", "orm", "sessions", "site"]'
    (corolla.cwd / "corolla.toml").write_text(f"[plugins]\nenabled = {enabled}\n")
    text = corolla("plugins", "why", "templates").stdout
    assert text.splitlines()[1:] == [
        "loaded because:",
        "  in [plugins] enabled (corolla.toml)",
        "  required by site (templates)",
        "plugin set chosen by: [plugins] enabled (corolla.toml)",
        f"  (which wins: {PRECEDENCE})",
        "required by:",
        "  <- site (requires 'templates', enabled)",
        "integrated with (optional, they use it when it is loaded): routing (enabled), sessions (enabled)",
        "failures while serving: none recorded in instance/plugin-failures.sqlite3",
    ]
    data = corolla.json("plugins", "why", "templates", "--json")
    assert [(d["plugin"], d["kind"], d["needed_by"]) for d in data["needed_by"]] == [
        ("routing", "optional", []),
        ("sessions", "optional", []),
        ("site", "requires", []),
    ]
    assert data["loaded_because"][0].startswith("in [plugins] enabled (") and data["loaded_because"][1:] == [
        "required by site (templates)"
    ]
    assert corolla.json("plugins", "why", "site", "--json")["loaded_because"][1:] == []
    env = {"COROLLA_PLUGINS": "templates"}
    assert corolla.json("plugins", "why", "templates", "--json", environ=env)["loaded_because"] == [
        "in COROLLA_PLUGINS"
    ]
    assert corolla.json("plugins", "why", "site", "--json", environ=env)["loaded_because"] == []


def test_graph_expands_each_plugin_once(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("base")
    corolla_plugins.add("middle", requires=["base"])
    corolla_plugins.add("left", requires=["middle"])
    corolla_plugins.add("top", requires=["left", "middle"])
    assert corolla("plugins", "graph").stdout.splitlines() == [
        "top 1.0 [enabled]",
        "|-- requires left: left 1.0 [enabled]",
        "|   `-- requires middle: middle 1.0 [enabled]",
        "|       `-- requires base: base 1.0 [enabled]",
        "`-- requires middle: middle 1.0 [enabled] (see above)",
    ]


def test_why_a_capability_names_its_provider(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("redis-sessions", provides=["sessions"])
    assert corolla.json("plugins", "why", "sessions", "--json")["name"] == "redis-sessions"


def test_why_refused(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("forms", requires=["sessions"])
    text = corolla("plugins", "why", "forms", environ={"COROLLA_PLUGINS": "forms"}).stdout
    assert "is refused: plugin 'forms' (corolla-forms 1.0) requires 'sessions'" in text
    assert "sessions (requires) <- nothing installed provides it" in text


def test_graph_tree(corolla: Corolla, trio: SyntheticPlugins) -> None:
    text = corolla("plugins", "graph").stdout
    assert text.splitlines() == [
        "greeter 2.0 [enabled]",
        "forms 0.1 [enabled]",
        "|-- requires sessions>=0.2: sessions 0.3 [enabled]",
        "`-- optional orm: (not provided)",
    ]


def test_graph_formats(corolla: Corolla, trio: SyntheticPlugins) -> None:
    dot = corolla("plugins", "graph", "--format", "dot").stdout
    assert dot.startswith("digraph corolla {")
    assert '"forms" -> "sessions" [label="sessions>=0.2"];' in dot
    assert '"forms" -> "missing: orm" [label="orm", style=dashed];' in dot
    mermaid = corolla("plugins", "graph", "--format", "mermaid").stdout
    assert mermaid.startswith("graph LR")
    assert 'p_forms -->|"sessions>=0.2"| p_sessions' in mermaid
    data = corolla.json("plugins", "graph", "--format", "json")
    assert data == corolla.json("plugins", "graph", "--json")
    assert {n["name"] for n in data["nodes"]} == {"greeter", "sessions", "forms"}
    assert {"plugin": "forms", "needs": "sessions", "kind": "requires", "requirement": "sessions>=0.2"} in data["edges"]
    result = corolla("plugins", "graph", "--format", "png", code=2)
    assert "'png' is not one of" in result.output


def test_plugins_commands_do_not_build_plugin_commands(
    corolla: Corolla, corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    module = corolla_plugins.folder / "noisy_cli.py"
    module.write_text(
        "import click\n\n"
        "def make(app):\n"
        f"    with open({str(log)!r}, 'a') as f:\n"
        "        f.write('built\\n')\n"
        "    return click.Command('noisy')\n"
    )
    corolla_plugins.add("noisy", body="commands = {'noisy': 'noisy_cli:make'}")
    for args in (["list"], ["list", "--json"], ["check"], ["graph"], ["why", "noisy"]):
        corolla("plugins", *args)
    corolla("check")
    assert corolla.json("plugins", "show", "noisy", "--json")["commands"] == ["noisy"]  # read as data
    assert not log.exists()
    corolla("--help")  # the control: --help builds it (for its help line), so the recording works
    assert log.read_text() == "built\n"


def test_show_a_plugin_that_does_not_import(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("broken", source="raise RuntimeError('half-written plugin')\n")
    data = corolla.json("plugins", "show", "broken", "--json")
    assert data["status"] == "skipped"  # installed, not pinned: the app would start without it
    assert "RuntimeError: half-written plugin" in data["error"]
    assert data["hooks"] == [] and data["settings"] == []
    assert "error:        failed to import" in corolla("plugins", "show", "broken").stdout


def test_why_and_graph_name_a_disabled_provider(corolla: Corolla, trio: SyntheticPlugins) -> None:
    env = {"COROLLA_DISABLE_PLUGINS": "sessions"}
    text = corolla("plugins", "why", "forms", environ=env).stdout
    assert "is skipped" in text
    assert "sessions>=0.2 (requires) <- sessions (disabled)" in text
    edges = corolla.json("plugins", "graph", "--json", environ=env)["edges"]
    assert {"plugin": "forms", "needs": "sessions", "kind": "requires", "requirement": "sessions>=0.2"} in edges
    assert "requires sessions>=0.2: sessions 0.3 [disabled]" in corolla("plugins", "graph", environ=env).stdout


def test_graph_shows_a_cycle_nothing_else_depends_on(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("alone")
    corolla_plugins.add("chicken", requires=["egg"])
    corolla_plugins.add("egg", requires=["chicken"])
    text = corolla("plugins", "graph", environ={"COROLLA_PLUGINS__STRICT": "1"}).stdout
    assert text.splitlines()[0].startswith("alone 1.0")
    assert "chicken 1.0" in text and "requires egg: egg 1.0" in text and "(cycle)" in text


def test_why_says_which_source_chose_the_set(corolla: Corolla, trio: SyntheticPlugins) -> None:
    corolla.write_app('app = App(plugins=["sessions", "forms"], plugin_path=PLUGIN_PATH, environ=ENV)')
    app_file = corolla.cwd / "app.py"
    app_file.write_text(
        app_file.read_text().replace("PLUGIN_PATH =", "import os\nENV = dict(os.environ)\nPLUGIN_PATH =")
    )
    data = corolla.json("plugins", "why", "sessions", "--json")
    assert data["selected_by"]["source"] == "App(plugins=...)"


MISSPELLED = """
@hookimpl
def corolla_respose(self, request, response):
    pass
"""


def test_check_reports_every_misspelled_hook_at_once(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    for name in ("one", "two", "three", "four"):
        corolla_plugins.add(name, body=MISSPELLED)
    data = corolla.json("plugins", "check", "--json", code=1)
    assert [(e["plugin"], e["kind"]) for e in data["errors"]] == [
        ("four", "unknown-hook"),
        ("one", "unknown-hook"),
        ("three", "unknown-hook"),
        ("two", "unknown-hook"),
    ]
    assert (
        "implements 'corolla_respose', which no installed plugin declares as a hook; did you mean "
        in (data["errors"][0]["message"])
    )


def test_check_fails_when_the_app_cannot_be_loaded(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("fine")
    result = corolla("--app", "nosuch", "plugins", "check", code=1)
    assert "could not load the app 'nosuch'" in result.stdout
    assert "the plugin set it would start with is unknown" in result.stdout
    (corolla.cwd / "app.py").write_text("import not_a_module_anywhere\n")
    data = corolla.json("plugins", "check", "--json", code=1)
    assert data["errors"][-1]["kind"] == "app"


def test_check_checks_the_apps_own_pinned_set(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("fine")
    corolla_plugins.add("forms", requires=["sessions"])  # installed, but not in the app's set
    corolla.write_app('app = App(plugins=["fine"], plugin_path=PLUGIN_PATH, environ={})')
    data = corolla.json("plugins", "check", "--json")
    assert data["ok"] and data["order"] == ["fine"]


def test_check_warns_when_a_required_plugin_is_not_a_dependency(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add("base", distribution="acme-base", manifest=True)
    corolla_plugins.add("extra", requires=["base"], manifest=True)  # its METADATA names only corolla
    corolla_plugins.add("good", requires=["base"], requires_dist=["corolla", "acme-base>=1"], manifest=True)
    data = corolla.json("plugins", "check", "--json")
    assert data["ok"], data
    assert [(w["plugin"], w["kind"]) for w in data["warnings"]] == [("extra", "undeclared-dependency")], data
    assert (
        data["warnings"][0]["fix"]
        == 'add "acme-base" (with a version range) to corolla-extra\'s [project] dependencies'
    )


def test_failures_lists_what_the_apps_workers_recorded_and_clears_it(
    corolla: Corolla, corolla_plugins: SyntheticPlugins
) -> None:
    corolla_plugins.add(
        "boom",
        version="2.1",
        body="""
        @hookimpl
        def corolla_dispatch(self, request):
            raise RuntimeError("kaboom on " + request.path)
        """,
    )
    app = App(root=corolla.cwd, plugin_path=corolla_plugins.path, environ={})
    client = Client(app)
    assert [client.get(path).status_code for path in ("/a", "/b")] == [500, 500]
    (row,) = corolla.json("plugins", "failures", "--json")
    assert {k: row[k] for k in ("plugin", "hook", "error", "count", "message")} == {
        "plugin": "boom",
        "hook": "corolla_dispatch",
        "error": "RuntimeError",
        "count": 2,
        "message": "kaboom on /b",
    }
    assert row["first_at"] <= row["last_at"] and row["last_at"].endswith("Z")
    assert corolla.json("plugins", "why", "boom", "--json")["failures"]["total"] == 2
    assert "no installed plugin is named 'bom'" in corolla("plugins", "failures", "bom", code=2).output
    assert corolla("plugins", "failures", "boom", "--clear").stdout == (
        "forgot 2 failures of boom recorded in instance/plugin-failures.sqlite3\n"
    )
    assert corolla.json("plugins", "failures", "--json") == []

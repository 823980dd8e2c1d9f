"""Layered configuration: defaults < corolla.toml (or [tool.corolla]) < App(config=) < environment."""

from __future__ import annotations

import stat

import pytest

from corolla import ConfigError, Problem

SETTINGS = {
    "backend": "Setting(str, 'cookie', choices=['cookie', 'redis'])",
    "lifetime": "Setting(int, 3600)",
    "ratio": "Setting(float, 0.5)",
    "secure": "Setting(bool, False)",
    "hosts": "Setting(list, ['localhost'])",
    "options": "Setting(dict, {})",
    "workers": "Setting(int, 1, choices=[1, 2, 4])",
    "level": "Setting(float, 0.5, choices=[0.5, 1.0])",
    "key": "Setting(str, None, secret=True)",
}


@pytest.fixture
def sessions(corolla_plugins):
    corolla_plugins.add("sessions", settings=SETTINGS)
    return corolla_plugins


def config_problems(make_app, *args, **kwargs) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        make_app(*args, **kwargs)
    assert str(info.value).startswith("The configuration is invalid")
    return info.value.problems


def only(problems: list[Problem], kind: str) -> Problem:
    assert [p.kind for p in problems] == [kind], problems
    return problems[0]


# -- layers ---------------------------------------------------------------------------


def test_defaults_come_from_the_plugin_and_the_core(sessions, make_app):
    app = make_app()

    assert dict(app.config["sessions"]) == {
        "backend": "cookie",
        "lifetime": 3600,
        "ratio": 0.5,
        "secure": False,
        "hosts": ["localhost"],
        "options": {},
        "workers": 1,
        "level": 0.5,
        "key": None,
    }
    assert app.config["core"]["debug"] is False
    assert app.config.source("sessions", "lifetime") == "defaults"
    assert app.plugins["sessions"].config is app.config["sessions"]
    assert set(app.config) == {"core", "plugins", "sessions"}


def test_layers_later_wins_and_source_names_the_layer(sessions, make_app, tmp_path):
    toml = tmp_path / "corolla.toml"
    toml.write_text("[sessions]\nlifetime = 10\nbackend = 'redis'\nsecure = false\n\n[core]\ndebug = true\n")

    app = make_app(
        config={"sessions": {"backend": "cookie", "secure": False}},
        environ={"COROLLA_SESSIONS__SECURE": "yes", "COROLLA_SESSIONS__RATIO": "0.25"},
        root=tmp_path,
    )

    values = app.config["sessions"]
    assert (values["lifetime"], values["backend"], values["secure"], values["ratio"]) == (10, "cookie", True, 0.25)
    assert values["workers"] == 1
    assert app.config.source("sessions", "lifetime") == str(toml)
    assert app.config.source("sessions", "backend") == "App(config=...)"
    assert app.config.source("sessions", "secure") == "environment COROLLA_SESSIONS__SECURE"
    assert app.config.source("sessions", "workers") == "defaults"
    assert app.debug is True


def test_pyproject_tool_corolla_is_read_when_there_is_no_corolla_toml(sessions, make_app, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.corolla.sessions]\nlifetime = 20\n")

    app = make_app(root=tmp_path)

    assert app.config["sessions"]["lifetime"] == 20
    assert app.config.source("sessions", "lifetime") == f"{tmp_path / 'pyproject.toml'} [tool.corolla]"


def test_pyproject_is_ignored_when_there_is_a_corolla_toml(sessions, make_app, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.corolla.sessions]\nlifetime = 20\nratio = 0.75\n")
    (tmp_path / "corolla.toml").write_text("[sessions]\nlifetime = 30\n")

    app = make_app(root=tmp_path)

    assert app.config["sessions"]["lifetime"] == 30
    assert app.config["sessions"]["ratio"] == 0.5, "no value of [tool.corolla] is merged in"


def test_pyproject_without_tool_corolla_is_fine(sessions, make_app, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")

    assert make_app(root=tmp_path).config["sessions"]["lifetime"] == 3600


def test_plugin_selection_from_the_config_file(corolla_plugins, make_app, tmp_path):
    for name in ("alpha", "beta", "gamma"):
        corolla_plugins.add(name)
    (tmp_path / "corolla.toml").write_text("[plugins]\nenabled = ['alpha', 'beta']\ndisabled = ['beta']\n")

    app = make_app(root=tmp_path)

    assert app.resolution.order == ("alpha",)
    assert (
        app.resolution.decisions["gamma"].reason
        == f"not in the allowlist ([plugins] enabled ({tmp_path / 'corolla.toml'}))"
    )
    assert app.resolution.decisions["beta"].reason == f"disabled by [plugins] disabled ({tmp_path / 'corolla.toml'})"


def test_defaults_are_copied_for_every_app(sessions, make_app):
    first = make_app()
    first.config["sessions"]["hosts"].append("db")

    assert make_app().config["sessions"]["hosts"] == ["localhost"]


# -- environment strings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("secure", "1", True),
        ("secure", "TRUE", True),
        ("secure", " on ", True),
        ("secure", "no", False),
        ("secure", "", False),
        ("lifetime", "42", 42),
        ("lifetime", "-1", -1),
        ("ratio", "2.5", 2.5),
        ("ratio", "3", 3.0),
        ("hosts", "a, b,,c ", ["a", "b", "c"]),
        ("hosts", "", []),
        ("options", '{"pool": {"size": 5}, "tls": true}', {"pool": {"size": 5}, "tls": True}),
        ("backend", "redis", "redis"),
        ("workers", "4", 4),
        ("level", "1", 1.0),
    ],
)
def test_environment_strings_are_converted(sessions, make_app, key, text, value):
    app = make_app(environ={f"COROLLA_SESSIONS__{key.upper()}": text})

    assert app.config["sessions"][key] == value
    assert type(app.config["sessions"][key]) is type(value)


def test_environment_sets_core_and_plugins_sections(corolla_plugins, make_app):
    corolla_plugins.add("alpha")
    corolla_plugins.add("beta")
    corolla_plugins.add("redis-sessions", settings={"url": "Setting(str, 'redis://localhost')"})

    app = make_app(
        environ={
            "COROLLA_CORE__DEBUG": "true",
            "COROLLA_CORE__MAX_FORM_PARTS": "10",
            "COROLLA_PLUGINS__DISABLED": "beta",
            "COROLLA_REDIS_SESSIONS__URL": "redis://cache:6379/1",
            "COROLLA_UNRELATED__THING": "another program's variable",
        }
    )

    assert app.debug is True
    assert app.config["core"]["max_form_parts"] == 10
    assert app.resolution.order == ("alpha", "redis-sessions")
    assert app.config["redis-sessions"]["url"] == "redis://cache:6379/1"


@pytest.mark.parametrize(
    ("key", "text", "shown"),
    [
        ("secure", "maybe", "expected one of 1/0, true/false, yes/no, on/off"),
        ("lifetime", "ten", "invalid literal for int()"),
        ("ratio", "half", "could not convert string to float"),
        ("options", "[1, 2]", "expected a JSON object"),
        ("options", "{pool: 5}", "Expecting property name"),
        ("backend", "memcached", "expected one of 'cookie', 'redis'"),
        ("workers", "3", "expected one of 1, 2, 4"),
        ("level", "0.75", "expected one of 0.5, 1.0"),
    ],
)
def test_environment_strings_that_do_not_convert(sessions, make_app, key, text, shown):
    var = f"COROLLA_SESSIONS__{key.upper()}"

    problem = only(config_problems(make_app, environ={var: text}), "wrong-type")

    assert problem.plugin == "sessions"
    assert problem.message.startswith(f"environment {var}: {var} = {text!r}: ")
    assert shown in problem.message
    assert problem.fix.startswith(f"give {var} a ")


# -- wrong values, unknown keys and sections ---------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("lifetime", "3600", "expected int, got str"),
        ("lifetime", True, "expected int, got bool"),
        ("secure", 1, "expected bool, got int"),
        ("ratio", "0.5", "expected float, got str"),
        ("hosts", "localhost", "expected list, got str"),
        ("hosts", ["a", 1], "expected a list of strings"),
        ("options", ["a"], "expected dict, got list"),
        ("backend", "memcached", "expected one of 'cookie', 'redis'"),
        ("workers", 3, "expected one of 1, 2, 4"),
        ("level", 2, "expected one of 0.5, 1.0"),
    ],
)
def test_wrong_type(sessions, make_app, key, value, shown):
    problem = only(config_problems(make_app, config={"sessions": {key: value}}), "wrong-type")

    assert problem.message == f"App(config=...): [sessions] {key} = {value!r}: {shown}"
    assert problem.fix.startswith(f"give [sessions] {key} a ")


def test_int_is_accepted_for_a_float(sessions, make_app):
    app = make_app(config={"sessions": {"ratio": 2}})

    assert app.config["sessions"]["ratio"] == 2.0 and type(app.config["sessions"]["ratio"]) is float


def test_wrong_type_in_the_config_file_names_the_file(sessions, make_app, tmp_path):
    (tmp_path / "corolla.toml").write_text("[sessions]\nlifetime = '1h'\n")

    problem = only(config_problems(make_app, root=tmp_path), "wrong-type")

    assert problem.message == f"{tmp_path / 'corolla.toml'}: [sessions] lifetime = '1h': expected int, got str"


@pytest.mark.parametrize(
    ("kwargs", "source"),
    [
        ({"config": {"sessions": {"lifetme": 5}}}, "App(config=...)"),
        ({"environ": {"COROLLA_SESSIONS__LIFETME": "5"}}, "environment COROLLA_SESSIONS__LIFETME"),
    ],
)
def test_unknown_key_with_did_you_mean(sessions, make_app, kwargs, source):
    problem = only(config_problems(make_app, **kwargs), "unknown-key")

    assert problem.plugin == "sessions"
    assert problem.message == f"{source}: unknown key 'lifetme' in section [sessions]; did you mean 'lifetime'?"
    if "environ" in kwargs:  # the fix names the variable to change, not a key in a file
        assert problem.fix == "rename COROLLA_SESSIONS__LIFETME to COROLLA_SESSIONS__LIFETIME"
    else:
        assert problem.fix == "rename it (did you mean 'lifetime'?)"


def test_unknown_key_by_environment_without_a_close_match_says_unset_it(sessions, make_app):
    problem = only(config_problems(make_app, environ={"COROLLA_CORE__COLOUR": "blue"}), "unknown-key")

    assert problem.message == "environment COROLLA_CORE__COLOUR: unknown key 'colour' in section [core]"
    assert problem.fix.startswith("unset COROLLA_CORE__COLOUR\n[core] has the settings: content_type_nosniff,")


def test_unknown_key_without_a_close_match_lists_the_keys(sessions, make_app):
    problem = only(config_problems(make_app, config={"core": {"colour": "blue"}}), "unknown-key")

    assert problem.message == "App(config=...): unknown key 'colour' in section [core]"
    assert problem.fix.startswith("use one of: content_type_nosniff, cross_origin_opener_policy, debug,")


def test_unknown_key_for_a_plugin_without_settings(corolla_plugins, make_app):
    corolla_plugins.add("hello")

    problem = only(config_problems(make_app, config={"hello": {"greeting": "hi"}}), "unknown-key")

    assert problem.message == "App(config=...): unknown key 'greeting' in section [hello]"
    assert problem.fix == "remove it: [hello] has no settings"


def test_every_config_problem_at_once(sessions, make_app):
    problems = config_problems(
        make_app, config={"sessions": {"lifetme": 5, "secure": "yes"}, "core": {"debug": "no"}, "sesions": {}}
    )

    assert sorted(p.kind for p in problems) == ["unknown-key", "unknown-section", "wrong-type", "wrong-type"]


@pytest.mark.parametrize(
    ("section", "fix"),
    [("sesions", "rename it (did you mean 'sessions'?)"), ("croe", "rename it (did you mean 'core'?)")],
)
def test_unknown_section_with_did_you_mean(sessions, make_app, section, fix):
    problem = only(config_problems(make_app, config={section: {"lifetime": 5}}), "unknown-section")

    assert problem.plugin == section
    assert problem.message.startswith(f"App(config=...): section [{section}] matches no installed plugin; did you mean")
    assert problem.fix == fix


def test_unknown_section_without_a_close_match(sessions, make_app, tmp_path):
    (tmp_path / "corolla.toml").write_text("[orm]\nurl = 'sqlite://'\n")

    problem = only(config_problems(make_app, root=tmp_path), "unknown-section")

    assert problem.message == f"{tmp_path / 'corolla.toml'}: section [orm] matches no installed plugin"
    assert problem.fix == "remove it, or install the plugin it configures"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"plugins": ["other"]},
        {"environ": {"COROLLA_DISABLE_PLUGINS": "sessions"}},
        {"config": {"plugins": {"disabled": ["sessions"]}}},
    ],
    ids=["allowlist", "env-denylist", "config-denylist"],
)
def test_section_of_an_installed_but_disabled_plugin_is_ignored(sessions, make_app, kwargs):
    sessions.add("other")
    section = {"sessions": {"lifetime": "not checked", "nonsense": 1}}
    variable = {"COROLLA_SESSIONS__SECURE": "not checked either"}

    app = make_app(
        config={**section, **kwargs.pop("config", {})}, environ={**variable, **kwargs.pop("environ", {})}, **kwargs
    )

    assert app.resolution.order == ("other",)
    assert "sessions" not in app.config
    # The same section is checked as soon as the plugin is enabled.
    assert sorted(p.kind for p in config_problems(make_app, config=section, environ=variable)) == [
        "unknown-key",
        "wrong-type",
        "wrong-type",
    ]


@pytest.mark.parametrize(
    ("config", "shown"),
    [
        ({"debug": True}, "App(config=...): 'debug' is not inside a section"),
        ({"core": {"debug": True}, "plugins": ["a"]}, "App(config=...): 'plugins' is not inside a section"),
    ],
)
def test_value_not_inside_a_section(sessions, make_app, config, shown):
    problem = only(config_problems(make_app, config=config), "config-layout")

    assert problem.message == shown
    assert "put it in the section it belongs to" in problem.fix


def test_value_not_inside_a_section_in_the_file(sessions, make_app, tmp_path):
    (tmp_path / "corolla.toml").write_text("debug = true\n\n[sessions]\nlifetime = 5\n")

    problem = only(config_problems(make_app, root=tmp_path), "config-layout")

    assert problem.message == f"{tmp_path / 'corolla.toml'}: 'debug' is not inside a section"
    assert "[core] in corolla.toml" in problem.fix


@pytest.mark.parametrize("filename", ["corolla.toml", "pyproject.toml"])
def test_invalid_toml_is_a_clear_error(sessions, make_app, tmp_path, filename):
    (tmp_path / filename).write_text("[sessions\nlifetime = 5\n")

    problem = only(config_problems(make_app, root=tmp_path), "config-file")

    assert problem.message.startswith(f"cannot read {tmp_path / filename}: ")
    assert "line 1" in problem.message
    assert problem.fix == "fix the TOML syntax"


def test_tool_corolla_that_is_not_a_table(sessions, make_app, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool]\ncorolla = 5\n")

    problem = only(config_problems(make_app, root=tmp_path), "config-layout")

    assert problem.message == f"{tmp_path / 'pyproject.toml'} [tool.corolla] is 5, not a table"


# -- secrets ----------------------------------------------------------------------------------------------


def test_masked_hides_secret_values(sessions, make_app):
    app = make_app(
        config={"sessions": {"key": "hunter2", "lifetime": 5}, "core": {"secret_key": "s3cret"}},
    )

    assert app.config.masked("sessions")["key"] == "***"
    assert app.config.masked("sessions")["lifetime"] == 5
    assert app.config["sessions"]["key"] == "hunter2"
    core = app.config.masked("core")
    assert core["secret_key"] == "***"
    assert core["secret_key_fallbacks"] == [], "an empty secret shows as empty"
    assert core["debug"] is False
    assert make_app().config.masked("sessions")["key"] is None
    assert app.config.masked("no-such-section") == {}


def test_secret_key_is_generated_once_in_the_instance_folder(make_app, tmp_path):
    first = make_app(root=tmp_path)
    key = first.secret_key
    second = make_app(root=tmp_path)

    path = tmp_path / "instance" / "secret_key"
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 32
    assert second.secret_key == key
    assert first.secret_key == key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"], "no temporary file is left behind"
    assert make_app().secret_key != key, "another app root gets another key"


def test_instance_path_setting_moves_the_generated_key(make_app, tmp_path):
    app = make_app(root=tmp_path / "app", config={"core": {"instance_path": str(tmp_path / "var")}})

    key = app.secret_key

    assert (tmp_path / "var" / "secret_key").read_text().strip() == key
    assert not (tmp_path / "app" / "instance").exists()


@pytest.mark.parametrize(
    ("kwargs", "source"),
    [
        ({"config": {"core": {"secret_key": "from-config"}}}, "App(config=...)"),
        ({"environ": {"COROLLA_CORE__SECRET_KEY": "from-config"}}, "environment COROLLA_CORE__SECRET_KEY"),
    ],
)
def test_explicit_secret_key_is_used(make_app, tmp_path, kwargs, source):
    app = make_app(root=tmp_path, **kwargs)

    assert app.secret_key == "from-config"
    assert app.config.source("core", "secret_key") == source
    assert not (tmp_path / "instance").exists()


def test_empty_secret_key_file_is_refused(make_app, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("\n")
    app = make_app(root=tmp_path)

    with pytest.raises(ConfigError) as info:
        app.secret_key  # noqa: B018 - the property is what is tested

    problem = only(info.value.problems, "secret-key")
    assert problem.message == f"the development secret key file {tmp_path / 'instance' / 'secret_key'} is empty"
    assert problem.fix.startswith(f"delete {tmp_path / 'instance' / 'secret_key'}")


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_secret_key_setting_is_refused(make_app, tmp_path, value):
    # What an unset variable in a deploy template gives: never a silent fallback.
    problem = only(config_problems(make_app, root=tmp_path, environ={"COROLLA_CORE__SECRET_KEY": value}), "secret-key")

    assert problem.message == "environment COROLLA_CORE__SECRET_KEY: [core] secret_key is empty"
    assert "token_urlsafe" in problem.fix
    assert not (tmp_path / "instance").exists()


def test_relative_instance_path_is_relative_to_the_app_root(make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(root=tmp_path / "app", config={"core": {"instance_path": "var/instance"}})

    key = app.secret_key

    assert app.instance_path == tmp_path / "app" / "var" / "instance"
    assert (tmp_path / "app" / "var" / "instance" / "secret_key").read_text().strip() == key
    assert not (tmp_path / "var").exists()


def test_secret_key_without_hard_links_is_still_private(make_app, tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("os.link", no_links)
    app = make_app(root=tmp_path)

    key = app.secret_key

    path = tmp_path / "instance" / "secret_key"
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def test_secret_values_are_masked_in_error_messages(make_app, corolla_plugins):
    corolla_plugins.add("db", settings={"password_id": "Setting(int, 0, secret=True)"})

    problems = config_problems(
        make_app,
        config={"secret_key": "hunter2-misplaced"},
        environ={"COROLLA_DB__PASSWORD_ID": "s3cr3t-pw"},
    )

    text = "\n".join(p.message for p in problems)
    assert "hunter2" not in text
    assert "s3cr3t" not in text
    assert "COROLLA_DB__PASSWORD_ID = ***: expected int" in text
    assert "App(config=...): 'secret_key' is not inside a section" in text


def test_malformed_plugins_section_stops_before_any_plugin_is_imported(corolla_plugins, make_app, tmp_path):
    marker = tmp_path / "imported"
    corolla_plugins.add("noisy", source=f"open({str(marker)!r}, 'w').close()\nraise SystemExit('imported')\n")

    problem = only(config_problems(make_app, config={"plugins": {"enabled": 5}}), "wrong-type")

    assert problem.message == "App(config=...): [plugins] enabled = 5: expected list, got int"
    assert not marker.exists()

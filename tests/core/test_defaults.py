"""The core's own hook implementations (registered as the plugin ``corolla``)."""

from __future__ import annotations

from corolla import Check
from corolla.testing import run_cli


def checks(app) -> dict[str, Check]:
    results = app.plugin_manager.hook.corolla_deploy_checks(app=app)
    return {check.id: check for batch in results for check in batch}


def test_core_deploy_checks_fail_for_a_development_setup(make_app):
    app = make_app(config={"core": {"debug": True, "testing": True, "trace_hooks": True}})

    found = checks(app)

    failed = {check_id for check_id, check in found.items() if not check.ok}
    expected = {"core.debug", "core.testing", "core.trace_hooks", "core.secret_key", "core.plugins_pinned"}
    assert expected | {"core.trusted_hosts", "core.plugins_locked"} <= failed
    assert found["core.debug"].fix == "set [core] debug = false (or COROLLA_CORE__DEBUG=0)"
    assert "generated in the instance folder" in found["core.secret_key"].message
    assert found["core.plugins_pinned"].message == "every installed plugin is autoloaded"
    assert found["core.plugins_locked"].message == "no lock file: any installed version of each plugin starts"
    assert found["core.plugins_locked"].fix.startswith("run corolla plugins lock where the app was tested")


def test_core_deploy_checks_pass_for_a_production_setup(corolla_plugins, make_app, tmp_path):
    corolla_plugins.add("hello")
    environ = {
        "COROLLA_CORE__SECRET_KEY": "k3y-with-enough-variety-" * 3,
        "COROLLA_CORE__TRUSTED_HOSTS": "example.com",
        "COROLLA_CORE__SSL_REDIRECT": "true",
        "COROLLA_PLUGINS": "hello",
    }
    locked = run_cli("plugins", "lock", cwd=tmp_path, plugin_path=corolla_plugins.path, environ=environ)
    assert locked.exit_code == 0, locked.output
    app = make_app(environ={**environ, "COROLLA_PLUGINS__LOCK": "corolla.lock"}, root=tmp_path)

    found = checks(app)

    assert all(check.ok for check in found.values()), found
    assert found["core.secret_key"].message == "the secret key comes from environment COROLLA_CORE__SECRET_KEY"
    assert found["core.plugins_pinned"].message == "the plugin set is pinned by COROLLA_PLUGINS"
    assert found["core.plugins_locked"].message == (
        "the plugins match the lock corolla.lock (environment COROLLA_PLUGINS__LOCK)"
    )


def test_plugin_deploy_checks_are_collected_beside_the_core(corolla_plugins, make_app):
    corolla_plugins.add(
        "strict",
        body="""
        @hookimpl
        def corolla_deploy_checks(self, app):
            return [corolla.Check("strict.always", False, "strict is never happy", "uninstall strict")]
        """,
    )
    app = make_app()

    found = checks(app)

    assert found["strict.always"].as_dict() == {
        "id": "strict.always",
        "ok": False,
        "message": "strict is never happy",
        "fix": "uninstall strict",
        "severity": "error",
    }
    assert "core.debug" in found


def test_short_secret_key_fails_the_deploy_check(make_app):
    app = make_app(environ={"COROLLA_CORE__SECRET_KEY": "short"})

    check = checks(app)["core.secret_key"]

    assert not check.ok
    assert check.message == "the secret key is only 5 characters long"
    assert "at least 50 characters" in check.fix


def test_a_key_of_one_repeated_character_fails_and_so_does_a_weak_fallback(make_app):
    app = make_app(config={"core": {"secret_key": "A" * 64, "secret_key_fallbacks": ["x" * 60, "old-short-key"]}})

    found = checks(app)

    assert found["core.secret_key"].message == "the secret key has only 1 distinct characters"
    assert not found["core.secret_key_fallbacks"].ok
    assert found["core.secret_key_fallbacks"].message == (
        "secret_key_fallbacks: #1 has only 1 distinct characters; #2 is only 13 characters long"
    )


def test_placeholder_keys_stop_the_app(make_app):
    import pytest

    import corolla

    for key in ("changeme", "CHANGE-ME-in-production-please-0123456789abcdefghijklmnop", "secret"):
        with pytest.raises(corolla.ConfigError, match=r"\[core\] secret_key = \*\*\*: a placeholder"):
            make_app(config={"core": {"secret_key": key}})
    with pytest.raises(corolla.ConfigError, match=r"\[core\] secret_key_fallbacks = \*\*\*: #1 a placeholder"):
        make_app(config={"core": {"secret_key": "k3y-with-enough-variety-" * 3, "secret_key_fallbacks": ["changeme"]}})


def test_a_key_committed_to_a_repository_is_a_warning(make_app, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "corolla.toml").write_text('[core]\nsecret_key = "' + "k3y-with-enough-variety-" * 3 + '"\n')
    check = checks(make_app(root=tmp_path))["core.secret_key_source"]
    assert not check.ok and check.severity == "warning"
    assert "corolla.toml" in check.message and str(tmp_path) in check.message


def test_the_generated_key_is_logged_as_a_warning_outside_the_development_server(make_app, caplog):
    import logging

    app = make_app()
    with caplog.at_level(logging.WARNING, logger="corolla"):
        assert app.secret_key
        assert app.secret_key
    warnings = [r.getMessage() for r in caplog.records if "development secret key" in r.getMessage()]
    assert len(warnings) == 1 and "COROLLA_CORE__SECRET_KEY" in warnings[0]

"""The core's own hook implementations (registered as the plugin ``corolla``)."""

from __future__ import annotations

from corolla import Check


def checks(app) -> dict[str, Check]:
    results = app.plugin_manager.hook.corolla_deploy_checks(app=app)
    return {check.id: check for batch in results for check in batch}


def test_core_deploy_checks_fail_for_a_development_setup(make_app):
    app = make_app(config={"core": {"debug": True, "trace_hooks": True}})

    found = checks(app)

    assert set(found) == {"core.debug", "core.trace_hooks", "core.secret_key", "core.plugins_pinned"}
    assert not any(check.ok for check in found.values())
    assert found["core.debug"].fix == "set [core] debug = false (or COROLLA_CORE__DEBUG=0)"
    assert "generated in the instance folder" in found["core.secret_key"].message
    assert found["core.plugins_pinned"].message == "every installed plugin is autoloaded"


def test_core_deploy_checks_pass_for_a_production_setup(corolla_plugins, make_app):
    corolla_plugins.add("hello")
    app = make_app(
        environ={"COROLLA_CORE__SECRET_KEY": "k" * 40, "COROLLA_PLUGINS": "hello"},
    )

    found = checks(app)

    assert all(check.ok for check in found.values()), found
    assert found["core.secret_key"].message == "the secret key comes from environment COROLLA_CORE__SECRET_KEY"
    assert found["core.plugins_pinned"].message == "the plugin set is pinned by COROLLA_PLUGINS"


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
    }
    assert "core.debug" in found


def test_short_secret_key_fails_the_deploy_check(make_app):
    app = make_app(environ={"COROLLA_CORE__SECRET_KEY": "short"})

    check = checks(app)["core.secret_key"]

    assert not check.ok
    assert check.message == "the secret key is only 5 characters long"
    assert "at least 32 characters" in check.fix

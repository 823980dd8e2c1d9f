"""``corolla check [--deploy]``: config validation and deploy checks; exit 1 on failure."""

from __future__ import annotations

import re

from cli_support import Corolla

from corolla.testing import SyntheticPlugins

PRODUCTION = {
    "COROLLA_CORE__SECRET_KEY": "k3y-with-enough-variety-" * 3,
    "COROLLA_CORE__TRUSTED_HOSTS": "example.com",
    "COROLLA_CORE__SSL_REDIRECT": "true",
    "COROLLA_PLUGINS": "checked",
}

CHECKS = """
@hookimpl
def corolla_deploy_checks(self, app):
    ok = self.config["mode"] == "safe"
    return [corolla.Check("checked.mode", ok, f"mode is {self.config['mode']}", "set [checked] mode = 'safe'")]
"""


def test_check_passes(corolla: Corolla, trio: SyntheticPlugins) -> None:
    out = corolla("check").stdout
    assert out.strip() == (
        "ok: the plugin set resolves and the config is valid (sections: core, plugins, greeter, sessions, forms)"
    )
    assert corolla.json("check", "--json") == {
        "ok": True,
        "deploy": False,
        "fail_level": "error",
        "errors": [],
        "checks": [],
    }


def test_check_fails_on_config(corolla: Corolla, trio: SyntheticPlugins) -> None:
    (corolla.cwd / "corolla.toml").write_text("[sessions]\nbackend = 'memcached'\n")
    result = corolla("check", code=1)
    assert "[wrong-type]" in result.stdout and "expected one of 'cookie', 'redis'" in result.stdout
    data = corolla.json("check", "--json", code=1)
    assert data["ok"] is False and data["errors"][0]["plugin"] == "sessions"


def test_deploy_checks_fail_in_development(corolla: Corolla, trio: SyntheticPlugins) -> None:
    out = corolla("check", "--deploy", code=1).stdout
    assert re.search(r"^ERROR +core\.secret_key ", out, re.M)
    assert re.search(r"^ERROR +core\.plugins_pinned ", out, re.M)
    assert re.search(r"^ok +core\.debug ", out, re.M)
    assert "core.plugins_pinned (error): pin the exact set" in out
    data = corolla.json("check", "--deploy", "--json", code=1)
    ids = {c["id"]: c for c in data["checks"]}
    expected = {"core.debug", "core.testing", "core.trace_hooks", "core.secret_key", "core.plugins_pinned"}
    assert expected | {"core.trusted_hosts", "core.plugins_locked"} <= set(ids)
    keys = {"id", "ok", "message", "fix", "severity", "plugin", "silenced"}
    assert all(set(c) == keys for c in data["checks"])
    assert ids["core.debug"]["plugin"] == "corolla"


def test_deploy_checks_of_plugins(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add("checked", settings={"mode": "Setting(str, 'unsafe')"}, body=CHECKS)
    data = corolla.json("check", "--deploy", "--json", environ=PRODUCTION, code=1)
    failed = [c["id"] for c in data["checks"] if not c["ok"]]
    assert failed == ["checked.mode", "core.plugins_locked"]
    corolla("plugins", "lock", environ=PRODUCTION)
    (corolla.cwd / "corolla.toml").write_text("[plugins]\nlock = 'corolla.lock'\n\n[checked]\nmode = 'safe'\n")
    data = corolla.json("check", "--deploy", "--json", environ=PRODUCTION)
    assert data["ok"] is True
    assert "ok: deploy checks pass" in corolla("check", "--deploy", environ=PRODUCTION).stdout


def test_a_raising_deploy_check_is_named(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add(
        "checked",
        body="""
        @hookimpl
        def corolla_deploy_checks(self, app):
            raise ValueError("cannot check")
        """,
    )
    data = corolla.json("check", "--deploy", "--json", environ=PRODUCTION, code=1)
    assert data["errors"] == [
        {
            "plugin": "checked",
            "kind": "deploy-check",
            "message": (
                "plugin 'checked' (corolla-checked 1.0) failed in corolla_deploy_checks: ValueError('cannot check')"
            ),
            "fix": "see the plugin's documentation",
        }
    ]
    assert {c["plugin"] for c in data["checks"]} == {"corolla"}  # the core's still ran


def test_app_failing_at_startup_fails_the_check(corolla: Corolla, corolla_plugins: SyntheticPlugins) -> None:
    corolla_plugins.add(
        "fragile",
        body="""
        @hookimpl
        def corolla_startup(self, app):
            raise RuntimeError("no database")
        """,
    )
    corolla.write_app()
    data = corolla.json("check", "--json", code=1)
    assert data["errors"][0]["kind"] == "startup"
    assert data["errors"][0]["plugin"] == "fragile"
    assert "RuntimeError('no database')" in data["errors"][0]["message"]


def test_invalid_plugins_section_fails_every_check_cleanly(corolla: Corolla, trio: SyntheticPlugins) -> None:
    (corolla.cwd / "corolla.toml").write_text('[plugins]\nenabeld = ["forms"]\n')
    data = corolla.json("plugins", "check", "--json", code=1)
    assert data["errors"][0]["kind"] == "unknown-key"
    assert "did you mean 'enabled'?" in data["errors"][0]["message"]
    assert corolla.json("check", "--json", code=1)["errors"][0]["plugin"] == "plugins"
    result = corolla("plugins", "list", code=1)
    assert result.stderr.startswith("Error: The configuration is invalid (1 problem):")
    assert "Traceback" not in result.output

"""``corolla check --deploy`` over the standard plugins and corolla-auth: every check, its severity, its fix.

A good production configuration passes. Each bad setting, alone, makes its
own check fail with the fix in the report, and every check has a row in
docs/deploy.md's table. A deliberately weak configuration fails with every
problem at once. Checks are silenced by id with a reason, ``--fail-level``
picks what fails, and ``check`` writes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import corolla
from corolla.testing import run_cli

ROOT = Path(__file__).parents[2]
DEPLOY_MD = ROOT / "docs" / "deploy.md"
PLUGINS = ["routing", "sessions", "orm", "forms", "templates", "auth"]
STRONG = "p6Gx0-Kq7vT2bN9wYz4LmR8sJd1HfUcE5aXoIyQ3rWkVgZtB_m2Hn7Lp4"  # 56 characters, many distinct

#: A production configuration: every check passes (SQLite silenced, with its reason).
GOOD: dict[str, dict[str, Any]] = {
    "core": {
        "secret_key": STRONG,
        "trusted_hosts": ["notes.example.com"],
        "ssl_redirect": True,
        "silenced_checks": {"orm.sqlite": "one machine, backed up nightly; the demo's production uses PostgreSQL"},
    },
    "plugins": {"enabled": PLUGINS},  # and [plugins] lock: the fixture writes the lock
    "sessions": {"cookie_secure": True},
    "templates": {"serve_static": False},
}

#: (section, key, value) -> the check that must fail, and a part of its fix.
BAD = [
    ("core", "debug", True, "core.debug", "debug = false"),
    ("core", "trace_hooks", True, "core.trace_hooks", "trace_hooks = false"),
    ("core", "instance_path", "/dev/null/instance", "core.failure_record", "instance_path"),
    ("core", "secret_key", None, "core.secret_key", "COROLLA_CORE__SECRET_KEY"),
    ("core", "secret_key", "A" * 60, "core.secret_key", "at least 50 characters"),
    ("core", "secret_key", "abcdefghij" * 4, "core.secret_key", "at least 50 characters"),
    ("core", "secret_key_fallbacks", ["old-but-short"], "core.secret_key_fallbacks", "secret_key_fallbacks"),
    ("core", "trusted_hosts", [], "core.trusted_hosts", "trusted_hosts"),
    ("core", "trusted_hosts", ["*"], "core.trusted_hosts", "trusted_hosts"),
    ("core", "hsts_seconds", 0, "core.hsts", "hsts_seconds"),
    ("core", "ssl_redirect", False, "core.ssl_redirect", "ssl_redirect = true"),
    ("core", "frame_options", "", "core.frame_options", "frame_options"),
    ("core", "content_type_nosniff", False, "core.content_type_nosniff", "content_type_nosniff"),
    ("core", "referrer_policy", "", "core.referrer_policy", "referrer_policy"),
    ("core", "cross_origin_opener_policy", "", "core.cross_origin_opener_policy", "cross_origin_opener_policy"),
    ("plugins", "enabled", None, "core.plugins_pinned", "enabled"),
    ("plugins", "lock", None, "core.plugins_locked", "corolla plugins lock"),
    ("sessions", "cookie_secure", False, "sessions.cookie_secure", "cookie_secure = true"),
    ("sessions", "cookie_httponly", False, "sessions.cookie_httponly", "cookie_httponly = true"),
    ("sessions", "cookie_samesite", "None", "sessions.cookie_samesite", "Lax"),
    ("sessions", "redis_url", "redis://10.0.0.5:6379/0", "sessions.redis_security", "rediss://"),
    ("forms", "csrf_enabled", False, "forms.csrf_enabled", "csrf_enabled = true"),
    ("forms", "csrf_everywhere", False, "forms.csrf_everywhere", "csrf_everywhere = true"),
    ("forms", "csrf_time_limit", 0, "forms.csrf_time_limit", "csrf_time_limit"),
    ("forms", "csrf_ssl_strict", False, "forms.csrf_ssl_strict", "csrf_ssl_strict = true"),
    ("forms", "csrf_trusted_origins", ["http://admin.example.com"], "forms.csrf_trusted_origins", "https://"),
    ("orm", "echo", True, "orm.echo", "echo = false"),
    ("templates", "serve_static", True, "templates.static", "serve_static = false"),
    ("templates", "auto_reload", True, "templates.auto_reload", "auto_reload"),
    ("auth", "max_attempts", 0, "auth.rate_limit", "max_attempts"),
    ("auth", "password_method", "pbkdf2:sha256:1000", "auth.password_method", "600000"),
    ("auth", "max_registrations", 0, "auth.registration_limit", "max_registrations"),
]


def merged(*changes: tuple[str, str, Any]) -> dict[str, dict[str, Any]]:
    config = {section: dict(values) for section, values in GOOD.items()}
    for section, key, value in changes:
        config.setdefault(section, {})[key] = value
    if "redis_url" in config.get("sessions", {}):
        config["sessions"]["backend"] = "redis"
    return config


@pytest.fixture
def report(make_app: Callable[..., corolla.App], tmp_path: Path) -> Callable[..., tuple[int, dict[str, Any]]]:
    """``report(config, *args)``: (exit status, JSON report) of ``check --deploy`` for an app migrated to head."""

    def run(config: dict[str, Any], *args: str) -> tuple[int, dict[str, Any]]:
        config = {**config, "orm": {"url": f"sqlite:///{tmp_path / 'app.db'}", **config.get("orm", {})}}
        if not (tmp_path / "corolla.lock").exists():  # the release's lock, of the installed plugins
            pinned = {"COROLLA_PLUGINS": ",".join(PLUGINS)}  # the app's set (auth is not autoloaded)
            assert run_cli("plugins", "lock", cwd=tmp_path, environ=pinned).exit_code == 0
        plugins = config.setdefault("plugins", {})
        if "lock" not in plugins:
            config["plugins"] = {**plugins, "lock": str(tmp_path / "corolla.lock")}
        app = make_app(config["plugins"].get("enabled"), config, isolated=False, root=tmp_path)
        # Unpinned, the example plugin auth (autoload = False) and its migrations stay out: create the tables.
        upgraded = run_cli("db", "upgrade" if "auth" in app.plugins else "create-all", app=app)
        assert upgraded.exit_code == 0, upgraded.output
        result = run_cli("check", "--deploy", "--json", *args, app=app)
        return result.exit_code, json.loads(result.output)

    return run


def failed(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in data["checks"] if not c["ok"] and not c["silenced"]}


def test_the_production_configuration_passes(report: Callable[..., tuple[int, dict[str, Any]]]) -> None:
    code, data = report(GOOD)
    assert failed(data) == {} and data["errors"] == []
    assert code == 0 and data["ok"] is True
    (sqlite,) = [c for c in data["checks"] if c["id"] == "orm.sqlite"]
    assert sqlite["ok"] is False and sqlite["silenced"].startswith("one machine")  # the reason is recorded


@pytest.mark.parametrize(("section", "key", "value", "check_id", "fix"), BAD, ids=[f"{b[3]}={b[2]!r}" for b in BAD])
def test_each_bad_setting_fails_its_check_with_the_fix(
    report: Callable[..., tuple[int, dict[str, Any]]], section: str, key: str, value: Any, check_id: str, fix: str
) -> None:
    code, data = report(merged((section, key, value)), "--fail-level", "info")
    found = failed(data)
    assert check_id in found, [c for c in data["checks"] if c["id"] == check_id]
    assert fix in found[check_id]["fix"]
    assert found[check_id]["severity"] in ("error", "warning", "info")
    assert code == 1


def test_every_check_has_a_row_in_the_deploy_guide(report: Callable[..., tuple[int, dict[str, Any]]]) -> None:
    _, weak = report(weakest())
    rows = dict(re.findall(r"^\| `([a-z_]+\.[a-z_.]+)` \| (.+) \|$", DEPLOY_MD.read_text(), re.M))
    missing = sorted({c["id"] for c in weak["checks"]} - set(rows))
    assert missing == [], f"docs/deploy.md's check table lacks {missing}"
    for row in rows.values():
        cells = [cell.strip() for cell in row.split(" | ")]
        assert len(cells) == 3 and all(cells), row  # severity, what it protects against, the fix


def weakest() -> dict[str, dict[str, Any]]:
    """Every bad setting at once (the last one for a key that appears twice)."""
    config = merged(*[(section, key, value) for section, key, value, _, _ in BAD])
    config["core"]["silenced_checks"] = {}
    return config


def test_a_weak_configuration_fails_with_every_problem_at_once(
    report: Callable[..., tuple[int, dict[str, Any]]],
) -> None:
    # Every bad setting but the unpinned set, which would leave out the example plugin auth (autoload = False)
    # and its checks; test_each_bad_setting_fails_its_check_with_the_fix covers core.plugins_pinned.
    config = weakest()
    config["plugins"]["enabled"] = PLUGINS
    code, data = report(config, "--fail-level", "info")
    expected = {check_id for _, _, _, check_id, _ in BAD if check_id != "core.plugins_pinned"} | {"orm.sqlite"}
    assert expected <= set(failed(data)), sorted(expected - set(failed(data)))
    assert code == 1


def test_the_secret_key_is_reported_once(report: Callable[..., tuple[int, dict[str, Any]]]) -> None:
    _, data = report(merged(("core", "secret_key", None)))
    about_the_key = [c["id"] for c in failed(data).values() if "secret key" in c["message"]]
    assert about_the_key == ["core.secret_key"]


def test_silencing_needs_a_known_id_and_a_reason(report: Callable[..., tuple[int, dict[str, Any]]]) -> None:
    config = merged(("core", "silenced_checks", {"orm.sqlite": "", "orm.sqllite": "typo"}))
    code, data = report(config)
    found = failed(data)
    assert "orm.sqlite" in found  # no reason: not silenced
    assert "orm.sqllite" in found["core.silenced_checks"]["message"] and code == 1


def test_fail_level_chooses_what_fails(report: Callable[..., tuple[int, dict[str, Any]]]) -> None:
    config = merged(("core", "trace_hooks", True))  # a warning
    code, data = report(config)
    assert failed(data)["core.trace_hooks"]["severity"] == "warning"
    assert (code, data["ok"], data["fail_level"]) == (0, True, "error")
    code, data = report(config, "--fail-level", "warning")
    assert (code, data["ok"]) == (1, False)


def test_the_text_report_shows_severity_silences_and_fixes(make_app: Callable[..., corolla.App]) -> None:
    config = merged(("core", "debug", True), ("core", "trace_hooks", True))
    app = make_app(PLUGINS, config, isolated=False)
    out = run_cli("check", "--deploy", app=app).output
    assert re.search(r"^ERROR +core\.debug ", out, re.M)
    assert re.search(r"^WARNING +core\.trace_hooks ", out, re.M)
    assert re.search(r"^silenced +orm\.sqlite ", out, re.M)
    assert "orm.sqlite: silenced: one machine" in out
    assert "core.debug (error): set [core] debug = false" in out


def test_check_writes_nothing(tmp_path: Path) -> None:
    # No app: the installed plugins over an empty folder (SQLite by default, the development key).
    result = run_cli("check", "--deploy", "--json", cwd=tmp_path)
    data = json.loads(result.output)
    assert failed(data)["core.secret_key"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == []  # no instance/app.db, no instance/secret_key

"""The core's own hook implementations: the project runs on its own hooks.

Registered under the plugin name ``corolla`` in every app, first, so its
implementations run after every plugin's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._checks import Check
from ._failures import FILE_NAME
from ._markers import hookimpl
from ._secrets import HOW, MIN_DISTINCT, MIN_LENGTH, under_version_control, weakness

if TYPE_CHECKING:
    from ._app import App


class CorePlugin:
    """The core's own hook implementations: the project runs on its own hooks."""

    def __init__(self, app: App) -> None:
        self.app = app

    @hookimpl
    def corolla_deploy_checks(self, app: App) -> list[Check]:
        checks = [
            Check(
                "core.debug",
                not app.debug,
                "debug is on" if app.debug else "debug is off",
                "set [core] debug = false (or COROLLA_CORE__DEBUG=0)",
            ),
        ]
        testing = app.config["core"]["testing"]
        checks.append(
            Check(
                "core.testing",
                not testing,
                "testing is on: an unhandled exception escapes the app instead of a 500 page"
                if testing
                else "testing is off",
                "set [core] testing = false (or COROLLA_CORE__TESTING=0); it is for test suites",
            )
        )
        tracing = app.config["core"]["trace_hooks"]
        checks.append(
            Check(
                "core.trace_hooks",
                not tracing,
                "every hook call is traced and logged" if tracing else "hook tracing is off",
                "set [core] trace_hooks = false (or COROLLA_CORE__TRACE_HOOKS=0); tracing is for development",
                severity="warning",
            )
        )
        checks += _secret_key_checks(app)
        checks += _request_checks(app.config["core"])
        checks.append(_failure_record_check(app.instance_path / FILE_NAME))
        explicit = app.selection.enabled is not None
        checks.append(
            Check(
                "core.plugins_pinned",
                explicit,
                f"the plugin set is pinned by {app.selection.enabled_source}"
                if explicit
                else "every installed plugin is autoloaded",
                "pin the exact set: [plugins] enabled = [...] in corolla.toml, or COROLLA_PLUGINS",
            )
        )
        # The app started, so a configured lock matched the installed plugins (App() refuses otherwise).
        lock = app.config["plugins"]["lock"]
        checks.append(
            Check(
                "core.plugins_locked",
                bool(lock),
                f"the plugins match the lock {lock} ({app.config.source('plugins', 'lock')})"
                if lock
                else "no lock file: any installed version of each plugin starts",
                "run corolla plugins lock where the app was tested, ship corolla.lock with the app, "
                'and set [plugins] lock = "corolla.lock" (or COROLLA_PLUGINS__LOCK)',
            )
        )
        return checks


def _secret_key_checks(app: App) -> list[Check]:
    """The key (length, variety, placeholder; where it comes from) and every fallback, without reading app.secret_key.

    ``app.secret_key`` would create the development key file: a check writes nothing.
    """
    core = app.config["core"]
    key = core["secret_key"]
    fix = (
        f"set COROLLA_CORE__SECRET_KEY to a random value of at least {MIN_LENGTH} characters "
        f"({HOW}), kept out of the repository"
    )
    if key is None:
        found, ok = "the secret key is the development key generated in the instance folder", False
    else:
        weak = weakness(key)
        found = (
            f"the secret key {weak}" if weak else f"the secret key comes from {app.config.source('core', 'secret_key')}"
        )
        ok = weak is None
    checks = [Check("core.secret_key", ok, found, fix)]
    fallbacks = list(core["secret_key_fallbacks"])
    weak_ones = [f"#{n} {w}" for n, k in enumerate(fallbacks, 1) if (w := weakness(k))]
    checks.append(
        Check(
            "core.secret_key_fallbacks",
            not weak_ones,
            f"secret_key_fallbacks: {'; '.join(weak_ones)}"
            if weak_ones
            else f"{len(fallbacks)} fallback key{'s' * (len(fallbacks) != 1)}, each {MIN_LENGTH}+ characters "
            f"with {MIN_DISTINCT}+ distinct",
            "an old key still verifies signatures: drop it from [core] secret_key_fallbacks once the sessions "
            f"and tokens it signed have expired, and never put a weak one there (at least {MIN_LENGTH} characters)",
        )
    )
    for name in ("secret_key", "secret_key_fallbacks"):
        if not core[name]:
            continue
        source = app.config.source("core", name)
        repository = under_version_control(source)
        checks.append(
            Check(
                f"core.{name}_source",
                repository is None,
                f"[core] {name} is in {source}, inside the repository {repository}"
                if repository is not None
                else f"[core] {name} comes from {source}",
                f"move [core] {name} out of files under version control: set COROLLA_CORE__{name.upper()} "
                "from a secrets file or the service manager, and replace the key (it has been shared)",
                severity="warning",
            )
        )
    return checks


def _failure_record_check(path: Path) -> Check:
    """Can the workers count plugin failures (``corolla plugins why``)? Checked without writing anything."""
    problem = _unwritable(path)
    return Check(
        "core.failure_record",
        problem is None,
        f"plugin failures while serving are counted in {path}"
        if problem is None
        else f"plugin failures while serving cannot be counted: {problem}",
        "give the service user write access to the instance folder, or set [core] instance_path "
        "(COROLLA_CORE__INSTANCE_PATH) to a folder it can write",
        severity="warning",
    )


def _unwritable(path: Path) -> str | None:
    """Why this process could not create or update ``path`` (SQLite also writes beside it), or None."""
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is not writable"
    folder = path.parent
    while not folder.exists():  # the nearest folder that exists is where the others would be made
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder} is not writable"
    return None


def _request_checks(core: Any) -> list[Check]:
    """Trusted hosts, https, and each security header."""
    hosts = list(core["trusted_hosts"])
    any_host = not hosts or "*" in hosts
    hsts = core["hsts_seconds"]
    checks = [
        Check(
            "core.trusted_hosts",
            not any_host,
            "any Host header is accepted" if any_host else f"only {', '.join(hosts)} are served",
            "set [core] trusted_hosts to the site's host names (COROLLA_CORE__TRUSTED_HOSTS=notes.example.com): "
            "otherwise a forged Host header reaches absolute URLs the app builds (password-reset links, "
            "url_for(_external=True)) and caches",
        ),
        Check(
            "core.hsts",
            hsts >= 31_536_000 // 2,
            f"https responses carry Strict-Transport-Security: max-age={hsts}"
            if hsts
            else "no Strict-Transport-Security header: a first plain-http visit can be intercepted",
            "set [core] hsts_seconds to at least 15768000 (half a year; the default is 31536000)",
        ),
        Check(
            "core.ssl_redirect",
            core["ssl_redirect"],
            "plain-http requests are redirected to https" if core["ssl_redirect"] else "plain http is served",
            "set [core] ssl_redirect = true (behind a proxy, with ProxyFix so the app sees https), or silence this "
            "check with the reason when the front server redirects http itself",
            severity="warning",
        ),
    ]
    headers = [
        (
            "content_type_nosniff",
            "X-Content-Type-Options: nosniff",
            "browsers guessing a script from an upload",
            "true",
        ),
        ("frame_options", "X-Frame-Options and CSP frame-ancestors", "clickjacking in a frame", "'DENY'"),
        ("referrer_policy", "Referrer-Policy", "URLs (and their tokens) leaking to other sites", "'same-origin'"),
        (
            "cross_origin_opener_policy",
            "Cross-Origin-Opener-Policy",
            "a page opened by another site reaching this one's window",
            "'same-origin'",
        ),
    ]
    for key, header, against, good in headers:
        on = bool(core[key])
        checks.append(
            Check(
                f"core.{key}",
                on,
                f"responses carry {header}" if on else f"no {header} header: nothing stops {against}",
                f"set [core] {key} = {good} (the default)",
                severity="error" if key == "frame_options" else "warning",
            )
        )
    return checks

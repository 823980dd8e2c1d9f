"""The plugin as the manager sees it: resolution, config, deploy checks, import cost, public API."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from forms_support import SECRET

import corolla
import corolla_forms


def test_refused_when_sessions_is_disabled(make_app: Any) -> None:
    with pytest.raises(corolla.PluginResolutionError) as info:
        make_app(["forms", "views"], {"core": {"secret_key": SECRET}}, isolated=False)
    (problem,) = info.value.problems
    assert problem.kind == "missing"
    assert "plugin 'forms' (corolla-forms 0.1.0) requires 'sessions>=0.1,<1'" in problem.message
    assert "plugin 'sessions' (corolla-sessions 0.1.0) provides it but is disabled" in problem.message
    assert problem.fix == "enable 'sessions' (remove it from the denylist or add it to the allowlist)"


def test_refused_when_no_sessions_plugin_is_installed(make_app: Any, corolla_plugins: Any) -> None:
    # Only the forms plugin (the real class) and no provider of `sessions` in sight.
    corolla_plugins.add(
        "forms",
        source="from corolla_forms import FormsPlugin as Plugin\n",
        requires_dist=["corolla>=0.1,<0.2", "corolla-sessions>=0.1,<0.2"],  # as corolla-forms' own metadata
    )
    with pytest.raises(corolla.PluginResolutionError) as info:
        make_app(["forms"])
    (problem,) = info.value.problems
    assert problem.kind == "missing"
    assert "requires 'sessions>=0.1,<1'" in problem.message
    assert problem.fix.startswith('pip install "corolla-sessions>=0.1,<0.2"')


def test_a_negative_time_limit_is_refused(forms_app: Any) -> None:
    with pytest.raises(corolla.ConfigError) as info:
        forms_app({}, {"forms": {"csrf_time_limit": -5}})
    [problem] = info.value.problems
    assert isinstance(problem, corolla.ConfigProblem)
    assert (problem.section, problem.key, problem.value) == ("forms", "csrf_time_limit", -5)
    assert "[forms] csrf_time_limit = -5: is a negative number of seconds" in str(info.value)


def test_unknown_setting_gets_a_did_you_mean(forms_app: Any) -> None:
    with pytest.raises(corolla.ConfigError) as info:
        forms_app({}, {"forms": {"csrf_time_limt": 5}})
    assert "csrf_time_limit" in str(info.value)


def checks(app: corolla.App) -> dict[str, corolla.Check]:
    results = app.plugin_manager.hook.corolla_deploy_checks(app=app)
    return {c.id: c for batch in results for c in batch if c.id.startswith("forms.")}


def test_deploy_checks_pass_by_default(forms_app: Any) -> None:
    found = checks(forms_app({}))
    assert sorted(found) == [
        "forms.csrf_enabled",
        "forms.csrf_everywhere",
        "forms.csrf_ssl_strict",
        "forms.csrf_time_limit",
        "forms.csrf_trusted_origins",
    ]
    assert all(c.ok for c in found.values())
    assert found["forms.csrf_time_limit"].message == "CSRF tokens expire after 3600 seconds"


def test_deploy_checks_fail_when_protection_is_off(forms_app: Any) -> None:
    off = {"csrf_enabled": False, "csrf_time_limit": 0, "csrf_ssl_strict": False, "csrf_trusted_origins": ["http://a"]}
    found = checks(forms_app({}, {"forms": off}))
    assert not any(c.ok for c in found.values())
    assert found["forms.csrf_enabled"].message == "CSRF protection is off: any site can submit your forms"
    assert found["forms.csrf_time_limit"].message == "CSRF tokens never expire"
    assert "csrf_time_limit" in found["forms.csrf_time_limit"].fix


def test_no_request_wrapper_unless_csrf_everywhere(forms_app: Any) -> None:
    assert "forms" in forms_app({}).pipeline  # on by default
    assert "forms" not in forms_app({}, {"forms": {"csrf_everywhere": False}}).pipeline
    assert "forms" not in forms_app({}, {"forms": {"csrf_everywhere": True, "csrf_enabled": False}}).pipeline


def test_importing_the_plugin_imports_no_wtforms() -> None:
    code = (
        "import sys, corolla_forms; "
        "print(sorted(m for m in ('wtforms', 'itsdangerous') if m in sys.modules)); "
        "corolla_forms.Form; print('wtforms' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.split("\n")[:2] == ["[]", "True"]


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        corolla_forms.Nope  # noqa: B018


def test_init_only_reexports_with_sorted_all() -> None:
    init = Path(corolla_forms.__file__)
    tree = ast.parse(init.read_text())
    assert ast.get_docstring(tree)
    exported = corolla_forms.__all__
    assert exported == sorted(exported, key=lambda n: (not n[:1].isupper(), n))
    for name in exported:
        assert getattr(corolla_forms, name) is not None


def test_form_outside_a_forms_app(make_app: Any, corolla_plugins: Any) -> None:
    from werkzeug.test import EnvironBuilder

    app = make_app([])
    request = app.request_class(EnvironBuilder(method="POST").get_environ(), app)
    with pytest.raises(RuntimeError, match="the forms plugin is not enabled"):
        corolla_forms.Form(request)

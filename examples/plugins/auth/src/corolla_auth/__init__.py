"""corolla-auth: accounts for Corolla apps (entry point ``auth``).

``request.user`` (lazy), ``login(request, user)``, ``logout(request)``,
``@login_required``, the ``User`` model, ``LoginForm`` and ``RegisterForm``,
and login / register / logout pages under ``/auth``. See this distribution's
README.md, and docs/plugin-authoring.md, which builds this plugin step by step.

This module only re-exports. ``User`` (SQLAlchemy) and the forms (WTForms)
are loaded on first access, so reading the plugin's declaration stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._api import login, login_required, logout, safe_next
from ._plugin import AuthPlugin

if TYPE_CHECKING:
    from .forms import LoginForm, RegisterForm
    from .models import LoginAttempt, User

_LAZY = {"LoginAttempt": ".models", "User": ".models", "LoginForm": ".forms", "RegisterForm": ".forms"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AuthPlugin",
    "LoginAttempt",
    "LoginForm",
    "RegisterForm",
    "User",
    "login",
    "login_required",
    "logout",
    "safe_next",
]

"""corolla-auth: accounts for Corolla apps (entry point ``auth``).

``request.user`` (lazy), ``login(request, user)``, ``logout(request)``,
``@login_required``, the ``User`` model, ``LoginForm`` and ``RegisterForm``,
and login / register / logout pages under ``/auth``. See this distribution's
README.md, and docs/plugin-authoring.md, which builds this plugin step by step.

This module only re-exports. ``User`` (SQLAlchemy) and the forms (WTForms)
are loaded on first access, so reading the plugin's declaration stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corolla import lazy_exports

from ._api import login, login_required, logout, safe_next, update_session_auth_hash
from ._plugin import AuthPlugin
from ._typing import AuthRequest

if TYPE_CHECKING:
    from .forms import LoginForm, RegisterForm
    from .models import LoginAttempt, User

__getattr__ = lazy_exports(
    __name__, {"LoginAttempt": ".models", "User": ".models", "LoginForm": ".forms", "RegisterForm": ".forms"}
)


__all__ = [
    "AuthPlugin",
    "AuthRequest",
    "LoginAttempt",
    "LoginForm",
    "RegisterForm",
    "User",
    "login",
    "login_required",
    "logout",
    "safe_next",
    "update_session_auth_hash",
]

"""The pages: ``auth.login``, ``auth.register``, ``auth.logout``, as a ``corolla_routing.Router``.

Imported on the first request (from the plugin's ``corolla_routers``), with
WTForms and SQLAlchemy: building the router is the first thing that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import corolla
from corolla_routing import Router
from corolla_sessions import flash

from . import _ratelimit
from ._api import login, logout, safe_next, wants_json
from ._passwords import canonical
from .forms import LoginForm, LogoutForm, RegisterForm
from .models import User

if TYPE_CHECKING:
    from ._plugin import AuthPlugin
    from ._typing import PluginRequest


def find_user(db: Session, username: str) -> User | None:
    """The user named ``username`` (case-insensitive), or None."""
    return db.scalars(select(User).where(User.username_lower == username.strip().lower())).first()


def too_many(what: str, retry_after: int) -> str:
    minutes = max(1, round(retry_after / 60))
    return f"Too many {what}. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def rehash_if_needed(db: Session, user: User, password: str, method: str | None) -> None:
    """Hash ``password`` again when ``user``'s hash was made with another method (an older default, a cheap one).

    Only at login do we have the password: so a change of ``[auth] password_method`` reaches every account.
    """
    if user.password_hash.split("$", 1)[0] != canonical(method or ""):
        user.set_password(password, method or None)
        db.commit()


def check_login(plugin: AuthPlugin, request: PluginRequest, form: Any) -> tuple[User | None, Any]:
    """(the user when the login succeeds, else None; the refusal to answer with, or None for a wrong password)."""
    config = plugin.config
    db = request.db
    user = find_user(db, form.username.data)
    device = plugin.devices.trusted(request, user.id if user is not None else None)
    keys = _ratelimit.login_keys(form.username.data, request.remote_addr, device, config)
    # Recorded before it is counted, and before any password is checked.
    limited, attempt_ids = _ratelimit.attempt(db, keys, config["window"])
    if limited is not None:
        message = too_many("failed logins " + _ratelimit.WHERE[limited.what], limited.retry_after)
        headers = {"Retry-After": str(limited.retry_after)}
        if wants_json(request):
            return None, ({"error": message}, 429, headers)
        form.form_errors.append(message)
        return None, (request.render("auth/login.html", form=form), 429, headers)
    # Unknown users cost a hash check too, so timing does not tell which names exist.
    ok = user.check_password(form.password.data) if user else plugin.dummy_check(form.password.data)
    if user is None or not ok:
        return None, None
    _ratelimit.succeeded(db, keys, attempt_ids)
    rehash_if_needed(db, user, form.password.data, config["password_method"])
    return user, None


def make_router(plugin: AuthPlugin) -> Router:
    """The auth pages of one app (``plugin`` holds its config)."""
    config = plugin.config
    router = Router(name="auth")

    def redirect_after(request: corolla.Request, form: Any, user: User) -> corolla.Response:
        target = safe_next(form.next.data) or config["home"]
        response = corolla.Response(status=303, headers={"Location": target})
        plugin.devices.issue(request, response, user.id)  # this browser is now one the user logged in from
        return response

    @router.route("/login", endpoint="login", methods=["GET", "POST"])
    def login_view(request: PluginRequest) -> Any:
        form = LoginForm(request)
        if form.validate_on_submit():
            user, refusal = check_login(plugin, request, form)
            if refusal is not None:
                return refusal
            if user is not None:
                login(request, user)
                flash(request, f"Welcome back, {user.username}.", "success")
                return redirect_after(request, form, user)
            if wants_json(request):
                return {"error": "invalid username or password"}, 401
            form.form_errors.append("Invalid username or password.")
        return request.render("auth/login.html", form=form)

    @router.route("/register", endpoint="register", methods=["GET", "POST"])
    def register_view(request: PluginRequest) -> Any:
        form = RegisterForm(request)
        if form.validate_on_submit():
            db = request.db
            group = _ratelimit.address_group(request.remote_addr)
            keys = [_ratelimit.Key("registration", "register:" + group, config["max_registrations"])]
            limited, _ = _ratelimit.attempt(db, keys, config["window"])
            if limited is not None:
                form.form_errors.append(too_many("registrations from this address", limited.retry_after))
                return request.render("auth/register.html", form=form), 429, {"Retry-After": str(limited.retry_after)}
            username = form.username.data.strip()
            if find_user(db, username) is None:
                user = User(username=username)
                user.set_password(form.password.data, plugin.config["password_method"] or None)
                db.add(user)
                try:
                    db.commit()
                except IntegrityError:  # registered by a concurrent request between the check and now
                    db.rollback()
                else:
                    login(request, user)
                    flash(request, f"Welcome, {user.username}! Your account is ready.", "success")
                    return redirect_after(request, form, user)
            form.username.errors.append("That username is taken.")
        return request.render("auth/register.html", form=form)

    @router.post("/logout", endpoint="logout")
    def logout_view(request: PluginRequest) -> Any:
        LogoutForm(request).validate_or_abort()  # a 400 without a valid CSRF token
        was = request.user
        logout(request)
        if was is not None:
            flash(request, "You are logged out.", "info")
        return corolla.Response(status=303, headers={"Location": config["home"]})

    return router

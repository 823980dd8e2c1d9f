"""Register, log in and out; ``request.user`` set for every request by an app hook."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.utils import redirect

from corolla import Request, Response
from corolla_routing import Router
from corolla_sessions import flash

bp = Router("/auth", name="auth")


def load_logged_in_user(request: Request) -> None:
    """Flask's ``g.user``: here an attribute of the request, set before every view."""
    user_id = request.session.get("user_id")
    request.user = (  # type: ignore[attr-defined]
        None
        if user_id is None
        else request.db.execute(sa.text("SELECT * FROM user WHERE id = :id"), {"id": user_id}).mappings().first()
    )


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped_view(request: Request, **kwargs: Any) -> Any:
        if request.user is None:  # type: ignore[attr-defined]
            return redirect(request.url_for("auth.login"), 303, Response)
        return view(request, **kwargs)

    return wrapped_view


@bp.route("/register", methods=["GET", "POST"])
def register(request: Request) -> Any:
    if request.method == "POST":
        username = request.form["username"]
        password = request.form["password"]
        error = None
        if not username:
            error = "Username is required."
        elif not password:
            error = "Password is required."
        if error is None:
            try:
                request.db.execute(
                    sa.text("INSERT INTO user (username, password) VALUES (:username, :password)"),
                    {"username": username, "password": generate_password_hash(password)},
                )
                request.db.commit()
            except sa.exc.IntegrityError:
                request.db.rollback()
                error = f"User {username} is already registered."
            else:
                return redirect(request.url_for("auth.login"), 303, Response)
        flash(request, error)
    return request.render("auth/register.html")


@bp.route("/login", methods=["GET", "POST"])
def login(request: Request) -> Any:
    if request.method == "POST":
        username = request.form["username"]
        password = request.form["password"]
        error = None
        user = (
            request.db.execute(sa.text("SELECT * FROM user WHERE username = :username"), {"username": username})
            .mappings()
            .first()
        )
        if user is None:
            error = "Incorrect username."
        elif not check_password_hash(user["password"], password):
            error = "Incorrect password."
        if error is None:
            request.session.clear()
            request.session["user_id"] = user["id"]
            return redirect(request.url_for("blog.index"), 303, Response)
        flash(request, error)
    return request.render("auth/login.html")


@bp.post("/logout")
def logout(request: Request) -> Any:
    request.session.clear()
    return redirect(request.url_for("blog.index"), 303, Response)

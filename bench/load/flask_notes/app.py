"""The notes demo's logged-in page in Flask + Flask-SQLAlchemy + Flask-Login, for bench/load only.

Same tables (the Corolla demo's migrations made them), the same template
files (examples/notes/templates, read in place, with Flask's url_for endpoint
names mapped below), same query. Sessions are Flask's signed cookies (Flask-Login keeps the user id
there); the Corolla run reports its cookie-session figure beside it.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, render_template, request
from flask_login import LoginManager, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "auth_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str]
    password_hash: Mapped[str]

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


class Note(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int]
    title: Mapped[str]
    body: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


app = Flask(__name__, template_folder=Path(__file__).resolve().parents[3] / "examples" / "notes" / "templates")
app.config["SECRET_KEY"] = os.environ["FLASK_SECRET_KEY"]
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["FLASK_DATABASE_URL"]
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "pool_size": 2}
db.init_app(app)
login_manager = LoginManager(app)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@app.get("/")
@login_required
def index() -> str:
    notes = db.session.scalars(
        sa.select(Note).where(Note.owner_id == current_user.id).order_by(Note.updated_at.desc(), Note.id.desc())
    ).all()
    return render_template("notes/index.html", notes=notes)


@app.post("/login")
def login() -> tuple[str, int]:
    user = db.session.scalar(sa.select(User).where(User.username == request.form["username"]))
    if user is None or not check_password_hash(user.password_hash, request.form["password"]):
        return "no", 401
    login_user(user)
    return "ok", 200


# The Corolla templates' endpoint names, and their context (no CSRF, no flashes here).
ENDPOINTS = {
    "notes.index": "index",
    "notes.new": "index",
    "notes.edit": "index",
    "auth.logout": "index",
    "auth.login": "login",
    "auth.register": "login",
    "api.list_notes": "index",
}


@app.context_processor
def corolla_names() -> dict[str, object]:
    from flask import url_for

    def corolla_url_for(endpoint: str, **values: object) -> str:
        if endpoint == "static":
            return "/static/" + str(values.get("filename", ""))
        return url_for(ENDPOINTS.get(endpoint, endpoint))

    class Req:
        user = current_user

    return {
        "url_for": corolla_url_for,
        "csrf_token": lambda: "",
        "request": Req,
        "get_flashed_messages": lambda with_categories=False: [],
    }

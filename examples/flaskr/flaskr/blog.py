"""The blog: everyone reads, the author writes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.utils import redirect

from corolla import Request, Response
from corolla_routing import Router
from corolla_sessions import flash

from .auth import login_required

bp = Router(name="blog")


@bp.get("/")
def index(request: Request) -> Any:
    posts = request.db.execute(
        sa.text(
            "SELECT p.id, title, body, created, author_id, username"
            " FROM post p JOIN user u ON p.author_id = u.id ORDER BY created DESC, p.id DESC"
        )
    ).mappings()
    return request.render("blog/index.html", posts=list(posts))


def get_post(request: Request, id: int, check_author: bool = True) -> Any:
    post = (
        request.db.execute(
            sa.text(
                "SELECT p.id, title, body, created, author_id, username"
                " FROM post p JOIN user u ON p.author_id = u.id WHERE p.id = :id"
            ),
            {"id": id},
        )
        .mappings()
        .first()
    )
    if post is None:
        raise NotFound(f"Post id {id} doesn't exist.")
    if check_author and post["author_id"] != request.user["id"]:  # type: ignore[attr-defined]
        raise Forbidden()
    return post


@bp.route("/create", methods=["GET", "POST"])
@login_required
def create(request: Request) -> Any:
    if request.method == "POST":
        title = request.form["title"]
        body = request.form["body"]
        if not title:
            flash(request, "Title is required.")
        else:
            request.db.execute(
                sa.text("INSERT INTO post (title, body, author_id) VALUES (:title, :body, :author)"),
                {"title": title, "body": body, "author": request.user["id"]},  # type: ignore[attr-defined]
            )
            request.db.commit()
            return redirect(request.url_for("blog.index"), 303, Response)
    return request.render("blog/create.html")


@bp.route("/<int:id>/update", methods=["GET", "POST"])
@login_required
def update(request: Request, id: int) -> Any:
    post = get_post(request, id)
    if request.method == "POST":
        title = request.form["title"]
        body = request.form["body"]
        if not title:
            flash(request, "Title is required.")
        else:
            request.db.execute(
                sa.text("UPDATE post SET title = :title, body = :body WHERE id = :id"),
                {"title": title, "body": body, "id": id},
            )
            request.db.commit()
            return redirect(request.url_for("blog.index"), 303, Response)
    return request.render("blog/update.html", post=post)


@bp.post("/<int:id>/delete")
@login_required
def delete(request: Request, id: int) -> Any:
    get_post(request, id)
    request.db.execute(sa.text("DELETE FROM post WHERE id = :id"), {"id": id})
    request.db.commit()
    return redirect(request.url_for("blog.index"), 303, Response)

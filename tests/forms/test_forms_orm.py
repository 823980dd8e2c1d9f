"""With the orm plugin: a form filled from a model (``obj=``), a model filled from a form (``populate_obj``)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from forms_support import SECRET
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.test import Client
from wtforms import IntegerField, StringField, validators

import corolla
from corolla_forms import Form, csrf_token
from corolla_orm import Model, get_or_404


class Article(Model):
    __tablename__ = "forms_test_articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    stars: Mapped[int] = mapped_column(default=0)


class ArticleForm(Form):
    title = StringField("Title", [validators.DataRequired(), validators.Length(max=80)])
    stars = IntegerField("Stars", [validators.NumberRange(min=0, max=5)])


@pytest.fixture
def app(make_app: Any, tmp_path: Any) -> corolla.App:
    app = make_app(
        ["sessions", "forms", "routing", "orm"],
        {"core": {"secret_key": SECRET}, "orm": {"url": f"sqlite:///{tmp_path / 'forms.db'}"}},
        isolated=False,
    )
    app.db.create_all()  # type: ignore[attr-defined]

    @app.get("/token")  # type: ignore[attr-defined]
    def token(request: corolla.Request) -> str:
        return csrf_token(request)

    @app.post("/articles")  # type: ignore[attr-defined]
    def create(request: corolla.Request) -> Any:
        form = ArticleForm(request)
        if not form.validate():
            return form.error_response()
        article = Article()
        form.populate_obj(article)
        request.db.add(article)  # type: ignore[attr-defined]
        request.db.commit()  # type: ignore[attr-defined]
        return {"id": article.id}, 201

    @app.route("/articles/<int:article_id>", methods=["GET", "PATCH"])  # type: ignore[attr-defined]
    def edit(request: corolla.Request, article_id: int) -> Any:
        article = get_or_404(request.db, Article, article_id)  # type: ignore[attr-defined]
        form = ArticleForm(request, obj=article)
        if form.validate_on_submit():
            form.populate_obj(article)
            request.db.commit()  # type: ignore[attr-defined]
        elif form.is_submitted():
            return form.error_response()
        return {"title": form.title.data, "stars": form.stars.data}

    return app


def rows(app: corolla.App) -> list[tuple[str, int]]:
    with app.db.session() as session:  # type: ignore[attr-defined]
        return [(a.title, a.stars) for a in session.scalars(sa.select(Article).order_by(Article.id))]


def test_model_from_form_and_form_from_model(app: corolla.App, client: Client) -> None:
    token = client.get("/token").text
    response = client.post("/articles", data={"title": "Forms", "stars": "4", "csrf_token": token})
    assert response.status_code == 201, response.text
    article_id = response.json["id"]
    assert client.get(f"/articles/{article_id}").json == {"title": "Forms", "stars": 4}
    response = client.patch(
        f"/articles/{article_id}", json={"title": "Forms, again", "stars": 5}, headers={"X-CSRFToken": token}
    )
    assert response.json == {"title": "Forms, again", "stars": 5}
    assert rows(app) == [("Forms, again", 5)]


def test_nothing_saved_on_bad_input(app: corolla.App, client: Client) -> None:
    token = client.get("/token").text
    assert client.post("/articles", data={"title": "", "stars": "9", "csrf_token": token}).status_code == 422
    assert client.post("/articles", data={"title": "no token", "stars": "1"}).status_code == 400
    response = client.post("/articles", json={"title": ["x"], "stars": "1"}, headers={"X-CSRFToken": token})
    assert response.status_code == 422
    assert rows(app) == []

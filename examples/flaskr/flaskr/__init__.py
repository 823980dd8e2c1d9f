"""flaskr, Flask's tutorial blog, on Corolla: an app factory, two route groups, an app hook and command."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corolla import App

HERE = Path(__file__).parent


def create_app(config: Mapping[str, Any] | None = None) -> App:
    # The root is the project folder: corolla.toml and instance/ are there.
    app = App(config, root=HERE.parent)

    from . import auth, blog, db

    db.init_app(app)
    app.include(auth.bp)
    app.include(blog.bp)
    # Flask's @bp.before_app_request: a hook for every request of the app.
    app.before_request(auth.load_logged_in_user)
    return app

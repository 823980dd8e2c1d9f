"""``create_app()``: the notes app, built from the plugins pinned in ``corolla.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException

from corolla import App
from corolla_forms import CSRFError

from . import api, pages, views

#: The folder holding corolla.toml, templates/, static/ and migrations/.
ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None) -> App:
    """The notes app. ``config`` is layered over ``corolla.toml`` (tests point the instance folder elsewhere);
    ``environ`` replaces ``os.environ`` as the source of ``COROLLA_*`` variables."""
    app = App(config, root=ROOT, environ=environ)
    app.include(views.router)
    app.include(api.router)
    app.errorhandler(CSRFError)(pages.csrf_failed)
    app.errorhandler(HTTPException)(pages.http_error)
    return app

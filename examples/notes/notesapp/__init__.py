"""The Corolla notes demo: register, log in, keep notes; HTML pages and a JSON API."""

from .factory import ROOT, create_app

__all__ = ["ROOT", "create_app"]

"""The plugin class: its declaration (class attributes) and its hook implementations."""

from __future__ import annotations

from typing import Any

import corolla
from corolla import hookimpl


class AuthPlugin(corolla.Plugin):
    """Answers ``GET <path>`` with the configured greeting; leaves every other request alone."""

    # Class attributes are the declaration the plugin manager reads before
    # anything runs: keep importing this module cheap (no heavy imports here).
    settings = {
        "greeting": corolla.Setting(str, "Hello from auth", "The text served"),
        "path": corolla.Setting(str, "/auth", "The path answered"),
    }

    @hookimpl
    def corolla_dispatch(self, request: corolla.Request) -> Any:
        # Called once per request; None lets the next plugin (then the core's 404) answer.
        if request.method == "GET" and request.path == self.config["path"]:
            return self.config["greeting"]
        return None

"""Static files under ``/static/``: the app's ``static/`` folder, then the plugins'.

For development and small deployments. In production a front server (nginx,
a CDN) serves these files far better: set ``[templates] serve_static =
false`` and point it at the folders (``corolla static collect`` gathers them
into one).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.security import safe_join
from werkzeug.utils import send_file
from werkzeug.wrappers import Response as _WerkzeugResponse

from corolla import Request, Response

from ._folders import Folder

_SAFE_METHODS = ("GET", "HEAD")


class StaticFiles:
    """Answers requests whose path starts with ``prefix`` from ``folders``, first found wins."""

    def __init__(self, url_path: str, folders: Callable[[], list[Folder]], max_age: int) -> None:
        self.url_path = url_path
        self.prefix = url_path + "/"
        self._folders = folders
        self.max_age = max_age or None  # None: no-cache, revalidated with the ETag

    @functools.cached_property
    def folders(self) -> list[Folder]:
        """The folders searched, in order (found on the first static request)."""
        return self._folders()

    def find(self, filename: str) -> str | None:
        """The file ``filename`` (a URL path, untrusted) names, or None when none does or it is unsafe."""
        if not filename or "\x00" in filename:
            return None  # os.stat would raise on a NUL byte: refuse before touching the file system
        for folder in self.folders:
            # safe_join refuses '..' segments, absolute paths and the other
            # separators of the OS; the decoded path arrives here, so
            # %2e%2e and %2f are refused too.
            path = safe_join(str(folder.path), filename)
            if path is not None and os.path.isfile(path):
                return path
        return None

    def serve(self, request: Request) -> _WerkzeugResponse:
        if request.method not in _SAFE_METHODS:
            raise MethodNotAllowed(valid_methods=list(_SAFE_METHODS))
        path = self.find(request.path[len(self.prefix) :])
        if path is None:
            raise NotFound()
        return send_file(path, request.environ, max_age=self.max_age, response_class=Response)

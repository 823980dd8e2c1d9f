"""The request body stream: all of it, or a 400; never more than the limit, or a 413.

werkzeug trusts a server that sets ``wsgi.input_terminated`` (gunicorn does)
to end the body at the right place, and then only caps it at
``max_content_length``. That lets three broken bodies through:

- a body shorter than its ``Content-Length`` (the client closed early) reads
  as a complete, shorter body: a view saved the first 1,000 of 3,000 bytes;
- a chunked body cut off before its terminator makes gunicorn raise its own
  parse error (``ChunkMissingTerminator``, not an ``OSError``): a 500;
- a chunked body longer than ``max_content_length`` is cut at the limit and
  read as complete, so the client got a misleading 400 instead of a 413.

``BodyStream`` counts what it reads: an early end of a declared body, or any
error of the server's reader, is a 400 naming the problem; a stream body
past the limit is a 413. Nothing short or cut ever reaches a view.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.wsgi import get_content_length


class IncompleteBody(BadRequest):
    """The body ended before it was complete, or its framing was broken: 400, nothing of it is used."""


class BodyStream(io.RawIOBase):
    """``wsgi.input`` read up to its ``Content-Length``, or, for a stream (chunked) body, up to ``limit``."""

    def __init__(self, stream: IO[bytes], declared: int | None, limit: int | None) -> None:
        self._stream = stream
        self._declared = declared
        self._limit = limit
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        want = len(buffer)
        if self._declared is not None:
            want = min(want, self._declared - self._pos)
        elif self._limit is not None:
            want = min(want, self._limit + 1 - self._pos)  # one byte more tells "too large" from "exactly"
        got = 0
        # Filled completely unless the body ends: a caller reading read(n) once (werkzeug's
        # urlencoded parser does) must not take a short read for the whole body.
        while got < want:
            data = self._read(want - got)
            if not data:
                if self._declared is not None and self._pos < self._declared:
                    raise IncompleteBody(
                        f"The request body ended after {self._pos} of the {self._declared} bytes its "
                        "Content-Length announced; nothing of it was used. Send the whole body again."
                    )
                break
            buffer[got : got + len(data)] = data
            got += len(data)
            self._pos += len(data)
        if self._declared is None and self._limit is not None and self._pos > self._limit:
            raise RequestEntityTooLarge(
                f"The request body is larger than {self._limit} bytes ([core] max_content_length)."
            )
        return got

    def _read(self, size: int) -> bytes:
        try:
            return bytes(self._stream.read(size))
        except HTTPException:
            raise
        except Exception as exc:
            # gunicorn's InvalidChunkSize, ChunkMissingTerminator, NoMoreData; a reset connection.
            raise IncompleteBody(
                f"The request body could not be read completely ({type(exc).__name__}: {exc}); "
                "nothing of it was used. Send the whole body again."
            ) from exc


def input_stream(environ: Mapping[str, Any], max_content_length: int | None) -> IO[bytes]:
    """What ``request.stream`` reads (werkzeug's ``get_input_stream``, with the checks above)."""
    declared = get_content_length(environ)  # type: ignore[arg-type]
    if declared is not None and max_content_length is not None and declared > max_content_length:
        raise RequestEntityTooLarge(
            f"The request body ({declared} bytes) is larger than {max_content_length} bytes "
            "([core] max_content_length)."
        )
    if declared is None and "wsgi.input_terminated" not in environ:
        # No length and a server that does not end the stream: reading could block forever (werkzeug's choice).
        return io.BytesIO()
    return BodyStream(environ["wsgi.input"], declared, max_content_length)  # type: ignore[return-value]

"""The ``int`` converter, bounded to what a database integer column holds.

werkzeug's ``int`` matches any run of digits, so ``/notes/99999999999999999999``
reached the view and the database refused the number (a 500 on PostgreSQL,
``NumericValueOutOfRange``). Routing declares ``int`` as werkzeug's converter
with a default range of a signed 64-bit integer (``BIGINT``): ``0`` to
``2**63 - 1``, or ``-2**63`` to ``2**63 - 1`` with ``signed=True``. A segment
outside it matches no route: a 404, like any other URL that names nothing.
Explicit ``min``/``max`` arguments (``<int(max=10**30):n>``) still win.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class Int64Converter(IntegerConverter):
    """``<int:x>`` limited by default to the signed 64-bit range (see the module docstring)."""

    def __init__(
        self,
        map: Map,  # noqa: A002 - werkzeug's argument name
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = None,  # noqa: A002
        signed: bool = False,
        **kwargs: Any,
    ) -> None:
        if min is None and signed:
            min = INT64_MIN
        if max is None:
            max = INT64_MAX
        super().__init__(map, fixed_digits, min, max, signed, **kwargs)

"""The notes demo with every plugin loaded, for the reliability tests (fuzzing, bad bodies, faults).

A module of its own name (test helpers need unique names suite-wide). The
demo's own helpers (``Visitor``, ``create_app``) come from tests/notes.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "notes"))

from notes_support import NOTES, PASSWORD, Visitor, create_app, csrf_token  # noqa: E402

__all__ = ["NOTES", "PASSWORD", "Visitor", "create_app", "csrf_token", "note_count"]


def note_count(app: object) -> int:
    """Rows in the notes table, read through the app's own database."""
    import sqlalchemy as sa

    with app.db.session() as db:  # type: ignore[attr-defined]
        return int(db.scalar(sa.text("SELECT count(*) FROM notes")))

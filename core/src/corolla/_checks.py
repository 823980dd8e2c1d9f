"""Deploy checks: what ``corolla_deploy_checks`` returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One production-readiness check.

    ``id`` is stable (``"core.debug"``), ``ok`` whether it passed, ``message``
    what was found and ``fix`` what to change when it failed.
    """

    id: str
    ok: bool
    message: str
    fix: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "ok": self.ok, "message": self.message, "fix": self.fix}

"""Deploy checks: what ``corolla_deploy_checks`` returns."""

from __future__ import annotations

from dataclasses import dataclass

#: From least to most severe; ``corolla check --deploy --fail-level`` picks the lowest that fails.
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Check:
    """One production-readiness check.

    ``id`` is stable (``"core.debug"``), ``ok`` whether it passed, ``message``
    what was found and ``fix`` what to change when it failed. ``severity``
    (``error``, ``warning`` or ``info``, Django's levels) says how bad a
    failure is: ``check --deploy`` fails on errors unless ``--fail-level``
    says otherwise, and an operator may silence a check by id, with a
    reason, in ``[core] silenced_checks``.
    """

    id: str
    ok: bool
    message: str
    fix: str = ""
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"Check {self.id!r}: severity {self.severity!r} is not one of {', '.join(SEVERITIES)}")

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "ok": self.ok, "message": self.message, "fix": self.fix, "severity": self.severity}

"""The `Verifier` protocol: sync, pure, deterministic checks of a stored trace (no I/O)."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

from clinreason.trace import Case, Trace, Verdict


@runtime_checkable
class Verifier(Protocol):
    """Checks the steps of a trace and returns one verdict per claim it examined."""

    name: ClassVar[str]

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """Verdicts for the claims in `trace` (pass `trace.case` when no other case is given)."""
        ...


def verdict(
    verifier: str, status: str, step_id: str | None, claim: str, evidence: str, **details: Any
) -> Verdict:
    """A verifier's verdict; details left as None are dropped."""
    return Verdict(
        verifier=verifier,
        status=status,  # type: ignore[arg-type]
        step_id=step_id,
        claim=claim,
        evidence=evidence,
        details={k: v for k, v in details.items() if v is not None},
    )

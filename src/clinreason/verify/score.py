"""Combine verdicts: one trace score, and per-step flags. Pure arithmetic over `Verdict`s.

The trace score is the share of checkable claims that are supported, with contradicted claims
weighted more heavily: `supported / (supported + w * contradicted)` (w = 2 by default), None
when nothing could be checked. Unverifiable verdicts (including self-consistency uncertainty)
do not enter it but are counted.

>>> from clinreason.trace import Verdict
>>> vs = [Verdict(verifier="numbers", status="supported", step_id="s1"),
...       Verdict(verifier="numbers", status="contradicted", step_id="s2"),
...       Verdict(verifier="grounding", status="unverifiable", step_id="s2")]
>>> round(trace_score(vs), 3), step_flags(vs)
(0.333, {'s1': 'supported', 's2': 'contradicted'})
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clinreason.trace import Verdict

_RANK = {"contradicted": 2, "unverifiable": 1, "supported": 0}


def trace_score(verdicts: Sequence[Verdict], *, contradicted_weight: float = 2.0) -> float | None:
    """Share of checkable claims supported (contradictions weighted), or None if none checkable."""
    supported = sum(v.status == "supported" for v in verdicts)
    contradicted = sum(v.status == "contradicted" for v in verdicts)
    if supported + contradicted == 0:
        return None
    return supported / (supported + contradicted_weight * contradicted)


def factuality(verdicts: Sequence[Verdict]) -> float | None:
    """Share of checkable steps whose claims are all supported (None when none is checkable)."""
    flags = step_flags([v for v in verdicts if v.status != "unverifiable"])
    if not flags:
        return None
    return sum(f == "supported" for f in flags.values()) / len(flags)


def step_flags(verdicts: Sequence[Verdict]) -> dict[str, str]:
    """Worst status per step id (contradicted > unverifiable > supported), first-seen order."""
    flags: dict[str, str] = {}
    for v in verdicts:
        if v.step_id is None:
            continue
        old = flags.get(v.step_id)
        if old is None or _RANK[v.status] > _RANK[old]:
            flags[v.step_id] = v.status
    return flags


def contradicted(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The contradicted verdicts (what `clinreason verify` fails on)."""
    return [v for v in verdicts if v.status == "contradicted"]


def summarize(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    """Counts, score, factuality, flagged steps and per-verifier counts (JSON-ready).

    Used for the harness columns: `verify_score`, `verify_factuality`, `verify_contradicted`,
    `verify_flagged_steps`.
    """
    by_verifier: dict[str, dict[str, int]] = {}
    for v in verdicts:
        counts = by_verifier.setdefault(
            v.verifier, {"supported": 0, "contradicted": 0, "unverifiable": 0}
        )
        counts[v.status] += 1
    flags = step_flags(verdicts)
    return {
        "score": trace_score(verdicts),
        "factuality": factuality(verdicts),
        "supported": sum(v.status == "supported" for v in verdicts),
        "contradicted": sum(v.status == "contradicted" for v in verdicts),
        "unverifiable": sum(v.status == "unverifiable" for v in verdicts),
        "flagged_steps": [s for s, f in flags.items() if f == "contradicted"],
        "trace_contradicted": any(
            v.step_id is None and v.status == "contradicted" for v in verdicts
        ),
        "by_verifier": by_verifier,
    }

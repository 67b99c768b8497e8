"""Verifiers: sync, pure, deterministic checks of a stored trace (layer 2; no I/O, no model).

Entry points for other layers (plain functions; no registry magic):

- `verify_trace(trace, verifiers=None, *, case=None) -> list[Verdict]` runs the named (or
  given) verifiers, default all of `VERIFIERS`, against `case` (default: the case embedded in
  the trace). `clinreason explain` calls `verify_trace(trace)` and stores the result in
  `trace.verdicts`.
- `summarize(verdicts) -> dict` gives the harness columns: `score` (supported share of
  checkable claims, contradictions weighted x2), `factuality` (share of checkable steps whose
  claims are all supported), counts, `flagged_steps` and counts per verifier.
  `trace_score`, `factuality`, `step_flags`, `contradicted` are the pieces.
- `VERIFIERS` maps CLI names to classes; every class constructs with defaults.

Verifiers: `numbers` (numeracy: retrieval, comparison), `calculation` (calculator calls and
stated arithmetic/aggregation), `grounding` (spans, findings and negation), `consistency`
(answer vs conclusion, tool result and vote; vote agreement as uncertainty), `kg` (relation
claims against the knowledge graph), `second_reader` (the note re-read with the HPO terminology,
independently of the calculator's extractor: criteria assumed absent that the note mentions,
values with several readings), `semantic_reader` (criteria read as absent compared with the
note's unnegated clauses by MiniLM sentence embeddings; flags, never contradicts), `citation`
(each cited passage exists in the index, holds the quote verbatim and supports the sentence),
`knowledge_source` (knowledge sentences of the reasoning looked up in the retrieval corpus:
stated by a passage, or a swap between alternatives of one ICD-10-CM category).
`clinreason.verify.trust` turns verdicts into the claim ledger and the trust score.

>>> from clinreason.trace import Case, Thought, Trace, ComponentSpec
>>> case = Case(id="c", question="?", context="Na 128 mEq/L.")
>>> t = Trace(case=case, strategy=ComponentSpec(name="x"), steps=[Thought(id="s1", text="Na 138.")])
>>> [(v.verifier, v.status) for v in verify_trace(t, ["numbers"])]
[('numbers', 'contradicted')]
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Sequence
from typing import Any

from clinreason.errors import ConfigError
from clinreason.trace import Case, Trace, Verdict
from clinreason.verify.base import Verifier
from clinreason.verify.calculation import CalculationCheck
from clinreason.verify.citations import CitationCheck
from clinreason.verify.consistency import ConsistencyCheck
from clinreason.verify.grounding import GroundingCheck
from clinreason.verify.numeracy import NumbersCheck
from clinreason.verify.score import contradicted, factuality, step_flags, summarize, trace_score

logger = logging.getLogger(__name__)

VERIFIERS: dict[str, Any] = {
    "numbers": NumbersCheck,
    "calculation": CalculationCheck,
    "grounding": GroundingCheck,
    "consistency": ConsistencyCheck,
    "citation": CitationCheck,
}
"""Verifier name -> class (constructs with defaults); "kg", "second_reader",
"semantic_reader" and "knowledge_source" are added below."""

for _module in (
    "clinreason.verify.kg",
    "clinreason.verify.second_reader",
    "clinreason.verify.semantic",
    "clinreason.verify.sources",
):
    # verifiers that load an ontology live in their own modules, each exporting its own
    # {"name": Class} as `VERIFIERS`
    if importlib.util.find_spec(_module) is not None:
        for _name, _cls in getattr(importlib.import_module(_module), "VERIFIERS", {}).items():
            VERIFIERS.setdefault(_name, _cls)


def make_verifier(spec: str | Verifier) -> Verifier:
    """A verifier instance from a registered name or an instance (returned as is).

    Raises:
        ConfigError: unknown name.
    """
    if not isinstance(spec, str):
        return spec
    if spec not in VERIFIERS:
        raise ConfigError(f"unknown verifier {spec!r}; choose from {', '.join(sorted(VERIFIERS))}")
    return VERIFIERS[spec]()  # type: ignore[no-any-return]


def verify_trace(
    trace: Trace,
    verifiers: Sequence[str | Verifier] | None = None,
    *,
    case: Case | None = None,
) -> list[Verdict]:
    """Run verifiers over a trace; verdicts in verifier order, then step order.

    A verifier that crashes yields one unverifiable verdict naming the error (logged), so one
    bug cannot hide the other verifiers' results.

    Args:
        trace: the trace to check.
        verifiers: names in `VERIFIERS` or instances; default all registered.
        case: the case to check against; default `trace.case`. Either is blinded first.
    """
    chosen = [make_verifier(v) for v in (verifiers if verifiers is not None else list(VERIFIERS))]
    target = (case if case is not None else trace.case).blinded()  # verifiers never see gold
    out: list[Verdict] = []
    for verifier in chosen:
        try:
            out.extend(verifier.verify(trace, target))
        except Exception as exc:
            logger.exception("verifier %s failed on case %s", verifier.name, target.id)
            out.append(
                Verdict(
                    verifier=verifier.name,
                    status="unverifiable",
                    claim="verifier run",
                    evidence=f"verifier error: {type(exc).__name__}: {exc}",
                    details={"error": True},
                )
            )
    return out


__all__ = [
    "VERIFIERS",
    "CalculationCheck",
    "CitationCheck",
    "ConsistencyCheck",
    "GroundingCheck",
    "NumbersCheck",
    "Verifier",
    "contradicted",
    "factuality",
    "make_verifier",
    "step_flags",
    "summarize",
    "trace_score",
    "verify_trace",
]

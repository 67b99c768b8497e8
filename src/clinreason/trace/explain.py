"""Render a trace as a readable explanation: the answer, its confidence and the steps behind it."""

from __future__ import annotations

from clinreason.trace.steps import LLMCall, ToolCall
from clinreason.trace.trace import Trace

DISCLAIMER = (
    "clinreason is a research and decision-support tool, not a medical device. "
    "Check every step against the patient record before acting on it."
)


CLAIM_MARKS: dict[str, str] = {
    # how a claim's status reads to a clinician (CLI and web page)
    "supported": "checked ✓",
    "contradicted": "CONTRADICTED ✗",
    "unverifiable": "not checked",
    "assumption": "assumption",
    "judgement": "model judgement",
}


def _trust_lines(trace: Trace) -> list[str]:
    """The trust assessment in words and the claims the answer rests on, each with its status."""
    if trace.trust is None:
        return []
    lines = ["", f"Trust: {trace.trust.summary}"]
    if not trace.trust.fully_verified:
        lines.append(
            "  Not fully verified: only claims marked 'checked' were checked against evidence."
        )
    lines.append(f"  (calibration: {trace.trust.calibration})")
    lines.append("Claims the answer rests on:")
    for claim in trace.claims:
        where = f"{claim.step_id} " if claim.step_id else ""
        evidence = f" — {claim.evidence}" if claim.evidence else ""
        text = " ".join(f"{where}{claim.kind}: {claim.text}{evidence}".split())
        if len(text) > 220:
            text = text[:219] + "…"
        lines.append(f"  [{CLAIM_MARKS[claim.status]}] {text}")
    return lines


def _tool_label(trace: Trace, value: str) -> str | None:
    """The name a tool gave the answer's id (e.g. the disease name of an OMIM id)."""
    for call in trace.steps_of(ToolCall):
        result = call.result
        if isinstance(result, dict) and result.get("value") == value and result.get("label"):
            return str(result["label"])
    return None


def explain(trace: Trace, *, show_all: bool = False, score: float | None = None) -> str:
    """A plain-text explanation of `trace`.

    Lists the steps the answer rests on (its support and their ancestors), numbered, then the
    verification summary: counts, the combined trace score when given (computed by
    `clinreason.verify.trace_score`), the worst verdict per step, and each contradiction.
    With `show_all`, every step is listed.
    """
    lines: list[str] = []
    case = trace.case
    lines.append(f"Case {case.id}: {case.question.strip()}")
    if case.options:
        for label, text in case.options.items():
            lines.append(f"  {label}. {text}")
    backend = (
        f"{trace.backend.name}:{trace.backend.params.get('model', '')}" if trace.backend else "none"
    )
    lines.append(f"Strategy: {trace.strategy.name}   Backend: {backend}")
    lines.append("")
    if trace.error is not None:
        lines.append(f"NO ANSWER — error: {trace.error.type}: {trace.error.message}")
    elif trace.answer is None or trace.answer.value is None:
        lines.append("NO ANSWER — the model's output contained no usable answer.")
    else:
        a = trace.answer
        unit = f" {a.unit}" if a.unit else ""
        label = case.options.get(a.value) or _tool_label(trace, a.value)
        text = f" ({label})" if label else ""
        conf = (
            f"   confidence {a.confidence:.2f}"
            if a.confidence is not None
            else "   confidence: not measured (no token probabilities or votes for this answer)"
        )
        lines.append(f"ANSWER: {a.value}{unit}{text}{conf}")
    support = trace.answer.support if trace.answer else []
    shown = [s.id for s in trace.steps] if show_all or not support else trace.ancestors(support)
    flags = {v.step_id: v for v in trace.verdicts if v.status == "contradicted"}
    lines.append("")
    lines.append("Steps:" if show_all or not support else "Steps supporting the answer:")
    listed = [
        s
        for s in trace.steps
        if s.id in shown and (show_all or not isinstance(s, LLMCall) or s.error)
    ]
    numbers = {step.id: n for n, step in enumerate(listed, start=1)}
    for number, step in enumerate(listed, start=1):
        mark = "  ⚠" if step.id in flags else ""
        lines.append(f"  {number:>2}. [{step.id} {step.kind}] {step.summary()}{mark}")
        for extra in getattr(step, "explanation", [])[:12]:
            lines.append(f"        {extra}")
    if trace.verdicts:
        lines.append("")
        counts = {
            s: sum(v.status == s for v in trace.verdicts)
            for s in ("supported", "contradicted", "unverifiable")
        }
        shown_score = f"; old trace score {score:.2f}" if score is not None else ""
        lines.append(
            "Verification: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + shown_score
        )
        rank = {"supported": 0, "unverifiable": 1, "contradicted": 2}
        worst: dict[str, str] = {}
        for v in trace.verdicts:
            if v.step_id is not None and rank[v.status] >= rank[worst.get(v.step_id, "supported")]:
                worst[v.step_id] = v.status
        if worst:
            order = {step.id: i for i, step in enumerate(trace.steps)}
            ids = sorted(worst, key=lambda k: order.get(k, len(order)))
            named = [f"step {numbers[k]} ({k})" if k in numbers else k for k in ids]
            flagged = [f"{name} {worst[k]}" for name, k in zip(named, ids, strict=True)]
            lines.append("Step flags: " + ", ".join(flagged))
        for v in trace.verdicts:
            if v.status == "contradicted":
                lines.append(
                    f"  ⚠ {v.verifier} on {v.step_id or 'trace'}: {v.claim} — {v.evidence}"
                )
    lines.extend(_trust_lines(trace))
    lines.append("")
    lines.append(DISCLAIMER)
    return "\n".join(lines)

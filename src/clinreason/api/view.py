"""What the web page shows of a trace, as plain data for the templates (no HTML here).

Steps are numbered as the user sees them (1, 2, 3, ...), kinds and statuses are named in plain
words, and every evidence span in the note becomes a highlight linked to its step. The trust
words are the trace's own (`Trust.summary`, as `clinreason explain` prints them) and the claim
marks are `clinreason.trace.explain.CLAIM_MARKS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from clinreason.api.whatif import form_fields
from clinreason.render.figures import argument_figures, differential_of
from clinreason.trace import Extraction, KGLink, LLMCall, Span, Step, Trace, Verdict
from clinreason.trace.explain import CLAIM_MARKS

KIND_WORDS: dict[str, str] = {
    "llm_call": "Model call",
    "thought": "Reasoning",
    "extraction": "Read from the note",
    "tool_call": "Calculation",
    "retrieval": "Sources found",
    "citation": "Citation",
    "kg_link": "Finding linked to HPO",
    "argument": "Argument graph",
    "vote": "Vote",
    "check": "Check",
}
VERDICT_WORDS: dict[str, str] = {
    "supported": "checked",
    "contradicted": "contradicted",
    "unverifiable": "not checked",
}
METHOD_WORDS: dict[str, str] = {
    "rule": "read by a rule",
    "llm": "read by the model",
    "assumed": "assumed",
    "given": "given",
}


def step_number(step_id: str) -> int | None:
    """The number the user sees for a step id ('s3' -> 3), as `TraceBuilder` assigns them.

    >>> step_number("s12"), step_number("x")
    (12, None)
    """
    digits = step_id[1:]
    return int(digits) if step_id.startswith("s") and digits.isdigit() else None


def spans_of(step: Step) -> list[Span]:
    """The evidence spans a step points at in the case text."""
    if isinstance(step, Extraction | KGLink) and step.span is not None:
        return [step.span]
    return []


def step_view(step: Step, number: int, trace_text: dict[str, str] | None = None) -> dict[str, Any]:
    """One step for the templates: number, plain-words title, summary, spans, details.

    `trace_text` (source -> text) marks spans whose offsets do not match the text.
    """
    spans = []
    for span in spans_of(step):
        text = (trace_text or {}).get(span.source)
        ok = text is None or text[span.start : span.end] == span.text
        spans.append({"text": span.text, "source": span.source, "matches": ok})
    view: dict[str, Any] = {
        "id": step.id,
        "number": number,
        "kind": step.kind,
        "title": KIND_WORDS.get(step.kind, step.kind),
        "summary": step.summary(),
        "spans": spans,
        "lines": list(getattr(step, "explanation", []))[:40],
        "parents": [n for n in (step_number(p) for p in step.parents) if n is not None],
        "tokens": step.usage.completion_tokens if isinstance(step, LLMCall) else 0,
        "verdicts": [],  # filled in by `result_view` once the trace is verified
        "supports_answer": False,
        "figure": None,  # where this step is drawn ({href, what}), set by `result_view`
    }
    if isinstance(step, Extraction):
        view["extraction"] = extraction_row(step)
    return view


def extraction_row(step: Extraction) -> dict[str, Any]:
    """A calculator input as a table row: value, unit, span, how it was obtained, assumption."""
    value = step.value
    shown = value if isinstance(value, str) else _plain(value)
    return {
        "step": step.id,
        "number": step_number(step.id),
        "name": step.name.replace("_", " "),
        "value": shown,
        "unit": step.unit or "",
        "span": step.span.text if step.span is not None else None,
        "method": METHOD_WORDS.get(step.method, step.method),
        "assumed": step.method == "assumed",
        "note": step.note,
    }


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return "—" if value is None else str(value)


@dataclass
class Segment:
    """A piece of the note: plain text, or a highlight of the spans covering it."""

    text: str
    steps: list[str] = field(default_factory=list)
    """Ids of the steps whose spans cover this piece (empty: not evidence)."""
    anchors: list[str] = field(default_factory=list)
    """Steps whose span starts here: the targets of their "in the note" links."""

    @property
    def target(self) -> str | None:
        """The step a click on the highlight lands on (the first covering step)."""
        return self.steps[0] if self.steps else None


def highlight(text: str, spans: list[tuple[int, int, str]]) -> list[Segment]:
    """Cut `text` at every span boundary; each piece lists the steps whose spans cover it.

    Spans outside the text are ignored. Overlapping spans split into pieces; the shortest span
    covering a piece comes first.

    >>> [(s.text, s.steps, s.anchors) for s in highlight("age 72, Cr 1.6", [(4, 6, "s2")])]
    [('age ', [], []), ('72', ['s2'], ['s2']), (', Cr 1.6', [], [])]
    """
    valid = [(a, b, sid) for a, b, sid in spans if 0 <= a < b <= len(text)]
    cuts = sorted({0, len(text), *(a for a, _, _ in valid), *(b for _, b, _ in valid)})
    anchored: set[str] = set()
    pieces: list[Segment] = []
    for start, end in pairwise(cuts):
        covering = sorted((b - a, sid) for a, b, sid in valid if a <= start and end <= b)
        ids = list(dict.fromkeys(sid for _, sid in covering))
        anchors = [sid for sid in ids if sid not in anchored]
        anchored.update(anchors)
        pieces.append(Segment(text[start:end], ids, anchors))
    return pieces


def note_segments(trace: Trace, source: str = "context") -> list[Segment]:
    """The case's note (or question) with every step's evidence span highlighted."""
    text = trace.case.context if source == "context" else trace.case.question
    spans = [
        (span.start, span.end, step.id)
        for step in trace.steps
        for span in spans_of(step)
        if span.source == source and text[span.start : span.end] == span.text
    ]
    return highlight(text, spans)


def verdict_view(verdict: Verdict) -> dict[str, Any]:
    """A verifier verdict as a badge: status in words, verifier, claim and evidence."""
    return {
        "status": verdict.status,
        "words": VERDICT_WORDS[verdict.status],
        "verifier": verdict.verifier.replace("_", " "),
        "claim": verdict.claim,
        "evidence": verdict.evidence,
    }


def answer_view(trace: Trace) -> dict[str, Any] | None:
    """The answer in words: value, unit, option text, confidence (None when there is none)."""
    answer = trace.answer
    if answer is None or answer.value is None:
        return None
    value = answer.value
    option = trace.case.options.get(value) if isinstance(value, str) else None
    return {
        "value": _plain(value) if not isinstance(value, str) else value,
        "unit": answer.unit or "",
        "option": option,
        "confidence": answer.confidence,
        "support": [n for n in (step_number(s) for s in answer.support) if n is not None],
    }


def result_view(trace: Trace, *, elapsed_s: float | None = None) -> dict[str, Any]:
    """Everything the result panel shows of a finished (verified) trace."""
    texts = {"context": trace.case.context, "question": trace.case.question}
    by_step: dict[str, list[dict[str, Any]]] = {}
    whole: list[dict[str, Any]] = []
    for v in trace.verdicts:
        (by_step.setdefault(v.step_id, []) if v.step_id else whole).append(verdict_view(v))
    support = set(trace.ancestors(trace.answer.support)) if trace.answer else set()
    graphs = argument_figures(trace)
    differential = differential_of(trace)
    drawn = {f["id"]: {"href": f["anchor"], "what": "argument graph"} for f in graphs}
    if differential is not None:
        drawn[differential["step"]] = {"href": differential["anchor"], "what": "differential"}
    steps = []
    for i, step in enumerate(trace.steps, start=1):
        view = step_view(step, i, texts)
        view["verdicts"] = by_step.get(step.id, [])
        view["supports_answer"] = step.id in support
        view["figure"] = drawn.get(step.id)
        steps.append(view)
    claims = [
        {
            "number": step_number(c.step_id) if c.step_id else None,
            "step": c.step_id,
            "kind": c.kind.replace("_", " "),
            "text": c.text,
            "status": c.status,
            "words": CLAIM_MARKS[c.status],
            "evidence": c.evidence,
        }
        for c in trace.claims
    ]
    tokens = trace.usage.completion_tokens
    return {
        "case": trace.case,
        "strategy": trace.strategy.name,
        "backend": backend_words(trace),
        "answer": answer_view(trace),
        "error": trace.error.message if trace.error else None,
        "trust": trace.trust,
        "claims": claims,
        "steps": steps,
        "whole_verdicts": whole,
        "note": note_segments(trace, "context"),
        "question": note_segments(trace, "question"),
        "inputs": [extraction_row(s) for s in trace.steps_of(Extraction)],
        "whatif": form_fields(trace) if trace.error is None else None,
        "arguments": graphs,
        "differential": differential,
        "elapsed_s": elapsed_s,
        "tokens": tokens,
        "tokens_per_s": tokens / elapsed_s if elapsed_s and tokens else None,
    }


def backend_words(trace: Trace) -> str:
    """The backend a trace ran on, e.g. 'embedded (qwen2.5-coder-1.5b)'."""
    if trace.backend is None:
        return "none"
    model = trace.backend.params.get("model")
    return f"{trace.backend.name} ({model})" if model else trace.backend.name

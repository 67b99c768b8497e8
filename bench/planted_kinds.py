"""Planted errors of the real kinds, on real notes: do the verifiers catch the system's errors?

`bench/planted_errors.py` and `bench/planted_real.py` plant what the verifiers test (a changed
number, span or sum) and find 98-100% of it. The system's own errors look different (issue 12,
item 6). Each kind below is planted into clean traces built the way the system builds them,
and every planted copy stays internally consistent (the calculator is re-run, the answer
follows the error), as a real error would be:

    criterion_dropped  calculator trace (rules only) over a MedCalc-Bench dev note: a yes/no
                       criterion the extractor found present by rule becomes the strategy's
                       "assumed absent" step (method assumed, span None, "not mentioned ->
                       absent"); the calculator is re-run; copies whose answer would not change
                       are skipped.
    later_value        the same traces: a numeric extraction whose quantity has another,
                       different value in the note (found with the numbers verifier's reader,
                       `verify.text.quantities`, not with the extractor) takes that value and
                       its span; the calculator is re-run.
    knowledge_swap     chain-of-thought traces (the `cot` strategy's trace layout, its reply
                       scripted through the fake backend) over the same notes: a thought states
                       that a finding present in the note (HPO concept recognition) is a feature
                       of a disease annotated with it in the HPO disease annotations (OMIM); the
                       swapped copy names a disease that is NOT annotated with that phenotype or
                       any descendant (drawn from the other clean statements' diseases), and
                       the answer follows it.
    false_rejection    chain-of-thought traces over MIRAGE dev questions with a patient vignette:
                       the clean trace rejects a wrong option with a true note fact ("Option B
                       is wrong because the patient has fever"); the planted copy rejects the
                       right option for the opposite, false fact ("Option C is wrong because
                       the patient has no fever") and answers the formerly rejected option.

    territory_swap     chain-of-thought traces over a STEMI vignette (ECG leads of one wall,
                       "which coronary artery is occluded?"): a thought states the textbook
                       lead -> artery link (inferior II, III, aVF -> right coronary; anterior
                       V1-V4 -> left anterior descending; lateral I, aVL, V5, V6 -> left
                       circumflex: `TERRITORIES`, written here, not read from the corpus); the
                       swapped copy names each of the two other arteries (full name or
                       abbreviation, as the template writes it) and the answer follows. The
                       checking verifier (`knowledge_source`) reads leads as walls with the same
                       textbook lead groups (its own table) and the wall -> artery link from
                       ICD-10-CM, so the lead half partly confirms itself; the artery half does
                       not. Each clean trace is counted once per planted copy (two).

Drug -> class swaps are not planted: no shipped source puts drugs into mutually exclusive
classes that the verifiers read (ICD-10-CM's drug-class codes name classes, not drugs), so
their recall is 0 by construction; the table says so.

Sentence templates (not knowledge) come in two groups, reported separately: `plain` (assertive
sentences in the forms the verifiers document) and `hedged` / `other` (the phrasings chain-of-
thought text more often uses: "unlikely", "can be ruled out", "is commonly seen in").

Measures, per kind, from `clinreason.verify.trust.claims_of(trace, verify_trace(trace))`:

- recall, strict: share of planted copies where a claim of the planted step is `contradicted`;
- recall, flagged: ... contradicted, or unverifiable because a verdict on it is ambiguous
  (the trace is no longer fully verified because of that step);
- trace caught: planted copies with a contradicted claim anywhere;
- false alarms: clean traces with any contradicted claim; clean traces whose corresponding
  step is flagged (contradicted or ambiguous);
- trust (`assess`): mean score and share fully verified, clean vs planted; verification time
  per trace (all registered verifiers + the claim ledger).

Notes (`--notes`, for the kinds planted on calculator notes: criterion_dropped, later_value,
knowledge_swap): `dev` (default) the MedCalc-Bench dev slice under `--data`; `frozen` the
held-out notes in unfamiliar wording, `bench/data/frozen_calc_notes.csv` (written blind to the
extractor and the second reader; see bench/data/README.md), which no verifier rule is to be
developed on; or the path of any CSV in MedCalc-Bench's format. false_rejection always uses
MIRAGE dev.

Deterministic: each item's random choices come from `random.Random(f"{seed}|{kind}|{id}")`.
No language model is run.

    .venv/bin/python bench/planted_kinds.py [--data ../shared/data] [--seed 0] [--limit N]
        [--kinds criterion_dropped,...] [--json] [--show 3] [--templates dev|held-out|blind]
        [--notes dev|frozen|PATH.csv]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from clinreason.errors import ClinReasonError
from clinreason.tools.calculators import by_slug
from clinreason.tools.calculators.base import Calculator, Param
from clinreason.tools.kg.base import KnowledgeGraph
from clinreason.trace import Case, Extraction, Span, Thought, ToolCall, Trace, Verdict
from clinreason.verify.text import quantities, unit_key

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FROZEN = REPO / "bench" / "data" / "frozen_calc_notes.csv"
"""Held-out calculator notes in unfamiliar wording (`--notes frozen`)."""
KINDS = ("criterion_dropped", "later_value", "knowledge_swap", "false_rejection", "territory_swap")
NOT_MENTIONED = "not mentioned -> absent"
"""The calculator strategy's note on a criterion it did not find (strategies.calculator)."""
ABSENT_CHOICE = re.compile(r"(?i)^(?:none|absent|no\s+\w+)$")
"""A categorical default that means the criterion is absent ('none', 'Absent', 'No ...')."""
DIFFERENT = 0.02
"""Two values of one quantity further apart than this (relative) are different values."""
VIGNETTE = re.compile(r"(?i)\b\d+[- ](?:year|month|week|day)s?[- ]old\b|\bpatient\b")
"""A question that describes a patient (MIRAGE items with a vignette)."""
NAMEABLE = re.compile(r"^[A-Za-z][A-Za-z0-9' -]*$")
"""A disease label a reasoning text would write as it is (no OMIM 'X, type Y, susceptibility
to' inversions or parenthesised parts)."""

KNOWLEDGE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "plain": (
        "{F} is a characteristic feature of {D}.",
        "Patients with {D} often have {f}.",
        "{D} typically presents with {f}.",
        "{F} suggests {D}.",
    ),
    "other": (
        "{F} is commonly seen in {D}.",
        "{F} is a hallmark of {D}.",
        "{D} can cause {f}.",
    ),
}
"""Sentence forms of a finding -> disease statement; the knowledge itself comes from HPO."""
REJECTION_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "plain": (
        (
            "Option {X} is wrong because the patient has {f}.",
            "Option {X} is wrong because the patient has no {f}.",
        ),
        (
            "Option {X} is incorrect, as the patient reports {f}.",
            "Option {X} is incorrect, as the patient denies {f}.",
        ),
    ),
    "hedged": (
        (
            "Option {X} is unlikely because the patient has {f}.",
            "Option {X} is unlikely because the patient has no {f}.",
        ),
        (
            "Option {X} can be ruled out since there is {f}.",
            "Option {X} can be ruled out since there is no {f}.",
        ),
    ),
}
"""(clean, planted) rejection sentences: clean states a true note fact about a wrong option,
planted states its negation about the right option."""

HELD_OUT_KNOWLEDGE: dict[str, tuple[str, ...]] = {
    "held_out": (
        "{F} is frequently observed in {D}.",
        "{D} is known to cause {f}.",
        "A classic sign of {D} is {f}.",
        "{D} commonly manifests with {f}.",
        "{F} is a recognized manifestation of {D}.",
        "{F} would be expected in {D}.",
        "In {D}, {f} is common.",
        "{F} occurs in {D}.",
    ),
}
HELD_OUT_REJECTION: dict[str, tuple[tuple[str, str], ...]] = {
    "held_out": (
        (
            "Option {X} does not fit, given that the patient has {f}.",
            "Option {X} does not fit, given that the patient has no {f}.",
        ),
        (
            "Option {X} is less likely as there is {f}.",
            "Option {X} is less likely as there is no {f}.",
        ),
        (
            "We can exclude option {X} because {f} is present.",
            "We can exclude option {X} because {f} is absent.",
        ),
        (
            "Option {X} is improbable since the patient reports {f}.",
            "Option {X} is improbable since the patient denies {f}.",
        ),
    ),
}
"""Held-out sentence forms (`--templates held-out`), written and committed before the verifier
changes they measure (2026-12-07) and never used while writing verifier rules: the figures on
them are the honest ones for phrasings the rules were not written against."""
BLIND = Path(__file__).parent / "labels" / "planted_blind_templates.json"
"""Blind sentence forms (`--templates blind`): written by a separate author who had not seen the
verifiers' rules, and committed unread before those rules were changed (2026-12-07)."""


def _blind() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[tuple[str, str], ...]]]:
    forms = json.loads(BLIND.read_text(encoding="utf-8"))
    pairs = tuple((clean, planted) for clean, planted in forms["rejection"])
    return {"blind": tuple(forms["knowledge"])}, {"blind": pairs}


TEMPLATE_SETS = {
    "dev": lambda: (KNOWLEDGE_TEMPLATES, REJECTION_TEMPLATES),
    "held-out": lambda: (HELD_OUT_KNOWLEDGE, HELD_OUT_REJECTION),
    "blind": _blind,
}


@dataclass(frozen=True)
class Planted:
    """A planted copy: the trace, the step that carries the error, and what was changed."""

    trace: Trace
    step_id: str
    change: str
    answer_changed: bool
    group: str = ""
    """Template group (knowledge_swap, false_rejection) or parameter kind (calculator kinds)."""
    detail: dict[str, Any] = field(default_factory=dict)
    """What the planter chose (ids, values), for tests and reports."""


# -- calculator traces --------------------------------------------------------------------------


def rules_only_traces(path: Path, limit: int | None = None) -> list[tuple[Case, Trace]]:
    """Each MedCalc-Bench row at `path` (the first `limit`) with its rules-only `calculator`
    trace (fake backend, no model), errors included."""
    from clinreason.backends.fake import FakeBackend
    from clinreason.bench.medcalc import MedCalcBenchmark
    from clinreason.strategies import run
    from clinreason.strategies.calculator import CalculatorStrategy

    cases = MedCalcBenchmark(rules_only=True).load(path).cases[:limit]
    strategy = CalculatorStrategy(use_llm=False)

    async def solve() -> list[Trace]:
        return [await run(strategy, case, FakeBackend([])) for case in cases]

    return list(zip(cases, asyncio.run(solve()), strict=True))


def calculator_traces(path: Path, limit: int | None = None) -> list[Trace]:
    """Rules-only `calculator` traces of the MedCalc-Bench rows at `path` that ended with an
    answer."""
    traces = [t for _, t in rules_only_traces(path, limit)]
    return [t for t in traces if t.error is None and t.answer is not None]


def _calculator_call(trace: Trace) -> tuple[ToolCall, Calculator] | None:
    calls = [
        s
        for s in trace.steps
        if isinstance(s, ToolCall) and s.tool.startswith("calculator.") and s.error is None
    ]
    if not calls:
        return None
    try:
        return calls[-1], by_slug(calls[-1].tool.removeprefix("calculator."))
    except ClinReasonError:
        return None


def _params(calc: Calculator) -> dict[str, Param]:
    out: dict[str, Param] = {}
    for p in calc.params:
        for key in (p.name, *p.aliases):
            out.setdefault(key, p)
    return out


def _choice_confidence(trace: Trace) -> float | None:
    for step in trace.steps:
        if isinstance(step, Thought) and step.text.startswith("Calculator:"):
            m = re.search(r"confidence (\d+(?:\.\d+)?)", step.text)
            return float(m.group(1)) if m else None
    return None


def _recompute(out: Trace, arguments: dict[str, Any]) -> bool | None:
    """Re-run the calculator of `out` (a copy) on `arguments`, store call result, explanation,
    answer and the strategy's confidence; whether the answer changed (None: the calculator
    refuses the input)."""
    from clinreason.strategies.calculator import CalculatorStrategy, format_value

    found = _calculator_call(out)
    assert found is not None and out.answer is not None
    call, calc = found
    try:
        comp = calc.compute(arguments)
    except ClinReasonError:
        return None
    value = comp.value if not isinstance(comp.value, tuple) else list(comp.value)
    call.arguments = arguments
    call.result = {"value": value, "unit": comp.unit}
    call.explanation = list(comp.steps)
    text = format_value(comp.value, calc.output_type)
    changed = text != out.answer.value
    out.answer.value = text
    out.answer.raw = text
    conf = _choice_confidence(out)
    if conf is not None:  # the strategy's own formula over the (changed) extraction methods
        inputs = [SimpleNamespace(method=s.method, value=s.value) for s in out.steps_of(Extraction)]
        out.answer.confidence = CalculatorStrategy._confidence(conf, inputs)  # type: ignore[arg-type]
    return changed


def _absent_value(p: Param, value: Any) -> Any:
    """The strategy's 'assumed absent' value for a criterion read as present, else None."""
    if p.kind == "bool" and value is True and p.default is False:
        return False
    if (
        p.kind == "choice"
        and isinstance(p.default, str)
        and ABSENT_CHOICE.match(p.default)
        and value != p.default
    ):
        return p.default
    return None


def drop_criterion(trace: Trace, rng: random.Random) -> Planted | None:
    """A copy where one criterion found present by rule is 'not mentioned -> absent' and the
    calculator is re-run; None when no such criterion changes the answer."""
    found = _calculator_call(trace)
    if found is None:
        return None
    call, calc = found
    params = _params(calc)
    candidates = [
        s
        for s in trace.steps_of(Extraction)
        if s.method == "rule"
        and s.name in params
        and s.name in call.arguments
        and _absent_value(params[s.name], s.value) is not None
    ]
    rng.shuffle(candidates)
    for step in candidates:
        out = trace.model_copy(deep=True)
        absent = _absent_value(params[step.name], step.value)
        ext = next(s for s in out.steps_of(Extraction) if s.id == step.id)
        ext.value, ext.unit, ext.span, ext.method = absent, None, None, "assumed"
        ext.note = NOT_MENTIONED
        changed = _recompute(out, {**call.arguments, step.name: absent})
        if changed:
            return Planted(
                out,
                step.id,
                f"{step.name}: {step.value!r} (rule) -> {absent!r} assumed",
                True,
                params[step.name].kind,
                {"name": step.name, "was": step.value, "now": absent},
            )
    return None


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def later_value(trace: Trace, rng: random.Random) -> Planted | None:
    """A copy where a numeric extraction takes another, different value of the same quantity
    in the note (its span the note's text), the calculator re-run; None when there is none."""
    found = _calculator_call(trace)
    if found is None:
        return None
    call, calc = found
    params = _params(calc)
    note = trace.case.context
    qs = quantities(note)
    options: list[tuple[Extraction, Any]] = []
    for step in trace.steps_of(Extraction):
        p = params.get(step.name)
        span = step.span
        value = step.value
        if (
            p is None
            or p.kind not in ("measurement", "number")
            or step.method != "rule"
            or span is None
            or span.source != "context"
            or step.name not in call.arguments
            or isinstance(value, bool)
            or not isinstance(value, int | float)
        ):
            continue
        mine = [
            q
            for q in qs
            if _overlaps(q.start, q.end, span.start, span.end)
            and q.analyte is not None
            and abs(q.value - value) <= 1e-9 * max(1.0, abs(value))
        ]
        if not mine:
            continue
        q0 = mine[0]
        for q in qs:
            if (
                q.analyte != q0.analyte
                or q.in_range
                or not q.finite
                or _overlaps(q.start, q.end, span.start, span.end)
                or unit_key(q.unit) != unit_key(q0.unit)
                or note[q.start : q.end] != q.text
                or abs(q.value - q0.value) <= DIFFERENT * max(abs(q.value), abs(q0.value))
            ):
                continue
            options.append((step, q))
    if not options:
        return None
    step, q = rng.choice(options)
    out = trace.model_copy(deep=True)
    ext = next(s for s in out.steps_of(Extraction) if s.id == step.id)
    new: int | float = int(q.value) if q.decimals == 0 and isinstance(step.value, int) else q.value
    ext.value = new
    ext.span = Span(start=q.start, end=q.end, text=note[q.start : q.end])
    ext.note = ""
    old_arg = call.arguments[step.name]
    arg = [new, old_arg[1]] if isinstance(old_arg, list) and len(old_arg) == 2 else new
    changed = _recompute(out, {**call.arguments, step.name: arg})
    if changed is None:
        return None
    return Planted(
        out,
        step.id,
        f"{step.name}: {step.value} -> {new} ('{q.text}' at {q.start})",
        changed,
        q.analyte or "",
        {"name": step.name, "was": step.value, "now": new, "analyte": q.analyte},
    )


# -- chain-of-thought traces --------------------------------------------------------------------


def cot_trace(case: Case, thoughts: Sequence[str], answer: str) -> Trace:
    """The `cot` strategy's trace for a scripted reply (fake backend; no model)."""
    from clinreason.backends.fake import FakeBackend
    from clinreason.strategies import run
    from clinreason.strategies.cot import ChainOfThought

    reply = json.dumps({"reasoning": " ".join(thoughts), "answer": answer})
    return asyncio.run(run(ChainOfThought(), case, FakeBackend([reply])))


def _thought_with(trace: Trace, sentence: str) -> Thought | None:
    return next((s for s in trace.steps_of(Thought) if sentence in s.text), None)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _inline(text: str) -> str:
    """A note mention as written inside a sentence ('Fever' -> 'fever'; 'HTN' stays)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


@dataclass(frozen=True)
class KnowledgeItem:
    """A clean chain-of-thought trace with one finding -> disease statement."""

    trace: Trace
    step_id: str
    sentence: str
    template: str
    group: str
    finding: str
    term: str
    disease_id: str
    disease: str
    thoughts: tuple[str, ...] = field(default=())


KNOWLEDGE_QUESTION = "Name a disease in which one of this patient's findings is a known feature."


def _nameable(graph: KnowledgeGraph, disease_id: str) -> str | None:
    label = graph.disease(disease_id)
    name = label.label if label is not None else None
    return name if name and NAMEABLE.match(name) else None


def knowledge_thoughts(template: str, finding: str, disease: str) -> tuple[list[str], str]:
    """The reasoning sentences and the knowledge sentence for (finding, disease)."""
    sentence = template.format(F=_cap(finding), f=finding, D=disease)
    return [
        f"The patient presents with {finding}.",
        sentence,
        f"So the answer is {disease}.",
    ], sentence


def knowledge_item(
    case_id: str,
    note: str,
    graph: KnowledgeGraph,
    rng: random.Random,
    *,
    templates: dict[str, tuple[str, ...]] = KNOWLEDGE_TEMPLATES,
) -> KnowledgeItem | None:
    """A clean trace stating that a finding present in `note` is a feature of an OMIM disease
    annotated with it (or with a more specific term); None without such a finding."""
    from clinreason.tools.kg.recognize import ConceptRecognizer

    rec = ConceptRecognizer.for_graph(graph)
    mentions = [
        m
        for m in rec.recognize(note)
        if m.status == "present" and m.method in ("label", "synonym") and len(m.span.text) > 3
    ]
    rng.shuffle(mentions)
    for m in mentions:
        diseases = sorted(d for d in graph.diseases_with(m.term) if _nameable(graph, d))
        if not diseases:
            continue
        did = rng.choice(diseases)
        disease = _nameable(graph, did)
        assert disease is not None
        group = rng.choice(sorted(templates))
        template = rng.choice(templates[group])
        finding = _inline(m.span.text)
        thoughts, sentence = knowledge_thoughts(template, finding, disease)
        case = Case(id=case_id, question=KNOWLEDGE_QUESTION, context=note)
        trace = cot_trace(case, thoughts, disease)
        step = _thought_with(trace, sentence)
        if step is None or trace.answer is None:
            continue
        return KnowledgeItem(
            trace, step.id, sentence, template, group, finding, m.term, did, disease,
            tuple(thoughts),
        )  # fmt: skip
    return None


def swap_knowledge(
    item: KnowledgeItem, graph: KnowledgeGraph, pool: Sequence[str], rng: random.Random
) -> Planted | None:
    """The same trace with the statement's disease replaced by one from `pool` that is not
    annotated with the finding's term or any descendant (the answer follows)."""
    annotated = set(graph.diseases_with(item.term))
    others = sorted({d for d in pool if d not in annotated and d != item.disease_id})
    others = [d for d in others if _nameable(graph, d) and _nameable(graph, d) != item.disease]
    if not others:
        return None
    did = rng.choice(others)
    disease = _nameable(graph, did)
    assert disease is not None
    thoughts, sentence = knowledge_thoughts(item.template, item.finding, disease)
    out = cot_trace(item.trace.case, thoughts, disease)
    step = _thought_with(out, sentence)
    if step is None or step.id != item.step_id:
        return None
    return Planted(
        out,
        step.id,
        f"{item.finding} ({item.term}): {item.disease} ({item.disease_id}) -> {disease} ({did})",
        True,
        item.group,
        {"term": item.term, "was": item.disease_id, "now": did, "disease": disease},
    )


@dataclass(frozen=True)
class RejectionItem:
    """A clean multiple-choice trace that rejects a wrong option with a true note fact."""

    trace: Trace
    step_id: str
    pair: tuple[str, str]
    group: str
    finding: str
    other_finding: str
    gold: str
    wrong: str


def rejection_thoughts(
    template: str, option: str, finding: str, other: str, answer: str
) -> tuple[list[str], str]:
    """The reasoning sentences and the rejection sentence."""
    sentence = template.format(X=option, f=finding)
    return [
        f"The patient presents with {other}.",
        sentence,
        f"The answer is {answer}.",
    ], sentence


def rejection_item(
    case: Case,
    gold: str,
    graph: KnowledgeGraph,
    rng: random.Random,
    *,
    templates: dict[str, tuple[tuple[str, str], ...]] = REJECTION_TEMPLATES,
) -> RejectionItem | None:
    """A clean trace over a vignette: restate a finding, reject a wrong option because of a
    finding the text states as present (HPO concept recognition), answer the gold option."""
    from clinreason.tools.kg.recognize import ConceptRecognizer

    text = f"{case.context}\n{case.question}" if case.context else case.question
    if not case.options or gold not in case.options or not VIGNETTE.search(text):
        return None
    rec = ConceptRecognizer.for_graph(graph)
    mentions = [
        m
        for m in rec.recognize(text)
        if m.status == "present" and m.method in ("label", "synonym") and len(m.span.text) > 3
    ]
    if not mentions:
        return None
    finding = _inline(rng.choice(mentions).span.text)
    other = _inline(rng.choice(mentions).span.text)
    wrong = rng.choice(sorted(k for k in case.options if k != gold))
    group = rng.choice(sorted(templates))
    pair = rng.choice(templates[group])
    thoughts, sentence = rejection_thoughts(pair[0], wrong, finding, other, gold)
    trace = cot_trace(case, thoughts, gold)
    step = _thought_with(trace, sentence)
    if step is None or trace.answer is None or trace.answer.value != gold:
        return None
    return RejectionItem(trace, step.id, pair, group, finding, other, gold, wrong)


def false_rejection(item: RejectionItem) -> Planted | None:
    """The same trace rejecting the right option for the negated fact, answering the option
    the clean trace rejected."""
    thoughts, sentence = rejection_thoughts(
        item.pair[1], item.gold, item.finding, item.other_finding, item.wrong
    )
    out = cot_trace(item.trace.case, thoughts, item.wrong)
    step = _thought_with(out, sentence)
    if step is None or step.id != item.step_id or out.answer is None:
        return None
    return Planted(
        out,
        step.id,
        sentence,
        out.answer.value != item.gold,
        item.group,
        {"rejected": item.gold, "answer": item.wrong, "finding": item.finding},
    )


# -- lead -> territory ---------------------------------------------------------------------------

TERRITORIES: dict[str, tuple[str, str, str, str]] = {
    "inferior": ("II, III and aVF", "inferior wall", "right coronary artery", "RCA"),
    "anterior": ("V1 to V4", "anterior wall", "left anterior descending artery", "LAD"),
    "lateral": ("I, aVL, V5 and V6", "lateral wall", "left circumflex artery", "LCx"),
}
"""Wall -> (its ECG leads, the wall, the artery usually occluded, its abbreviation): textbook
facts (e.g. any ECG primer), written for this benchmark, not read from the corpus."""
TERRITORY_OPTIONS = {
    "A": "Left anterior descending artery",
    "B": "Left circumflex artery",
    "C": "Right coronary artery",
    "D": "Left main coronary artery",
}
TERRITORY_LETTER = {"RCA": "C", "LAD": "A", "LCx": "B"}
TERRITORY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "full": (
        "ST elevation in leads {leads} indicates occlusion of the {artery}.",
        "ST elevation in {leads} suggests an infarction of the {wall} from occlusion of the "
        "{artery}.",
        "STEMI of the {wall} is usually caused by occlusion of the {artery}.",
        "ST elevation in {leads} typically points to the {artery} as the culprit vessel.",
    ),
    "abbreviated": (
        "Infarction of the {wall} is characteristically due to {abbr} occlusion.",
        "ST elevation in leads {leads} is typical of {abbr} occlusion.",
    ),
}
"""Sentence forms of a lead/wall -> artery statement (written before the verifier was run on
them); `abbreviated` ones name the artery as clinicians often write it."""
HELD_OUT_TERRITORY: dict[str, tuple[str, ...]] = {
    "held_out_full": (
        "Elevation of the ST segment in {leads} is classically explained by a blocked {artery}.",
        "The {artery} is the vessel most often responsible for ST elevation in leads {leads}.",
        "When ST elevation appears in {leads}, the {artery} is usually the occluded vessel.",
        "An acute infarction of the {wall} most commonly results from occlusion of the {artery}.",
    ),
    "held_out_abbreviated": (
        "ST elevation in {leads} typically indicates an {abbr} lesion.",
        "The culprit in a {wall} STEMI is usually the {abbr}.",
    ),
}
"""Held-out lead/wall -> artery forms (`--templates held-out`), written and committed after the
first territory figures and before the verifier changes they measure; never used while writing
verifier rules."""


def territory_sentence(template: str, wall: str, artery_of: str) -> str:
    """A template filled with `wall`'s leads and wall and the artery of wall `artery_of`."""
    leads, wall_name, _, _ = TERRITORIES[wall]
    _, _, artery, abbr = TERRITORIES[artery_of]
    return template.format(leads=leads, wall=wall_name, artery=artery, abbr=abbr)


def territory_trace(case_id: str, wall: str, sentence: str, abbr: str) -> Trace:
    """The `cot` trace of a vignette with ST elevation over `wall`, reasoning with `sentence`
    and answering the option of artery `abbr`."""
    leads = TERRITORIES[wall][0]
    case = Case(
        id=case_id,
        context=(
            "A 61-year-old man has had crushing chest pain for an hour. ECG shows ST elevation "
            f"in leads {leads}."
        ),
        question="Which coronary artery is most likely occluded?",
        options=dict(TERRITORY_OPTIONS),
    )
    letter = TERRITORY_LETTER[abbr]
    thoughts = [
        f"The ECG shows ST elevation in leads {leads}.",
        sentence,
        f"So the answer is {letter}.",
    ]
    return cot_trace(case, thoughts, letter)


def territory_pairs(
    forms: dict[str, tuple[str, ...]] = TERRITORY_TEMPLATES,
) -> list[tuple[Trace, Planted | None]]:
    """(clean trace, planted copy) for every wall, template and other artery."""
    out: list[tuple[Trace, Planted | None]] = []
    for group, templates in forms.items():
        for t, template in enumerate(templates):
            for wall in TERRITORIES:
                clean_sentence = territory_sentence(template, wall, wall)
                clean = territory_trace(
                    f"territory-{wall}-{group}{t}", wall, clean_sentence, TERRITORIES[wall][3]
                )
                step = _thought_with(clean, clean_sentence)
                if step is None:
                    continue
                for other in TERRITORIES:
                    if other == wall:
                        continue
                    sentence = territory_sentence(template, wall, other)
                    planted = territory_trace(clean.case.id, wall, sentence, TERRITORIES[other][3])
                    pstep = _thought_with(planted, sentence)
                    if pstep is None or pstep.id != step.id:
                        continue
                    change = f"{wall}: {TERRITORIES[wall][3]} -> {TERRITORIES[other][3]}"
                    out.append(
                        (
                            clean,
                            Planted(
                                planted, step.id, change, True, group, {"wall": wall, "now": other}
                            ),
                        )
                    )
    return out


# -- measurement ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def verifiers() -> tuple[Any, ...]:
    """Every registered verifier, plus the second reader when its module exists but is not
    registered (yet): the measure is meant for `verify_trace` with second_reader and kg."""
    from clinreason.verify import VERIFIERS, make_verifier

    chosen = [make_verifier(name) for name in VERIFIERS]
    if "second_reader" not in VERIFIERS:
        try:
            from clinreason.verify.second_reader import SecondReader
        except ImportError:
            return tuple(chosen)
        chosen.append(SecondReader())
    return tuple(chosen)


def step_outcome(trace: Trace, step_id: str) -> dict[str, Any]:
    """Verify the trace (`verifiers()`), build the claim ledger and the trust assessment; what
    happened to `step_id`'s claims."""
    from clinreason.verify import verify_trace
    from clinreason.verify.trust import assess

    started = time.perf_counter()
    verdicts = verify_trace(trace, list(verifiers()))
    claims, trust = assess(trace, verdicts)
    seconds = time.perf_counter() - started
    mine = [c for c in claims if c.step_id == step_id]
    on_step = [v for v in verdicts if v.step_id == step_id]
    contradicted = any(c.status == "contradicted" for c in mine)
    # unverifiable because of an ambiguity flag on the step (trust._decide's rule; the claim's
    # checked_by is not used: it is empty for a rule reading flagged ambiguous)
    ambiguous = any(c.status == "unverifiable" for c in mine) and any(
        v.details.get("ambiguous") for v in on_step
    )
    return {
        "step_contradicted": contradicted,
        "step_flagged": contradicted or ambiguous,
        "any_contradicted": any(c.status == "contradicted" for c in claims),
        "fully_verified": trust.fully_verified,
        "trust": trust.score,
        "calibration": trust.calibration,
        "seconds": seconds,
        "step_claims": [c.status for c in mine],
        "step_supported": bool(mine) and all(c.status == "supported" for c in mine),
        "why": _why(on_step),
        "contradicted_claims": [
            f"{c.step_id}: {c.text} — {c.evidence}" for c in claims if c.status == "contradicted"
        ],
    }


def _why(verdicts: Sequence[Verdict]) -> str:
    """A short label of what the verifiers said on a step (for the miss breakdown)."""
    if not verdicts:
        return "no verdict on the step"
    parts = []
    for v in verdicts:
        d = v.details
        tag = d.get("failure") or (
            "ambiguous"
            if d.get("ambiguous")
            else {True: "agrees", False: "disagrees"}.get(d.get("agrees"), "")  # type: ignore[arg-type]
        )
        parts.append(f"{v.verifier}:{v.status}" + (f":{tag}" if tag else ""))
    return ", ".join(sorted(set(parts)))


def _mean(xs: Sequence[float]) -> float | None:
    return round(statistics.fmean(xs), 4) if xs else None


def _share(xs: Sequence[bool]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def evaluate(pairs: Sequence[tuple[Trace, Planted | None]], show: int = 3) -> dict[str, Any]:
    """Figures for one kind from (clean trace, planted copy or None) pairs; clean traces
    without a planted copy are left out (they are not this kind's clean set)."""
    clean_out, planted_out, groups = [], [], []
    examples: list[dict[str, Any]] = []
    answer_changed = []
    for clean, planted in pairs:
        if planted is None:
            continue
        c = step_outcome(clean, planted.step_id)
        p = step_outcome(planted.trace, planted.step_id)
        clean_out.append(c)
        planted_out.append(p)
        groups.append(planted.group)
        answer_changed.append(planted.answer_changed)
        if len(examples) < show:
            examples.append(
                {
                    "case": clean.case.id,
                    "step": planted.step_id,
                    "change": planted.change,
                    "clean": c["why"],
                    "planted": p["why"],
                    "planted_claims": p["step_claims"],
                }
            )
    n = len(planted_out)
    by_group: dict[str, dict[str, Any]] = {}
    for g in sorted(set(groups)):
        idx = [i for i, x in enumerate(groups) if x == g]
        by_group[g] = {
            "planted": len(idx),
            "recall_strict": _share([planted_out[i]["step_contradicted"] for i in idx]),
            "recall_flagged": _share([planted_out[i]["step_flagged"] for i in idx]),
        }
    misses = Counter(p["why"] for p in planted_out if not p["step_flagged"])
    alarms = [c["contradicted_claims"][0] for c in clean_out if c["any_contradicted"]]
    return {
        "clean": n,
        "planted": n,
        "answer_changed": _share(answer_changed),
        "recall_strict": _share([p["step_contradicted"] for p in planted_out]),
        "recall_flagged": _share([p["step_flagged"] for p in planted_out]),
        "trace_caught": _share([p["any_contradicted"] for p in planted_out]),
        "false_alarm_any": _share([c["any_contradicted"] for c in clean_out]),
        "false_alarm_step_flagged": _share([c["step_flagged"] for c in clean_out]),
        "clean_step_supported": _share([c["step_supported"] for c in clean_out]),
        "trust_clean": _mean([c["trust"] for c in clean_out]),
        "trust_planted": _mean([p["trust"] for p in planted_out]),
        "trust_rose": _share(
            [p["trust"] > c["trust"] for c, p in zip(clean_out, planted_out, strict=True)]
        ),
        "fully_verified_clean": _share([c["fully_verified"] for c in clean_out]),
        "fully_verified_planted": _share([p["fully_verified"] for p in planted_out]),
        "ms_per_trace": _mean([1000 * x["seconds"] for x in clean_out + planted_out]),
        "ms_per_trace_median": (
            round(statistics.median([1000 * x["seconds"] for x in clean_out + planted_out]), 1)
            if clean_out
            else None
        ),
        "calibration": sorted({x["calibration"] for x in clean_out + planted_out}),
        "by_group": by_group,
        "not_flagged_why": dict(misses.most_common(8)),
        "false_alarm_examples": alarms[:show],
        "examples": examples,
    }


def _warm_up() -> None:
    """Load the HPO graph, its recogniser and the ICD-10-CM index once, outside the timings."""
    from clinreason.tools.kg import load_hpo
    from clinreason.tools.kg.recognize import ConceptRecognizer

    ConceptRecognizer.for_graph(load_hpo())
    try:
        from clinreason.verify.second_reader import icd_index
    except ImportError:
        return
    icd_index()


def _revision() -> dict[str, Any]:
    """The commit measured and any uncommitted change under src/ (figures depend on both)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            out = subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return ""
        return out.stdout.rstrip()

    dirty = [line[3:] for line in git("status", "--porcelain", "src").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_src": dirty}


def notes_path(notes: str, data: Path) -> Path:
    """The calculator notes `--notes` names: 'dev' (MedCalc-Bench dev under `data`), 'frozen'
    (`FROZEN`), or a CSV path in MedCalc-Bench's format."""
    return {"dev": data / "medcalc-bench" / "dev.csv", "frozen": FROZEN}.get(notes, Path(notes))


def _rng(seed: int, kind: str, item: str) -> random.Random:
    return random.Random(f"{seed}|{kind}|{item}")


def run(
    data: Path,
    seed: int = 0,
    limit: int | None = None,
    kinds: Sequence[str] = KINDS,
    show: int = 3,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
    templates: str = "dev",
    notes: str = "dev",
) -> dict[str, Any]:
    """Build the clean traces, plant each kind, verify, and return the figures."""
    from clinreason.verify import VERIFIERS

    knowledge_forms, rejection_forms = TEMPLATE_SETS[templates]()

    medcalc = notes_path(notes, data)
    mirage = data / "mirage" / "dev.json"
    res: dict[str, Any] = {
        "seed": seed,
        "templates": templates,
        "notes": notes,
        **_revision(),
        "machine": f"Python {platform.python_version()}, {platform.machine()}, 2 shared cores",
        "verifiers": [v.name for v in verifiers()],
        "verifiers_registered": sorted(VERIFIERS),
        "kinds": {},
        "not_planted": {
            "knowledge_swap: drug->class": (
                "no shipped source puts drugs into mutually exclusive classes that a verifier "
                "reads (knowledge_source supports a class statement a passage makes, but has no "
                "swap rule for classes); recall 0 by construction"
            )
        },
    }
    timings: dict[str, float] = {}

    def measure(kind: str, source: str, make: Callable[[], list[tuple[Trace, Any]]]) -> None:
        t0 = time.perf_counter()
        res["kinds"][kind] = {"source": source, **evaluate(make(), show)}
        timings[f"{kind}_s"] = round(time.perf_counter() - t0, 2)
        log(f"{kind}: {res['kinds'][kind]['planted']} planted ({timings[f'{kind}_s']} s)")

    t0 = time.perf_counter()
    _warm_up()
    timings["verifier_warmup_s"] = round(time.perf_counter() - t0, 2)
    need_calc = {"criterion_dropped", "later_value", "knowledge_swap"} & set(kinds)
    calc_traces: list[Trace] = []
    if need_calc and not medcalc.is_file():
        log(f"skipping {', '.join(sorted(need_calc))}: MedCalc-Bench dev not found at {medcalc}")
    elif need_calc:
        t0 = time.perf_counter()
        calc_traces = calculator_traces(medcalc, limit)
        timings["calculator_traces_s"] = round(time.perf_counter() - t0, 2)
        log(f"{len(calc_traces)} clean calculator traces ({timings['calculator_traces_s']} s)")
    where = {"dev": "MedCalc-Bench dev", "frozen": "frozen notes"}.get(notes, str(medcalc))
    source = f"{where}, calculator strategy, rules only ({len(calc_traces)} traces)"
    planters = {"criterion_dropped": drop_criterion, "later_value": later_value}
    for kind, planter in planters.items():
        if kind in kinds and calc_traces:
            measure(
                kind,
                source,
                lambda k=kind, f=planter: [  # type: ignore[misc]
                    (t, f(t, _rng(seed, k, t.case.id))) for t in calc_traces
                ],
            )
    if "knowledge_swap" in kinds and calc_traces:
        from clinreason.tools.kg import load_hpo

        graph = load_hpo()
        items = [
            item
            for t in calc_traces
            if (
                item := knowledge_item(
                    f"kg-{t.case.id}",
                    t.case.context,
                    graph,
                    _rng(seed, "kg", t.case.id),
                    templates=knowledge_forms,
                )
            )
        ]
        pool = sorted({i.disease_id for i in items})
        measure(
            "knowledge_swap",
            f"{where}, HPO/OMIM annotations ({len(items)} statements)",
            lambda: [
                (
                    i.trace,
                    swap_knowledge(i, graph, pool, _rng(seed, "knowledge_swap", i.trace.case.id)),
                )
                for i in items
            ],
        )
    if "false_rejection" in kinds and not mirage.is_file():
        log(f"skipping false_rejection: MIRAGE dev not found at {mirage}")
    elif "false_rejection" in kinds:
        from clinreason.tools.kg import load_hpo

        graph = load_hpo()
        questions = json.loads(mirage.read_text(encoding="utf-8"))
        rejections = []
        for dataset in sorted(questions):
            for qid, q in sorted(questions[dataset].items())[:limit]:
                case = Case(id=f"{dataset}-{qid}", question=q["question"], options=q["options"])
                item_r = rejection_item(
                    case, q["answer"], graph, _rng(seed, "rej", case.id), templates=rejection_forms
                )
                if item_r is not None:
                    rejections.append(item_r)
        measure(
            "false_rejection",
            f"MIRAGE dev questions with a patient vignette ({len(rejections)})",
            lambda: [(i.trace, false_rejection(i)) for i in rejections],
        )
    if "territory_swap" in kinds:
        measure(
            "territory_swap",
            "STEMI vignettes, textbook lead -> artery statements (TERRITORIES)",
            lambda: territory_pairs(
                TERRITORY_TEMPLATES if templates == "dev" else HELD_OUT_TERRITORY
            ),
        )
    res["timings"] = timings
    return res


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def table(res: dict[str, Any]) -> str:
    """The figures as a Markdown table (one row per kind)."""
    head = (
        "| kind | n | recall strict | recall flagged | trace caught | false alarms (any / step) "
        "| mean trust clean → planted | fully verified clean → planted | ms/trace |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    rows = [head]
    for kind, r in res["kinds"].items():
        trust = (
            f"{r['trust_clean']:.3f} → {r['trust_planted']:.3f} (rose {_pct(r['trust_rose'])})"
            if r["trust_clean"] is not None
            else "—"
        )
        rows.append(
            f"| {kind} | {r['planted']} | {_pct(r['recall_strict'])} | {_pct(r['recall_flagged'])} "
            f"| {_pct(r['trace_caught'])} | {_pct(r['false_alarm_any'])} / "
            f"{_pct(r['false_alarm_step_flagged'])} | {trust} | "
            f"{_pct(r['fully_verified_clean'])} → {_pct(r['fully_verified_planted'])} "
            f"| {r['ms_per_trace']:.0f} |"
            if r["planted"]
            else f"| {kind} | 0 | — | — | — | — | — | — | — |"
        )
    for what in res["not_planted"]:
        rows.append(f"| {what} | 0 (not planted) | 0% | 0% | — | — | — | — | — |")
    return "\n".join(rows)


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="first N rows/questions per set")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--show", type=int, default=3, help="examples per kind")
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--templates",
        choices=sorted(TEMPLATE_SETS),
        default="dev",
        help="sentence forms of knowledge_swap and false_rejection (held-out, blind: not tuned on)",
    )
    ap.add_argument(
        "--notes",
        default="dev",
        help="calculator notes: dev (MedCalc-Bench dev), frozen (held-out notes, "
        "bench/data/frozen_calc_notes.csv) or a MedCalc-Bench-format CSV path",
    )
    args = ap.parse_args()
    if args.notes not in ("dev", "frozen") and not Path(args.notes).is_file():
        sys.exit(f"--notes: not dev, frozen or an existing CSV file: {args.notes}")
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        sys.exit(f"unknown kinds: {', '.join(sorted(unknown))}; choose from {', '.join(KINDS)}")
    started = time.perf_counter()
    res = run(
        args.data,
        args.seed,
        args.limit,
        kinds,
        args.show,
        templates=args.templates,
        notes=args.notes,
    )
    res["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return
    print(table(res))
    for kind, r in res["kinds"].items():
        print(
            f"\n{kind} ({r['source']}); answer changed in {_pct(r['answer_changed'])}; "
            f"clean step supported in {_pct(r['clean_step_supported'])}; "
            f"median {r['ms_per_trace_median']} ms/trace; calibration {r['calibration']}"
        )
        for g, x in r["by_group"].items():
            print(
                f"  {g:<12} n={x['planted']:<4} strict {_pct(x['recall_strict'])}, "
                f"flagged {_pct(x['recall_flagged'])}"
            )
        for why, n in r["not_flagged_why"].items():
            print(f"  not flagged ({n}): {why}")
        for a in r["false_alarm_examples"]:
            print(f"  false alarm: {a}")
        for e in r["examples"]:
            print(f"  e.g. {e['case']} {e['step']}: {e['change']} | planted: {e['planted']}")
    print(f"\nnotes: {res['notes']}; templates: {res['templates']}; seed {res['seed']}")
    print(f"commit {res['commit']}, uncommitted under src/: {res['uncommitted_src'] or 'none'}")
    print(f"verifiers: {', '.join(res['verifiers'])}; total {res['seconds']} s; {res['timings']}")


if __name__ == "__main__":
    main()

"""The claim ledger and the trust score: what the answer rests on and how far it was checked.

`assess(trace, verdicts)` walks the steps on the answer's support path and turns each into
claims (`clinreason.trace.Claim`) whose status comes from the verdicts on that step; without a
deciding verdict:

- extraction by `rule`: the value or criterion read from the note (unverifiable; `given`:
  supported); `assumed`: the default taken, "not mentioned -> absent" (assumption); `llm`: the
  model's reading (judgement);
- a thought made by a rule, e.g. the calculator chosen by name: supported when the calculator's
  name is in the question, else unverifiable;
- a thought from the model: one patient fact per verdict on it, plus its reasoning (knowledge,
  inference) when it has any, unverifiable without a source; a sentence the model was asked
  again without its reasoning (`claim_reask`, `strategies.claim_check`) or looked up in the
  retrieval corpus (`knowledge_source`, `verify.sources`) takes that verdict;
- the model's final choice (`llm_call`, `vote`, `argument`): the answer (judgement);
- a tool call: the tool's result (unverifiable).

A contradicted verdict makes any claim contradicted. A supported verdict makes a claim
supported, except that: a verdict that only confirms the quote is in the note
(`details.check == "span"`) says nothing of what was read from it; an ambiguity flag
(`details.ambiguous`, e.g. three creatinine values in the note) keeps a claim unverifiable; and
an assumption stays an assumption unless a second reader contradicts it. The model's answer
becomes supported only when an independent re-asking (`reask` check) agrees, and contradicted
when it disagrees.

`fully_verified` holds only when every claim is supported. The trust score is a logistic model
of the claim counts and the strategy's own confidence, fitted per family of traces
(`calculator`, `choice`) on development data by `bench/trust_eval.py` and shipped in
`trust_calibration.json`; a family without a fitted table gets a plain default and says so.

>>> from clinreason.trace import Answer, Case, ComponentSpec, Extraction, ToolCall, Trace, Span
>>> case = Case(id="c", question="What is the patient's HAS-BLED score?", context="Age 70.")
>>> t = Trace(case=case, strategy=ComponentSpec(name="calculator"), steps=[
...     Extraction(id="s1", name="age", value=70, span=Span(start=4, end=6, text="70")),
...     Extraction(id="s2", name="stroke", value=False, method="assumed",
...                note="not mentioned -> absent"),
...     ToolCall(id="s3", tool="calculator.has_bled", result={"value": 1}, parents=["s1", "s2"])],
...     answer=Answer(value="1", support=["s3"]))
>>> claims, trust = assess(t, [])
>>> [(c.step_id, c.status) for c in claims]
[('s1', 'unverifiable'), ('s2', 'assumption'), ('s3', 'unverifiable')]
>>> trust.fully_verified
False
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from clinreason.trace import (
    ArgumentStep,
    Check,
    Citation,
    Claim,
    ClaimStatus,
    Extraction,
    KGLink,
    LLMCall,
    Step,
    Thought,
    ToolCall,
    Trace,
    Trust,
    Verdict,
    Vote,
)
from clinreason.verify.calculation import calculator_used

INDEPENDENT = frozenset(
    {
        *("second_reader", "semantic_reader", "reask", "claim_reask", "citation"),
        *("quote_reader", "knowledge_source"),
    }
)
"""Checks that do not share the code path of what they check (see docs/architecture.md)."""
CHECK_PURPOSES = frozenset({"recheck", "claim_check", "judge_citations", "quote_check"})
"""Model calls that check an answer (re-asking, judging citations) rather than decide it."""
CALIBRATION_FILE = "trust_calibration.json"
FEATURES = (
    "supported_share",
    "contradicted",
    "assumptions",
    "judgements",
    "unverifiable",
    "ambiguous",
    "confidence",
    "reask_agreement",
    "log_claims",
    "points_score",
    "date_answer",
)
"""Inputs of the trust model, computed by `features`: the claim counts and what the checks
found, the strategy's confidence, and what kind of task it was (how many claims the answer
rests on; a calculator that sums points, or gives a date) — a prior, reported separately as a
baseline by `bench/trust_eval.py`."""
TASK_FEATURES = ("log_claims", "points_score", "date_answer")
FAMILY_FEATURES = {
    "calculator": FEATURES,
    "choice": ("reask_agreement",),
}
"""The features fitted per family. A model's own choice has no task prior, and on a few dozen
items more features over-fit: with the answer's own token probability (`cot` with token
probabilities), contradictions and the supported share added, a table fitted on 30 development
items scored AUROC 0.58 on 25 frozen ones, against 0.69-0.73 for the re-ask agreement alone
(docs/benchmarks/trust.md). So the choice family rests on the independent re-asking only
(graded by the probability given to the answer when the backend returns token probabilities);
a contradiction by evidence still caps it (`CONTRADICTED_CAP`)."""
SIGNS = {
    "supported_share": 1,
    "contradicted": -1,
    "assumptions": -1,
    "judgements": -1,
    "unverifiable": -1,
    "ambiguous": -1,
    "confidence": 1,
    "reask_agreement": 1,
    "claim_min_p_true": 1,
}
"""The direction each check may move trust when it is fitted (missing: free): a contradiction
or an assumption can never raise it, whatever a small development set happens to show."""
CONTRADICTED_CAP = 0.3
"""Trust never exceeds this when a claim the answer rests on is contradicted by evidence (the
note, a computation, a source): too few training traces have a contradiction for the fit to
learn its weight. A re-ask that disagrees (the model's own judgement, asked again) is graded in
`reask_agreement` instead, and does not cap; nor does a reasoning sentence the re-asked model
found false (`claim_reask`)."""
_INFERENCE = re.compile(
    r"(?i)\b(suggest|indicat|consistent|likely|because|due to|caus|therefore|thus|so the|"
    r"diagnos|most|answer|treat|manage|should|first|best|risk|associated|typical|correct|"
    r"option|lead|result|explain|characteristic)"
)
"""Words that mark a sentence as reasoning beyond restating the note."""
KNOWLEDGE_CHECKS = ("citation", "claim_reask", "knowledge_source")
"""Checks whose verdict on a thought is about its reasoning (knowledge, inference), never a
patient fact: a cited source, the model re-asked, the retrieval corpus (`verify.sources`)."""
SELF_CHECKS = frozenset({"reask", "claim_reask"})
"""The model's own judgement asked again: a disagreement is graded, it does not cap trust."""


def carries_inference(text: str) -> bool:
    """Whether a sentence states medical knowledge or an inference (a word of `_INFERENCE`),
    not only a fact restated from the note.

    >>> carries_inference("Fever suggests infection."), carries_inference("He is 30.")
    (True, False)
    """
    return bool(_INFERENCE.search(text))


def _all_verdicts(trace: Trace, verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The given verdicts plus those recorded inside the trace by `check` steps."""
    inside = [s.verdict for s in trace.steps_of(Check)]
    return [*verdicts, *(v for v in inside if v not in verdicts)]


def _decide(
    default: ClaimStatus, verdicts: Sequence[Verdict], *, keep_assumption: bool = False
) -> tuple[ClaimStatus, list[Verdict]]:
    """A claim's status from the verdicts on its step, and the verdicts that decided it."""
    bad = [v for v in verdicts if v.status == "contradicted"]
    if bad:
        return "contradicted", bad
    ambiguous = [v for v in verdicts if v.details.get("ambiguous")]
    if ambiguous:
        return "unverifiable", ambiguous
    good = [v for v in verdicts if v.status == "supported" and v.details.get("check") != "span"]
    if good and not keep_assumption:
        return "supported", good
    return default, []


def _claim(
    step: Step, kind: str, text: str, default: ClaimStatus, verdicts: Sequence[Verdict], why: str
) -> Claim:
    status, deciding = _decide(default, verdicts, keep_assumption=default == "assumption")
    evidence = "; ".join(f"{v.verifier}: {v.evidence}" for v in deciding if v.evidence) or why
    if not deciding and any(v.details.get("check") == "span" for v in verdicts):
        evidence = f"{why}; the quoted text is in the note, what was read from it is unchecked"
    return Claim(
        step_id=step.id,
        kind=kind,  # type: ignore[arg-type]
        text=text,
        status=status,
        evidence=evidence,
        checked_by=sorted({v.verifier for v in deciding}),
        independent=any(v.verifier in INDEPENDENT for v in deciding),
    )


def _value_text(step: Extraction) -> str:
    unit = f" {step.unit}" if step.unit else ""
    return f"{step.name.replace('_', ' ')} = {step.value}{unit}"


def _extraction_claims(step: Extraction, verdicts: Sequence[Verdict]) -> list[Claim]:
    kind = (
        "value"
        if isinstance(step.value, int | float) and not isinstance(step.value, bool)
        else "criterion"
    )
    text = _value_text(step)
    if step.method == "assumed":
        return [_claim(step, kind, f"{text} ({step.note})", "assumption", verdicts, step.note)]
    if step.method == "llm":
        why = "read by the model; no independent check agreed"
        return [_claim(step, kind, text, "judgement", verdicts, why)]
    if step.method == "given":
        return [_claim(step, kind, text, "supported", verdicts, "given as input")]
    where = f'from "{step.span.text}"' if step.span else "without a place in the note"
    if step.candidates:
        where += f", the {step.selection} of {len(step.candidates) + 1} values in the note"
    return [
        _claim(step, kind, text, "unverifiable", verdicts, f"read by rule {where}; not checked")
    ]


def _model_made(trace: Trace, step: Step) -> bool:
    """Whether a model call lies above the step (its text came from the model)."""
    return any(isinstance(trace.step(i), LLMCall) for i in trace.ancestors(step.parents))


def _calculator_named(trace: Trace) -> tuple[bool, str]:
    """Whether the calculator used is named in the question (a plain text check)."""
    calc = calculator_used(trace)
    if calc is None:
        return False, "no known calculator was used"
    question = trace.case.question.lower()
    for name in (calc.name, *calc.aliases):
        if name and name.lower() in question:
            return True, f'the question names it: "{name}"'
    return False, "the question does not name this calculator; it was matched approximately"


def thought_claims(trace: Trace, step: Thought, verdicts: Sequence[Verdict]) -> list[Claim]:
    """The claims of one reasoning sentence: a rule's statement, or the model's patient facts
    (one per verdict on the step) and its reasoning (unverifiable without a source)."""
    if not _model_made(trace, step):
        if step.text.startswith("Calculator:"):
            named, why = _calculator_named(trace)
            status: ClaimStatus = "supported" if named else "unverifiable"
            return [_claim(step, "method", step.text, status, verdicts, why)]
        return [_claim(step, "reasoning", step.text, "unverifiable", verdicts, "not checked")]
    claims = [
        Claim(
            step_id=step.id,
            kind="patient_fact",
            text=v.claim or step.text,
            status="unverifiable" if v.details.get("ambiguous") else v.status,
            evidence=v.evidence,
            checked_by=[v.verifier],
            independent=v.verifier in INDEPENDENT,
        )
        for v in verdicts
        if v.verifier not in ("consistency", "reask", *KNOWLEDGE_CHECKS)
    ]
    knowledge = [v for v in verdicts if v.verifier in ("kg", *KNOWLEDGE_CHECKS)]
    if not claims or knowledge or carries_inference(step.text):
        why = "medical knowledge or inference with no source to check it against"
        if step.cited is False:
            why = "the sentence cites no source"
        claims.append(_claim(step, "reasoning", step.text, "unverifiable", knowledge, why))
    return claims


def _answer_claims(trace: Trace, step: Step, verdicts: Sequence[Verdict]) -> list[Claim]:
    value = trace.answer.value if trace.answer else None
    label = trace.case.options.get(value or "", "")
    text = f"the answer is {value}" + (f" ({label})" if label else "")
    reask = [v for v in verdicts if v.verifier == "reask"]
    return [_claim(step, "answer", text, "judgement", reask, "decided by the model")]


def claims_of(trace: Trace, verdicts: Sequence[Verdict] = ()) -> list[Claim]:
    """The claims on the answer's support path, in trace order (empty without an answer)."""
    if trace.answer is None or trace.answer.value is None:
        return []
    pool = _all_verdicts(trace, verdicts)
    by_step: dict[str | None, list[Verdict]] = {}
    for v in pool:
        by_step.setdefault(v.step_id, []).append(v)
    support = trace.answer.support
    path = set(trace.ancestors(support))
    claims: list[Claim] = []
    answered = False
    for step in trace.steps:
        if step.id not in path:
            continue
        mine = by_step.get(step.id, [])
        if isinstance(step, Extraction):
            claims.extend(_extraction_claims(step, mine))
        elif isinstance(step, Thought):
            claims.extend(thought_claims(trace, step, mine))
        elif isinstance(step, ToolCall):
            why = "computed by a deterministic tool; not re-checked"
            claims.append(_claim(step, "calculation", step.summary(), "unverifiable", mine, why))
        elif isinstance(step, KGLink):
            why = "linked by the concept recogniser; not checked"
            claims.append(_claim(step, "patient_fact", step.summary(), "unverifiable", mine, why))
        elif isinstance(step, Vote | ArgumentStep) or (
            isinstance(step, LLMCall) and not step.error and step.id in support
        ):
            claims.extend(_answer_claims(trace, step, mine + by_step.get(None, [])))
            answered = True
    if not answered and _model_decided(trace, path):
        calls = [s for s in trace.steps if s.id in path and isinstance(s, LLMCall)]
        deciding = [c for c in calls if c.purpose not in CHECK_PURPOSES] or calls
        last = deciding[-1]
        claims.extend(_answer_claims(trace, last, by_step.get(last.id, []) + by_step.get(None, [])))
    return claims


def _model_decided(trace: Trace, path: set[str]) -> bool:
    """A choice answered by the model (not computed by a tool): the model's call decides it."""
    if any(isinstance(s, ToolCall) for s in trace.steps if s.id in path):
        return False
    return any(isinstance(s, LLMCall) and not s.error for s in trace.steps if s.id in path)


# -- the trust score ---------------------------------------------------------------------------


def family(trace: Trace) -> str:
    """Which calibration table applies: 'calculator', 'cited' (reasoning with citations, `rag`),
    'choice' (a model's choice checked by re-asking), 'choice-unchecked' or 'other'. 'cited' has
    its own family because its supported claims are citations, which say nothing of whether the
    model's choice is right: the choice table, fitted on `cot` traces, would read them as
    evidence for the answer. The choice table rests on the re-ask alone, so a choice that was
    not re-asked has no fitted table (it gets the plain default, which counts what is unchecked)."""
    if any(s.tool.startswith("calculator.") for s in trace.steps_of(ToolCall)):
        return "calculator"
    if trace.steps_of(Citation):
        return "cited"
    if not trace.case.options:
        return "other"
    return "choice" if reask_details(trace) is not None else "choice-unchecked"


def reask_details(trace: Trace) -> dict[str, Any] | None:
    """The details of the trace's last re-ask check (`strategies.recheck`), None without one."""
    reask = [s.verdict for s in trace.steps_of(Check) if s.verdict.verifier == "reask"]
    return dict(reask[-1].details) if reask else None


CLAIM_FEATURE = "claim_min_p_true"
"""The name of `lowest_claim_probability` as a trust feature (not in a shipped table yet)."""
CLAIM_FEATURE_MISSING = 0.5
"""`lowest_claim_probability` of an answer whose reasoning had no sentence re-asked."""


def lowest_claim_probability(trace: Trace) -> float:
    """The claim-level feature, declared before it was measured: the lowest P(true) the model
    gave, asked again without its reasoning, over the re-asked sentences of the answer's
    reasoning (`strategies.claim_check`; the share of replies saying true without token
    probabilities); `CLAIM_FEATURE_MISSING` when none was re-asked or none gave a score.

    >>> from clinreason.trace import Case, ComponentSpec, Trace
    >>> lowest_claim_probability(Trace(case=Case(id="c", question="?"),
    ...                                strategy=ComponentSpec(name="cot")))
    0.5
    """
    scores = [
        s.verdict.score
        for s in trace.steps_of(Check)
        if s.verdict.verifier == "claim_reask" and s.verdict.score is not None
    ]
    return min(scores) if scores else CLAIM_FEATURE_MISSING


def features(
    trace: Trace, claims: Sequence[Claim], verdicts: Sequence[Verdict] = ()
) -> dict[str, float]:
    """The trust model's inputs (see `FEATURES`)."""
    n = len(claims)
    on_path = {c.step_id for c in claims}
    every = _all_verdicts(trace, verdicts)
    read_again = {v.step_id for v in every if v.verifier == "second_reader"}
    # flagged by a verifier, or chosen among several values with no second reading of them
    ambiguous = {v.step_id for v in every if v.details.get("ambiguous")} | {
        s.id for s in trace.steps_of(Extraction) if s.candidates and s.id not in read_again
    }
    ambiguous &= on_path
    count = {s: sum(c.status == s for c in claims) for s in ("supported", "contradicted")}
    # contradicted by evidence (the note, a computation, a source), not only by the model's own
    # re-asking, whose disagreement is already graded in `reask_agreement`
    by_evidence = [
        c for c in claims if c.status == "contradicted" and set(c.checked_by) - SELF_CHECKS
    ]
    calc = calculator_used(trace)
    output = calc.output_type if calc is not None else None
    # graded (the mean probability given to the answer over the orders) when the backend gave
    # token probabilities, else the share of re-asks that agreed
    details = reask_details(trace) or {}
    agreement = details.get("answer_probability")
    if agreement is None:
        agreement = details.get("agreement")
    confidence = trace.answer.confidence if trace.answer else None
    return {
        "supported_share": count["supported"] / n if n else 0.0,
        "contradicted": float(bool(by_evidence)),
        "assumptions": float(sum(c.status == "assumption" for c in claims)),
        "judgements": float(sum(c.status == "judgement" for c in claims)),
        "unverifiable": float(sum(c.status == "unverifiable" for c in claims)),
        "ambiguous": float(len(ambiguous)),
        "confidence": float(confidence) if confidence is not None else 0.5,
        "reask_agreement": float(agreement) if isinstance(agreement, int | float) else 0.5,
        "log_claims": math.log1p(n),
        "points_score": float(output == "integer"),
        "date_answer": float(output == "date"),
    }


@lru_cache(maxsize=1)
def calibration_tables() -> dict[str, Any]:
    """The shipped calibration tables by family (empty when none has been fitted)."""
    path = resources.files("clinreason.verify").joinpath(CALIBRATION_FILE)
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return dict(data.get("families", {}))


def predict(table: dict[str, Any], x: dict[str, float]) -> float:
    """A fitted logistic table's probability for feature values `x`."""
    z = float(table["intercept"])
    for name, mean, scale, coef in zip(
        table["features"], table["mean"], table["scale"], table["coef"], strict=True
    ):
        z += coef * (x[name] - mean) / scale
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _cap(x: dict[str, float]) -> float:
    return CONTRADICTED_CAP if x.get("contradicted") else 1.0


def calibrated(table: dict[str, Any], x: dict[str, float]) -> float:
    """The trust score from a fitted table: its probability, capped when a claim is
    contradicted (`CONTRADICTED_CAP`)."""
    return min(predict(table, x), _cap(x))


def _default_score(x: dict[str, float]) -> float:
    """Without a fitted table: the supported share, cut by every unchecked part."""
    score = 0.5 * x["supported_share"] + 0.25
    score *= 0.85 ** (x["assumptions"] + x["judgements"] + x["unverifiable"])
    return score


def trust_level(score: float) -> str:
    """The trust level of a trust score, in the words the trace uses.

    >>> trust_level(0.85), trust_level(0.5), trust_level(0.2)
    ('high', 'moderate', 'low')
    """
    return "high" if score >= 0.8 else "moderate" if score >= 0.5 else "low"


def _words(claims: Sequence[Claim], score: float, level: str, fully: bool) -> str:
    checked = [c for c in claims if c.status in ("supported", "contradicted")]
    parts = [f"Checked {len(checked)} of {len(claims)} claims"]
    bad = [c for c in claims if c.status == "contradicted"]
    if bad:
        parts.append(f"{len(bad)} contradicted ({bad[0].text})")
    assumed = [c for c in claims if c.status == "assumption"]
    if assumed:
        plural = "s" if len(assumed) > 1 else ""
        parts.append(f"{len(assumed)} assumption{plural} (e.g. {assumed[0].text})")
    judged = sum(c.status == "judgement" for c in claims)
    if judged:
        parts.append(f"{judged} judgement{'s' if judged > 1 else ''} by the model")
    unknown = sum(c.status == "unverifiable" for c in claims)
    if unknown:
        parts.append(f"{unknown} unverifiable")
    parts.append(f"trust: {level} ({score:.2f})")
    head = "Fully verified. " if fully else ""
    return head + " · ".join(parts)


def trust_of(trace: Trace, claims: Sequence[Claim], verdicts: Sequence[Verdict] = ()) -> Trust:
    """The calibrated trust assessment of a trace from its claims."""
    x = features(trace, claims, verdicts)
    fam = family(trace)
    table = calibration_tables().get(fam)
    if table is not None:
        score, source = calibrated(table, x), f"{fam}@{table.get('version', 1)}"
    else:
        score, source = min(_default_score(x), _cap(x)), "default (not fitted)"
    fully = bool(claims) and all(c.status == "supported" for c in claims)
    level = trust_level(score)
    return Trust(
        score=round(score, 4),
        level=level,  # type: ignore[arg-type]
        fully_verified=fully,
        counts={s: sum(c.status == s for c in claims) for s in sorted({c.status for c in claims})},
        calibration=source,
        summary=_words(claims, score, level, fully),
    )


def assess(trace: Trace, verdicts: Sequence[Verdict] | None = None) -> tuple[list[Claim], Trust]:
    """Claims on the answer's support path and the trust assessment (verdicts: default the
    trace's own)."""
    verdicts = trace.verdicts if verdicts is None else verdicts
    claims = claims_of(trace, verdicts)
    return claims, trust_of(trace, claims, verdicts)


def with_assessment(trace: Trace) -> Trace:
    """A copy of a verified trace with `claims` and `trust` filled in (answered traces only)."""
    if trace.answer is None or trace.answer.value is None:
        return trace.model_copy(update={"claims": [], "trust": None})
    claims, trust = assess(trace)
    return trace.model_copy(update={"claims": claims, "trust": trust})

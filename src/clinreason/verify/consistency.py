"""`consistency`: the final answer must agree with the trace's own reasoning.

Checks (each a trace-level or step-level verdict):

- the answer vs the conclusion the reasoning states ('the answer is B', 'therefore option C',
  'so the CrCl is 52 mL/min', an option's text): disagreement is contradicted;
- the answer vs the result of a tool call it cites as support (calculator traces);
- the answer vs the `answer` field of the model's raw JSON reply (an edited answer);
- the answer vs the winner of a `vote` step. The share of samples that agree with the winner
  is the self-consistency uncertainty signal: `score` = agreement, and below
  `min_agreement` the verdict is *unverifiable* with `details.uncertain = true`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from clinreason.trace import Case, Thought, ToolCall, Trace, Verdict, Vote
from clinreason.verify.text import NUMBER, normalize, parse_number, quantities, sentences

_STRONG = re.compile(
    r"(?i)\b(?:(?:the\s+)?(?:final\s+|correct\s+|best\s+|right\s+)?(?:answer|option|choice)"
    r"\s*(?:is|would\s+be|:|=)|we\s+(?:choose|select|pick)|i\s+(?:choose|select|pick))"
)
_WEAK = re.compile(
    r"(?i)\b(?:therefore|thus|hence|so|consequently|overall|in\s+conclusion|this\s+gives|"
    r"which\s+gives|the\s+result\s+is|(?:most\s+likely|likely)\s+(?:diagnosis|answer|cause)"
    r"(?:\s+is)?|diagnosis\s+is|total\s+(?:score\s+)?(?:is|of)|score\s+(?:is|of))\b"
)
_SIGNED = re.compile(r"-?(?<![\w.])" + NUMBER.pattern)
_IS_RESULT = re.compile(
    r"(?:\b(?:is|of|to|be|at)|[=,:])\s*(?:about|approximately|~)?\s*(-?\d[\d,]*(?:\.\d+)?)"
    r"(?:\s*[^\s\d.,]+(?:\^\d)?){0,2}\s*\.?\s*$"
)
"""A number closing a sentence after 'is/of/to/=/,', with at most two unit words after it
('= 8.66 mg/dL.', 'equivalent to 300.96 mOsm/kg.')."""
_LETTER = re.compile(r"^\W{0,3}(?:(?:option|choice|answer)\s*)?\(?([A-Z])\)?(?![A-Za-z0-9])")
_LABELLED = re.compile(r"(?i)\b(?:option|choice|answer)\s*\(?([A-Z])\)?(?![A-Za-z0-9])|\(([A-Z])\)")


def _v(
    status: str, claim: str, evidence: str, step_id: str | None = None, **details: Any
) -> Verdict:
    return Verdict(
        verifier="consistency",
        status=status,  # type: ignore[arg-type]
        step_id=step_id,
        claim=claim,
        evidence=evidence,
        score=details.pop("score", None),
        details={k: v for k, v in details.items() if v is not None},
    )


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s.]", " ", normalize(text).lower()).split())


def _as_number(text: str | None) -> tuple[float, int] | None:
    if text is None:
        return None
    m = NUMBER.search(normalize(text))
    if not m or normalize(text).strip().lstrip("-")[: len(m.group(0))] != m.group(0):
        return None
    value, decimals = parse_number(m.group(0))
    return (-value if normalize(text).strip().startswith("-") else value), decimals


def _same(answer: str, other: str, case: Case) -> bool:
    a, b = _as_number(answer), _as_number(other)
    if a is not None and b is not None:
        tol = 0.5 * 10.0 ** -min(a[1], b[1])
        return abs(a[0] - b[0]) <= tol * (1 + 1e-9)
    if case.options:
        return answer.strip().upper() == other.strip().upper()
    x, y = _norm(answer), _norm(other)
    return bool(x) and bool(y) and (x == y or x in y or y in x)


def stated_conclusion(text: str, case: Case) -> str | None:
    """The answer a piece of reasoning concludes with, or None when it states none.

    >>> c = Case(id="c", question="?", options={"A": "Migraine", "B": "Bacterial meningitis"})
    >>> stated_conclusion("Fever and stiff neck. Therefore, bacterial meningitis.", c)
    'B'
    >>> stated_conclusion("So the CrCl is 52.1 mL/min.", Case(id="c", question="CrCl?"))
    '52.1'
    """
    found: str | None = None
    parts = sentences(normalize(text))
    for _, sentence in parts[-2:]:  # a conclusion closes the reasoning
        for regex, strong in ((_STRONG, True), (_WEAK, False)):
            for m in regex.finditer(sentence):
                value = _after(sentence[m.end() :], case, strong)
                if value is not None:
                    found = value
    if found is None and parts and case.answer_type == "number":
        # a numeric question: the number closing the reasoning ('... is 12.9 mL/min.') states
        # the result, unless it is just a value restated from the note
        last = _IS_RESULT.search(parts[-1][1])
        value = last.group(1).replace(",", "") if last else None
        noted = {q.value for q in quantities(case.context) if q.finite}
        if value is not None and float(value) not in noted:
            found = value
    return found


def _after(rest: str, case: Case, strong: bool) -> str | None:
    clause = re.split(r"(?<!\d)[.;](?!\d)", rest)[0]
    if not case.options and "=" in clause:  # 'so X is a / b = c': the result, not an operand
        result = re.search(r"=\s*(-?\d[\d,]*(?:\.\d+)?)(?!.*=)", clause)
        if result:
            return result.group(1).replace(",", "")
    if case.options:
        m = _LETTER.match(rest) if strong else _LABELLED.search(rest)
        if m:
            letter = next(g for g in m.groups() if g)
            if letter in case.options:
                return letter
        lowered = _norm(rest)
        hits = [(len(t), k) for k, t in case.options.items() if len(t) >= 4 and _norm(t) in lowered]
        return max(hits)[1] if hits else None
    m = _SIGNED.search(rest)
    lead = rest[: m.start()] if m else ""
    if m and re.fullmatch(r"(?i)(?:\s|the|is|of|=|:|~|≈|about|approximately)*", lead):
        return m.group(0).replace(",", "")
    if m and re.search(r"\b(?:is|of|=|:)\s*(?:about|approximately|~|≈)?\s*$", lead):
        return m.group(0).replace(",", "")
    if not case.options and case.answer_type == "text" and strong:
        # a free-text question ('the answer is Marfan syndrome'): the phrase is the answer.
        # Decided from the question's answer type, never from the gold (gold is blinded).
        phrase = re.split(r"[.;,]", rest)[0].strip()
        return phrase or None
    return None


def _raw_answer(raw: str) -> str | None:
    decoder = json.JSONDecoder()
    for i, ch in enumerate(raw):
        if ch == "{":
            try:
                obj, _ = decoder.raw_decode(raw[i:])
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("answer"), str | int | float):
                return str(obj["answer"])
    return None


@dataclass(frozen=True)
class ConsistencyCheck:
    """The answer agrees with the reasoning, the cited tool result and the vote.

    >>> from clinreason.trace import Answer, Case, Thought, Trace, ComponentSpec
    >>> case = Case(id="c", question="?", options={"A": "x", "B": "y"})
    >>> t = Trace(case=case, strategy=ComponentSpec(name="x"),
    ...           steps=[Thought(id="s1", text="So the answer is A.")],
    ...           answer=Answer(value="B", support=["s1"]))
    >>> [v.status for v in ConsistencyCheck().verify(t, case)]
    ['contradicted']
    """

    name: ClassVar[str] = "consistency"
    min_agreement: float = 0.5
    """Vote agreement below this is reported as uncertain (unverifiable)."""

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """Verdicts comparing the answer with each conclusion the trace states."""
        answer = trace.answer
        if answer is None or answer.value is None:
            return []
        value = answer.value
        out: list[Verdict] = []
        support = trace.ancestors(answer.support) if answer.support else [s.id for s in trace.steps]
        thoughts = [s for s in trace.steps_of(Thought) if s.id in support]
        votes = [s for s in trace.steps_of(Vote) if s.id in support] or trace.steps_of(Vote)
        if not votes:
            for step in thoughts[-1:]:  # the reasoning's final statement is its conclusion
                concl = stated_conclusion(step.text, case)
                if concl is not None:
                    ok = _same(value, concl, case)
                    out.append(
                        _v(
                            "supported" if ok else "contradicted",
                            f"answer {value!r} follows from the reasoning",
                            f"step {step.id} concludes {concl!r}",
                            step.id,
                            failure=None if ok else "conclusion",
                        )
                    )
                    break
        for step in trace.steps_of(ToolCall):
            if step.id in answer.support and step.error is None:
                result = step.result.get("value") if isinstance(step.result, dict) else step.result
                if result is None or isinstance(result, dict | list):
                    continue
                ok = _same(value, str(result), case)
                out.append(
                    _v(
                        "supported" if ok else "contradicted",
                        f"answer {value!r} equals the result of {step.tool}",
                        f"step {step.id} returned {result!r}",
                        step.id,
                        failure=None if ok else "conclusion",
                    )
                )
        raw = _raw_answer(answer.raw) if answer.raw else None
        if raw is not None and not votes:
            ok = _same(value, raw, case)
            out.append(
                _v(
                    "supported" if ok else "contradicted",
                    f"answer {value!r} is the model's stated answer",
                    f"the model's reply says {raw!r}",
                    failure=None if ok else "conclusion",
                )
            )
        for vote in votes[-1:]:
            out.append(self._vote(vote, value, case))
        return out

    def _vote(self, vote: Vote, value: str, case: Case) -> Verdict:
        total = sum(vote.counts.values()) + vote.abstained
        winner = vote.winner
        agreement = (vote.counts.get(winner, 0) / total) if winner is not None and total else 0.0
        details = {"agreement": round(agreement, 4), "samples": total, "counts": dict(vote.counts)}
        if winner is None or not _same(value, winner, case):
            return _v(
                "contradicted",
                f"answer {value!r} is the vote winner",
                f"the vote chose {winner!r}",
                vote.id,
                failure="conclusion",
                score=round(agreement, 4),
                **details,
            )
        uncertain = agreement < self.min_agreement
        return _v(
            "unverifiable" if uncertain else "supported",
            f"samples agree on {value!r}",
            f"{vote.counts.get(winner, 0)}/{total} samples chose it",
            vote.id,
            score=round(agreement, 4),
            uncertain=uncertain,
            **details,
        )

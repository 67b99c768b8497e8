"""`numbers`: every number a step states about the patient must come from the note or a tool.

Checked claims (one verdict each):

- a number in a `thought` attached to an analyte ('creatinine 2.1 mg/dL', 'a 67-year-old',
  'HR 110') or carrying a unit: it must equal a value of the same analyte in the note (after
  unit conversion and allowing rounding), or the output of an earlier tool call, or the result
  of an arithmetic expression stated in this or an earlier step. When the note gives a
  different value for that analyte the claim is *contradicted* (wrong retrieval); when the note
  does not mention it, *unverifiable*.
- a numeric `extraction`: its value must be found in its span (or, without a span, in the note).
  Assumed values are unverifiable by design.
- a comparison ('HR 110 is above 100', 'sodium below 135', 'age > 65'): checked numerically
  against the stated or noted value (wrong comparison). Rules and definitions ('if', 'defined
  as', 'criteria', ...) are not claims about the patient and are skipped.

Numbers without unit or analyte (counts, scores, operands) are not claims about the patient
and get no verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from clinreason.tools.extract.measure import UNIT_SLIP
from clinreason.trace import Case, Extraction, Thought, ToolCall, Trace, Verdict
from clinreason.verify.arith import arithmetic_claims
from clinreason.verify.base import verdict
from clinreason.verify.text import (
    Quantity,
    normalize,
    parse_number,
    quantities,
    same_value,
    sentences,
    unit_key,
)
from clinreason.verify.units import analytes_in, convert, match_unit

_REFERENCE = re.compile(
    r"(?i)(?<![A-Za-z])(?:normal|range|reference|target|goal|ideal|predicted|threshold|cut-?off|limit|"
    r"upper|lower|above|below|over|under|exceed\w*|less\s+than|more\s+than|greater\s+than|"
    r"higher\s+than|lower\s+than|than|equal\s+to|at\s+least|at\s+most|up\s+to|[<>≤≥]|=<|>=|<=|per|every|dose|"
    r"dosing|max(?:imum)?|min(?:imum)?|between|if|unless|criteri\w+|"
    r"corrected|adjusted|estimated|calculated|expected|increase|decrease)(?![A-Za-z])"
    r"(?:\W+\S+){0,3}?\W*$"
)
_DERIVED = re.compile(
    r"(?i)\b(?:ideal|adjusted|corrected|estimated|calculated|computed|predicted|converts?|"
    r"converted|conversion|giving\s+us|gives|which\s+is|equals|equivalent|approximately|"
    r"rounded|plugging|therefore|hence|result\w*|total(?=\s*(?:score|points?|is|of|=|:))|sum|mean|average|score|set|cap|capped|"
    r"clamp\w*|assum\w*|default|valence|factor|coefficient|constant|multipl\w*)\b|"
    r"[\d)]\s*[+\-*/×÷^]\s*\(?[\d.]+\)?\s*=\s*$|[\d)]\s*=\s*$"
)
"""Qualifiers (or an expression followed by '=') marking a computed value, not a noted one."""
IDENTIFIER = re.compile(
    r"(?i)(?:\bid|#|\bno\.|\bnumber|\bversion|\bstep|\boption|"
    r"\bstage|\bgrade|\bclass|\btype|\bphase|\btier|\bcategory)\s*:?\s*$"
)
"""An identifier or a category's number, not a measurement ('MedCalc id 7', 'step 3',
'stage 3 acute kidney injury', 'type 2 diabetes')."""
_COUNTS = frozenset({"wbc", "platelets"})
_CMP = re.compile(
    r"(?i)(?P<not>\bnot\s+|\bno\s+|n't\s+)?(?P<op>>=|<=|=>|=<|≥|≤|>|<|\b(?:greater|more|higher)\s+than"
    r"(?:\s+or\s+equal\s+to)?|\b(?:less|lower|fewer)\s+than(?:\s+or\s+equal\s+to)?|\babove\b|"
    r"\bbelow\b|\bexceed(?:s|ing|ed)?\b|\bat\s+least\b|\bat\s+most\b)\s*"
    r"(?:the\s+)?(?:(?:upper|lower)\s+)?(?:(?:limit|threshold|cut-?off)\s+(?:of\s+)?)?"
    r"(?P<num>-?\d[\d,]*(?:\.\d+)?)"
)
_CONDITIONAL = re.compile(
    r"(?i)\b(?:if|when|whether|unless|defin\w*|criteri\w+|threshold|cut-?off|points?|"
    r"score[sd]?|would|should|consider\w*|e\.g\.|for example|typically|usually|normal(?:ly)?|"
    r"range|rule|requires?|counts?\s+as|qualif\w+)\b"
)


def _op(text: str) -> str:
    t = " ".join(text.lower().split())
    if t in (">=", "=>", "≥", "at least") or (
        "or equal" in t and t.startswith(("greater", "more", "higher"))
    ):
        return ">="
    if t in ("<=", "=<", "≤", "at most") or "or equal" in t:
        return "<="
    if t in (">", "above", "over") or t.startswith(("greater", "more", "higher", "exceed")):
        return ">"
    return "<"


def _holds(a: float, op: str, b: float) -> bool:
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


@dataclass(frozen=True)
class _Source:
    value: float
    decimals: int
    unit: str | None
    step_id: str


def _json_numbers(value: object, out: list[tuple[float, int]]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        out.append((float(value), _decimals(value)))
    elif isinstance(value, str):
        out.extend((q.value, q.decimals) for q in quantities(value))
    elif isinstance(value, list | tuple):
        for v in value:
            _json_numbers(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _json_numbers(v, out)


def _decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    return min(len(text.split(".")[1].rstrip("0")), 6)


_verdict = partial(verdict, "numbers")


@dataclass(frozen=True)
class NumbersCheck:
    """Numbers stated about the patient must match the note or an earlier tool output.

    >>> from clinreason.trace import Case, Thought, Trace, ComponentSpec
    >>> case = Case(id="c", question="CrCl?", context="Creatinine 1.4 mg/dL.")
    >>> t = Trace(case=case, strategy=ComponentSpec(name="x"),
    ...           steps=[Thought(id="s1", text="Creatinine is 2.1 mg/dL.")])
    >>> [v.status for v in NumbersCheck().verify(t, case)]
    ['contradicted']
    """

    name: ClassVar[str] = "numbers"
    check_comparisons: bool = True

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """One verdict per numeric claim about the patient."""
        note = _facts(case.context) + _facts(case.question)
        derived: list[_Source] = []
        known: dict[str, Quantity] = {}
        out: list[Verdict] = []
        for step in trace.steps:
            if isinstance(step, Thought):
                for claim in arithmetic_claims(step.text):
                    for value in (claim.value, claim.stated_value):
                        if value is not None:
                            decimals = parse_number(claim.stated.replace(",", ""))[1]
                            derived.append(_Source(value, decimals, None, step.id))
                out.extend(self._thought(step, note, derived, known))
            elif isinstance(step, Extraction):
                out.extend(self._extraction(step, case, note, derived))
            elif isinstance(step, ToolCall) and step.error is None:
                found: list[tuple[float, int]] = []
                _json_numbers(step.result, found)
                for line in step.explanation:
                    _json_numbers(line, found)
                derived.extend(_Source(v, d, None, step.id) for v, d in found)
        return out

    def _thought(
        self,
        step: Thought,
        note: list[Quantity],
        derived: list[_Source],
        known: dict[str, Quantity],
    ) -> list[Verdict]:
        out = []
        text = normalize(step.text)
        for q in quantities(text):
            if (q.unit is None and q.analyte is None) or q.unit == "points" or q.in_range:
                continue
            operand = re.match(r"\s*(?:[*/×÷^+]|-\s+\d)", text[q.end :]) or re.search(
                r"[*/×÷^+]\s*\(?\s*$|\d\s+-\s*\(?\s*$", text[: q.start]
            )
            if q.analyte not in ("sbp", "dbp") and operand:
                continue  # an operand of an expression, checked by `calculation`
            if (
                _REFERENCE.search(q.before)
                or _CONDITIONAL.search(q.before)
                or _DERIVED.search(q.before)
                or IDENTIFIER.search(q.before)
            ):
                continue
            out.append(self._check(q, step.id, note, derived))
        if self.check_comparisons:
            out.extend(self._comparisons(step, note, known))
        return out

    def _check(
        self, q: Quantity, step_id: str, note: list[Quantity], derived: list[_Source]
    ) -> Verdict:
        label = f"{q.analyte.replace('_', ' ')} " if q.analyte else ""
        claim = f"{label}{q.text}".strip()
        if not q.finite:
            return _verdict("unverifiable", step_id, claim, "number too large to check")
        for src in derived:
            if same_value(q.value, q.decimals, None, src.value, src.decimals, None):
                return _verdict(
                    "supported", step_id, claim, f"output of step {src.step_id}", source=src.step_id
                )
        same = [
            n
            for n in note
            if q.analyte and _same_analyte(q.analyte, n.analyte) and _compatible(q, n)
        ]
        swapped = [
            n
            for n in note
            if q.analyte
            and q.unit is not None
            and n.unit is not None
            and "/" in q.unit
            and "/" in n.unit
            and _same_analyte(q.analyte, n.analyte)
            and not _compatible(q, n)
            and same_value(q.value, q.decimals, None, n.value, n.decimals, None)
        ]
        if swapped and not same:  # the noted number in another concentration unit: a unit error
            return _verdict(
                "contradicted",
                step_id,
                claim,
                f'the note gives "{swapped[0].text}" (another unit)',
                failure="unit",
            )
        pool = same or [n for n in note if n.analyte is None or q.analyte is None]
        for n in pool:
            if (
                q.unit is not None
                and n.unit is not None
                and q.unit != n.unit
                and convert(1.0, n.unit, q.unit, analyte=q.analyte or n.analyte) is None
            ):
                continue
            if same_value(
                q.value,
                q.decimals,
                q.unit,
                n.value,
                n.decimals,
                n.unit,
                analyte=q.analyte or n.analyte,
            ):
                return _verdict("supported", step_id, claim, f'note: "{n.text}"')
            if (
                q.analyte in _COUNTS
                and (q.unit is None or n.unit is None)
                and _count_scaled(q.value, q.decimals, n)
            ):
                return _verdict("supported", step_id, claim, f'note: "{n.text}" (count scale)')
        # the same number elsewhere in the note where we could not tell what it measures
        # (tables, lists): too ambiguous to call a contradiction. Unitless numbers must be
        # equal, not merely equal after rounding.
        elsewhere = [
            n
            for n in note
            if n.analyte is None
            and _compatible(q, n)
            and (
                q.value == n.value
                if q.unit is None or n.unit is None
                else same_value(q.value, q.decimals, q.unit, n.value, n.decimals, n.unit)
            )
        ]
        if same and elsewhere:
            return _verdict(
                "unverifiable",
                step_id,
                claim,
                f'the note gives {same[0].text!r} for it but also "{elsewhere[0].text}" unlabelled',
            )
        if same:
            values = ", ".join(f'"{n.text}"' for n in same[:4])
            return _verdict(
                "contradicted", step_id, claim, f"the note gives {values}", failure="retrieval"
            )
        what = q.analyte.replace("_", " ") if q.analyte else "this value"
        return _verdict("unverifiable", step_id, claim, f"the note does not state {what}")

    def _extraction(
        self, step: Extraction, case: Case, note: list[Quantity], derived: list[_Source]
    ) -> list[Verdict]:
        raw, unit = step.value, step.unit
        if isinstance(raw, list) and len(raw) == 2 and isinstance(raw[1], str):
            raw, unit = raw[0], raw[1]
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            return []
        text = normalize(str(raw)).strip()
        if not re.fullmatch(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?", text):
            return []
        value, decimals = parse_number(text.lstrip("-"))
        value = -value if text.startswith("-") else value
        names = analytes_in(normalize(step.name).replace("_", " "))
        analyte = names[0][0] if names else None
        key = unit_key(unit)
        claim = f"{step.name} = {raw}{' ' + unit if unit else ''}"
        if step.method == "assumed":
            return [
                _verdict("unverifiable", step.id, claim, f"assumed: {step.note or 'no reason'}")
            ]
        q = Quantity(value, decimals, key, analyte, 0, 0, claim, "")
        if step.span is not None:
            in_span = quantities(step.span.text)
            if in_span:
                for n in in_span:
                    if same_value(
                        value,
                        decimals,
                        key,
                        n.value,
                        n.decimals,
                        n.unit,
                        analyte=analyte or n.analyte,
                    ) or (
                        key is None and same_value(value, decimals, None, n.value, n.decimals, None)
                    ):
                        return [_verdict("supported", step.id, claim, f'span: "{step.span.text}"')]
                    if (analyte or n.analyte) in _COUNTS and _count_scaled(value, decimals, n):
                        return [
                            _verdict(
                                "supported", step.id, claim, f'span: "{step.span.text}" (scale)'
                            )
                        ]
                if UNIT_SLIP in step.note and any(
                    same_value(value, decimals, None, n.value, n.decimals, None) for n in in_span
                ):  # the number as written, read in another unit by a recorded assumption
                    why = f'the cited span says "{step.span.text}"; {step.note}'
                    return [_verdict("unverifiable", step.id, claim, why)]
                return [
                    _verdict(
                        "contradicted",
                        step.id,
                        claim,
                        f'the cited span says "{step.span.text}"',
                        failure="retrieval",
                    )
                ]
        return [self._check(q, step.id, note, derived)]

    def _comparisons(
        self, step: Thought, note: list[Quantity], known: dict[str, Quantity]
    ) -> list[Verdict]:
        out = []
        for _, sentence in sentences(normalize(step.text)):
            stated = quantities(sentence)
            if not _CONDITIONAL.search(sentence):
                for m in _CMP.finditer(sentence):
                    verdict = self._comparison(step.id, sentence, m, stated, note, known)
                    if verdict is not None:
                        out.append(verdict)
            known.update({q.analyte: q for q in stated if q.analyte and q.finite})
        return out

    def _comparison(
        self,
        step_id: str,
        sentence: str,
        m: re.Match[str],
        stated: list[Quantity],
        note: list[Quantity],
        known: dict[str, Quantity],
    ) -> Verdict | None:
        op = _op(m.group("op"))
        if m.group("not"):
            op = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}[op]
        threshold, _ = parse_number(m.group("num"))
        unit = match_unit(sentence, m.end())
        thr_unit = unit[0] if unit else None
        start = max(0, m.start() - 40)
        while start > 0 and not sentence[start - 1].isspace():  # whole words, not "eight"
            start -= 1
        claim = " ".join(sentence[start : m.end()].split())
        subject = [
            q
            for q in stated
            if q.end <= m.start() and len(sentence[q.end : m.start()].split()) <= 4
        ]
        if subject:
            values, source = subject[-1:], "stated"
        else:
            labels = analytes_in(sentence[max(0, m.start() - 50) : m.start()])
            if not labels:
                return None
            analyte = labels[-1][0]
            if analyte in known:
                values, source = [known[analyte]], "stated earlier"
            else:
                values = [n for n in note if _same_analyte(analyte, n.analyte)]
                source = "the note gives"
        results = set()
        for q in values:
            v = _in_unit(q, thr_unit)
            converted = thr_unit is not None and q.unit is not None and q.unit != thr_unit
            if v is None or (converted and abs(v - threshold) <= 0.005 * abs(threshold)):
                return None  # unknown unit, or too close to call after a unit conversion
            results.add(_holds(v, op, threshold))
        if len(results) != 1:
            return None
        ok = results.pop()
        shown = ", ".join(f'"{q.text}"' for q in values[:3])
        return _verdict(
            "supported" if ok else "contradicted",
            step_id,
            claim,
            f"{source} {shown}: the comparison is {'true' if ok else 'false'}",
            failure=None if ok else "comparison",
        )


def _facts(text: str) -> list[Quantity]:
    """The numbers of a note or question that state a value: not a threshold written after a
    comparison ("is the BMI above 25?", "creatinine > 1.5"), which is no value of the patient.

    >>> [q.text for q in _facts("BMI 31. Is the BMI above 25?")]
    ['31']
    """
    thresholds = {m.start("num") for m in _CMP.finditer(normalize(text))}
    return [q for q in quantities(text) if q.start not in thresholds]


def _count_scaled(value: float, decimals: int, n: Quantity) -> bool:
    """A cell count written per uL vs per nL/thousands ('5700' vs '5.7 K/mm3')."""
    return any(
        same_value(value, decimals, None, n.value * k, n.decimals, None)
        for k in (1e-3, 1e3, 1e-6, 1e6)
    )


def _in_unit(q: Quantity, unit: str | None) -> float | None:
    """`q`'s value in `unit` (as is when it has none); None if unknown or not convertible."""
    if not q.finite:
        return None
    if unit is None or q.unit == unit:
        return q.value
    if q.unit is None:
        return None
    return convert(q.value, q.unit, unit, analyte=q.analyte)


def _compatible(q: Quantity, n: Quantity) -> bool:
    """Units that can describe the same quantity (or one side has no unit)."""
    if q.unit is None or n.unit is None or q.unit == n.unit:
        return True
    return convert(1.0, n.unit, q.unit, analyte=q.analyte or n.analyte) is not None


def _same_analyte(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    return {a, b} <= {"sbp", "dbp", "bp"} and "bp" in (a, b)

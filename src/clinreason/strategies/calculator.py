"""`calculator`: choose the calculator, extract each input with its evidence, compute, explain.

Pipeline (every step is recorded in the trace):

1. **Choose** the calculator from the question with `find_calculator` (deterministic name and
   alias matching); only if nothing matches, ask the model to pick a name (schema-constrained).
2. **Extract** each parameter. Rules first (`clinreason.tools.extract`): numbers with units, age,
   sex, dates, vital signs, labs, GCS, doses, categorical grades. Judgement items go to the model
   in **one** schema-constrained call per case (an object with one boolean/enum/number field per
   item), given only the note sentences about them:
   - a yes/no finding with a keyword list: never mentioned -> the calculator's default as an
     explicit assumption ("not mentioned -> absent"); mentioned only negated / for a relative /
     as a possibility -> the rule's value; affirmed by a keyword match -> the model confirms or
     rejects it in context ("rules propose, the model confirms"), the keyword match being the
     evidence span;
   - pure judgement items (no keyword list, e.g. "PE is the #1 diagnosis") and categorical items
     the rules cannot grade: the model decides; a "yes" (or a non-default category) counts only
     when note sentences sharing the item's key words back it, else the default is recorded as
     an assumption;
   - a required measurement the rules did not find: the model may point at a number, accepted
     only where it is written in the note with a unit of that quantity.
3. **Compute** with the calculator (deterministic); bad input raises `InputError`, recorded on
   the tool call and as the trace's error (never a silent number).
4. **Explain**: one `extraction` step per input, one `tool_call` step whose `explanation` lists
   the formula, the inputs in their units and the intermediate results; the answer's support is
   that tool call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from clinreason.backends.base import Backend
from clinreason.errors import InputError, ParseError
from clinreason.strategies.base import call_llm
from clinreason.strategies.calculator_prompts import (
    JudgementItem,
    choice_schema,
    describe,
    judgement_schema,
    key_words,
    note_excerpt,
    parse_choice,
    parse_judgement,
    render_choice,
    render_judgement,
    sentences_with_words,
)
from clinreason.strategies.quote_check import quote_check
from clinreason.tools.calculators import CALCULATORS, Calculator, Param, find_calculator
from clinreason.tools.extract import (
    Found,
    NoteExtractor,
    context_sentences,
    has_terms,
    is_inverse,
    mentions,
    read_number_at,
)
from clinreason.trace import (
    Answer,
    Candidate,
    Case,
    Extraction,
    GenerateRequest,
    Span,
    Thought,
    ToolCall,
    TraceBuilder,
)

NOT_MENTIONED = "not mentioned -> absent"


@dataclass
class _Input:
    """One parameter's resolution before it becomes an `Extraction` step."""

    param: Param
    value: Any = None
    unit: str | None = None
    span: Span | None = None
    method: str = "assumed"
    note: str = ""
    include: bool = True
    """Whether the value goes into the calculator's entity dict (False: left to its default)."""
    others: tuple[Found, ...] = ()
    """The other values of the quantity in the note, when the extractor chose among several."""
    selection: str | None = None

    def candidates(self) -> list[Candidate]:
        return [Candidate(value=o.value, unit=o.unit, span=o.span) for o in self.others]

    def entity(self) -> Any:
        if self.unit is not None and self.param.kind in ("measurement", "number"):
            return [self.value, self.unit]
        return self.value


def _match_choice(value: Any, choices: tuple[str, ...]) -> str | None:
    norm = str(value).strip().lower()
    for c in choices:
        if c.lower() == norm:
            return c
    return None


def format_value(value: Any, output_type: str) -> str:
    """The answer as text: dates as given, (weeks, days) as '(W weeks, D days)', numbers rounded.

    >>> format_value(12.34567, "decimal"), format_value(3.0, "integer")
    ('12.346', '3')
    >>> format_value((4, 3), "weeks_days")
    '(4 weeks, 3 days)'
    """
    if output_type == "weeks_days" and isinstance(value, tuple | list):
        return f"({int(value[0])} weeks, {int(value[1])} days)"
    if output_type == "date" or isinstance(value, str):
        return str(value)
    if output_type == "integer":
        return str(round(float(value)))
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


@dataclass(frozen=True)
class CalculatorStrategy:
    """Calculator choice by name matching, rule + constrained-model extraction, exact compute."""

    name: ClassVar[str] = "calculator"
    version: ClassVar[int] = 1
    use_llm: bool = True
    """Ask the model about judgement items (False: rules and defaults only, no model call)."""
    judge_mentions: bool = False
    """Let the model re-judge yes/no items the keyword rules found mentioned (default: the rules
    decide). Off by default: on MedCalc-Bench dev the embedded 1.5B model overturned correct rule
    readings more often than wrong ones (docs/benchmarks.md); worth trying with a stronger model."""
    max_excerpt_chars: int = 1200
    """Longest note text put in a prompt; longer notes are cut to the relevant sentences."""
    max_tokens: int = 256
    quote_check: bool = False
    """Have the model read the yes/no criteria again, quoting the note (`strategies.quote_check`):
    one more model call per case, recorded as checks off the answer's path."""

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """Choose, extract, compute; see the module docstring."""
        calc, conf, choice_ids = await self._choose(case, backend, tb)
        inputs = await self._extract(calc, case, backend, tb)
        ext_ids: list[str] = []
        for inp in inputs:
            step = tb.add(
                Extraction(
                    name=inp.param.name,
                    value=inp.value,
                    unit=inp.unit,
                    span=inp.span,
                    method=inp.method,  # type: ignore[arg-type]
                    note=inp.note,
                    candidates=inp.candidates(),
                    selection=inp.selection,  # type: ignore[arg-type]
                    parents=list(choice_ids),
                )
            )
            ext_ids.append(step.id)
        entities = {i.param.name: i.entity() for i in inputs if i.include}
        started = time.perf_counter()
        try:
            comp = calc.compute(entities)
        except InputError as exc:
            tb.add(
                ToolCall(
                    tool=f"calculator.{calc.slug}",
                    arguments=entities,
                    error=str(exc),
                    parents=ext_ids,
                    duration_s=time.perf_counter() - started,
                )
            )
            raise
        value = comp.value if not isinstance(comp.value, tuple) else list(comp.value)
        call = tb.add(
            ToolCall(
                tool=f"calculator.{calc.slug}",
                arguments=entities,
                result={"value": value, "unit": comp.unit},
                explanation=list(comp.steps),
                parents=ext_ids,
                duration_s=time.perf_counter() - started,
            )
        )
        if self.quote_check:
            await quote_check(case, calc, tb.steps, backend, tb)
        text = format_value(comp.value, calc.output_type)
        return Answer(
            value=text,
            unit=comp.unit,
            support=[call.id],
            confidence=self._confidence(conf, inputs),
            raw=text,
        )

    # -- 1. calculator choice ---------------------------------------------------------------
    async def _choose(
        self, case: Case, backend: Backend, tb: TraceBuilder
    ) -> tuple[Calculator, float, list[str]]:
        ranked = find_calculator(case.question)
        if ranked:
            calc, conf = ranked[0]
            others = ", ".join(f"{c.name} ({p:.2f})" for c, p in ranked[1:3])
            text = (
                f"Calculator: {calc.name} (MedCalc id {calc.id}), matched by name in the question"
            )
            text += f"; confidence {conf:.2f}" + (f"; other candidates: {others}" if others else "")
            step = tb.add(Thought(text=text))
            return calc, conf, [step.id]
        if not self.use_llm:
            raise InputError("no calculator name or alias found in the question")
        names = sorted(c.name for c in CALCULATORS.values())
        request = GenerateRequest(
            messages=render_choice(case.question, names),
            max_tokens=64,
            json_schema=choice_schema(names),
        )
        call, gen = await call_llm(tb, backend, request, purpose="choose_calculator")
        chosen = parse_choice(gen.texts[0], names)
        calc = next(c for c in CALCULATORS.values() if c.name == chosen)
        step = tb.add(
            Thought(
                text=f"Calculator: {calc.name} (MedCalc id {calc.id}), chosen by the model "
                "because no calculator name matched the question",
                parents=[call.id],
            )
        )
        return calc, 0.5, [call.id, step.id]

    # -- 2. extraction -------------------------------------------------------------------------
    async def _extract(
        self, calc: Calculator, case: Case, backend: Backend, tb: TraceBuilder
    ) -> list[_Input]:
        note = case.context
        rules = NoteExtractor(note, case.question)
        inputs: list[_Input] = []
        pending: list[tuple[_Input, JudgementItem]] = []
        for p in calc.params:
            inp, item = self._resolve(p, rules, note, len(pending) + 1)
            inputs.append(inp)
            if item is not None:
                pending.append((inp, item))
        if pending:
            await self._judge(pending, note, backend, tb)
        return inputs

    def _resolve(
        self, p: Param, rules: NoteExtractor, note: str, n: int
    ) -> tuple[_Input, JudgementItem | None]:
        """Rule value of one parameter, or the judgement item to ask the model about."""
        inp = _Input(param=p)
        found = rules.get(p.name)
        if p.kind == "choice" and found is not None:
            choice = _match_choice(found.value, p.choices)
            if choice is None and "Other" in p.choices and p.name == "Race":
                choice = "Other"
            found = _with_value(found, choice) if choice is not None else None
        if p.kind == "bool":
            return self._resolve_bool(inp, found, note, n)
        if found is not None:
            _set(inp, found, "rule")
            return inp, None
        bad = rules.implausible(p.name) if p.kind in ("measurement", "number") else None
        if bad is not None:  # reported, not guessed: a model asked here might invent a value
            then = (
                "left to the calculator (an error if required)"
                if p.default is None
                else f"the calculator's default {p.default} used"
            )
            given = f"{bad.value} {bad.unit}" if bad.unit else f"{bad.value}"
            _assume_default(inp, f"the note gives {given}, {bad.note}: not used -> {then}")
            inp.span = bad.span
            return inp, None
        key = f"q{n}"
        desc = describe(p.name, p.description)
        if p.kind == "choice" and self.use_llm:
            if has_terms(p.name):
                found_mentions = mentions(note, p.name)
                if not found_mentions:
                    _assume_default(inp)
                    return inp, None
                ev = tuple(context_sentences(note, [m.span for m in found_mentions]))
            else:
                ev = tuple(sentences_with_words(note, key_words(p.name + " " + p.description)))
            return inp, JudgementItem(key, p.name, "choice", desc, p.choices, evidence=ev)
        if p.kind in ("measurement", "number") and p.required and self.use_llm:
            ev = tuple(sentences_with_words(note, key_words(p.name + " " + p.description)))
            if ev:
                return inp, JudgementItem(key, p.name, "number", desc, unit=p.unit, evidence=ev)
        _assume_default(inp)
        return inp, None

    def _resolve_bool(
        self, inp: _Input, found: Found | None, note: str, n: int
    ) -> tuple[_Input, JudgementItem | None]:
        p = inp.param
        key, desc = f"q{n}", describe(p.name, p.description)
        if has_terms(p.name):
            found_mentions = mentions(note, p.name)
            if not found_mentions:
                _assume_default(inp)
                return inp, None
            affirmed = [m.span for m in found_mentions if m.affirmed]
            if self.use_llm and self.judge_mentions and affirmed and not is_inverse(p.name):
                ev = tuple(context_sentences(note, affirmed))
                return inp, JudgementItem(key, p.name, "bool", desc, evidence=ev)
            if found is not None:
                _set(inp, found, "rule")
            else:
                _assume_default(inp, "mentioned only for a relative or as a possibility")
            return inp, None
        if self.use_llm:
            ev = tuple(sentences_with_words(note, key_words(p.name + " " + p.description)))
            return inp, JudgementItem(key, p.name, "bool", desc, evidence=ev)
        _assume_default(inp, "judgement item; no model used")
        return inp, None

    async def _judge(
        self,
        pending: list[tuple[_Input, JudgementItem]],
        note: str,
        backend: Backend,
        tb: TraceBuilder,
    ) -> None:
        """One constrained model call for all judgement items; validated answers applied."""
        items = [item for _, item in pending]
        spans = [s for it in items for s in it.evidence]
        request = GenerateRequest(
            messages=render_judgement(items, note_excerpt(note, spans, self.max_excerpt_chars)),
            max_tokens=min(self.max_tokens, 8 + sum(_token_budget(it) for it in items)),
            json_schema=judgement_schema(items),
        )
        call, gen = await call_llm(tb, backend, request, purpose="extract:judgement")
        try:
            answers = parse_judgement(gen.texts[0], items)
        except ParseError as exc:
            answers = {}
            reason = f"model reply unusable ({exc})"
        else:
            reason = "model gave no valid answer for this item"
        for inp, item in pending:
            if item.key not in answers:
                _assume_default(inp, reason)
                continue
            _apply_answer(inp, item, answers[item.key], note, call.id)

    @staticmethod
    def _confidence(choice_conf: float, inputs: list[_Input]) -> float:
        if not inputs:
            return round(min(0.99, choice_conf), 2)
        assumed = sum(1 for i in inputs if i.method == "assumed")
        unbacked = sum(1 for i in inputs if i.method == "assumed" and i.value not in (False, None))
        score = choice_conf * (1 - 0.3 * assumed / len(inputs)) * (0.85**unbacked)
        return round(max(0.05, min(0.99, score)), 2)


def _token_budget(item: JudgementItem) -> int:
    if item.kind == "choice":
        return 8 + max(len(c) for c in item.choices) // 2
    return 10


def _with_value(found: Found, value: Any) -> Found:
    return replace(found, value=value)


def _set(inp: _Input, found: Found, method: str) -> None:
    inp.value, inp.unit, inp.span, inp.method, inp.note = (
        found.value,
        found.unit,
        found.span,
        method,
        found.note,
    )
    inp.others, inp.selection = found.alternatives, found.selection


def _assume_default(inp: _Input, reason: str = NOT_MENTIONED) -> None:
    """The calculator's default as an explicit assumption (no default: left to the calculator,
    which raises `InputError` for a required input)."""
    p = inp.param
    inp.method, inp.span, inp.unit, inp.value = "assumed", None, None, p.default
    inp.others, inp.selection = (), None
    inp.include = p.default is not None
    if p.default is None and reason == NOT_MENTIONED:
        reason = "not mentioned -> left to the calculator (an error if required)"
    elif p.default is True and reason == NOT_MENTIONED:
        reason = f"not mentioned -> assumed present: {p.description}"
    inp.note = reason


def _apply_answer(inp: _Input, item: JudgementItem, value: Any, note: str, call_id: str) -> None:
    p = inp.param
    if item.kind == "number":
        _apply_number(inp, value, note)
        return
    inp.value, inp.unit, inp.include = value, None, True
    evidence = item.evidence[0] if item.evidence else None
    positive = value is True or (item.kind == "choice" and p.choices and value != p.choices[0])
    if positive and evidence is None:
        _assume_default(inp, f"model answered {value!r} but no words in the note back it")
        if inp.value is None and item.kind == "choice":  # no default: keep the model's choice
            inp.value, inp.include = value, True
            inp.note = f"model answered {value!r}; no words in the note back it"
        return
    inp.method, inp.span = "llm", evidence
    inp.note = f"model judgement (step {call_id}) on the quoted sentence"


def _apply_number(inp: _Input, value: Any, note: str) -> None:
    """A number the model read: accepted only where it appears in the note with a unit the
    quantity uses (or, unitless, a plausible value); otherwise the input stays missing."""
    found = read_number_at(inp.param.name, note, float(value))
    if found is None:
        _assume_default(inp, f"model read {value!r}; not found in the note with a valid unit")
        return
    _set(inp, found, "llm")
    inp.note = "; ".join(x for x in ("number located by the model", found.note) if x)


__all__ = ["CalculatorStrategy", "format_value"]

"""`calculation`: recompute every calculator call and every arithmetic statement in the trace.

- A `tool_call` to `calculator.<slug>` is re-executed with `clinreason.tools.calculators`
  (`by_slug(slug).compute(arguments)`); its stored result must match (value, and unit where
  both are given). Its arguments must also equal the values of the `extraction` steps it
  names as parents (a value edited in one place but not the other is caught).
- Every `a op b = c` (chains `a = b = c`, and 'sum/mean of ... is ...') written in a thought or
  in a tool's explanation lines is evaluated with a safe parser (never `eval`); a result that
  does not round to the stated one is contradicted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from pydantic import JsonValue

from clinreason.errors import ClinReasonError, InputError
from clinreason.tools.calculators import by_slug
from clinreason.tools.calculators.base import Calculator
from clinreason.trace import Case, Extraction, Thought, ToolCall, Trace, Verdict
from clinreason.verify.arith import arithmetic_claims
from clinreason.verify.base import verdict
from clinreason.verify.text import normalize, parse_number, same_value, unit_key
from clinreason.verify.units import convert

PREFIX = "calculator."


def calculator_used(trace: Trace) -> Calculator | None:
    """The calculator of the trace's last `calculator.<slug>` call (None: none, or unknown)."""
    calls = [s for s in trace.steps if isinstance(s, ToolCall) and s.tool.startswith(PREFIX)]
    if not calls:
        return None
    try:
        return by_slug(calls[-1].tool.removeprefix(PREFIX))
    except InputError:
        return None


_v = partial(verdict, "calculation")


def _number(value: object) -> tuple[float, int] | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not math.isfinite(float(value)):
            return None
        text = repr(float(value))
        decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 12
        return float(value), decimals
    if isinstance(value, str):
        text = normalize(value).strip().replace(",", "")
        try:
            return float(text), len(text.split(".")[1]) if "." in text else 0
        except ValueError:
            return None
    return None


def values_agree(stored: JsonValue, computed: Any, stored_unit: Any, computed_unit: Any) -> bool:
    """Whether a stored result equals a recomputed one (numbers within the stored rounding).

    >>> values_agree(52.14, 52.142857, "mL/min", "mL/min")
    True
    >>> values_agree(60, 52.142857, None, None)
    False
    """
    if isinstance(computed, tuple | list) or isinstance(stored, list):
        return list(computed) == list(stored) if isinstance(stored, list | tuple) else False
    a, b = _number(stored), _number(computed)
    if a is None or b is None:
        return str(stored).strip() == str(computed).strip()
    su, cu = unit_key(stored_unit), unit_key(computed_unit)
    if su and cu and su != cu:
        converted = convert(b[0], cu, su)
        if converted is None:
            return False
        b = (converted, b[1])
    return abs(a[0] - b[0]) <= 0.5 * 10.0 ** -min(a[1], 12) + 1e-9 * max(abs(a[0]), 1.0)


def _result_parts(result: JsonValue) -> tuple[JsonValue, Any]:
    if isinstance(result, dict):
        return result.get("value"), result.get("unit")
    return result, None


def _argument_matches(arg: JsonValue, ext: Extraction) -> bool:
    value, unit = ext.value, ext.unit
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        value, unit = value[0], value[1]
    a_val, a_unit = arg, None
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], str):
        a_val, a_unit = arg[0], arg[1]
    if isinstance(a_val, bool) or isinstance(value, bool):
        return a_val == value
    a, b = _number(a_val), _number(value)
    if a is None or b is None:
        return str(a_val).strip().lower() == str(value).strip().lower()
    return same_value(a[0], a[1], unit_key(a_unit), b[0], b[1], unit_key(unit)) or same_value(
        b[0], b[1], unit_key(unit), a[0], a[1], unit_key(a_unit)
    )


@dataclass(frozen=True)
class CalculationCheck:
    """Calculator calls reproduce; stated arithmetic is right.

    >>> from clinreason.trace import Case, Thought, Trace, ComponentSpec
    >>> case = Case(id="c", question="?")
    >>> t = Trace(case=case, strategy=ComponentSpec(name="x"),
    ...           steps=[Thought(id="s1", text="Score: 3 + 2 = 6.")])
    >>> [(v.status, v.claim) for v in CalculationCheck().verify(t, case)]
    [('contradicted', '3 + 2 = 6')]
    """

    name: ClassVar[str] = "calculation"
    check_explanations: bool = True
    """Also check arithmetic written in tool explanation lines."""

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """Verdicts for each calculator call and each arithmetic statement."""
        out: list[Verdict] = []
        by_id = {s.id: s for s in trace.steps}
        for step in trace.steps:
            if isinstance(step, ToolCall) and step.tool.startswith(PREFIX):
                out.extend(self._tool(step, by_id))
            if isinstance(step, Thought):
                out.extend(self._arithmetic(step.id, step.text))
            elif isinstance(step, ToolCall) and self.check_explanations:
                for line in step.explanation:
                    out.extend(self._arithmetic(step.id, line))
        return out

    def _arithmetic(self, step_id: str, text: str) -> list[Verdict]:
        out = []
        for c in arithmetic_claims(text):
            claim = f"{c.expression} = {c.stated}"
            if c.correct is None:
                out.append(
                    _v("unverifiable", step_id, claim, "cannot be evaluated (overflow or /0)")
                )
            else:
                shown = f"{c.value:.6g}" if c.value is not None else "?"
                out.append(
                    _v(
                        "supported" if c.correct else "contradicted",
                        step_id,
                        claim,
                        f"{c.expression} = {shown}",
                        failure=None if c.correct else c.kind,
                        computed=c.value,
                    )
                )
        return out

    def _tool(self, step: ToolCall, by_id: dict[str, Any]) -> list[Verdict]:
        out = []
        for parent in step.parents:
            ext = by_id.get(parent)
            if (
                isinstance(ext, Extraction)
                and ext.name in step.arguments
                and not _argument_matches(step.arguments[ext.name], ext)
            ):
                out.append(
                    _v(
                        "contradicted",
                        step.id,
                        f"{ext.name} = {step.arguments[ext.name]}",
                        f"extraction {ext.id} gives {ext.value} {ext.unit or ''}".strip(),
                        failure="argument",
                    )
                )
        out.append(self._recompute(step))
        return out

    def _recompute(self, step: ToolCall) -> Verdict:
        slug = step.tool[len(PREFIX) :]
        claim = f"{step.tool} -> {step.result if step.error is None else 'error'}"
        try:
            from clinreason.tools.calculators import by_slug
        except ImportError:
            return _v("unverifiable", step.id, claim, "calculator library not available")
        try:
            calculator = by_slug(slug)
        except ClinReasonError as exc:
            return _v("unverifiable", step.id, claim, str(exc))
        try:
            computation = calculator.compute(step.arguments)
        except ClinReasonError as exc:
            if step.error is not None:
                return _v("supported", step.id, claim, f"fails again: {exc}")
            return _v(
                "contradicted", step.id, claim, f"recomputation fails: {exc}", failure="calculator"
            )
        except Exception as exc:  # a calculator bug must not break verification
            return _v("unverifiable", step.id, claim, f"calculator crashed: {exc!r}")
        if step.error is not None:
            return _v("unverifiable", step.id, claim, f"stored call failed: {step.error}")
        value, unit = _result_parts(step.result)
        if values_agree(value, computation.value, unit, computation.unit):
            return _v(
                "supported",
                step.id,
                claim,
                f"recomputed {computation.value} {computation.unit or ''}".strip(),
            )
        return _v(
            "contradicted",
            step.id,
            claim,
            f"recomputed {computation.value} {computation.unit or ''}".strip(),
            failure="calculator",
            recomputed=_json(computation.value),
        )


def _json(value: Any) -> JsonValue:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float | int | str) or value is None:
        return value
    return str(value)


__all__ = ["CalculationCheck", "parse_number", "values_agree"]

""" "What if?" for a calculator answer: change inputs, recompute, and show what changed.

No model is called. The calculator of the trace's last successful calculator call (or a
calculator with inputs) is re-run on the stored arguments, then on the arguments with the
user's changes. Each changed input is recorded as the user's assumption, never as read from
the note, and the result lists which inputs and which of the calculator's steps changed, old
against new. Bad values raise `InputError` with the calculator's one-line reason.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from clinreason.errors import InputError
from clinreason.tools.calculators import Calculator, Computation, Param, by_slug
from clinreason.tools.calculators.references import reference_of
from clinreason.trace import Extraction, ToolCall, Trace, trace_from_dict

MAX_CHANGES = 100
USER_ASSUMPTION = "what if: set by you, not read from the note"


class WhatIfRequest(BaseModel):
    """A calculator answer (a trace, or a calculator with inputs) and the inputs to change."""

    model_config = ConfigDict(extra="forbid")

    trace: dict[str, JsonValue] | None = None
    """A trace (trace schema) with a calculator answer; its last calculator call is re-run."""
    calculator: str | int | None = None
    """Instead of a trace: a calculator slug or MedCalc-Bench id, with `inputs`."""
    inputs: dict[str, JsonValue] | None = None
    """With `calculator`: the entity values the answer used."""
    changes: dict[str, JsonValue] = Field(min_length=1, max_length=MAX_CHANGES)
    """Input name -> new value ([value, unit], true/false, a choice, a number, a date; null:
    not given, so the calculator's default applies)."""

    @model_validator(mode="after")
    def _one_source(self) -> WhatIfRequest:
        if (self.trace is None) == (self.inputs is None):
            raise ValueError("give either 'trace' or 'calculator' with 'inputs'")
        if self.inputs is not None and self.calculator is None:
            raise ValueError("'inputs' needs 'calculator'")
        return self


@dataclass(frozen=True)
class Baseline:
    """What the answer was computed from."""

    calculator: Calculator
    arguments: dict[str, Any]
    extractions: dict[str, Extraction] = field(default_factory=dict)
    """The trace's extraction step of each input, by input name."""
    call: ToolCall | None = None


def last_calculation(trace: Trace) -> ToolCall | None:
    """The trace's last successful calculator call, if any."""
    calls = [
        s for s in trace.steps_of(ToolCall) if s.tool.startswith("calculator.") and s.error is None
    ]
    return calls[-1] if calls else None


def baseline_of(trace: Trace) -> Baseline:
    """The calculator, arguments and extraction steps behind a trace's calculator answer.

    Raises:
        InputError: the trace has no successful calculator call.
    """
    call = last_calculation(trace)
    if call is None:
        raise InputError("this trace has no calculator result to change ('what if' needs one)")
    calc = by_slug(call.tool.removeprefix("calculator."))
    steps = {s.name: s for s in trace.steps_of(Extraction) if s.id in call.parents}
    return Baseline(calc, dict(call.arguments), steps, call)


def _baseline(req: WhatIfRequest) -> Baseline:
    from clinreason.api.service import find

    if req.trace is not None:
        return baseline_of(trace_from_dict(req.trace))
    return Baseline(find(req.calculator), dict(req.inputs or {}))  # type: ignore[arg-type]


def entity(arguments: dict[str, Any], p: Param) -> Any:
    """The value `arguments` give input `p` (under its name or an alias), or None."""
    for key in (p.name, *p.aliases):
        if arguments.get(key) is not None:
            return arguments[key]
    return None


def _changed_arguments(
    calc: Calculator, arguments: dict[str, Any], changes: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`arguments` with `changes` applied (an alias key of a changed input is dropped), and the
    changes by input name.

    Raises:
        InputError: a change names no input of the calculator.
    """
    params = {key: p for p in calc.params for key in (p.name, *p.aliases)}
    new = dict(arguments)
    by_param: dict[str, Any] = {}
    for name, value in changes.items():
        p = params.get(name)
        if p is None:
            known = ", ".join(q.name for q in calc.params)
            raise InputError(f"{calc.name} has no input {name!r}; its inputs: {known}")
        for key in (p.name, *p.aliases):
            new.pop(key, None)
        if value is not None:
            new[p.name] = value
        by_param[p.name] = value
    return new, by_param


def shown(value: Any) -> str:
    """An entity value in words.

    >>> shown([1.6, "mg/dL"]), shown(True), shown(None), shown([5, "ft", 10, "in"])
    ('1.6 mg/dL', 'yes', 'not given', '5 ft 10 in')
    """
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return " ".join(shown(v) if isinstance(v, bool) else str(v) for v in value)
    return str(value)


def _result(calc: Calculator, comp: Computation) -> dict[str, Any]:
    from clinreason.strategies.calculator import format_value

    value = list(comp.value) if isinstance(comp.value, tuple) else comp.value
    return {"value": value, "unit": comp.unit, "text": format_value(comp.value, calc.output_type)}


def step_changes(before: list[str], after: list[str]) -> list[dict[str, Any]]:
    """The calculator's steps, old against new: each line 'same', 'changed', 'added' or
    'removed' (lines aligned with difflib).

    >>> [d["status"] for d in step_changes(["a = 1", "b = 2", "c"], ["a = 1", "b = 3", "c"])]
    ['same', 'changed', 'same']
    """
    rows: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            rows += [{"status": "same", "before": x, "after": x} for x in before[a0:a1]]
            continue
        for old, new in zip_longest(before[a0:a1], after[b0:b1]):
            status = "changed" if old is not None and new is not None else "added"
            rows.append(
                {"status": "removed" if new is None else status, "before": old, "after": new}
            )
    return rows


def what_if(req: WhatIfRequest) -> dict[str, Any]:
    """Recompute a calculator answer with changed inputs; see the module docstring.

    Returns:
        JSON-ready: `calculator`, `reference`, `before` and `after` ({value, unit, text}),
        `changed` (whether the result changed), `inputs` (every input: before, after, changed,
        its trace step, how the old value was obtained, the assumption for a changed one),
        `steps` (the calculator's steps, old against new), `changed_steps` (ids of the trace
        steps the change touches), `assumptions` and `notes`.

    Raises:
        InputError: an unknown input, or a value the calculator cannot use.
        TraceFormatError: the trace is not a valid trace.
    """
    base = _baseline(req)
    calc = base.calculator
    new_arguments, changes = _changed_arguments(calc, base.arguments, dict(req.changes))
    try:
        old = calc.compute(base.arguments)
    except InputError as exc:
        raise InputError(f"the answer's own inputs do not compute: {exc}") from None
    new = calc.compute(new_arguments)
    before, after = _result(calc, old), _result(calc, new)
    rows = []
    for p in calc.params:
        was, now = entity(base.arguments, p), entity(new_arguments, p)
        step = base.extractions.get(p.name)
        moved = p.name in changes and now != was
        rows.append(
            {
                "name": p.name,
                "unit": p.unit,
                "before": was,
                "after": now,
                "before_text": shown(was),
                "after_text": shown(now),
                "changed": moved,
                "step": step.id if step else None,
                "source": _source(step),
                "assumption": f"{USER_ASSUMPTION} (was {shown(was)})" if moved else None,
            }
        )
    steps = step_changes(old.steps, new.steps)
    moved_ids = [r["step"] for r in rows if r["changed"] and r["step"]]
    result_moved = before["value"] != after["value"] or before["unit"] != after["unit"]
    if base.call is not None and (result_moved or any(s["status"] != "same" for s in steps)):
        moved_ids.append(base.call.id)
    return {
        "calculator": {"slug": calc.slug, "name": calc.name, "id": calc.id},
        "reference": reference_of(calc).to_json(),
        "before": before,
        "after": after,
        "changed": result_moved,
        "inputs": rows,
        "steps": steps,
        "changed_steps": moved_ids,
        "assumptions": [
            *(f"{r['name']}: {r['assumption']}" for r in rows if r["changed"]),
            *new.assumptions,
        ],
        "notes": _notes(base, before),
    }


def _source(step: Extraction | None) -> str | None:
    """How the trace obtained an input's value, in words."""
    from clinreason.api.view import METHOD_WORDS  # view imports this module

    if step is None:
        return None
    if step.method == "assumed":
        return f"assumed ({step.note})" if step.note else "assumed"
    where = f" from “{step.span.text}”" if step.span is not None else ""
    return METHOD_WORDS.get(step.method, step.method) + where


def _notes(base: Baseline, before: dict[str, Any]) -> list[str]:
    notes = ["A hypothetical: the changed values are yours, and this result is not re-verified."]
    stored = base.call.result if base.call is not None else None
    if isinstance(stored, dict) and stored.get("value") != before["value"]:
        notes.append(
            f"The trace's stored result ({shown(stored.get('value'))}) differs from recomputing "
            f"its inputs ({before['text']}); the comparison uses the recomputation."
        )
    return notes


def form_fields(trace: Trace) -> dict[str, Any] | None:
    """The "What if?" form of a calculator answer: one field per calculator input, holding the
    value the answer used (None when the trace has no calculator result to change)."""
    try:
        base = baseline_of(trace)
        used = base.calculator.compute(base.arguments).inputs
    except InputError:
        return None
    fields = []
    for n, p in enumerate(base.calculator.params):
        value = entity(base.arguments, p)
        step = base.extractions.get(p.name)
        item: dict[str, Any] = {
            "id": f"wi-{n}",
            "name": p.name,
            "label": p.name.replace("_", " "),
            "kind": p.kind,
            "unit": p.unit or "",
            "choices": list(p.choices),
            "value": _field_value(value),
            "step": step.id if step else None,
            "assumed": step is None or step.method == "assumed",
            "description": p.description,
        }
        if p.kind == "measurement" and value is not None:
            if isinstance(value, list) and len(value) == 2:
                item["value"], item["unit"] = _field_value(value[0]), str(value[1])
            else:  # a bare number or a sum such as 5 ft 10 in: the value used, in its unit
                item["value"] = _field_value(used.get(p.name))
        if p.kind == "choice" and item["value"] and item["value"] not in p.choices:
            item["choices"].append(item["value"])
        fields.append(item)
    return {"calculator": base.calculator.name, "fields": fields}


def _field_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

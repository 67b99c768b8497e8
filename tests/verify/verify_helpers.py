"""Helpers for verifier tests: build small traces by hand (imported by the tests here)."""

from __future__ import annotations

from typing import Any

from clinreason.trace import Answer, Case, ComponentSpec, Thought, Trace


def make_trace(context: str, thoughts: list[str], answer: str | None = None, **case: Any) -> Trace:
    """A trace of thoughts s1..sN over a case with `context`; the answer cites every thought."""
    c = Case(id="t", question=case.pop("question", "What now?"), context=context, **case)
    steps = [Thought(id=f"s{i + 1}", text=t) for i, t in enumerate(thoughts)]
    ans = Answer(value=answer, support=[s.id for s in steps]) if answer is not None else None
    return Trace(case=c, strategy=ComponentSpec(name="test"), steps=steps, answer=ans)

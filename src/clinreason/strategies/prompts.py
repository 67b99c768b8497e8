"""Prompt pieces shared by the model-based strategies (pure functions, tested without a model)."""

from __future__ import annotations

from typing import Any

from clinreason.strategies.parsing import parse_choice, parse_free_answer
from clinreason.trace import Case, Message

SYSTEM = (
    "You are a careful clinical reasoning assistant. Use only the facts in the case and "
    "established medical knowledge. Answer in the JSON format requested."
)

REASONING_MAX_CHARS = 900
"""Cap on the constrained reasoning field (llama.cpp grammars crash on very long maxLength)."""


def render_case(case: Case) -> str:
    """The case as prompt text: note, question and lettered options.

    >>> print(render_case(Case(id="1", question="Dose?", options={"A": "1 mg", "B": "2 mg"})))
    Question: Dose?
    Options:
    A. 1 mg
    B. 2 mg
    """
    parts = []
    if case.context.strip():
        parts.append(f"Patient note:\n{case.context.strip()}\n")
    parts.append(f"Question: {case.question.strip()}")
    if case.options:
        parts.append("Options:")
        parts.extend(f"{label}. {text}" for label, text in case.options.items())
    return "\n".join(parts)


def messages(case: Case, instruction: str, *, before: str = "") -> tuple[Message, ...]:
    """System + user messages for a case and an instruction (`before`: text shown ahead of the
    case, e.g. retrieved sources)."""
    user = f"{before}{render_case(case)}\n\n{instruction}"
    return (Message(role="system", content=SYSTEM), Message(role="user", content=user))


def answer_schema(case: Case, *, reasoning: bool) -> dict[str, Any]:
    """JSON Schema of the reply: optional short reasoning first, then the answer.

    >>> schema = answer_schema(Case(id="1", question="?", options={"A": "x"}), reasoning=False)
    >>> schema["properties"], schema["required"]
    ({'answer': {'type': 'string', 'enum': ['A']}}, ['answer'])
    """
    properties: dict[str, Any] = {}
    if reasoning:
        properties["reasoning"] = {"type": "string", "maxLength": REASONING_MAX_CHARS}
    if case.options:
        properties["answer"] = {"type": "string", "enum": list(case.options)}
    else:
        properties["answer"] = {"type": "string", "maxLength": 200}
    return {"type": "object", "properties": properties, "required": list(properties)}


def instruction(case: Case, *, reasoning: bool) -> str:
    """What to write, matching `answer_schema`."""
    target = (
        f"the letter of the single best option ({', '.join(case.options)})"
        if case.options
        else "a short answer"
    )
    if reasoning:
        return (
            "Think step by step in a few short sentences about the key findings, then give "
            f'{target}. Reply as JSON: {{"reasoning": "...", "answer": "..."}}'
        )
    return f'Give {target}. Reply as JSON: {{"answer": "..."}}'


def extract_answer(case: Case, text: str) -> str | None:
    """The answer in a reply: an option label for multiple choice, else the free answer."""
    if case.options:
        return parse_choice(text, list(case.options))
    return parse_free_answer(text)

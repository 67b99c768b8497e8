"""`argumentation`: an ArgMed-style clinical debate, decided by a symbolic solver.

1. **Generator** (one model call): proposes arguments for or against the options, each an
   instance of a scheme in `clinreason/tools/argumentation/schemes.toml`, citing a finding.
   With `generator="per_option"` the reply must hold one entry per option (a scheme, or "none"
   when nothing in the case bears on it), so every option is considered: a small model asked
   for "several options" argues mostly about the first one.
2. **Verifier** (one model call): answers the schemes' critical questions about those
   arguments; each "yes" becomes an attacking argument that must cite a finding.
3. **Text check** (no model): every finding an argument relies on must be stated in the case
   text, or a text-check argument attacks it as unsupported. **Knowledge check** (no model,
   `knowledge_check`): an argument that a finding supports an option naming a disease is
   attacked when the `kg` verifier contradicts "disease presents with finding" (the disease is
   well annotated in HPO and nothing related to the finding is among its annotations).
4. **Solver** (clingo): the framework is solved under grounded semantics (or preferred), and
   the answer is the option whose supporting arguments are accepted; see
   `clinreason.tools.argumentation.decision` for the rule, the tie rule and the confidence.

Both model calls use JSON-schema-constrained output with a bounded number of items and
tokens. Malformed output (invalid or truncated JSON, unknown options or schemes, dangling or
inapplicable attacks, attacks that only restate their target's own finding, duplicates, too
many items) is repaired or dropped, and every repair or drop is recorded as a `thought` step.
The framework and its extension are recorded as an `argument` step, which the answer's
`support` points at.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from clinreason.backends.base import Backend
from clinreason.errors import ConfigError, InputError
from clinreason.strategies.base import call_llm
from clinreason.strategies.parsing import strip_think
from clinreason.strategies.prompts import render_case
from clinreason.tools.argumentation import (
    CaseText,
    DecisionSemantics,
    Framework,
    Proposal,
    SchemeBook,
    build_graph,
    decide,
    load_schemes,
    option_nodes,
    solved_step,
    validate_challenges,
    validate_proposals,
)
from clinreason.trace import Answer, Case, GenerateRequest, Message, Thought, TraceBuilder
from clinreason.verify.kg import KGCheck

SYSTEM = (
    "You are a clinician in a case discussion. Use only facts stated in the case and "
    "established medical knowledge. Reply with JSON only."
)

GENERATOR_PROMPT = """{case}

Argue for and against several different options. Give at most {n} arguments, each with:
- "option": the letter of the option it is about
- "scheme": {schemes}
- "finding": 2 to 8 words copied exactly from the case
Reply as JSON with a list "arguments" of such objects."""

PER_OPTION_PROMPT = """{case}

For EACH option, give the strongest argument about it, with:
- "scheme": {schemes}; or "none" when nothing in the case bears on that option
- "finding": 2 to 8 words copied exactly from the case
Reply as JSON with one such object per option letter."""

VERIFIER_PROMPT = """{case}

Proposed arguments:
{arguments}

Challenge the arguments that fail a critical question. Give at most {m} attacks, each with:
- "target": the argument id
- "question": {questions}
- "finding": 2 to 8 words copied exactly from the case that show it
Reply as JSON with a list "attacks" of such objects (an empty list if every argument holds)."""

FINDING_MAX_CHARS = 80


def generator_schema(case: Case, book: SchemeBook, n: int) -> dict[str, Any]:
    """JSON Schema of the generator's reply (at most `n` arguments)."""
    item = {
        "type": "object",
        "properties": {
            "option": {"type": "string", "enum": list(case.options)},
            "scheme": {"type": "string", "enum": list(book.ids)},
            "finding": {"type": "string", "minLength": 1, "maxLength": FINDING_MAX_CHARS},
        },
        "required": ["option", "scheme", "finding"],
    }
    return {
        "type": "object",
        "properties": {"arguments": {"type": "array", "items": item, "maxItems": n}},
        "required": ["arguments"],
    }


def per_option_schema(case: Case, book: SchemeBook) -> dict[str, Any]:
    """JSON Schema of the per-option generator reply: one {scheme, finding} per option."""
    item = {
        "type": "object",
        "properties": {
            "scheme": {"type": "string", "enum": [*book.ids, "none"]},
            "finding": {"type": "string", "minLength": 1, "maxLength": FINDING_MAX_CHARS},
        },
        "required": ["scheme", "finding"],
    }
    return {
        "type": "object",
        "properties": {label: item for label in case.options},
        "required": list(case.options),
    }


def per_option_items(text: str, options: Sequence[str]) -> tuple[list[object], str]:
    """Generator items from a per-option reply ({"A": {"scheme", "finding"}, ...}); entries with
    scheme "none" are dropped. Falls back to `extract_items` on any other shape.

    >>> per_option_items('{"A": {"scheme": "none", "finding": "x"}, "B": {"scheme": "s", '
    ...                  '"finding": "fever"}}', ["A", "B"])
    ([{'option': 'B', 'scheme': 's', 'finding': 'fever'}], '')
    """
    body = strip_think(text)
    try:
        value = json.loads(body[body.find("{") :]) if "{" in body else None
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not any(label in value for label in options):
        return extract_items(text, "arguments")
    items: list[object] = []
    for label in options:
        entry = value.get(label)
        if isinstance(entry, dict) and entry.get("scheme") != "none":
            items.append({"option": label, **entry})
    return items, ""


def verifier_questions(book: SchemeBook, proposals: Sequence[Proposal]) -> dict[str, str]:
    """Critical question id -> prompt, for the verifier questions of the proposals' schemes."""
    used = {p.scheme for p in proposals}
    out: dict[str, str] = {}
    for scheme in book.schemes:
        if scheme.id in used:
            for q in scheme.critical_questions:
                if q.answered_by == "verifier":
                    out.setdefault(q.id, q.prompt)
    return out


def verifier_schema(
    case: Case, book: SchemeBook, proposals: Sequence[Proposal], m: int
) -> dict[str, Any]:
    """JSON Schema of the verifier's reply (at most `m` attacks on G1..Gn)."""
    n_args = len(proposals)
    item = {
        "type": "object",
        "properties": {
            "target": {"type": "string", "enum": [f"G{i}" for i in range(1, n_args + 1)]},
            "question": {"type": "string", "enum": list(verifier_questions(book, proposals))},
            "finding": {"type": "string", "minLength": 1, "maxLength": FINDING_MAX_CHARS},
            "option": {"type": "string", "enum": list(case.options)},
        },
        "required": ["target", "question", "finding"],
    }
    return {
        "type": "object",
        "properties": {"attacks": {"type": "array", "items": item, "maxItems": m}},
        "required": ["attacks"],
    }


def render_generator(case: Case, book: SchemeBook, n: int) -> str:
    """The generator's instruction for `case`."""
    schemes = "; ".join(f'"{s.id}" = {s.prompt}' for s in book.schemes)
    return GENERATOR_PROMPT.format(case=render_case(case), n=n, schemes=schemes)


def render_per_option(case: Case, book: SchemeBook) -> str:
    """The per-option generator's instruction for `case`."""
    schemes = "; ".join(f'"{s.id}" = {s.prompt}' for s in book.schemes)
    return PER_OPTION_PROMPT.format(case=render_case(case), schemes=schemes)


def render_verifier(case: Case, book: SchemeBook, proposals: Sequence[Proposal], m: int) -> str:
    """The verifier's instruction: the proposed arguments and the critical questions."""
    arguments = "\n".join(
        f'G{i} (option {p.option}, {p.scheme}): "{p.finding}"'
        for i, p in enumerate(proposals, start=1)
    )
    qs = verifier_questions(book, proposals)
    questions = "; ".join(f'"{q}" = {prompt}' for q, prompt in qs.items())
    if "better_option" in qs:
        questions += ' (for "better_option" also give "option")'
    return VERIFIER_PROMPT.format(
        case=render_case(case), arguments=arguments, m=m, questions=questions
    )


def extract_items(text: str, key: str) -> tuple[list[object], str]:
    """The list under `key` in a JSON reply, salvaging items from invalid or truncated JSON.

    Returns the items and a note ('' when the reply was well-formed).

    >>> extract_items('{"arguments": [{"option": "A"}]}', "arguments")
    ([{'option': 'A'}], '')
    >>> extract_items('{"arguments": [{"option": "A"}, {"option": "B", "fin', "arguments")
    ([{'option': 'A'}], 'invalid JSON; salvaged 1 complete item(s)')
    """
    body = strip_think(text)
    decoder = json.JSONDecoder()
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    value: object = None
    if start >= 0:
        try:
            value, _ = decoder.raw_decode(body[start:])
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict) and isinstance(value.get(key), list):
            return list(value[key]), ""
        if isinstance(value, list):
            return value, f"a bare JSON list instead of {{{key!r}: [...]}}; read as the list"
        if isinstance(value, dict) and key in value:
            return [], f"{key!r} is not a list (got {type(value[key]).__name__}); nothing used"
        flat = isinstance(value, dict) and not any(
            isinstance(v, list | dict) for v in value.values()
        )
        if flat and value:
            return [value], f"a single object instead of {{{key!r}: [...]}}; read as one item"
    items: list[object] = []
    position = body.find("{", start + 1 if start >= 0 else 0)
    while 0 <= position < len(body):
        try:
            item, end = decoder.raw_decode(body, position)
        except json.JSONDecodeError:
            position = body.find("{", position + 1)
            continue
        if isinstance(item, dict):
            items.append(item)
        position = body.find("{", end)
    if not body.strip():
        return [], "empty reply"
    problem = "invalid JSON" if value is None else f"no {key!r} list in the reply"
    return items, f"{problem}; salvaged {len(items)} complete item(s)"


def knowledge_attacks(
    case: Case, book: SchemeBook, proposals: Sequence[Proposal]
) -> dict[str, str]:
    """Generator argument id -> the `kg` verifier's evidence, for each supporting argument
    ("finding F supports option X") whose option names a disease the HPO annotations
    contradict having F. Options that name no disease of the graph are not judged."""
    check = KGCheck()
    out = {}
    for i, p in enumerate(proposals, start=1):
        if book[p.scheme].stance != "for" or p.option not in case.options:
            continue
        verdicts = check.check_relation(case.options[p.option], p.finding)
        contradicted = [v for v in verdicts if v.status == "contradicted"]
        if contradicted and len(contradicted) == len(verdicts):
            out[f"G{i}"] = contradicted[0].evidence
    return out


@dataclass(frozen=True)
class Argumentation:
    """Generator proposes scheme-based arguments, verifier attacks them with critical
    questions, the text check attacks unsupported findings, clingo decides.

    Attributes:
        semantics: 'grounded' (sceptical) or 'preferred' (credulous with the tie rule).
        fallback: with grounded, use the preferred tie rule when grounded accepts no option.
        max_arguments: most generator arguments kept (and asked for).
        max_attacks: most verifier attacks kept (and asked for); 0 skips the verifier call.
        max_tokens: token budget of each model call.
        min_overlap: share of a finding's words the case text must contain.
        schemes: path of a schemes TOML file; None uses the shipped schemes.
        generator: 'free' (the model picks which options to argue about) or 'per_option'
            (one argument or "none" per option, in one call).
        knowledge_check: attack supporting arguments that the HPO annotations contradict.
    """

    name: ClassVar[str] = "argumentation"
    version: ClassVar[int] = 1
    semantics: DecisionSemantics = "grounded"
    fallback: bool = True
    max_arguments: int = 6
    max_attacks: int = 4
    max_tokens: int = 320
    min_overlap: float = 0.6
    schemes: str | None = None
    generator: str = "free"
    knowledge_check: bool = True

    def __post_init__(self) -> None:
        if self.generator not in ("free", "per_option"):
            raise ConfigError(f"generator must be 'free' or 'per_option', not {self.generator!r}")
        if self.semantics not in ("grounded", "preferred"):
            raise ConfigError(
                f"semantics must be 'grounded' or 'preferred', not {self.semantics!r}"
            )
        if not 1 <= self.max_arguments <= 20:
            raise ConfigError(f"max_arguments must be 1..20 (got {self.max_arguments})")
        if not 0 <= self.max_attacks <= 20:
            raise ConfigError(f"max_attacks must be 0..20 (got {self.max_attacks})")
        if self.max_tokens < 16:
            raise ConfigError(f"max_tokens must be at least 16 (got {self.max_tokens})")
        if not 0.0 < self.min_overlap <= 1.0:
            raise ConfigError(f"min_overlap must be in (0, 1] (got {self.min_overlap})")

    def _request(self, prompt: str, schema: dict[str, Any]) -> GenerateRequest:
        return GenerateRequest(
            messages=(Message(role="system", content=SYSTEM), Message(role="user", content=prompt)),
            max_tokens=self.max_tokens,
            temperature=0.0,
            json_schema=schema,
        )

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """Debate, check, solve; the answer is supported by the solved argument step."""
        if not case.options:
            raise InputError(
                f"case {case.id!r}: the argumentation strategy needs multiple-choice options"
            )
        book = load_schemes(self.schemes)
        if self.generator == "per_option":
            request = self._request(render_per_option(case, book), per_option_schema(case, book))
        else:
            request = self._request(
                render_generator(case, book, self.max_arguments),
                generator_schema(case, book, self.max_arguments),
            )
        call, generation = await call_llm(tb, backend, request, purpose="propose_arguments")
        raw = generation.texts[0]
        if self.generator == "per_option":
            items, note = per_option_items(raw, list(case.options))
        else:
            items, note = extract_items(raw, "arguments")
        proposals, notes = validate_proposals(
            items, case.options, book, max_count=self.max_arguments
        )
        parents = [call.id, *self._record(tb, "generator", note, notes, call.id)]
        challenges: list[Any] = []
        if proposals and self.max_attacks > 0:
            request = self._request(
                render_verifier(case, book, proposals, self.max_attacks),
                verifier_schema(case, book, proposals, self.max_attacks),
            )
            vcall, vgen = await call_llm(
                tb, backend, request, purpose="critical_questions", parents=[call.id]
            )
            items, note = extract_items(vgen.texts[0], "attacks")
            challenges, notes = validate_challenges(
                items, proposals, case.options, book, max_count=self.max_attacks
            )
            parents += [vcall.id, *self._record(tb, "verifier", note, notes, vcall.id)]
        started = time.perf_counter()
        text = CaseText(f"{case.context}\n{case.question}", min_overlap=self.min_overlap)
        knowledge = knowledge_attacks(case, book, proposals) if self.knowledge_check else {}
        graph = build_graph(text, proposals, challenges, book, knowledge)
        fw = Framework.from_graph(graph)
        decision = decide(
            fw,
            option_nodes(graph, book),
            list(case.options),
            semantics=self.semantics,
            fallback=self.fallback,
        )
        step = solved_step(
            graph, decision.extension, decision.semantics, parents=parents, framework=fw
        )
        step.duration_s = time.perf_counter() - started
        tb.add(step)
        conf = f" Confidence {decision.confidence:.2f}." if decision.confidence is not None else ""
        why = tb.add(Thought(text=f"Decision: {decision.rule}.{conf}", parents=[step.id]))
        return Answer(
            value=decision.option,
            raw=raw,
            support=[step.id, why.id],
            confidence=decision.confidence,
        )

    @staticmethod
    def _record(tb: TraceBuilder, role: str, note: str, notes: list[str], parent: str) -> list[str]:
        """A thought listing the repairs and drops of one role's output (none when clean)."""
        problems = [n for n in (note, *notes) if n]
        if not problems:
            return []
        step = tb.add(
            Thought(text=f"{role} output checked: " + "; ".join(problems), parents=[parent])
        )
        return [step.id]

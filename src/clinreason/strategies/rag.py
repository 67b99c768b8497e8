"""`rag`: retrieve passages, reason with numbered citations, answer; the citations are checked.

1. **Retrieve**: the question, its options and the note's key findings as one lexical query over
   an index (`index="default"`: the clinical corpus installed from PyPI; or a folder built with
   `clinreason index build`). The `retrieval` step records the query and the passages.
2. **Reason with citations**: one constrained call shows the passages as [1]..[k] and asks for
   up to `statements` short statements, each resting on one sentence *copied* from a passage
   (the reply's schema offers the passages' own sentences, so a quote is the source's words
   wherever the backend enforces the schema) or on none, then the answer. With
   `reason_first`, the call reasons freely over the sources and answers first, then writes the
   statements (the answer is then not derived from them; they are checked all the same). With
   `answer_first`, the answer comes from `cot`'s own call with the passages in place of a note,
   and a second call writes the cited statements for that answer.
3. **Record**: each statement is a `thought`; a quoted one gets a `citation` step (parents: the
   thought and the retrieval); a statement that quotes nothing is marked `cited=False`.
4. **Judge** (`judge=True`): one separate call sees only the cited passages and the cited
   statements — not the question, the note, the answer or the uncited statements — and says for
   each statement whether the passage it cites supports it ("yes", "no" or "no verdict"). Each
   verdict is recorded as a `check` (verifier `citation_judge`) on its citation; the `citation`
   verifier combines it with its own verbatim and lexical checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from clinreason.backends.base import Backend
from clinreason.errors import ConfigError
from clinreason.strategies.base import call_llm
from clinreason.strategies.cot import ChainOfThought, Reasoned, reason_and_answer
from clinreason.strategies.parsing import parse_json_object, reasoning_text, split_sentences
from clinreason.strategies.prompts import (
    REASONING_MAX_CHARS,
    SYSTEM,
    extract_answer,
    render_case,
)
from clinreason.strategies.recheck import recheck_choice
from clinreason.trace import (
    Answer,
    Case,
    Check,
    Citation,
    Document,
    GenerateRequest,
    Message,
    Retrieval,
    Thought,
    TraceBuilder,
    Verdict,
)

if TYPE_CHECKING:
    from clinreason.tools.retrieval import Index, Passage

NONE = "none"
"""The quote of a statement that rests on no passage."""
NOTE_CHARS = 2000
"""How much of the note goes into the query (the question and options always do)."""
QUOTE_CHARS = 240
"""Longest quotable sentence; a longer one is offered cut to its first words (still verbatim)."""
JUDGE_VERDICTS = {"yes": "supported", "no": "contradicted", "no verdict": "unverifiable"}
JUDGE = "citation_judge"
COT_MAX_TOKENS = ChainOfThought.max_tokens
"""The answer call's budget with `answer_first`: the same as `cot`'s."""
_MARKED = re.compile(r"^\s*\[(\d+)\]\s*(.*)$", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


def retrieval_query(case: Case) -> str:
    """The search query: the question, the option texts and the note's key findings (the names
    of the phenotypes HPO concept recognition finds present in it; without any, the first
    `NOTE_CHARS` of the note), cut to the index's longest query.

    >>> retrieval_query(Case(id="1", question="Best drug?", options={"A": "aspirin"}))
    'Best drug? aspirin'
    """
    from clinreason.tools.retrieval import MAX_QUERY_CHARS

    parts = [case.question.strip(), *(text for text in case.options.values())]
    note = case.context.strip()
    if note:
        parts.extend(key_findings(note) or [note[:NOTE_CHARS]])
    return " ".join(p for p in parts if p)[:MAX_QUERY_CHARS]


def key_findings(note: str) -> list[str]:
    """Names of the findings the note states as present (HPO labels, each once, in order)."""
    from clinreason.tools.kg.hpo import load_hpo
    from clinreason.tools.kg.recognize import ConceptRecognizer

    mentions = ConceptRecognizer.for_graph(load_hpo()).recognize(note, "context")
    return list(dict.fromkeys(m.label for m in mentions if m.status == "present"))


def quotable(text: str) -> list[str]:
    """The sentences of a passage a statement may quote (each cut to `QUOTE_CHARS`).

    >>> quotable("AKI is common.  Stage 3:\\ncreatinine x3. ok")
    ['AKI is common.', 'Stage 3:', 'creatinine x3. ok']
    """
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip()
        if len(piece.split()) < 2 and out:
            out[-1] = f"{out[-1]} {piece}".strip() if piece else out[-1]
            continue
        if piece:
            out.append(piece[:QUOTE_CHARS].rstrip())
    return out


def _quote_options(documents: list[Document]) -> list[str]:
    options = [f"[{n}] {s}" for n, doc in enumerate(documents, 1) for s in quotable(doc.text)]
    return [*dict.fromkeys(options), NONE]


def reply_schema(
    case: Case, documents: list[Document], statements: int, *, reason_first: bool = False
) -> dict[str, Any]:
    """Statements (a quoted source sentence, then the statement), then the answer; with
    `reason_first`, free reasoning and the answer come first and the statements after."""
    quote: dict[str, Any] = {"type": "string"}
    if documents:
        quote["enum"] = _quote_options(documents)
    item = {
        "type": "object",
        "properties": {"quote": quote, "statement": {"type": "string", "maxLength": 300}},
        "required": ["quote", "statement"],
    }
    if case.options:
        answer: dict[str, Any] = {"type": "string", "enum": list(case.options)}
    else:
        answer = {"type": "string", "maxLength": 200}
    listed = {"type": "array", "items": item, "minItems": 1, "maxItems": statements}
    if reason_first:
        reasoning = {"type": "string", "maxLength": REASONING_MAX_CHARS}
        properties = {"reasoning": reasoning, "answer": answer, "statements": listed}
    else:
        properties = {"statements": listed, "answer": answer}
    return {"type": "object", "properties": properties, "required": list(properties)}


def render_sources(documents: list[Document]) -> str:
    """The passages as numbered sources."""
    if not documents:
        return "Sources: none found."
    blocks = []
    for n, doc in enumerate(documents, 1):
        title = f"{doc.title}: " if doc.title else ""
        blocks.append(f"[{n}] {title}{' '.join(doc.text.split())}")
    return "Sources:\n" + "\n\n".join(blocks)


def citing_schema(case: Case, documents: list[Document], statements: int) -> dict[str, Any]:
    """The statements of `reply_schema` alone: the answer was given by an earlier call."""
    schema = reply_schema(case, documents, statements)
    return {
        "type": "object",
        "properties": {"statements": schema["properties"]["statements"]},
        "required": ["statements"],
    }


def citing_instruction(case: Case, answer: str | None, reasoning: str, statements: int) -> str:
    """Ask for the statements an answer already given rests on (`answer_first`)."""
    given = answer or "none"
    if answer and answer in case.options:
        given = f"{answer}. {case.options[answer]}"
    return (
        f"Answer given: {given}\nReasoning given: {reasoning or '(none)'}\n\n"
        f"Write up to {statements} short statements from the sources that this answer rests "
        "on. For each statement, first copy the one sentence of a source it rests on, starting "
        f'with the source number, e.g. "[2] ...", or "{NONE}" if it rests on no source; then '
        'the statement. Reply as JSON: {"statements": [{"quote": "[n] ...", "statement": "..."}]}'
    )


def instruction(case: Case, statements: int, *, reason_first: bool = False) -> str:
    """What to write, matching `reply_schema`."""
    target = (
        f"the letter of the single best option ({', '.join(case.options)})"
        if case.options
        else "a short answer"
    )
    quote = (
        "first copy the one sentence of a source it rests on, starting with the source number, "
        f'e.g. "[2] ...", or "{NONE}" if it rests on no source; then the statement'
    )
    if reason_first:
        return (
            "Think step by step in a few short sentences about what the sources and the case "
            f"say, then give {target}. Then write up to {statements} short statements your "
            f"answer rests on; for each, {quote}. Reply as JSON: "
            '{"reasoning": "...", "answer": "...", '
            '"statements": [{"quote": "[n] ...", "statement": "..."}]}'
        )
    return (
        f"Using the sources where they help, write up to {statements} short statements that "
        f"lead to the answer. For each statement, {quote}. Then give {target}. Reply as JSON: "
        '{"statements": [{"quote": "[n] ...", "statement": "..."}], "answer": "..."}'
    )


def judge_request(cited: list[tuple[int, str, str]]) -> GenerateRequest:
    """The judge's call for (marker, passage text, statement) triples: the cited passages and
    the statements, nothing of the question, the note or the answer."""
    passages = {marker: text for marker, text, _ in cited}
    shown = "\n\n".join(f"[{m}] {' '.join(text.split())}" for m, text in sorted(passages.items()))
    listed = "\n".join(f"{i}. (cites [{m}]) {st}" for i, (m, _, st) in enumerate(cited, 1))
    user = (
        f"Passages:\n{shown}\n\nStatements:\n{listed}\n\n"
        "For each statement, in order, say whether the passage it cites supports the medical "
        "knowledge in it. Facts about a particular patient are not expected in a passage. Say "
        '"yes" if the passage states or directly implies it, "no" if it does not support or '
        'contradicts it, and "no verdict" if you cannot tell. Reply as JSON: '
        '{"verdicts": ["yes", ...]}'
    )
    verdict = {"type": "string", "enum": list(JUDGE_VERDICTS)}
    schema = {
        "type": "object",
        "properties": {
            "verdicts": {
                "type": "array",
                "items": verdict,
                "minItems": len(cited),
                "maxItems": len(cited),
            }
        },
        "required": ["verdicts"],
    }
    messages = (Message(role="system", content=SYSTEM), Message(role="user", content=user))
    return GenerateRequest(messages=messages, max_tokens=8 * len(cited) + 16, json_schema=schema)


def parse_statements(text: str) -> list[tuple[str, str]]:
    """(quote, statement) pairs from the reply; an empty list when there are none."""
    obj = parse_json_object(text)
    items = obj.get("statements") if obj else None
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        if isinstance(item, dict) and str(item.get("statement") or "").strip():
            out.append((str(item.get("quote") or "").strip(), str(item["statement"]).strip()))
    return out


_NUMBERED = re.compile(r"^(.*)#(\d+)$")


def with_neighbours(
    index: Index, shown: list[tuple[Passage, float | None]], n: int
) -> list[tuple[Passage, float | None]]:
    """The hits, each with up to `n` passages before and after it in its document (ids
    `<document>#<k>`, as the chunker numbers them) in document order; each passage once; a
    neighbour has no score (it was not retrieved, only shown).

    >>> from clinreason.tools.retrieval import Passage
    >>> ps = {f"d#{k}": Passage(id=f"d#{k}", text="t", source="d", start=0, end=1)
    ...       for k in (1, 2, 3)}
    >>> class Ix:
    ...     def get(self, pid): return ps.get(pid)
    >>> [(p.id, s) for p, s in with_neighbours(Ix(), [(ps["d#2"], 9.0)], 1)]
    [('d#1', None), ('d#2', 9.0), ('d#3', None)]
    """
    out: dict[str, tuple[Passage, float | None]] = {}
    for passage, score in shown:
        numbered = _NUMBERED.match(passage.id)
        if not numbered:
            out.setdefault(passage.id, (passage, score))
            continue
        stem, k = numbered.group(1), int(numbered.group(2))
        for j in range(k - n, k + n + 1):
            found = passage if j == k else index.get(f"{stem}#{j}") if j >= 1 else None
            if found is not None and found.document == passage.document:
                key = found.id
                if key not in out or (j == k and out[key][1] is None):
                    out[key] = (found, score if j == k else None)
    return list(out.values())


def _reference(passage: Passage) -> str | None:
    """The passage's DOI, PMID or URL, whichever is known first."""
    if passage.doi:
        return f"doi:{passage.doi}"
    if passage.pmid:
        return f"PMID:{passage.pmid}"
    return passage.url


@dataclass(frozen=True)
class RetrievalAugmented:
    """Retrieve, reason with checked citations, answer (see the module docstring)."""

    name: ClassVar[str] = "rag"
    version: ClassVar[int] = 1
    index: str = "default"
    """'default' (the shipped clinical corpus) or the folder of an index from `index build`."""
    k: int = 3
    """Passages shown to the model."""
    rerank: int = 0
    """Re-order the best `rerank` lexical hits by MiniLM embedding similarity (0: off)."""
    neighbours: int = 0
    """Also show up to this many passages before and after each hit in its document (a study's
    results chunk beside its aims chunk); 0: only the hits."""
    statements: int = 3
    """Most statements in the reply."""
    judge: bool = True
    """Judge each citation with a separate model call (see `judge_request`)."""
    reason_first: bool = False
    """Reason freely over the sources and answer first, then cite (as MedRAG's step-by-step
    prompt); off: the cited statements come first and the answer follows from them."""
    answer_first: bool = False
    """Answer with `cot`'s own call and reply format, the passages shown before the case, then
    cite in a second call (the answer does not depend on the citing format)."""
    max_tokens: int = 600
    recheck: int = 0
    """Re-ask samples for an independent check of a multiple-choice answer (0 = off)."""

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 20:
            raise ConfigError(f"rag: k must be between 1 and 20, got {self.k}")
        if not 0 <= self.neighbours <= 3:
            raise ConfigError(f"rag: neighbours must be between 0 and 3, got {self.neighbours}")
        if self.rerank < 0:
            raise ConfigError(f"rag: rerank must be 0 (off) or a number of hits, got {self.rerank}")
        if self.answer_first and self.reason_first:
            raise ConfigError("rag: choose answer_first or reason_first, not both")
        if not 1 <= self.statements <= 8:
            raise ConfigError(f"rag: statements must be between 1 and 8, got {self.statements}")

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """Retrieve, one constrained call (two with `answer_first`), citations, optional judge
        and re-ask."""
        from clinreason.tools.retrieval import open_index

        query = retrieval_query(case)
        index = open_index(self.index, self.rerank)
        hits = index.search(query, k=self.k)
        shown = [(h.passage, round(h.score, 4)) for h in hits]
        if self.neighbours:
            shown = with_neighbours(index, shown, self.neighbours)
        documents = [
            Document(
                id=passage.id,
                text=passage.text,
                title=passage.title,
                score=score,
                source=passage.source,
                reference=_reference(passage),
            )
            for passage, score in shown
        ]
        retrieval = tb.add(Retrieval(query=query, documents=documents))
        sources = f"{render_sources(documents)}\n\n"
        sources_and_case = f"{sources}{render_case(case)}\n\n"
        support: list[str] = []
        answered: Reasoned | None = None
        if self.answer_first:
            answered = await reason_and_answer(
                case, backend, tb, max_tokens=COT_MAX_TOKENS, before=sources, parents=[retrieval.id]
            )
            support = [t.id for t in answered.thoughts]
            reasoning = " ".join(t.text for t in answered.thoughts)
            user = sources_and_case + citing_instruction(
                case, answered.value, reasoning, self.statements
            )
            schema = citing_schema(case, documents, self.statements)
            parents = [retrieval.id, answered.call.id]
        else:
            user = sources_and_case + instruction(
                case, self.statements, reason_first=self.reason_first
            )
            schema = reply_schema(case, documents, self.statements, reason_first=self.reason_first)
            parents = [retrieval.id]
        request = GenerateRequest(
            messages=(Message(role="system", content=SYSTEM), Message(role="user", content=user)),
            max_tokens=self.max_tokens,
            json_schema=schema,
        )
        call, generation = await call_llm(
            tb, backend, request, purpose="reason_with_sources", parents=parents
        )
        text = generation.texts[0]
        if self.reason_first:
            for sentence in split_sentences(reasoning_text(text)):
                support.append(tb.add(Thought(text=sentence, parents=[call.id])).id)
        cited: list[tuple[Citation, Document]] = []
        for quote, statement in parse_statements(text):
            marked = _MARKED.match(quote)
            thought = tb.add(Thought(text=statement, cited=bool(marked), parents=[call.id]))
            support.append(thought.id)
            if not marked:
                continue
            marker, words = int(marked.group(1)), marked.group(2).strip()
            doc = documents[marker - 1] if 1 <= marker <= len(documents) else None
            citation = tb.add(
                Citation(
                    marker=marker,
                    passage_id=doc.id if doc else "",
                    quote=words,
                    statement=statement,
                    source=doc.source if doc else None,
                    title=doc.title if doc else None,
                    reference=doc.reference if doc else None,
                    parents=[thought.id, retrieval.id],
                )
            )
            support.append(citation.id)
            if doc is not None:
                cited.append((citation, doc))
        if self.judge and cited:
            support.extend(await self._judge(cited, backend, tb))
        value = answered.value if answered else extract_answer(case, text)
        support = support or [call.id]
        if self.recheck > 0 and case.options and value is not None:
            check = await recheck_choice(
                case, value, backend, tb, samples=self.recheck, parents=support
            )
            support = [*support, check.id]
        return Answer(
            value=value,
            raw=answered.text if answered else text,
            support=support,
            confidence=answered.confidence if answered else None,
        )

    async def _judge(
        self, cited: list[tuple[Citation, Document]], backend: Backend, tb: TraceBuilder
    ) -> list[str]:
        """One call judging every citation; the ids of the `check` steps, one per citation."""
        request = judge_request([(c.marker, doc.text, c.statement) for c, doc in cited])
        call, generation = await call_llm(
            tb, backend, request, purpose="judge_citations", parents=[c.id for c, _ in cited]
        )
        obj = parse_json_object(generation.texts[0]) or {}
        replies = obj.get("verdicts") if isinstance(obj.get("verdicts"), list) else []
        checks = []
        for i, (citation, doc) in enumerate(cited):
            reply = str(replies[i]).strip().lower() if i < len(replies) else ""
            said = f'"{reply}"' if reply in JUDGE_VERDICTS else "no readable verdict"
            verdict = Verdict(
                verifier=JUDGE,
                status=JUDGE_VERDICTS.get(reply, "unverifiable"),  # type: ignore[arg-type]
                step_id=citation.id,
                claim=citation.statement,
                evidence=(
                    f"a separate model call shown only the cited passages and statements said "
                    f"{said} for passage [{citation.marker}]"
                ),
                details={"reply": reply, "passage_id": doc.id},
            )
            checks.append(tb.add(Check(verdict=verdict, parents=[call.id])).id)
        return checks

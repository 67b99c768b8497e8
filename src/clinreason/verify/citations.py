"""`citation`: does each cited passage exist, contain the quote, and support the sentence?

For every `citation` step, one verdict on the sentence that cites (its `thought`):

1. **The passage**: looked up by id in the index the strategy used (`strategy.params.index`)
   when it can be opened here — the authority, independent of what the trace says — else in
   the trace's own `retrieval` step (`details.passage_from` says which). A passage found in
   neither, or a trace copy that differs from the index, is *contradicted*.
2. **Verbatim quote**: the quote must occur in the passage (after Unicode, case, quote-mark,
   dash and white-space normalisation; nothing else is forgiven). Otherwise *contradicted*.
3. **Support** (independent of the reasoning call): the share of the sentence's content words
   (stemmed, stop words out) that the passage contains, counting only words that are not
   explained by the case itself (patient facts are not expected in a source); and, when the
   strategy recorded one, the `citation_judge` check (a separate model call that saw only the
   passage and the sentence, and may say "no verdict"). The judge saying "no" makes the
   citation *contradicted*; "yes" with some lexical support (>= `LOW`) makes it *supported*;
   without a judge's verdict, lexical overlap >= `HIGH` supports it and anything less leaves it
   *unverifiable* — word overlap can suggest support, never refute it.

4. **A finding resting on an aim** (scientific discourse, not word overlap): when the passage
   sentence that shares most of the statement's words states an aim, a hypothesis or a question
   ("to determine whether", "we hypothesized", "may", "?"), no other sentence shares nearly as
   many, and the statement asserts it as a fact (no hedge, not "the study compared..."), the
   citation is *contradicted*: the source asked it, it did not find it.

5. **Figures not in the source**: a number the statement gives (a percentage, a count, a value
   with its unit; category numbers such as "stage 3" or "type 2" aside) that neither the passage
   nor the case contains, even rounded, makes the citation *contradicted*: the source does not
   state it.

A sentence the strategy marked `cited=False` gets an *unverifiable* verdict ("cites no source").
`LOW` and `HIGH` were set before any citation was labelled and are not tuned on the labels; the
aim check (4) was added after the first 50 labels showed how often the model turns an abstract's
aim into a finding, and is measured on a second set labelled before it was written; the figures
check (5) was added after the first two sets and is measured on a third, labelled before it was
run on them (`bench/citation_labels.py`, `docs/benchmarks/retrieval.md`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import ClassVar

from clinreason.trace import Case, Check, Citation, Document, Retrieval, Thought, Trace, Verdict
from clinreason.verify.numeracy import IDENTIFIER
from clinreason.verify.text import quantities

LOW = 0.25
HIGH = 0.6
JUDGE = "citation_judge"
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "−": "-"})


def normalise(text: str) -> str:
    """Text compared for a verbatim quote: NFKC, case-folded, one kind of quote mark and dash,
    white space collapsed; markdown emphasis marks are left as they are.

    >>> normalise("  “Stage 3”\\n AKI – see  ")
    '"stage 3" aki - see'
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())


def quote_in(quote: str, passage: str) -> bool:
    """Whether `quote` occurs verbatim (after `normalise`) in `passage`; an empty quote does not.

    >>> quote_in("Stage 3: creatinine", "AKI.\\nStage 3:  creatinine x3")
    True
    >>> quote_in("stage 3 creatinine", "Stage 3: creatinine x3")
    False
    """
    q = normalise(quote)
    return bool(q) and q in normalise(passage)


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[[str], list[str]]:
    from clinreason.tools.retrieval.tokenize import Tokenizer

    return Tokenizer()


def _words(text: str) -> set[str]:
    """Content-word stems of `text` (the retrieval tokenizer's; numbers left out)."""
    return {t for t in _tokenizer()(text) if not t.isdigit()}


def overlap(statement: str, passage: str, case_text: str = "") -> float | None:
    """Share of the statement's content words found in the passage, leaving out words that come
    from the case and not the passage; None when the statement has no such words.

    >>> overlap("Creatinine three times baseline means stage 3 AKI", "Stage 3: creatinine 3.0 "
    ...         "times baseline")  # 4 of creatinine, three, times, baseline, means, stage, AKI
    0.571
    >>> overlap("The patient is 70 years old", "Stage 3 AKI", "A 70-year-old patient") is None
    True
    """
    words = _words(statement)
    in_passage = words & _words(passage)
    from_case = (words - in_passage) & _words(case_text)
    relevant = words - from_case
    return round(len(in_passage) / len(relevant), 3) if relevant else None


_SPECULATIVE = re.compile(
    r"(?i)\b(?:aim(?:s|ed)?|objectives?|purpose|goals?|hypothes\w+|whether|may|might|could|"
    r"to (?:determine|assess|evaluate|investigate|examine|test|compare|explore|ascertain|"
    r"clarify|analy[sz]e|identify|establish|study))\b|\?\s*$"
)
"""An aim, hypothesis, question or hedge: the sentence asks or supposes, it does not report."""
_HEDGED = re.compile(
    r"(?i)\b(?:may|might|could|possibl[ey]|suggests?|aim(?:s|ed)?|purpose|objectives?|"
    r"hypothes\w+|whether)\b|\b(?:study|studies|we|authors?|trial|researchers?|this|it)\b"
    r"(?:\W+\w+){0,4}?\W+(?:compared|investigated|examined|assessed|evaluated|analy[sz]ed|"
    r"explored|sought|studied|tested|looked)\b"
)
"""A statement that itself hedges, or reports what a study set out to do."""
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")


def rests_on_an_aim(statement: str, passage: str) -> str | None:
    """The passage sentence an unhedged statement rests on when that sentence only states an
    aim, hypothesis or question (and no reporting sentence shares half as many of its words).

    >>> p = "We aimed to determine whether statins reduce stroke. Mortality was 4%."
    >>> rests_on_an_aim("Statins reduce stroke.", p)
    'We aimed to determine whether statins reduce stroke.'
    >>> rests_on_an_aim("The study examined whether statins reduce stroke.", p) is None
    True
    """
    if _HEDGED.search(statement):
        return None
    words = _words(statement)
    if not words:
        return None
    scored = [(len(words & _words(s)), s) for s in _SENTENCE.split(" ".join(passage.split())) if s]
    best, sentence = max(scored, default=(0, ""))
    if best == 0 or not _SPECULATIVE.search(sentence):
        return None
    reporting = [n for n, s in scored if not _SPECULATIVE.search(s)]
    return sentence if max(reporting, default=0) < best / 2 else None


_MARKER = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
"""A citation marker such as [1] or [1, 3]."""


def _shows(value: float, decimals: int, known: list[float]) -> bool:
    """Whether `value`, written with `decimals` digits, is one of `known` or one rounded."""
    return any(abs(round(k, decimals) - value) < 1e-9 for k in known)


def unsourced_figures(statement: str, passage: str, case_text: str = "") -> list[str]:
    """The figures in `statement` that neither `passage` nor `case_text` contains (rounding
    forgiven; identifiers such as "IL-6" and category numbers such as "stage 3" are not figures).

    >>> unsourced_figures("Mortality fell to 19.7% in stage 3 disease.", "Mortality was 19.72%.")
    []
    >>> unsourced_figures("It fell to 12% in 40 men.", "Mortality was 19.72%.", "40 men")
    ['12%']
    >>> unsourced_figures("Source [2] says so.", "It is so.")  # a citation marker is no figure
    []
    """
    known = [q.value for q in quantities(passage)] + [q.value for q in quantities(case_text)]
    return [
        q.text.strip()
        for q in quantities(_MARKER.sub(" ", statement))
        if not IDENTIFIER.search(q.before) and not _shows(q.value, q.decimals, known)
    ]


def _index_passages(trace: Trace) -> tuple[object | None, str]:
    """The index the strategy searched, if it can be opened here without building anything."""
    spec = trace.strategy.params.get("index") if trace.strategy else None
    if not isinstance(spec, str) or not spec:
        return None, "the trace names no index"
    from pathlib import Path

    from clinreason.tools.retrieval import open_index
    from clinreason.tools.retrieval.corpora import default_index_path

    where = default_index_path() if spec == "default" else Path(spec).expanduser()
    if not where.is_dir():
        return None, f"index {spec} is not on this machine"
    try:
        return open_index(spec), ""
    except Exception as exc:  # an unreadable index: fall back to the trace's copy, say why
        return None, f"index {spec} could not be opened: {exc}"


class CitationCheck:
    """Check citations against the index (see the module docstring)."""

    name: ClassVar[str] = "citation"

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """One verdict per citation (on the citing sentence) and per uncited sentence."""
        citations = trace.steps_of(Citation)
        out: list[Verdict] = []
        if citations:
            index, why_not = _index_passages(trace)
            retrieved = {d.id: d for r in trace.steps_of(Retrieval) for d in r.documents}
            judged = {
                s.verdict.step_id: s.verdict
                for s in trace.steps_of(Check)
                if s.verdict.verifier == JUDGE
            }
            case_text = f"{case.context}\n{case.question}"
            for c in citations:
                passage, where = self._passage(c, index, why_not, retrieved)
                out.append(self._check(trace, c, passage, where, judged.get(c.id), case_text))
        for t in trace.steps_of(Thought):
            if t.cited is False:
                out.append(
                    Verdict(
                        verifier=self.name,
                        status="unverifiable",
                        step_id=t.id,
                        claim=t.text,
                        evidence="the sentence cites no source",
                        details={"check": "uncited"},
                    )
                )
        return out

    @staticmethod
    def _passage(
        c: Citation, index: object | None, why_not: str, retrieved: dict[str, Document]
    ) -> tuple[str | None, str]:
        """The cited passage's text and where it was read ('index' or 'trace: <why>')."""
        copy = retrieved.get(c.passage_id)
        if index is not None:
            found = index.get(c.passage_id)  # type: ignore[attr-defined]
            if found is not None:
                if copy is not None and normalise(copy.text) != normalise(found.text):
                    return None, "index (the trace's copy of the passage differs from it)"
                return found.text, "index"
            return None, "index (no passage with this id)"
        return (copy.text if copy else None), f"trace ({why_not})"

    def _check(
        self,
        trace: Trace,
        c: Citation,
        passage: str | None,
        where: str,
        judge: Verdict | None,
        case_text: str,
    ) -> Verdict:
        thought = next((p for p in c.parents if isinstance(trace.step(p), Thought)), c.id)
        details: dict[str, object] = {
            "citation": c.id,
            "passage_id": c.passage_id,
            "passage_from": where,
        }

        def verdict(status: str, evidence: str, check: str) -> Verdict:
            return Verdict(
                verifier=self.name,
                status=status,  # type: ignore[arg-type]
                step_id=thought,
                claim=c.statement,
                evidence=evidence,
                details={**details, "check": check},  # type: ignore[dict-item]
            )

        if passage is None:
            what = c.passage_id or f"source [{c.marker}]"
            return verdict("contradicted", f"cites {what}, not found: {where}", "passage")
        if not quote_in(c.quote, passage):
            return verdict(
                "contradicted", f'the quote is not in passage {c.passage_id}: "{c.quote}"', "quote"
            )
        aim = rests_on_an_aim(c.statement, passage)
        if aim is not None:
            return verdict(
                "contradicted",
                f'passage {c.passage_id} only asks or supposes this: "{aim[:160]}"',
                "aim",
            )
        figures = unsourced_figures(c.statement, passage, case_text)
        if figures:
            return verdict(
                "contradicted",
                f"passage {c.passage_id} does not give {', '.join(figures)}",
                "figures",
            )
        share = overlap(c.statement, passage, case_text)
        details["overlap"] = share
        said = judge.status if judge is not None else None
        details["judge"] = said
        lexical = (
            f"{share:.0%} of its content words are in the passage"
            if share is not None
            else ("it only restates the case")
        )
        ref = f"passage {c.passage_id}"
        if said == "contradicted":
            return verdict(
                "contradicted", f"{ref} does not support it (model judge; {lexical})", "support"
            )
        if said == "supported" and share is not None and share >= LOW:
            return verdict("supported", f"{ref} supports it (model judge; {lexical})", "support")
        if said != "supported" and share is not None and share >= HIGH:
            return verdict(
                "supported", f"{ref} shares its words ({lexical}; no model verdict)", "support"
            )
        judge_said = {
            "supported": "the model judge said yes",
            "unverifiable": "no model verdict",
            None: "no model judge",
        }[said]
        return verdict("unverifiable", f"{ref}: {judge_said}; {lexical}", "support")


VERIFIERS = {"citation": CitationCheck}

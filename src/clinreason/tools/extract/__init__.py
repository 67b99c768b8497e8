"""Rule-based extraction of clinical values from patient notes, each with its evidence span.

- `registry.NoteExtractor(note, question).get(entity_name)`: the value of a MedCalc-Bench entity
  (age, sex, labs, vital signs, dates, doses, GCS, yes/no findings) or None when not stated.
- Building blocks: `demographics`, `dates`, `labs` + `measure` (numbers with units),
  `vitals`, `gcs`, `medications`, `findings` (keyword + negation rules), `negation`.

Every value is a `Found` whose `span` satisfies `span.text == note[span.start:span.end]`.
Selection rule: when a note states a value several times the first mention (the admission /
presentation value) is used, unless the question asks for the latest one.
"""

from clinreason.tools.extract._core import Found, sentences
from clinreason.tools.extract.findings import (
    Mention,
    context_sentences,
    has_terms,
    is_inverse,
    judge,
    mentions,
)
from clinreason.tools.extract.registry import (
    RULE_KEYS,
    NoteExtractor,
    extract_entity,
    pick_for,
    read_number_at,
)

__all__ = [
    "RULE_KEYS",
    "Found",
    "Mention",
    "NoteExtractor",
    "context_sentences",
    "extract_entity",
    "has_terms",
    "is_inverse",
    "judge",
    "mentions",
    "pick_for",
    "read_number_at",
    "sentences",
]

"""The `Perturbation` protocol, text edits, and perturbing a whole dataset.

A perturbation rewrites one case and says what it expects of the answer: `"unchanged"` (a
robustness probe: any change is a flip) or `"may change"` (a sensitivity check). It never
passes an item through silently: it returns the perturbed case, or None with the reason in
the record. Every edit is recorded (field, offsets in the original text, original, new), so a
flip can be audited against the exact change.

The record is stored in the perturbed case's metadata under `PROBE_KEY`, which `Case.blinded`
removes (`GOLD_METADATA_KEYS`): its edits quote the original text, which a strategy must not
see. It stays on the result line (`CaseResult.metadata`) for auditing.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from clinreason.bench.base import Dataset
from clinreason.tools.extract import sentences
from clinreason.trace import Case

Expectation = Literal["unchanged", "may change"]
PROBE_KEY = "probe"
"""Metadata key of the perturbation record (blinded: strategies never see it)."""

Record = dict[str, Any]


@runtime_checkable
class Perturbation(Protocol):
    """One kind of perturbation; its dataclass fields are its configuration."""

    name: ClassVar[str]
    """The KIND of `clinreason probe KIND ...`."""
    expectation: ClassVar[Expectation]
    """What the answer should do on a perturbed item (a record may override it per item)."""

    def apply(self, case: Case, rng: random.Random) -> tuple[Case | None, Record]:
        """The perturbed case (None = skipped) and its record (`edits`, or `reason` when
        skipped). Deterministic given `rng`."""
        ...


@dataclass(frozen=True)
class Edit:
    """One replacement in a text field of the case; offsets refer to the original text."""

    field: str
    """'context' or 'question'."""
    start: int
    end: int
    original: str
    new: str
    what: str
    """What changed, in words ('creatinine mg/dL -> µmol/L', 'sex: he -> she', ...)."""

    def as_dict(self) -> Record:
        """JSON-ready form (stored in the record)."""
        return {
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "new": self.new,
            "what": self.what,
        }


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """`text` with non-overlapping `edits` applied (offsets into the original).

    >>> apply_edits("Cr 1.4 mg/dL", [Edit("context", 3, 12, "1.4 mg/dL", "124 µmol/L", "x")])
    'Cr 124 µmol/L'
    """
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: e.start):
        if e.start < pos or text[e.start : e.end] != e.original:
            raise ValueError(f"edit {e.original!r} at {e.start} overlaps or does not match")
        out += [text[pos : e.start], e.new]
        pos = e.end
    return "".join([*out, text[pos:]])


def text_field(case: Case) -> str:
    """The field holding the patient's story: the note, else the question (an MCQ vignette)."""
    return "context" if case.context.strip() else "question"


def with_edits(case: Case, edits: Sequence[Edit]) -> Case:
    """A copy of `case` with `edits` applied to their fields."""
    update = {
        name: apply_edits(getattr(case, name), [e for e in edits if e.field == name])
        for name in {e.field for e in edits}
    }
    return case.model_copy(update=update)


def edits_record(edits: Sequence[Edit], **extra: Any) -> Record:
    """The record of an applied perturbation: its edits and any `extra` fields."""
    return {**extra, "edits": [e.as_dict() for e in edits]}


def case_rng(seed: int, kind: str, case_id: str) -> random.Random:
    """The item's own generator: the same seed, kind and id give the same perturbation,
    whatever the order or subset of items."""
    return random.Random(f"{seed}:{kind}:{case_id}")


def last_sentence_start(text: str) -> int | None:
    """Offset of the last sentence of `text` (the question asked), None for one sentence."""
    bounds = sentences(text)
    return bounds[-1][0] if len(bounds) >= 2 else None


@dataclass(frozen=True)
class Perturbed:
    """A dataset's perturbed items and the items skipped, with reasons."""

    dataset: Dataset
    """Perturbed cases, same ids as the originals; name '<name>+<kind>', hashed anew."""
    records: dict[str, Record]
    """Case id -> record, for every item (perturbed or skipped)."""
    skipped: dict[str, str]
    """Case id -> why the perturbation could not apply."""


def perturb_dataset(
    dataset: Dataset, cases: Sequence[Case], perturbation: Perturbation, *, seed: int
) -> Perturbed:
    """Apply `perturbation` to each of `cases` (taken from `dataset`) with per-item generators."""
    kind = perturbation.name
    out: list[Case] = []
    records: dict[str, Record] = {}
    skipped: dict[str, str] = {}
    for case in cases:
        new, record = perturbation.apply(case, case_rng(seed, kind, case.id))
        record = {
            "kind": kind,
            "seed": seed,
            "expectation": perturbation.expectation,
            **record,
        }
        records[case.id] = record
        if new is None:
            skipped[case.id] = str(record.get("reason") or "not applicable")
            continue
        out.append(new.model_copy(update={"metadata": {**new.metadata, PROBE_KEY: record}}))
    digest = hashlib.sha256(
        f"{dataset.sha256}:{kind}:{seed}:{perturbation!r}:{len(cases)}".encode()
    ).hexdigest()
    perturbed = Dataset(
        name=f"{dataset.name}+{kind}",
        version=dataset.version,
        cases=tuple(out),
        source=dataset.source,
        sha256=digest,
    )
    return Perturbed(perturbed, records, skipped)

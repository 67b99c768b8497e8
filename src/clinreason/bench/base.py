"""Types shared by the benchmark harness and every benchmark: datasets, per-case results."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, Protocol, runtime_checkable

from pydantic import JsonValue

from clinreason.strategies.base import Strategy
from clinreason.trace import Case, DataModel, Trace, Verdict


@dataclass(frozen=True)
class Dataset:
    """An ordered, versioned, hashed collection of cases."""

    name: str
    version: str
    """Bump when the loader or its mapping changes."""
    cases: tuple[Case, ...]
    source: str
    """Path it was read from."""
    sha256: str
    """Content hash of the source file(s)."""

    def __len__(self) -> int:
        return len(self.cases)

    def __iter__(self) -> Iterator[Case]:
        return iter(self.cases)


class CaseScore(DataModel):
    """How one answer scored."""

    correct: bool | None
    """None when the case cannot be scored (no gold answer)."""
    score: float | None = None
    """Graded score in [0, 1] where the benchmark has one (else 1.0/0.0 from `correct`)."""
    details: dict[str, JsonValue] = {}
    """Benchmark-specific fields (extracted values, failure stage, rank of the gold diagnosis)."""


class CaseResult(DataModel):
    """One line of `results.jsonl`."""

    case_id: str
    status: Literal["ok", "no_answer", "error"]
    answer: str | None = None
    gold: str | None = None
    gold_range: tuple[float, float] | None = None
    """The case's `gold_range` (the trace holds the blinded case, without it)."""
    rationale: str | None = None
    """The case's reference rationale (for re-scoring reasoning quality and for reports)."""
    correct: bool | None = None
    score: float | None = None
    latency_s: float | None = None
    error: str | None = None
    details: dict[str, JsonValue] = {}
    metadata: dict[str, JsonValue] = {}
    """The case's metadata (category, subject, dataset, ...) for breakdowns."""
    confidence: float | None = None
    trust: float | None = None
    """The trace's calibrated trust score (`clinreason.verify.trust`); None when not verified."""
    fully_verified: bool | None = None
    """Every claim on the answer's support path was supported by evidence."""
    verdicts: list[Verdict] = []
    trace: Trace | None = None
    """The trace; its `case` is blinded (no gold) since gold blinding, full in older files."""

    def full_case(self) -> Case | None:
        """The case to score this result with: the trace's case plus this line's gold.

        The trace holds the blinded case (`Case.blinded`), so the gold, gold range, rationale
        and metadata come from this line; values the line lacks (files written before they
        were stored here) come from the trace's case, which then still holds them. None
        without a trace.
        """
        if self.trace is None:
            return None
        case = self.trace.case
        return case.model_copy(
            update={
                "gold": self.gold if self.gold is not None else case.gold,
                "gold_range": self.gold_range if self.gold_range is not None else case.gold_range,
                "rationale": self.rationale if self.rationale is not None else case.rationale,
                "metadata": {**case.metadata, **self.metadata},
            }
        )


@runtime_checkable
class Benchmark(Protocol):
    """A benchmark family: how to load its files, what to run by default, how to score."""

    name: ClassVar[str]

    def load(self, path: Path) -> Dataset:
        """Read the benchmark's local file(s). Raises DatasetError with file, line and field."""
        ...

    def default_strategy(self) -> Strategy:
        """The strategy `clinreason eval` uses unless --strategy is given."""
        ...

    def score(self, case: Case, trace: Trace) -> CaseScore:
        """Score one trace against the case's gold answer."""
        ...

    def summarize(self, results: Sequence[CaseResult]) -> dict[str, JsonValue]:
        """`summary.json` content: the benchmark's headline figures."""
        ...

"""Multiple-choice benchmarks: MIRAGE, MedQA, MedMCQA, PubMedQA, MMLU, CasiMedicos-Arg.

Each is a frozen dataclass whose fields are its configuration (recorded in `run.json`), so a
run can be re-scored with the same settings, or with `extraction="mirage_upstream"` to
reproduce published figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import JsonValue

from clinreason.bench.base import CaseResult, CaseScore, Dataset
from clinreason.bench.datasets import casimedicos, medmcqa, medqa, mirage, mmlu, pubmedqa
from clinreason.bench.scorers import Extraction, score_choice
from clinreason.bench.summary import summarize_binary
from clinreason.errors import ConfigError
from clinreason.trace import Case, Trace


@dataclass(frozen=True)
class MultipleChoiceBenchmark:
    """Shared behaviour: default strategy `cot`, strict letter scoring, accuracy summary."""

    name: ClassVar[str] = "multiple_choice"
    breakdown: ClassVar[tuple[str, ...]] = ()
    macro_key: ClassVar[str | None] = None
    extraction: Extraction = "strict"
    """'strict' (default) or 'mirage_upstream' (regex cascade with fallback to 'A')."""
    strategy: str = "cot"
    """Registered name of the default strategy."""
    seed: int = 0
    """Bootstrap seed for the summary's intervals."""

    def __post_init__(self) -> None:
        if self.extraction not in ("strict", "mirage_upstream"):
            raise ConfigError(
                f"{self.name}: extraction must be 'strict' or 'mirage_upstream', "
                f"got {self.extraction!r}"
            )

    def load(self, path: Path) -> Dataset:
        """Read the benchmark's local file."""
        raise NotImplementedError

    def default_strategy(self) -> Any:
        """The registered strategy named by `strategy` (chain of thought unless configured)."""
        from clinreason.strategies import STRATEGIES

        if self.strategy not in STRATEGIES:
            raise ConfigError(f"{self.name}: unknown default strategy {self.strategy!r}")
        return STRATEGIES[self.strategy]()

    def score(self, case: Case, trace: Trace) -> CaseScore:
        """Letter match after extraction (an answer naming no option is wrong)."""
        return score_choice(case, trace, extraction=self.extraction)

    def summarize(self, results: Sequence[CaseResult]) -> dict[str, JsonValue]:
        """Counts, accuracy with Wilson/bootstrap CIs, breakdowns and calibration."""
        summary = summarize_binary(
            results,
            benchmark=self.name,
            breakdown_keys=self.breakdown,
            macro_key=self.macro_key,
            seed=self.seed,
        )
        summary["extraction"] = self.extraction
        return summary


@dataclass(frozen=True)
class MirageBenchmark(MultipleChoiceBenchmark):
    """MIRAGE `benchmark.json`; accuracy by subset and the unweighted 'Average'."""

    name: ClassVar[str] = "mirage"
    breakdown: ClassVar[tuple[str, ...]] = ("dataset",)
    macro_key: ClassVar[str | None] = "dataset"
    subsets: tuple[str, ...] | None = None
    """Only these subsets (default: all in the file)."""

    def load(self, path: Path) -> Dataset:
        """Read `benchmark.json`."""
        return mirage.load(path, subsets=self.subsets)


@dataclass(frozen=True)
class MedQABenchmark(MultipleChoiceBenchmark):
    """MedQA JSONL; accuracy by USMLE step (`meta_info`)."""

    name: ClassVar[str] = "medqa"
    breakdown: ClassVar[tuple[str, ...]] = ("step",)

    def load(self, path: Path) -> Dataset:
        """Read a MedQA JSONL file."""
        return medqa.load(path)


@dataclass(frozen=True)
class MedMCQABenchmark(MultipleChoiceBenchmark):
    """MedMCQA JSON lines; accuracy by subject."""

    name: ClassVar[str] = "medmcqa"
    breakdown: ClassVar[tuple[str, ...]] = ("subject", "choice_type")
    cop_base: int = 1
    """1 for the original release (cop 1-4), 0 for Hugging Face exports (0-3)."""

    def load(self, path: Path) -> Dataset:
        """Read a MedMCQA JSON-lines file."""
        return medmcqa.load(path, cop_base=self.cop_base)


@dataclass(frozen=True)
class PubMedQABenchmark(MultipleChoiceBenchmark):
    """PubMedQA `ori_pqal.json` with its abstracts as context (options yes/no/maybe = A/B/C).

    `context="none"` drops the abstract (question only, as in MIRAGE's PubMedQA*): the setting
    for a `cot` baseline without the abstract and for `rag`, which must find it.
    """

    name: ClassVar[str] = "pubmedqa"
    breakdown: ClassVar[tuple[str, ...]] = ("year",)
    context: str = "abstract"
    """'abstract' (the paper's abstract is the case's context) or 'none' (question only)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.context not in ("abstract", "none"):
            raise ConfigError(
                f"pubmedqa: context must be 'abstract' or 'none', got {self.context!r}"
            )

    def load(self, path: Path) -> Dataset:
        """Read `ori_pqal.json` (without the abstracts when `context="none"`)."""
        data = pubmedqa.load(path)
        if self.context == "abstract":
            return data
        cases = tuple(c.model_copy(update={"context": ""}) for c in data.cases)
        return dataclasses.replace(data, cases=cases)


@dataclass(frozen=True)
class MMLUBenchmark(MultipleChoiceBenchmark):
    """MMLU CSV (a file, or a directory of the medical subjects); accuracy by subject."""

    name: ClassVar[str] = "mmlu"
    breakdown: ClassVar[tuple[str, ...]] = ("subject",)
    macro_key: ClassVar[str | None] = "subject"
    subjects: tuple[str, ...] | None = None
    """Subjects to read from a directory (default: MMLU-Med's six)."""

    def load(self, path: Path) -> Dataset:
        """Read MMLU CSV file(s)."""
        return mmlu.load(path, subjects=self.subjects)


@dataclass(frozen=True)
class CasiMedicosBenchmark(MultipleChoiceBenchmark):
    """CasiMedicos-Arg TSV (options 1-5, doctors' explanation as rationale); by question type."""

    name: ClassVar[str] = "casimedicos"
    breakdown: ClassVar[tuple[str, ...]] = ("question_type",)

    def load(self, path: Path) -> Dataset:
        """Read one CasiMedicos-Arg TSV file."""
        return casimedicos.load(path)

"""Numeracy over longitudinal records: the generated benchmark and a hand-written set.

`clinreason eval numeracy generated --out DIR` runs the seeded generator
(`bench.numeracy_records`: records in three equivalent representations; `bench.numeracy_gen`:
45 question templates, gold computed from the generating values); `-P seed=N -P records=N`
choose the items, `-P 'representations=["text","table"]'` some of the representations. Any
other PATH is a JSONL file of hand-written items, one per line:
`{"id", "note", "question", "answer", "op_type"}` (e.g. `examples/numeracy/handwritten.jsonl`).

Scoring (`matches`): a numeric gold is matched by the answer's first number within 0.01
absolute or 0.1% relative (answers are written with up to 4 decimals); a time by its date and
clock; any other gold ('yes', 'stage 2', 'rising') by the answer being it or starting with it,
after lower-casing: lenient, so that a model's free-text answer is scored on its content.
`summarize` reports accuracy overall, by operation type, by representation and by both, how
many questions got different answers in different representations (`representation_changes`),
and the median and 90th-percentile time per question.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import JsonValue

from clinreason.bench.base import CaseResult, CaseScore, Dataset
from clinreason.bench.files import read_jsonl, sha256_files
from clinreason.bench.numeracy_gen import TEMPLATES, generate
from clinreason.bench.numeracy_records import REPRESENTATIONS
from clinreason.bench.stats import wilson_interval
from clinreason.errors import ConfigError, DatasetError
from clinreason.trace import Case, Trace

GENERATED = "generated"
OP_TYPES = ("retrieval", "comparison", "arithmetic", "aggregation")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
_ANY_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?")
_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}|day \d+) (\d{2}:\d{2})$")


def matches(answer: str | None, gold: str) -> bool:
    """Whether an answer matches the gold.

    A numeric gold is matched by the answer's first number within 0.01 or 0.1% ('5.8 mmol/L'
    counts); a time gold ('2024-03-02 08:00', 'day 2 10:00') by its date and clock both
    appearing; any other gold ('yes', 'stage 2', 'rising') by the answer being it or starting
    with it as whole words ('Yes, it rose'). Lenient on purpose, so that a model's free-text
    answer is scored on its content.

    >>> matches("1.2345", "1.23"), matches("2 mg/dL", "2.0"), matches("Stage 2", "stage 2")
    (True, True, True)
    >>> matches("Yes, above 5.", "yes"), matches("on 2024-03-02 at 08:00", "2024-03-02 08:00")
    (True, True)
    >>> matches("yes", "no"), matches(None, "1"), matches("stage 2", "stage 1"), matches("", "0")
    (False, False, False, False)
    """
    if answer is None:
        return False
    a, g = " ".join(answer.lower().split()), " ".join(gold.lower().split())
    if _NUMBER.match(g):
        first = _ANY_NUMBER.search(a)
        if first is None:
            return False
        x, y = float(first.group(0)), float(g)
        return abs(x - y) <= max(0.01, 1e-3 * abs(y))
    when = _TIME.match(g)
    if when:
        return all(part in a for part in when.groups())
    return a == g or (a.startswith(g) and not a[len(g)].isalnum())


def load_handwritten(path: Path) -> Dataset:
    """Read hand-written items (JSONL: id, note, question, answer, op_type).

    Raises:
        DatasetError: missing file, bad JSON or a missing field, naming the line.
    """
    if not path.is_file():
        raise DatasetError(f"numeracy items not found: {path} (or use PATH '{GENERATED}')")
    cases = []
    for n, item in read_jsonl(path, what="numeracy items"):
        missing = [k for k in ("id", "note", "question", "answer", "op_type") if k not in item]
        if missing:
            raise DatasetError(f"{path}:{n}: missing field(s) {', '.join(missing)}")
        if item["op_type"] not in OP_TYPES:
            raise DatasetError(f"{path}:{n}: op_type must be one of {', '.join(OP_TYPES)}")
        cases.append(
            Case(
                id=str(item["id"]),
                question=item["question"],
                context=item["note"],
                gold=str(item["answer"]),
                dataset=f"numeracy-handwritten@{path.stem}",
                metadata={
                    "op_type": item["op_type"],
                    "representation": "note",
                    "group": str(item["id"]),
                },
            )
        )
    return Dataset("numeracy-handwritten", "1", tuple(cases), str(path), sha256_files([path]))


def _accuracy(results: Sequence[CaseResult]) -> dict[str, Any]:
    k = sum(bool(r.correct) for r in results)
    ci = wilson_interval(k, len(results))
    return {
        "n": len(results),
        "accuracy": round(k / len(results), 4),
        "ci_wilson": [ci.low, ci.high],
    }


@dataclass(frozen=True)
class NumeracyBenchmark:
    """Timeline numeracy; default strategy `timeline` (no model)."""

    name: ClassVar[str] = "numeracy"
    seed: int = 0
    """Generator seed (PATH 'generated')."""
    records: int = 10
    """Generated records; each gives up to 45 questions in 3 representations."""
    representations: tuple[str, ...] | None = None
    """Only these representations of the generated items ('text', 'table', 'fhir'; default
    all): e.g. a model baseline without the long FHIR bundles."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.representations or ()) - set(REPRESENTATIONS))
        if unknown:
            raise ConfigError(
                f"representations: unknown {', '.join(unknown)} "
                f"(known: {', '.join(REPRESENTATIONS)})"
            )

    def load(self, path: Path) -> Dataset:
        """The generated items (PATH 'generated') or a hand-written JSONL file."""
        if str(path) != GENERATED:
            if self.representations is not None:
                raise ConfigError("representations apply to the generated items only")
            return load_handwritten(path)
        cases = tuple(
            c
            for c in generate(self.seed, self.records)
            if self.representations is None or c.metadata["representation"] in self.representations
        )
        digest = hashlib.sha256(
            "\n".join(f"{c.id}\t{c.question}\t{c.gold}\t{c.context}" for c in cases).encode()
        ).hexdigest()
        version = f"{len(TEMPLATES)}t"
        return Dataset("numeracy-generated", version, cases, f"generated(seed={self.seed})", digest)

    def default_strategy(self) -> Any:
        """The deterministic `timeline` strategy."""
        from clinreason.strategies.timeline import Timeline

        return Timeline()

    def score(self, case: Case, trace: Trace) -> CaseScore:
        """Gold match (see `matches`)."""
        answer = trace.answer.value if trace.answer is not None else None
        correct = matches(answer, case.gold or "")
        return CaseScore(correct=correct, details={"answer": answer})

    def summarize(self, results: Sequence[CaseResult]) -> dict[str, JsonValue]:
        """Accuracy by operation type and representation, invariance, time per question."""
        if not results:
            return {"benchmark": self.name, "n": 0}
        groups: dict[str, dict[str, list[CaseResult]]] = defaultdict(lambda: defaultdict(list))
        for r in results:
            for key in ("op_type", "representation"):
                groups[key][str(r.metadata.get(key))].append(r)
            both = f"{r.metadata.get('op_type')}/{r.metadata.get('representation')}"
            groups["op_type/representation"][both].append(r)
        answers: dict[str, set[str | None]] = defaultdict(set)
        for r in results:
            answers[str(r.metadata.get("group", r.case_id))].add(r.answer)
        changed = sorted(g for g, a in answers.items() if len(a) > 1)
        latencies = sorted(r.latency_s for r in results if r.latency_s is not None)
        overall = _accuracy(results)
        return {
            "benchmark": self.name,
            "n": len(results),
            "n_scored": len(results),
            "n_correct": sum(bool(r.correct) for r in results),
            "accuracy": overall["accuracy"],
            "ci_wilson": overall["ci_wilson"],
            "by": {k: {g: _accuracy(rs) for g, rs in sorted(v.items())} for k, v in groups.items()},
            "questions": len(answers),
            "representation_changes": len(changed),
            "changed_groups": changed[:20],  # type: ignore[dict-item]
            "latency_median_s": statistics.median(latencies) if latencies else None,
            "latency_p90_s": latencies[int(0.9 * (len(latencies) - 1))] if latencies else None,
            "n_errors": sum(r.status == "error" for r in results),
        }

"""MedCalc-Bench (Khandekar et al., NeurIPS 2024): clinical calculations from patient notes.

Reads the benchmark's CSV (`Row Number, Calculator ID, Calculator Name, Category, Output Type,
Note ID, Note Type, Patient Note, Question, Relevant Entities, Ground Truth Answer, Lower Limit,
Upper Limit, Ground Truth Explanation`; quoted fields may contain newlines; `Relevant Entities`
is a Python literal dict read with `ast.literal_eval`, which accepts literals only).

Scoring is the benchmark's rule: correct iff `Lower Limit <= answer <= Upper Limit`; dates
(MM/DD/YYYY) and the gestational-age pair must match exactly. Each scored case also records
the extracted inputs compared with the gold entities and, for a wrong answer, its failure stage:
`calculator_choice`, `extraction:<parameters>` or `computation`.

`summarize` reports accuracy over all rows (a run error counts as wrong), its Wilson 95%
interval, accuracy by category and calculator, extraction accuracy, the label `ceiling` (the
same calculators fed the gold entities, i.e. how far v1.0 label errors cap the score) and the
ratio of accuracy to that ceiling, median latency and the failure stages.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import JsonValue

from clinreason.bench.base import CaseResult, CaseScore, Dataset
from clinreason.bench.medcalc_entities import compare_entities
from clinreason.bench.stats import wilson_interval
from clinreason.errors import DatasetError, InputError
from clinreason.tools.calculators import CALCULATORS, compute_from_entities, is_correct
from clinreason.trace import Case, Extraction, ToolCall, Trace

COLUMNS = (
    "Row Number",
    "Calculator ID",
    "Calculator Name",
    "Category",
    "Output Type",
    "Note ID",
    "Patient Note",
    "Question",
    "Relevant Entities",
    "Ground Truth Answer",
    "Lower Limit",
    "Upper Limit",
)
"""Columns a MedCalc-Bench CSV must have (`Note Type`, `Ground Truth Explanation` optional)."""

_DATE_IDS = (13, 68)
_WEEKS_DAYS_ID = 69


def _literal_dict(text: str, where: str) -> dict[str, Any]:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise DatasetError(f"{where}: Relevant Entities is not a Python literal: {exc}") from None
    if not isinstance(value, dict):
        raise DatasetError(f"{where}: Relevant Entities is not a dict")
    return {str(k): (list(v) if isinstance(v, tuple) else v) for k, v in value.items()}


def record_to_case(row: dict[str, str], where: str = "row") -> Case:
    """One CSV row as a `Case` (pure; unit-tested on dict literals).

    Raises:
        DatasetError: a missing column or an unreadable field, naming the row.
    """
    missing = [c for c in COLUMNS if row.get(c) is None]
    if missing:
        raise DatasetError(f"{where}: missing column(s) {', '.join(missing)}")
    try:
        cid = int(row["Calculator ID"])
    except ValueError:
        raise DatasetError(
            f"{where}: Calculator ID {row['Calculator ID']!r} is not an integer"
        ) from None
    output = row["Output Type"].strip()
    if cid in _DATE_IDS:
        answer_type, gold_range = "date", None
    elif cid == _WEEKS_DAYS_ID:
        answer_type, gold_range = "text", None
    else:
        answer_type = "number"
        try:
            gold_range = (float(row["Lower Limit"]), float(row["Upper Limit"]))
        except ValueError:
            raise DatasetError(f"{where}: Lower/Upper Limit are not numbers") from None
    entities = _literal_dict(row["Relevant Entities"], where)
    return Case(
        id=row["Row Number"].strip(),
        question=row["Question"].strip(),
        context=row["Patient Note"],
        answer_type=answer_type,  # type: ignore[arg-type]
        gold=row["Ground Truth Answer"].strip(),
        gold_range=gold_range,
        rationale=row.get("Ground Truth Explanation") or None,
        dataset="medcalc-bench@1.0",
        metadata={
            "calculator_id": cid,
            "calculator_name": row["Calculator Name"],
            "category": row["Category"],
            "output_type": output,
            "note_id": row["Note ID"],
            "note_type": row.get("Note Type", ""),
            "relevant_entities": entities,  # type: ignore[dict-item]
            "lower_limit": row["Lower Limit"],
            "upper_limit": row["Upper Limit"],
        },
    )


def load(path: Path) -> Dataset:
    """Read a MedCalc-Bench CSV file.

    Raises:
        DatasetError: file missing, no header, missing column, or a malformed row.
    """
    if not path.is_file():
        raise DatasetError(f"MedCalc-Bench CSV not found: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 ({exc})") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    absent = [c for c in COLUMNS if c not in header]
    if absent:
        raise DatasetError(f"{path}: header lacks column(s) {', '.join(absent)}")
    cases = []
    for row in reader:
        cases.append(record_to_case(row, f"{path}:{reader.line_num}"))
    ids = Counter(c.id for c in cases)
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        raise DatasetError(f"{path}: duplicate Row Number(s) {', '.join(dupes[:5])}")
    return Dataset(
        name="medcalc-bench",
        version="1",
        cases=tuple(cases),
        source=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def _row(case: Case) -> dict[str, str]:
    return _row_from(case.metadata, case.gold)


def _row_from(md: dict[str, JsonValue], gold: str | None) -> dict[str, str]:
    return {
        "Calculator ID": str(md["calculator_id"]),
        "Ground Truth Answer": gold or "",
        "Lower Limit": str(md.get("lower_limit", "")),
        "Upper Limit": str(md.get("upper_limit", "")),
    }


def trace_inputs(trace: Trace) -> tuple[int | None, dict[str, Any]]:
    """The calculator a trace used (by id) and its extracted inputs in entity form."""
    calls = [s for s in trace.steps if isinstance(s, ToolCall) and s.tool.startswith("calculator.")]
    slug = calls[-1].tool.removeprefix("calculator.") if calls else None
    calc_id = next((c.id for c in CALCULATORS.values() if c.slug == slug), None)
    values: dict[str, Any] = {}
    for s in trace.steps:
        if isinstance(s, Extraction):
            values[s.name] = [s.value, s.unit] if s.unit is not None else s.value
    return calc_id, values


def diagnose(case: Case, trace: Trace, correct: bool | None) -> dict[str, JsonValue]:
    """Extracted values vs gold entities and the failure stage (None when correct)."""
    gold_id = int(case.metadata["calculator_id"])  # type: ignore[arg-type]
    gold_entities = case.metadata.get("relevant_entities") or {}
    calc_id, values = trace_inputs(trace)
    calc = CALCULATORS.get(calc_id if calc_id is not None else gold_id)
    checks = compare_entities(calc, values, gold_entities) if calc else {}  # type: ignore[arg-type]
    wrong = sorted(k for k, ok in checks.items() if not ok)
    stage: str | None = None
    if not correct:
        if (calc_id is not None and calc_id != gold_id) or (calc_id is None and not values):
            stage = "calculator_choice"
        elif wrong:
            stage = "extraction:" + ",".join(wrong)
        else:
            stage = "computation"
    return {
        "calculator_id": calc_id,
        "extracted": values,  # type: ignore[dict-item]
        "extraction_checks": checks,  # type: ignore[dict-item]
        "extraction_correct": sum(checks.values()),
        "extraction_total": len(checks),
        "failure_stage": stage,
    }


def gold_ceiling(metadata: dict[str, JsonValue], gold: str | None) -> bool:
    """Whether the row's calculator fed the row's gold entities gets the label right."""
    entities = metadata.get("relevant_entities") or {}
    try:
        comp = compute_from_entities(int(metadata["calculator_id"]), entities)  # type: ignore[arg-type]
    except (InputError, KeyError, TypeError, ValueError):
        return False
    return bool(is_correct(comp.value, _row_from(metadata, gold)))


def _group(results: Sequence[CaseResult], key: str, ceiling: dict[str, bool]) -> dict[str, Any]:
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        groups[str(r.metadata.get(key))].append(r)
    out: dict[str, Any] = {}
    for name in sorted(groups):
        rs = groups[name]
        acc = sum(bool(r.correct) for r in rs) / len(rs)
        ceil = sum(ceiling[r.case_id] for r in rs) / len(rs)
        out[name] = {
            "n": len(rs),
            "accuracy": round(acc, 4),
            "ceiling": round(ceil, 4),
            "ratio_to_ceiling": round(acc / ceil, 4) if ceil else None,
        }
    return out


@dataclass(frozen=True)
class MedCalcBenchmark:
    """MedCalc-Bench CSV; default strategy `calculator`."""

    name: ClassVar[str] = "medcalc"
    strategy: str = "calculator"
    """Registered name of the default strategy."""
    rules_only: bool = False
    """Run the default `calculator` strategy without the model (rules and defaults only)."""

    def load(self, path: Path) -> Dataset:
        """Read the CSV (see `load`)."""
        return load(path)

    def default_strategy(self) -> Any:
        """`calculator` (or the strategy named by `strategy`)."""
        from clinreason.strategies import STRATEGIES

        if self.strategy not in STRATEGIES:
            from clinreason.errors import ConfigError

            raise ConfigError(f"medcalc: unknown default strategy {self.strategy!r}")
        if self.strategy == "calculator":
            return STRATEGIES["calculator"](use_llm=not self.rules_only)
        return STRATEGIES[self.strategy]()

    def score(self, case: Case, trace: Trace) -> CaseScore:
        """Benchmark rule, plus extraction checks and the failure stage."""
        answer = trace.answer.value if trace.answer is not None else None
        correct = bool(is_correct(answer, _row(case))) if answer is not None else False
        details = diagnose(case, trace, correct)
        details["answer"] = answer
        details["ceiling_correct"] = gold_ceiling(case.metadata, case.gold)
        return CaseScore(correct=correct, details=details)

    def summarize(self, results: Sequence[CaseResult]) -> dict[str, JsonValue]:
        """Headline figures; an errored or unanswered row counts as wrong."""
        n = len(results)
        k = sum(bool(r.correct) for r in results)
        ceiling = {r.case_id: gold_ceiling(r.metadata, r.gold) for r in results}
        n_ceiling = sum(ceiling.values())
        wilson = wilson_interval(k, n) if n else None
        stages: Counter[str] = Counter()
        params: Counter[str] = Counter()
        ext_ok = ext_total = 0
        for r in results:
            details = dict(r.details)
            if r.status == "error":
                details["failure_stage"] = error_stage(r)
            ext_ok += int(details.get("extraction_correct") or 0)  # type: ignore[arg-type]
            ext_total += int(details.get("extraction_total") or 0)  # type: ignore[arg-type]
            stage = details.get("failure_stage")
            if stage:
                stages[str(stage).split(":")[0]] += 1
                if str(stage).startswith("extraction:"):
                    params.update(str(stage).split(":", 1)[1].split(","))
        latencies = [r.latency_s for r in results if r.latency_s is not None]
        acc = k / n if n else None
        ceil = n_ceiling / n if n else None
        return {
            "benchmark": self.name,
            "n": n,
            "n_scored": n,
            "n_correct": k,
            "accuracy": acc,
            "ci95": [wilson.low, wilson.high] if wilson else None,
            "ci_wilson": [wilson.low, wilson.high] if wilson else None,  # the harness's name
            "ceiling": ceil,
            "n_ceiling": n_ceiling,
            "ratio_to_ceiling": (acc / ceil) if acc is not None and ceil else None,
            "by_category": _group(results, "category", ceiling),
            "by_calculator": _group(results, "calculator_name", ceiling),
            "extraction_accuracy": ext_ok / ext_total if ext_total else None,
            "extraction_n": ext_total,
            "failure_stages": dict(stages),
            "extraction_failures_by_parameter": dict(params.most_common()),
            "latency_median_s": statistics.median(latencies) if latencies else None,
            "latency_p90_s": _quantile(latencies, 0.9),
            "n_errors": sum(r.status == "error" for r in results),
        }


def error_stage(result: CaseResult) -> str:
    """Failure stage of a run that ended in an error (no answer), from its trace or message.

    The calculator's `InputError` names the parameter (missing, absurd or in an unknown unit),
    so the stage is `extraction:<parameter>`; no calculator -> `calculator_choice`; anything
    else (a backend or parsing failure after extraction) -> `computation`.
    """
    case = result.full_case()  # the trace's case is blinded: the calculator label is here
    if result.trace is not None and case is not None:
        details = diagnose(case, result.trace, False)
        if details.get("calculator_id") is None and not details.get("extracted"):
            return "calculator_choice"
    message = result.error or ""
    calc = CALCULATORS.get(int(result.metadata.get("calculator_id") or 0))  # type: ignore[arg-type]
    if calc is not None:
        named = sorted(
            {
                p.name
                for p in calc.params
                if re.search(rf"(?<!\w){re.escape(p.name)}(?!\w)", message)
            }
        )
        if named:
            return "extraction:" + ",".join(named)
    if "calculator" in message.lower() and "no " in message.lower():
        return "calculator_choice"
    return "computation"


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

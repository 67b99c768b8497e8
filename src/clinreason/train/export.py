"""Stored traces as JSONL for TRL's SFT and DPO trainers (conversational formats).

Every row's prompt is the blinded case rendered by clinreason's own prompt code
(`strategies.prompts.messages` with the reasoning instruction), so exports and
`clinreason train grpo` share one prompt and one reply format: a JSON object
`{"reasoning": ..., "answer": ...}` that `verify.rewards.format_reward` parses. The reply is
rendered from the trace, not copied from a model call: the reasoning is the text of the steps
the answer rests on (thoughts, extractions, tool results; model calls themselves are left
out), so traces of every strategy export the same way.

Which traces go where (one rule, `classify`):

- `good` (SFT rows, DPO chosen): answered, scored correct and fully verified (every claim on
  the answer's support path supported; `fully_verified` on the result line, else
  `trust.assess` over the stored verdicts);
- `bad` (DPO rejected): answered and scored wrong, or any claim / verdict contradicted;
- anything else is skipped with its reason (error, no answer, no gold, right but not fully
  verified, no trace).

>>> from clinreason.trace import Case
>>> row = sft_row(Case(id="1", question="K+ 6.1: high?", options={"A": "yes", "B": "no"}),
...               "K is 6.1, above 5.0.", "A")
>>> [m["role"] for m in row["messages"]], json.loads(row["messages"][-1]["content"])["answer"]
(['system', 'user', 'assistant'], 'A')
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from clinreason.bench.base import CaseResult
from clinreason.bench.rundir import read_results
from clinreason.strategies.prompts import instruction, messages
from clinreason.trace import Case, LLMCall, Thought, Trace
from clinreason.verify.trust import assess

Kind = Literal["good", "bad", "skip"]


@dataclass
class ExportStats:
    """What was exported and what was skipped, and why."""

    rows: int = 0
    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        """Counts as printable lines."""
        out = [f"read {self.read} results, wrote {self.rows} rows"]
        out += [f"  skipped {n}: {why}" for why, n in self.skipped.most_common()]
        return out


def prompt_messages(case: Case) -> list[dict[str, str]]:
    """The chat prompt of a case (blinded first: no gold ever reaches a prompt)."""
    blind = case.blinded()
    return [m.model_dump() for m in messages(blind, instruction(blind, reasoning=True))]


def reasoning_text(trace: Trace) -> str:
    """The text of the steps the answer rests on, in trace order (model calls left out)."""
    support = trace.answer.support if trace.answer else []
    ids = set(trace.ancestors(list(support)))
    parts = []
    for step in trace.steps:
        if step.id not in ids or isinstance(step, LLMCall):
            continue
        text = step.text if isinstance(step, Thought) else step.summary()
        if text.strip():
            parts.append(" ".join(text.split()))
    return " ".join(parts)


def reply(reasoning: str, answer: str) -> str:
    """The assistant reply in the format the prompt asks for."""
    return json.dumps({"reasoning": reasoning, "answer": answer}, ensure_ascii=False)


def sft_row(case: Case, reasoning: str, answer: str) -> dict[str, Any]:
    """One SFT row in TRL's conversational format (`messages`)."""
    assistant = {"role": "assistant", "content": reply(reasoning, answer)}
    return {"messages": [*prompt_messages(case), assistant]}


def _fully_verified(result: CaseResult, trace: Trace) -> bool:
    if result.fully_verified is not None:
        return result.fully_verified
    if trace.trust is not None:
        return trace.trust.fully_verified
    return assess(trace, result.verdicts)[1].fully_verified


def _contradicted(result: CaseResult, trace: Trace) -> bool:
    verdicts = [*result.verdicts, *trace.verdicts]
    return any(v.status == "contradicted" for v in verdicts) or any(
        c.status == "contradicted" for c in trace.claims
    )


def classify(result: CaseResult) -> tuple[Kind, str]:
    """(`good` | `bad` | `skip`, reason) for one result (see the module docstring)."""
    trace = result.trace
    if trace is None:
        return "skip", "no trace stored"
    if result.status == "error" or trace.error is not None:
        return "skip", "error"
    if answer_of(result) is None:
        return "skip", "no answer"
    if result.correct is None:
        return "skip", "no gold answer to score against"
    if not result.correct:
        return "bad", "wrong answer"
    if _contradicted(result, trace):
        return "bad", "right answer but a claim is contradicted"
    if not _fully_verified(result, trace):
        return "skip", "right but not fully verified"
    return "good", "right and fully verified"


def answer_of(result: CaseResult) -> str | None:
    """The scored answer: the result line's (imported runs extract it at scoring), else the
    trace's."""
    if result.answer is not None:
        return result.answer
    trace = result.trace
    return trace.answer.value if trace is not None and trace.answer is not None else None


def _rendered(result: CaseResult) -> str:
    trace, answer = result.trace, answer_of(result)
    assert trace is not None and answer is not None
    return reply(reasoning_text(trace), answer)


def _case_key(result: CaseResult) -> tuple[str, str]:
    trace = result.trace
    assert trace is not None
    blind = trace.case.blinded()
    return result.case_id, json.dumps(prompt_messages(blind))


def export_sft(run_dirs: Sequence[Path], out: Path) -> ExportStats:
    """Write SFT rows (right and fully verified traces) of the runs to `out` (JSONL)."""
    stats = ExportStats()
    seen: set[str] = set()
    rows = []
    for result in _results(run_dirs, stats):
        kind, why = classify(result)
        if kind != "good":
            stats.skipped[why] += 1
            continue
        trace, answer = result.trace, answer_of(result)
        assert trace is not None and answer is not None
        row = sft_row(trace.case, reasoning_text(trace), answer)
        key = json.dumps(row, sort_keys=True)
        if key in seen:
            stats.skipped["duplicate of an exported row"] += 1
            continue
        seen.add(key)
        rows.append({**row, "case_id": result.case_id})
    _write(out, rows)
    stats.rows = len(rows)
    return stats


def export_dpo(run_dirs: Sequence[Path], out: Path, *, max_pairs_per_case: int = 4) -> ExportStats:
    """Write preference pairs (chosen: right and fully verified; rejected: wrong or contradicted)
    from the same case, across all the runs given, to `out` (JSONL; TRL's conversational
    preference format `prompt`/`chosen`/`rejected`)."""
    stats = ExportStats()
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    for result in _results(run_dirs, stats):
        kind, why = classify(result)
        if kind == "skip":
            stats.skipped[why] += 1
            continue
        group = groups.setdefault(_case_key(result), {"good": [], "bad": []})
        text = _rendered(result)
        if text not in group[kind]:
            group[kind].append(text)
    rows = []
    for (case_id, prompt), group in groups.items():
        if not group["good"] or not group["bad"]:
            missing = "right-and-verified" if not group["good"] else "wrong or contradicted"
            stats.skipped[f"no {missing} trace of the same case to pair with"] += len(
                group["good"]
            ) + len(group["bad"])
            continue
        pairs = itertools.islice(itertools.product(group["good"], group["bad"]), max_pairs_per_case)
        for chosen, rejected in pairs:
            rows.append(
                {
                    "prompt": json.loads(prompt),
                    "chosen": [{"role": "assistant", "content": chosen}],
                    "rejected": [{"role": "assistant", "content": rejected}],
                    "case_id": case_id,
                }
            )
    _write(out, rows)
    stats.rows = len(rows)
    return stats


def _results(run_dirs: Sequence[Path], stats: ExportStats) -> Iterable[CaseResult]:
    for run_dir in run_dirs:
        for result in read_results(Path(run_dir)):
            stats.read += 1
            yield result


def _write(out: Path, rows: list[dict[str, Any]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(out)

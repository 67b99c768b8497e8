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

DPO also takes step pairs (after Med-REFL; `step_pairs`): two traces of the same case that
share their first reasoning steps, where the verifiers flag a step (contradicted, or an
ambiguous reading) in one trace's continuation, and no step of the other, whose continuation
has a step they found evidence for. Which step is flagged
comes from the verifiers alone, never from the gold; the gold only keeps a wrong answer from
being chosen.

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
from clinreason.trace import Case, Check, LLMCall, Thought, Trace, Verdict
from clinreason.verify.trust import assess

Kind = Literal["good", "bad", "skip"]


@dataclass
class ExportStats:
    """What was exported and what was skipped, and why."""

    rows: int = 0
    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    detail: str = ""
    """What the rows are, when there are kinds (e.g. outcome and step pairs)."""

    def lines(self) -> list[str]:
        """Counts as printable lines."""
        detail = f" ({self.detail})" if self.detail else ""
        out = [f"read {self.read} results, wrote {self.rows} rows{detail}"]
        out += [f"  skipped {n}: {why}" for why, n in self.skipped.most_common()]
        return out


def prompt_messages(case: Case) -> list[dict[str, str]]:
    """The chat prompt of a case (blinded first: no gold ever reaches a prompt)."""
    blind = case.blinded()
    return [m.model_dump() for m in messages(blind, instruction(blind, reasoning=True))]


def reasoning_steps(trace: Trace) -> list[tuple[str, str]]:
    """(step id, text) of the steps the answer rests on, in trace order; model calls and the
    checks run on the answer (re-asks, citation judgements) are left out: a policy writes
    neither."""
    support = trace.answer.support if trace.answer else []
    ids = set(trace.ancestors(list(support)))
    out = []
    for step in trace.steps:
        if step.id not in ids or isinstance(step, LLMCall | Check):
            continue
        text = " ".join((step.text if isinstance(step, Thought) else step.summary()).split())
        if text:
            out.append((step.id, text))
    return out


def reasoning_text(trace: Trace) -> str:
    """The text of the steps the answer rests on (`reasoning_steps`), as one paragraph."""
    return " ".join(text for _, text in reasoning_steps(trace))


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


def _verdicts(result: CaseResult) -> list[Verdict]:
    """The verdicts of the result line, of its trace, and of the checks inside the trace."""
    trace = result.trace
    assert trace is not None
    return [*result.verdicts, *trace.verdicts, *(s.verdict for s in trace.steps_of(Check))]


def flagged_steps(result: CaseResult) -> set[str]:
    """Ids of the steps a verifier contradicted or read as ambiguous (the gold plays no part)."""
    assert result.trace is not None
    flagged = {
        v.step_id
        for v in _verdicts(result)
        if v.step_id and (v.status == "contradicted" or v.details.get("ambiguous"))
    }
    return flagged | {c.step_id for c in result.trace.claims if c.status == "contradicted"}


def verified_steps(result: CaseResult) -> set[str]:
    """Ids of the steps a verifier found evidence for (not only that a quote is in the note)."""
    return {
        v.step_id
        for v in _verdicts(result)
        if v.step_id and v.status == "supported" and v.details.get("check") != "span"
    }


@dataclass
class SteppedTrace:
    """One answered trace as rendered reasoning steps, for step pairs."""

    steps: list[str]
    first_flag: int | None
    """Index of the first flagged step (None: no step flagged)."""
    verified: set[int]
    """Indexes of the steps a verifier found evidence for."""
    clean: bool
    """No step flagged, nothing contradicted, and the answer not scored wrong."""
    reply: str


def _answered(result: CaseResult) -> bool:
    trace = result.trace
    ok = trace is not None and trace.error is None and result.status != "error"
    return ok and answer_of(result) is not None


def _stepped(result: CaseResult) -> SteppedTrace:
    trace, answer = result.trace, answer_of(result)
    assert trace is not None and answer is not None
    steps = reasoning_steps(trace)
    flags, verified = flagged_steps(result), verified_steps(result)
    first = next((i for i, (sid, _) in enumerate(steps) if sid in flags), None)
    clean = first is None and not _contradicted(result, trace) and result.correct is not False
    texts = [text for _, text in steps]
    found = {i for i, (sid, _) in enumerate(steps) if sid in verified}
    return SteppedTrace(texts, first, found, clean, reply(" ".join(texts), answer))


def step_pairs(traces: Sequence[SteppedTrace]) -> Iterable[tuple[SteppedTrace, SteppedTrace, int]]:
    """(chosen, rejected, shared steps) of one case: the rejected trace has a flagged step after
    the steps both share; the chosen trace has none, and a verified step after the shared ones
    (a bare answer is no better reasoning)."""
    for bad, good in itertools.product(traces, traces):
        if bad.first_flag is None or not good.clean or good.reply == bad.reply:
            continue
        shared = _shared_prefix(bad.steps, good.steps)
        if shared <= bad.first_flag and max(good.verified, default=-1) >= shared:
            yield good, bad, shared


def _shared_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def export_dpo(
    run_dirs: Sequence[Path],
    out: Path,
    *,
    max_pairs_per_case: int = 4,
    with_step_pairs: bool = True,
) -> ExportStats:
    """Write preference pairs from the same case, across all the runs given, to `out` (JSONL;
    TRL's conversational preference format `prompt`/`chosen`/`rejected`, plus `case_id` and
    `pair`): outcome pairs (chosen: right and fully verified; rejected: wrong or contradicted)
    and, with `with_step_pairs`, step pairs (`step_pairs`; also `shared_steps`, `flagged`)."""
    stats = ExportStats()
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    stepped: dict[tuple[str, str], list[SteppedTrace]] = {}
    for result in _results(run_dirs, stats):
        kind, why = classify(result)
        if with_step_pairs and _answered(result):
            stepped.setdefault(_case_key(result), []).append(_stepped(result))
        if kind == "skip":
            stats.skipped[why] += 1
            continue
        group = groups.setdefault(_case_key(result), {"good": [], "bad": []})
        text = _rendered(result)
        if text not in group[kind]:
            group[kind].append(text)
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def add(key: tuple[str, str], chosen: str, rejected: str, **extra: Any) -> None:
        seen.add((chosen, rejected))
        rows.append({
            "prompt": json.loads(key[1]),
            "chosen": [{"role": "assistant", "content": chosen}],
            "rejected": [{"role": "assistant", "content": rejected}],
            "case_id": key[0],
            **extra,
        })  # fmt: skip

    for key, group in groups.items():
        if not group["good"] or not group["bad"]:
            missing = "right-and-verified" if not group["good"] else "wrong or contradicted"
            stats.skipped[f"no {missing} trace of the same case to pair with"] += len(
                group["good"]
            ) + len(group["bad"])
            continue
        pairs = itertools.islice(itertools.product(group["good"], group["bad"]), max_pairs_per_case)
        for chosen, rejected in pairs:
            add(key, chosen, rejected, pair="outcome")
    outcome_rows = len(rows)
    for key, traces in stepped.items() if with_step_pairs else ():
        fresh = (
            (good, bad, shared)
            for good, bad, shared in step_pairs(traces)
            if (good.reply, bad.reply) not in seen
        )
        for good, bad, shared in itertools.islice(fresh, max_pairs_per_case):
            add(key, good.reply, bad.reply, pair="step", shared_steps=shared,
                flagged=bad.steps[bad.first_flag or 0])  # fmt: skip
    _write(out, rows)
    stats.rows = len(rows)
    if with_step_pairs:
        stats.detail = f"{outcome_rows} outcome pairs, {len(rows) - outcome_rows} step pairs"
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

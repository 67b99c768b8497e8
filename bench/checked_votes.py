"""Do the votes `self_consistency -S checked=true` drops belong to wrong samples? (issue 12, item 4)

Reads a finished `self_consistency -S checked=true` run and reports, on the system's own samples:

- how many samples lost their vote (a `check` step with `vote_dropped`), by verifier, and how
  many of those dropped samples answered wrongly, against the wrong share of the kept samples;
- the cases where the checked vote differs from the plain majority of all samples, and whether
  the change turned a wrong answer right or a right one wrong.

Gold answers are used only as labels here, never by the strategy.

    .venv/bin/python bench/checked_votes.py runs/medqa-sc3-checked [--show 5]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from clinreason.bench.rundir import read_results
from clinreason.strategies.prompts import extract_answer
from clinreason.strategies.self_consistency import majority
from clinreason.trace import Check, LLMCall, Thought


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--show", type=int, default=5, help="dropped samples to print")
    args = ap.parse_args()
    results = [r for r in read_results(args.run) if r.trace is not None and r.gold is not None]
    if not results or results[0].trace.strategy.params.get("checked") is not True:  # type: ignore[union-attr]
        raise SystemExit(f"{args.run}: not a finished `self_consistency -S checked=true` run")
    kept_wrong = kept = dropped_wrong = 0
    by_verifier: Counter[str] = Counter()
    changed: Counter[str] = Counter()
    shown = 0
    for r in results:
        trace = r.trace
        assert trace is not None
        drops = {
            c.parents[0]: c for c in trace.steps_of(Check) if "vote_dropped" in c.verdict.details
        }
        # each sample's answer read from the model's reply, as the strategy read it
        (call,) = [c for c in trace.steps_of(LLMCall) if c.purpose.startswith("sample_")]
        texts = call.response.texts if call.response is not None else []
        answers = [extract_answer(trace.case, text) for text in texts]
        for t, answer in zip(trace.steps_of(Thought), answers, strict=True):
            if t.id in drops:
                by_verifier[drops[t.id].verdict.verifier] += 1
                dropped_wrong += answer != r.gold
                if shown < args.show:
                    v = drops[t.id].verdict
                    print(f"{r.case_id}: dropped {answer} (gold {r.gold}): {v.claim}")
                    print(f"    {v.evidence}")
                    shown += 1
            else:
                kept += 1
                kept_wrong += answer != r.gold
        plain = majority(answers)[1]
        if plain != r.answer:
            key = (
                "wrong -> right"
                if r.answer == r.gold
                else ("right -> wrong" if plain == r.gold else "wrong -> wrong")
            )
            changed[key] += 1
    dropped = sum(by_verifier.values())
    print(f"\n{args.run}: {len(results)} cases, {kept + dropped} samples")
    print(f"dropped {dropped} samples ({dict(by_verifier)}); wrong among dropped: {dropped_wrong}")
    print(f"kept {kept} samples; wrong among kept: {kept_wrong}")
    print(
        f"answer differs from the plain majority in {sum(changed.values())} cases: {dict(changed)}"
    )


if __name__ == "__main__":
    main()

"""What do the free-text readers contradict in real chain-of-thought text? (issue 12)

Re-verifies every answered trace of finished run directories with the two verifiers that read
reasoning sentences (`grounding`: patient facts against the note; `kg`: disease-finding relations
against HPO) and lists each contradicted claim with its sentence's verdict evidence and whether
the answer was right, so each can be judged by hand: a true catch of a real error, or a false
alarm. Gold answers are used only as labels. No model is run.

    clinreason import ../shared/data/mirage/published_predictions.jsonl --dataset mirage \\
        --data ../shared/data/mirage/dev.json --id-field '{dataset}/{qid}' --output-field raw \\
        --where model=gpt-4-32k --where method=cot --name "GPT-4 CoT" --out runs/pub-gpt-4-32k-cot
    .venv/bin/python bench/real_text_checks.py runs/pub-gpt-4-32k-cot [...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clinreason.bench.rundir import read_results
from clinreason.verify import verify_trace

READERS = ("grounding", "kg")


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", type=Path)
    args = ap.parse_args()
    traces = flagged = flagged_wrong = wrong = verdicts = 0
    for run in args.runs:
        for r in read_results(run):
            if r.trace is None or r.answer is None:
                continue
            traces += 1
            wrong += r.correct is False
            found = verify_trace(r.trace, READERS)
            verdicts += len(found)
            bad = [v for v in found if v.status == "contradicted"]
            if not bad:
                continue
            flagged += 1
            flagged_wrong += r.correct is False
            label = "wrong" if r.correct is False else "right"
            for v in bad:
                print(f"{run.name} {r.case_id} ({label} answer) {v.verifier}: {v.claim}")
                print(f"    {v.evidence}")
    print(
        f"\n{traces} answered traces ({wrong} wrong), {verdicts} verdicts of {', '.join(READERS)}; "
        f"{flagged} traces with a contradicted claim, {flagged_wrong} of them wrong answers"
    )


if __name__ == "__main__":
    main()

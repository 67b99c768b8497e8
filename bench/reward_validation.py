"""Reward validation: does each GRPO reward clinreason offers pay right answers and not wrong ones?

For every reward in `clinreason.train.rewards.REWARDS`, over stored traces that need no local
language model, prints: how many traces it scores (the rest get None), AUROC for right vs wrong
answers, its mean on right and on wrong answers, and how often it pays a wrong answer
(reward >= 0.5). Then the cheapest ways to game it, each with the trace's own answer: the
answer alone (no reasoning), reasoning with no checkable claim, and the patient note copied as
the reasoning; for each, the mean reward on right and on wrong answers.

Sources (development slices in ../shared/data; run dirs are made once under --work and reused):
- `calculator-rules`: the calculator strategy with no model (`bench/medcalc_eval.py
  --rules-only`) on the MedCalc-Bench dev slice;
- `medcalc-gpt-4o-mini-direct`: the MedCalc-Bench authors' published gpt-4o-mini answers
  (direct-answer prompt: answers without reasoning), imported with `clinreason.bench.importer`;
- `mirage-<model>-<method>`: MIRAGE's published GPT-4 / GPT-3.5 chain-of-thought and MedRAG
  outputs (200 questions each).
Every reply is rendered from the stored trace as the JSON reply the training prompt asks for
(`clinreason.train.export.reply`), so the rewards read what a policy would write.

Usage:
    python bench/reward_validation.py [--data-dir ../shared/data] [--work runs/reward-validation]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from clinreason.bench import BENCHMARKS
from clinreason.bench.importer import ImportSpec, import_predictions
from clinreason.bench.rundir import read_results
from clinreason.bench.stats import auroc
from clinreason.train.data import case_row
from clinreason.train.export import answer_of, reasoning_text, reply
from clinreason.train.rewards import REWARDS

ROOT = Path(__file__).resolve().parents[1]
NO_CLAIMS = "I considered the findings in the note and the question carefully before answering."
MEDCALC_SETTINGS = {  # published answers without reasoning (the authors' direct-answer prompt)
    "gpt-4o-mini-direct": (
        "openai_gpt-4o-mini_direct_answer",
        "f557a04eed9dd1182f7045ca60c3e066e5eb19af",
    ),
}
MIRAGE_SYSTEMS = (("gpt-4-32k", "cot"), ("gpt-35-turbo-16k", "cot"), ("gpt-4-32k", "rag_32"))


def make_runs(data: Path, work: Path) -> dict[str, Path]:
    """The run directories of every source (made once, then reused)."""
    runs: dict[str, Path] = {}
    calc = work / "calculator-rules"
    if not (calc / "summary.json").is_file():
        print("running the calculator strategy rules-only on the MedCalc-Bench dev slice ...")
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "medcalc_eval.py"), "--rules-only",
             "--data", str(data / "medcalc-bench" / "dev.csv"), "--out", str(calc)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    runs["calculator-rules"] = calc
    for name, (setting, commit) in MEDCALC_SETTINGS.items():
        out = work / f"medcalc-{name}"
        if not (out / "summary.json").is_file():
            import_predictions(
                data / "medcalc-bench" / "published_outputs.jsonl",
                benchmark=BENCHMARKS["medcalc"](),
                data=data / "medcalc-bench" / "dev.csv", out_dir=out,
                spec=ImportSpec(id_field="row_number_v1", output_field="LLM Explanation",
                                answer_field="LLM Answer", reasoning_field="LLM Explanation",
                                where={"setting": setting, "commit": commit}),
            )  # fmt: skip
        runs[f"medcalc-{name}"] = out
    for model, method in MIRAGE_SYSTEMS:
        out = work / f"mirage-{model}-{method}"
        if not (out / "summary.json").is_file():
            import_predictions(
                data / "mirage" / "published_predictions.jsonl", benchmark=BENCHMARKS["mirage"](),
                data=data / "mirage" / "dev.json", out_dir=out,
                spec=ImportSpec(id_field="{dataset}/{qid}", output_field="raw",
                                where={"model": model, "method": method}),
            )  # fmt: skip
        runs[f"mirage-{model}-{method}"] = out
    return runs


def samples(run_dir: Path) -> list[tuple[dict, bool, str, str]]:
    """(reward columns, correct, reasoning, answer) of each answered, scored result."""
    out = []
    for result in read_results(run_dir):
        case, trace = result.full_case(), result.trace
        answer = answer_of(result)
        if case is None or trace is None or result.correct is None or answer is None:
            continue
        out.append((case_row(case), bool(result.correct), reasoning_text(trace), answer))
    return out


FORMS = {
    "as written": lambda row, reasoning, answer: reply(reasoning, answer),
    "answer only": lambda row, reasoning, answer: reply("", answer),
    "no checkable claim": lambda row, reasoning, answer: reply(NO_CLAIMS, answer),
    "note copied": lambda row, reasoning, answer: reply(row["context"] or row["question"], answer),
}


def score(name: str, items: list[tuple[dict, bool, str, str]], form: str) -> list[float | None]:
    """The reward of each item's reply in one form, one call per item (rows differ)."""
    reward, make = REWARDS[name], FORMS[form]
    out = []
    for row, _, reasoning, answer in items:
        columns = {k: [v] for k, v in row.items() if k != "prompt"}
        out.append(reward([row["prompt"]], [make(row, reasoning, answer)], **columns)[0])
    return out


def _mean(xs: list[float]) -> str:
    return f"{sum(xs) / len(xs):.2f}" if xs else "–"


def report(source: str, items: list[tuple[dict, bool, str, str]]) -> None:
    """Print one source's table."""
    n_right = sum(ok for _, ok, _, _ in items)
    print(f"\n## {source}: {len(items)} answered traces, {n_right} right")
    print("| reward | scored | AUROC | mean right | mean wrong | pays wrong (>=0.5) | "
          "answer only r/w | no checkable claim r/w | note copied r/w |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name in REWARDS:
        cells = []
        for form in FORMS:
            values = score(name, items, form)
            pairs = [
                (v, ok) for v, (_, ok, _, _) in zip(values, items, strict=True) if v is not None
            ]
            right = [v for v, ok in pairs if ok]
            wrong = [v for v, ok in pairs if not ok]
            if form == "as written":
                area = auroc([v for v, _ in pairs], [ok for _, ok in pairs]) if pairs else None
                pays = f"{sum(v >= 0.5 for v in wrong)}/{len(wrong)}" if wrong else "–"
                cells += [f"{len(pairs)}/{len(items)}", "–" if area is None else f"{area:.2f}",
                          _mean(right), _mean(wrong), pays]  # fmt: skip
            else:
                cells.append(f"{_mean(right)} / {_mean(wrong)}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("runs/reward-validation"))
    args = ap.parse_args()
    if not args.data_dir.is_dir():
        sys.exit(f"development data not found at {args.data_dir} (give --data-dir)")
    started = time.perf_counter()
    for source, run_dir in make_runs(args.data_dir, args.work).items():
        report(source, samples(run_dir))
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Reward validation: does each GRPO reward clinreason offers pay right answers and not wrong ones?

For every reward in `clinreason.train.rewards.REWARDS`, over stored traces, prints: how many
traces it scores (the rest get None), AUROC for right vs wrong answers with its 95% bootstrap
interval, its mean on right and on wrong answers, and how often it pays a wrong answer
(reward >= 0.5). Then the cheapest ways to game it, each with the trace's own answer: the
answer alone (no reasoning), reasoning with no checkable claim, and the patient note copied as
the reasoning; for each, the mean reward on right and on wrong answers.

Sources (development slices in ../shared/data; run dirs are made once under --work and reused):
- `calculator-rules`: the calculator strategy with no model (`bench/medcalc_eval.py
  --rules-only`) on the MedCalc-Bench dev slice;
- `medcalc-gpt-4o-mini-direct`: the MedCalc-Bench authors' published gpt-4o-mini answers
  (direct-answer prompt: answers without reasoning), imported with `clinreason.bench.importer`;
- `mirage-<model>-<method>`: MIRAGE's published GPT-4 / GPT-3.5 chain-of-thought and MedRAG
  outputs (200 questions each);
- every RUN given as an argument: a run directory, or a folder of run directories pooled as one
  source (e.g. clinreason's own `cot` runs with re-asks); absent ones are skipped with a message.

Besides the rewards, each table has `trust of the trace`: the trust score (`verify.trust.assess`
with the shipped calibration, the verifiers re-run as `bench/trust_eval.py` does) of the trace as
the strategy made it,
with its own checks such as re-asks, which a GRPO reward cannot see (the `trust` reward reads
the reply alone).
Every reply is rendered from the stored trace as the JSON reply the training prompt asks for
(`clinreason.train.export.reply`), so the rewards read what a policy would write.

Usage:
    python bench/reward_validation.py [RUN ...] [--data-dir ../shared/data]
        [--work runs/reward-validation] [--only-runs]
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
from clinreason.bench.stats import auroc, auroc_interval
from clinreason.train.data import case_row
from clinreason.train.export import answer_of, reasoning_text, reply
from clinreason.train.rewards import REWARDS
from clinreason.verify import verify_trace
from clinreason.verify.trust import assess

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


Item = tuple[dict, bool, str, str, float | None]
"""(reward columns, correct, reasoning, answer, the trust of the stored trace)."""


def samples(run_dir: Path) -> list[Item]:
    """The answered, scored results of a run directory."""
    out = []
    for result in read_results(run_dir):
        case, trace = result.full_case(), result.trace
        answer = answer_of(result)
        if case is None or trace is None or result.correct is None or answer is None:
            continue
        trust = assess(trace, verify_trace(trace, case=trace.case.blinded()))[1].score
        out.append((case_row(case), bool(result.correct), reasoning_text(trace), answer, trust))
    return out


def run_dirs(path: Path) -> list[Path]:
    """A run directory, or the run directories directly inside a folder."""
    if (path / "results.jsonl").is_file():
        return [path]
    return sorted(p for p in path.iterdir() if (p / "results.jsonl").is_file())


FORMS = {
    "as written": lambda row, reasoning, answer: reply(reasoning, answer),
    "answer only": lambda row, reasoning, answer: reply("", answer),
    "no checkable claim": lambda row, reasoning, answer: reply(NO_CLAIMS, answer),
    "note copied": lambda row, reasoning, answer: reply(row["context"] or row["question"], answer),
}


def score(name: str, items: list[Item], form: str) -> list[float | None]:
    """The reward of each item's reply in one form, one call per item (rows differ)."""
    reward, make = REWARDS[name], FORMS[form]
    out = []
    for row, _, reasoning, answer, _ in items:
        columns = {k: [v] for k, v in row.items() if k != "prompt"}
        out.append(reward([row["prompt"]], [make(row, reasoning, answer)], **columns)[0])
    return out


def _mean(xs: list[float]) -> str:
    return f"{sum(xs) / len(xs):.2f}" if xs else "–"


def _area(values: list[float], correct: list[bool]) -> str:
    area = auroc(values, correct) if values else None
    if area is None:
        return "–"
    low, high = auroc_interval(values, correct) or (area, area)
    return f"{area:.2f} ({low:.2f}–{high:.2f})"


def _as_written(values: list[float | None], items: list[Item]) -> list[str]:
    """Scored, AUROC (CI), mean right, mean wrong, wrong answers paid."""
    pairs = [(v, item[1]) for v, item in zip(values, items, strict=True) if v is not None]
    right = [v for v, ok in pairs if ok]
    wrong = [v for v, ok in pairs if not ok]
    pays = f"{sum(v >= 0.5 for v in wrong)}/{len(wrong)}" if wrong else "–"
    area = _area([v for v, _ in pairs], [ok for _, ok in pairs])
    return [f"{len(pairs)}/{len(items)}", area, _mean(right), _mean(wrong), pays]


def report(source: str, items: list[Item]) -> None:
    """Print one source's table."""
    n_right = sum(item[1] for item in items)
    print(f"\n## {source}: {len(items)} answered traces, {n_right} right")
    print("| reward | scored | AUROC (95% CI) | mean right | mean wrong | pays wrong (>=0.5) | "
          "answer only r/w | no checkable claim r/w | note copied r/w |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name in REWARDS:
        cells = _as_written(score(name, items, "as written"), items)
        for form in list(FORMS)[1:]:
            values = score(name, items, form)
            right = [v for v, item in zip(values, items, strict=True) if v is not None and item[1]]
            wrong = [
                v for v, item in zip(values, items, strict=True) if v is not None and not item[1]
            ]
            cells.append(f"{_mean(right)} / {_mean(wrong)}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    cells = _as_written([item[4] for item in items], items) + ["–"] * (len(FORMS) - 1)
    print("| trust of the trace (its own checks) | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="*", type=Path, help="run directories, or folders of them")
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("runs/reward-validation"))
    ap.add_argument("--only-runs", action="store_true", help="only the RUNs given")
    args = ap.parse_args()
    started = time.perf_counter()
    sources: dict[str, list[Path]] = {}
    if not args.only_runs and args.data_dir.is_dir():
        sources = {name: [d] for name, d in make_runs(args.data_dir, args.work).items()}
    elif not args.only_runs:
        print(f"development data not found at {args.data_dir} (give --data-dir): "
              "skipping the calculator and published-output sources")  # fmt: skip
    given: dict[str, list[Path]] = {}
    for path in args.runs:
        found = run_dirs(path) if path.is_dir() else []
        if found:
            given[path.name] = found
        else:
            print(f"skipping {path}: no run directory there")
    sources.update(given)
    if len(given) > 1:
        sources["all runs given"] = [d for dirs in given.values() for d in dirs]
    if not sources:
        sys.exit("nothing to validate: no development data and no run directory")
    for source, dirs in sources.items():
        print(f"{source}: reading {len(dirs)} run director{'y' if len(dirs) == 1 else 'ies'} ...",
              file=sys.stderr, flush=True)  # fmt: skip
        report(source, [item for d in dirs for item in samples(d)])
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

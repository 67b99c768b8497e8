"""Screenshots of the web page for the docs: a real `clinreason serve --backend fake` on a free
loopback port, driven by Debian's chromium through Playwright; the run browser over two small
runs written by `clinreason eval --backend fake` into a temporary directory; "Why?" on a step
answered by a scripted OpenAI-compatible server (a fixed reply, so the checks show); a model
call under way, its words streamed slowly by a scripted server.

Usage:
    .venv/bin/python bench/web_screenshots.py            # writes docs/screenshots/web-*.png
    .venv/bin/python bench/web_screenshots.py --out /tmp/shots
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from clinreason.api.local import CLI, local_server
from clinreason.backends.scripted_server import scripted_server_thread

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
WHY_REPLY = (
    "The weight is 80 kg, so the adjusted body weight is used. "
    "The patient has hypertension. Serum creatinine is 2.4 mg/dL. "
    "Adjusted body weight avoids overestimating clearance in overweight patients."
)
"""A scripted reply: a note fact, a value the note gives otherwise, and medical knowledge."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with local_server("--backend", "fake") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.goto(f"{url}/")
        case = json.loads((ROOT / "examples" / "crcl_case.json").read_text())
        page.fill("#case-json", json.dumps(case, indent=1))
        page.click("#run")
        page.wait_for_selector("#answer")
        page.click("#note-view a.hl >> nth=3")  # lands on its step
        page.locator("#result").screenshot(path=str(out / "web-explain.png"))
        page.fill("#whatif-form tr[data-name=creatinine] input >> nth=0", "2.1")
        page.click("#whatif-run")
        page.wait_for_selector("#whatif-answer")
        page.locator(".whatif").screenshot(path=str(out / "web-whatif.png"))
        page.goto(f"{url}/")
        page.set_viewport_size({"width": 1100, "height": 1300})
        page.fill("#note", (ROOT / "examples" / "note.txt").read_text())
        page.select_option("#strategy", "self_consistency")
        page.click("#run")
        page.wait_for_selector("#answer")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "web-form.png"))
        page.goto(f"{url}/")  # the differential of a phenotype case (no model needed)
        page.fill("#case-json", (ROOT / "examples" / "phenotype_case.json").read_text())
        page.select_option("#strategy", "diagnose")
        page.click("#run")
        page.wait_for_selector("#differential", timeout=120_000)
        page.click("#differential .ddx-list > li >> nth=0 >> summary")
        page.locator("#differential").screenshot(path=str(out / "web-differential.png"))
        with (
            tempfile.TemporaryDirectory() as runs,
            local_server("--backend", "fake", "--runs", _make_runs(Path(runs))) as runs_url,
        ):
            page.goto(f"{runs_url}/runs")
            page.wait_for_selector("#runs-table")
            page.click("button[data-run='medcalc/cot']")
            page.wait_for_selector("#cases-table")
            page.select_option("#baseline", "medcalc/calculator")
            page.select_option("#other", "medcalc/cot")
            page.click("#compare-run")
            page.wait_for_selector("#compare-table")
            page.locator("main").screenshot(path=str(out / "web-runs.png"))
        _why(page, out)
        _streaming(page, out)
        browser.close()
    print("wrote", *sorted(p.name for p in out.glob("web-*.png")))


def _why(page: Any, out: Path) -> None:
    """ "Why?" on the calculation step of the creatinine clearance case."""
    with scripted_server_thread(lambda body: WHY_REPLY) as base:
        options = ("--backend", "openai", "--base-url", base, "--model", "scripted", "--no-cache")
        with local_server(*options) as url:
            page.goto(f"{url}/")
            page.fill("#case-json", (ROOT / "examples" / "crcl_case.json").read_text())
            page.select_option("#strategy", "calculator")
            page.click("#run")
            page.wait_for_selector("#answer")
            step = page.locator("#result-steps li.step-tool_call")
            step.locator("button.why-open").click()
            step.locator(".why-answer").wait_for()
            step.screenshot(path=str(out / "web-why.png"))


def _streaming(page: Any, out: Path) -> None:
    """`cot` on note.txt while the model writes (a scripted server, 8 words a second)."""
    sentence = "ST elevation in II, III and aVF points to the inferior wall. "
    reply = json.dumps({"reasoning": sentence * 6, "answer": "C"})
    with scripted_server_thread(lambda body: reply, token_delay=0.12) as base:
        options = ("--backend", "openai", "--base-url", base, "--model", "scripted", "--no-cache")
        with local_server(*options) as url:
            page.goto(f"{url}/")
            page.set_viewport_size({"width": 1100, "height": 900})
            page.fill("#note", (ROOT / "examples" / "note.txt").read_text())
            page.select_option("#strategy", "cot")
            page.click("#run")
            page.locator("#live-call").wait_for()
            page.wait_for_timeout(3000)  # about 25 words in
            page.locator("#live").screenshot(path=str(out / "web-streaming.png"))
            page.wait_for_selector("#answer", timeout=60_000)


def _make_runs(root: Path) -> str:
    """Two runs of the tiny MedCalc-Bench sample under `root` (the fake backend: no model)."""
    data = ROOT / "tests" / "bench" / "data" / "medcalc_tiny.csv"
    for strategy in ("calculator", "cot"):
        out = root / "medcalc" / strategy
        args = ["eval", "medcalc", str(data), "--strategy", strategy, "--backend", "fake"]
        subprocess.run([str(CLI), *args, "--no-cache", "--out", str(out)], check=True)
    return str(root)


if __name__ == "__main__":
    main()

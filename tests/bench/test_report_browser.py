"""The HTML report opened in real headless Debian chromium (Playwright, no bundled browser)."""

from __future__ import annotations

import asyncio
import math
import shutil
from pathlib import Path

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.base import Dataset
from clinreason.bench.report import build_report, write_report
from clinreason.bench.runner import run_eval
from clinreason.strategies import ChainOfThought, Direct
from clinreason.trace import Case, GenerateRequest, Generation, TokenLogprob

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
NASTY = '<script>alert("pwned")</script> & <b>not bold</b>'


class ConfidentBackend(FakeBackend):
    """Answers with a token log-probability for the chosen label, so answers carry confidence."""

    async def generate(self, request: GenerateRequest) -> Generation:
        generation = await super().generate(request)
        label = generation.texts[0].split('"answer": "')[-1][:1]
        p = 0.9 if "even" in request.messages[-1].content else 0.6
        tokens = [
            TokenLogprob(token='"', logprob=0.0),
            TokenLogprob(token=label, logprob=math.log(p)),
        ]
        return generation.model_copy(update={"logprobs": [tokens]})


def _dataset() -> Dataset:
    cases = []
    for i in range(12):
        subset = ("medqa", "mmlu", "bioasq")[i % 3]
        parity = "even" if i % 2 == 0 else "odd"
        question = f"Item {i} ({parity}): which option? {NASTY if i == 0 else ''}".strip()
        cases.append(
            Case(
                id=f"{subset}/{i:03d}",
                question=question,
                context=f"Note {i}: fever & cough </pre></details> <img src=x onerror=alert(1)>",
                options={"A": "first", "B": "second <i>x</i>", "C": "third"},
                gold="A" if i % 3 else "B",
                metadata={"dataset": subset},
            )
        )
    return Dataset("synthetic", "1", tuple(cases), "memory", "0" * 64)


def _runs(tmp_path: Path) -> list[Path]:
    bench = MirageBenchmark()
    data = _dataset()

    def reply(request: GenerateRequest) -> str:
        text = request.messages[-1].content
        letter = "A" if "even" in text else "B"
        return f'{{"reasoning": "Fever noted. So {letter}.", "answer": "{letter}"}}'

    first, second = tmp_path / "direct", tmp_path / "cot"
    asyncio.run(
        run_eval(bench, data, Direct(), ConfidentBackend(reply), out_dir=first, progress=False)
    )
    always_a = ConfidentBackend(lambda r: '{"reasoning": "x. y.", "answer": "A"}')
    asyncio.run(run_eval(bench, data, ChainOfThought(), always_a, out_dir=second, progress=False))
    return [first, second]


def test_report_escapes_text_and_inlines_plotly(tmp_path: Path) -> None:
    page = build_report(_runs(tmp_path))
    assert NASTY not in page and "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<script src" not in page and "cdn.plot.ly" not in page.split("</head>")[1]
    assert page.count("<script") == 2 + page.count("Plotly.newPlot")  # library + filter + figures


@pytest.mark.browser
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Debian chromium not installed at {CHROMIUM} (apt-get install chromium)")
    out = write_report(_runs(tmp_path), tmp_path / "report.html", title="Browser test")
    problems: list[str] = []
    dialogs: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(out.as_uri())
            page.wait_for_selector(
                "#fig-reliability .js-plotly-plot, #fig-reliability.js-plotly-plot"
            )
            assert page.title() == "Browser test"
            assert page.locator(".js-plotly-plot").count() == 3  # accuracy, difference, reliability
            assert (
                page.locator("#fig-accuracy .bars path").count() >= 8
            )  # 2 runs x (all + 3 groups)
            assert (
                page.locator("#fig-reliability .scatterlayer .trace").count() == 3
            )  # diagonal + 2
            assert page.locator("table.summary tbody tr").count() == 2
            assert page.locator("table.breakdown tbody tr").count() == 3  # bioasq, medqa, mmlu
            assert page.locator("table.comparison tbody tr").count() == 4  # all + 3 datasets
            assert page.locator("details.case").count() == 24
            # the nasty question is shown as text, not run
            first = page.locator("#cases-0 details.case").first
            first.locator(":scope > summary").click()
            assert NASTY in first.inner_text()
            assert first.locator("li.step.support").count() >= 1  # prediction linked to its steps
            # the filter hides cases
            form = page.locator("form.filter").first
            form.locator("select").select_option("wrong")
            shown = page.locator("#cases-0 details.case:not([hidden])").count()
            assert 0 < shown < 12 and form.locator(".count").inner_text() == f"{shown} shown"
        finally:
            browser.close()
    assert problems == [] and dialogs == []
    assert all(url.startswith("file://") for url in requests), requests

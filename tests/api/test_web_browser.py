"""The web page in real headless Debian chromium (Playwright) against a real `clinreason serve`
process on a free loopback port: with the fake backend and an access token, and with the small
embedded model (SmolLM2-135M)."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from clinreason.api.local import local_server
from clinreason.backends.scripted_server import scripted_server_thread
from clinreason.trace import case_from_text
from tests.api.test_runs import make_runs
from tests.argumentation.test_strategy import GOOD_GEN, GOOD_VER

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
EXAMPLES = Path(__file__).parents[2] / "examples"
NOTE = (EXAMPLES / "note.txt").read_text()
TOKEN = "browser-token-4242"
# Records, in order, each step, the model's words and the answer as they are added to the page.
RECORD_ARRIVALS = """
window.__arrivals = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.id === "live-call-text" && r.addedNodes.length) window.__arrivals.push("words");
    for (const n of r.addedNodes) {
      if (n.nodeType !== 1) continue;
      if (n.matches("#live-steps li.step")) window.__arrivals.push("step");
      if (n.querySelector && n.querySelector("#answer")) window.__arrivals.push("answer");
    }
  }
}).observe(document, {childList: true, subtree: true});
"""

pytestmark = pytest.mark.browser


@contextmanager
def _serve(log: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`clinreason serve` (DEBUG log in `log`); afterwards, the log holds no patient text."""
    with local_server(*options, log=log, log_level="DEBUG", env=env) as url:
        yield url
    logged = log.read_text()
    assert "clinreason on http://127.0.0.1" in logged
    assert "substernal" not in logged and "weighs 80" not in logged  # no patient text logged


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "CLINREASON_WEB_TOKEN": TOKEN}
    log = tmp_path_factory.mktemp("serve") / "stderr.log"
    options = ("--backend", "fake", "--token-env", "CLINREASON_WEB_TOKEN")
    with _serve(log, *options, env=env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Debian chromium not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page with its console errors, dialogs and requests recorded."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page()
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else 0)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.add_init_script(RECORD_ARRIVALS)
        self.page.goto(url + "/")
        self.url = url

    def run(self) -> None:
        self.page.click("#run")
        self.page.wait_for_selector("#answer", timeout=60_000)

    def run_case(self, case_json: str) -> None:
        """Enter the token, paste a case's JSON and run it."""
        self.page.fill("#token", TOKEN)
        self.page.fill("#case-json", case_json)
        self.run()

    def clean(self, *statuses: int) -> None:
        """No console error (other than the failed requests `statuses` expected), no dialog,
        no request to another host."""
        unexpected = [p for p in self.problems if not any(f" {s} " in p for s in statuses)]
        assert unexpected == [] and self.dialogs == []
        assert all(u.startswith(self.url) for u in self.requests), self.requests


def _expected_trust_words(url: str) -> str:
    """The trust words `/v1/explain` (and `clinreason explain`) give for note.txt."""
    case = case_from_text(NOTE, case_id="web").model_dump(mode="json")
    r = httpx.post(
        f"{url}/v1/explain",
        json={"case": case, "strategy": "self_consistency"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    words = r.json()["trust"]["summary"]
    assert words.startswith("Checked ")
    return str(words)


def test_note_steps_stream_then_answer_and_trust_in_words(server, browser):
    w = Watched(browser, server)
    page = w.page
    assert page.title() == "clinreason: explain a case"
    assert page.locator("label[for=note]").inner_text() == "Patient note"
    assert "fake (fake)" in page.locator("#backend").inner_text()
    page.fill("#note", NOTE)  # note, "Question: ..." and the options, as in the file
    page.select_option("#strategy", "self_consistency")
    # no token yet: a clear message, and keyboard focus goes to the token field
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    assert "token" in page.locator("#error").inner_text()
    assert page.evaluate("document.activeElement.id") == "token"
    page.fill("#token", TOKEN)  # entered once, sent as a bearer token from now on
    w.run()
    arrivals = page.evaluate("window.__arrivals")
    assert "answer" in arrivals, arrivals
    before = arrivals[: arrivals.index("answer")]
    assert before.count("step") >= 5, arrivals  # steps shown one by one before the answer
    answer = page.locator("#answer").inner_text()
    assert "A" in answer and "Left anterior descending artery" in answer
    assert "Trust: low" in page.locator("#trust").inner_text()
    assert page.locator(".trust-words").inner_text() == _expected_trust_words(server)
    assert page.locator("#result-steps li.step").count() >= 7
    first = page.locator("#result-steps li.step").first.inner_text()
    assert first.startswith("Step 1") and "Model call" in first
    assert "tokens/s" in page.locator("#run-meta").inner_text()
    assert page.locator("#error").is_hidden()
    w.clean(401)


def test_click_a_highlighted_span_to_land_on_its_step_and_back(server, browser):
    w = Watched(browser, server)
    page = w.page
    w.run_case((EXAMPLES / "crcl_case.json").read_text())
    highlights = page.locator("#note-view mark a.hl")
    assert highlights.count() >= 5
    weight = page.locator("#note-view a.hl", has_text="weighs 80 kg")
    step_id = weight.get_attribute("data-step")
    weight.click()
    assert page.evaluate("location.hash") == f"#step-{step_id}"
    assert page.evaluate("document.activeElement.id") == f"step-{step_id}"
    landed = page.locator(f"#step-{step_id}")
    assert "weight = 80 kg" in landed.inner_text() and landed.is_visible()
    # ... and from the step back to its span in the note, with the keyboard
    landed.locator("a.to-span").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"span-{step_id}"
    # calculator inputs as a table, verdicts as badges with their evidence
    row = page.locator("table.inputs tr", has_text="weight")
    assert (
        "80" in row.inner_text()
        and "kg" in row.inner_text()
        and "read by a rule" in row.inner_text()
    )
    assert page.locator("#trust").inner_text().startswith("Trust: high")
    badge = landed.locator(".verdicts li").first
    assert (
        badge.locator(".badge").inner_text() == "checked" and "weighs 80 kg" in badge.inner_text()
    )
    w.clean()


def test_what_if_a_changed_value_recomputes_and_marks_the_changed_steps(server, browser):
    w = Watched(browser, server)
    page = w.page
    w.run_case((EXAMPLES / "crcl_case.json").read_text())
    form = page.locator("#whatif-form")
    assert (
        form.is_visible() and "Cockcroft-Gault" in page.locator(".whatif .hint").first.inner_text()
    )
    creatinine = form.locator("tr[data-name=creatinine] input")
    assert creatinine.nth(0).input_value() == "1.6" and creatinine.nth(1).input_value() == "mg/dL"
    error = page.locator("#whatif-error")
    page.click("#whatif-run")
    assert error.inner_text() == "Change a value first."
    creatinine.nth(0).fill("abc")  # the server says what is wrong, in one line
    page.click("#whatif-run")
    expect = pytest.importorskip("playwright.sync_api").expect  # polls; the page's CSP forbids eval
    expect(error).to_contain_text("creatinine: expected [number, unit], got ['abc', 'mg/dL']")
    creatinine.nth(0).fill("2")
    page.click("#whatif-run")
    page.wait_for_selector("#whatif-answer")
    assert error.is_hidden()
    # (140 - 72) x 74.2787 kg (adjusted weight) / (72 x 2): was 43.845 with creatinine 1.6
    answer = page.locator("#whatif-answer").inner_text()
    assert "What if: 35.076 mL/min" in answer and "the answer was 43.845 mL/min" in answer
    rows = page.locator("#whatif-inputs tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t") == [
        "creatinine", "1.6 mg/dL", "2 mg/dL", "read by a rule from “Serum creatinine is 1.6 mg/dL”",
    ]  # fmt: skip
    assert "was: creatinine = 1.6 mg/dL" in page.locator("#whatif-steps").inner_text()
    marked = page.locator("#result-steps li.step.whatif-changed")
    assert marked.count() == 2 and "creatinine = 1.6 mg/dL" in marked.first.inner_text()
    assert page.locator("#answer").inner_text() == "Answer: 43.845 mL/min"  # the answer stays
    # a criterion too: for a woman, IBW 45.5 + 2.3 x 8.8976 = 65.9645 kg, adjusted weight
    # 71.5787 kg, and x 0.85: 68 x 71.5787 x 0.85 / (72 x 2) = 28.731
    form.locator("tr[data-name=sex] select").select_option("Female")
    page.click("#whatif-run")
    expect(page.locator("#whatif-answer")).to_contain_text("What if: 28.731 mL/min")
    assert page.locator("#whatif-inputs tbody tr").count() == 2
    page.click("#whatif-reset")  # back to the answer's values
    assert creatinine.nth(0).input_value() == "1.6"
    assert page.locator("#whatif-answer").count() == 0 and marked.count() == 0
    w.clean(422)


def test_why_on_a_step_shows_the_badged_reply_and_takes_follow_ups(server, browser):
    expect = pytest.importorskip("playwright.sync_api").expect
    w = Watched(browser, server)
    page = w.page
    w.run_case((EXAMPLES / "crcl_case.json").read_text())
    step = page.locator("#result-steps li.step.step-tool_call")
    ask = step.locator("button.why-open")
    assert ask.inner_text() == "Why?" and ask.get_attribute("aria-expanded") == "false"
    ask.focus()  # with the keyboard
    page.keyboard.press("Enter")
    answer = step.locator(".why-answer")
    expect(answer).to_have_count(1)
    assert ask.get_attribute("aria-expanded") == "true"
    assert "You asked: Why?" in answer.inner_text()
    # the fake backend's reply, each sentence badged: the model's word, not checked
    first = answer.locator(".why-sentences li").first
    assert "no language model was called" in first.inner_text()
    assert first.locator(".badge").inner_text() == "said by the model, not checked"
    assert answer.locator(".badge-supported").count() == 0
    expect(page.locator("#status")).to_contain_text("Answer on step 7")
    # a follow-up question, typed and sent with Enter: a second answer under the step
    field = step.locator(".why-form input")
    assert page.evaluate("document.activeElement.id") == field.get_attribute("id")
    field.fill("Which weight was used?")
    field.press("Enter")
    expect(step.locator(".why-answer")).to_have_count(2)
    assert "You asked: Which weight was used?" in step.locator(".why-answer").nth(1).inner_text()
    assert " s7" not in step.locator(".why-box").inner_text()  # no internal ids shown
    ask.click()  # closes
    assert step.locator(".why-box").is_hidden()
    w.clean()


def test_why_badges_checked_and_contradicted_sentences_from_a_real_server(browser, tmp_path):
    expect = pytest.importorskip("playwright.sync_api").expect
    reply = "The patient has hypertension. Serum creatinine is 2.4 mg/dL."
    with scripted_server_thread(lambda body: reply) as base:
        options = ("--backend", "openai", "--base-url", base, "--model", "scripted", "--no-cache")
        with _serve(tmp_path / "stderr.log", *options) as url:
            w = Watched(browser, url)
            page = w.page
            page.fill("#case-json", (EXAMPLES / "crcl_case.json").read_text())
            page.select_option("#strategy", "calculator")  # calls no model
            w.run()
            step = page.locator("#result-steps li.step.step-tool_call")
            step.locator("button.why-open").click()
            items = step.locator(".why-sentences li")
            expect(items).to_have_count(2)
            assert items.nth(0).locator(".badge").inner_text() == "checked"
            assert "with hypertension is admitted" in items.nth(0).inner_text()
            assert items.nth(1).locator(".badge").inner_text() == "contradicted"
            assert 'the note gives "1.6 mg/dL"' in items.nth(1).inner_text()
            assert "Said by the model (scripted)" in step.locator(".why-answer .hint").inner_text()
            w.clean()


def test_the_model_s_words_grow_in_its_step_before_the_answer(browser, tmp_path):
    """A scripted server streams 70 words, 40 ms apart, through a real `clinreason serve`."""
    sentence = "ST elevation in the inferior leads points to the right coronary artery. "
    reply = json.dumps({"reasoning": sentence * 5, "answer": "C"})
    with scripted_server_thread(lambda body: reply, token_delay=0.04) as base:
        options = ("--backend", "openai", "--base-url", base, "--model", "scripted", "--no-cache")
        with _serve(tmp_path / "stderr.log", *options) as url:
            w = Watched(browser, url)
            page = w.page
            page.fill("#note", NOTE)
            page.select_option("#strategy", "cot")
            page.click("#run")
            calling = page.locator("#live-call")
            calling.wait_for()
            assert "Asking the model (scripted)" in calling.inner_text()
            box = page.locator("#live-call-text")
            assert box.get_attribute("aria-live") == "polite"
            expect = pytest.importorskip("playwright.sync_api").expect
            expect(box).to_have_text(re.compile(r"^[\s\S]{40}"))  # 40 characters or more
            shown, height = box.inner_text(), box.bounding_box()["height"]
            assert shown.startswith("Reasoning: ST elevation in the inferior leads")
            assert page.locator("#answer").count() == 0
            expect(box).to_have_text(re.compile(rf"^[\s\S]{{{len(shown) + 80}}}"))
            assert box.bounding_box()["height"] == height  # the text grows in a fixed box
            page.wait_for_selector("#answer", timeout=60_000)
            arrivals = page.evaluate("window.__arrivals")
            assert 0 < arrivals.index("words") < arrivals.index("answer"), arrivals
            assert arrivals.count("words") >= 5  # in several pieces
            assert calling.count() == 0  # the finished step took its place
            first = page.locator("#live-steps li.step").first
            assert first.get_attribute("id") == "live-s1" and "Model call" in first.inner_text()
            assert "C" in page.locator("#answer").inner_text()
            w.clean()


def test_note_text_with_markup_is_shown_as_text(server, browser):
    nasty = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> fever'
    w = Watched(browser, server)
    page = w.page
    case = {"id": "nasty", "context": nasty, "question": "Why <b>fever</b>?", "options": {"A": "x"}}
    w.run_case(json.dumps(case))
    assert page.locator("#note-view").inner_text() == nasty
    assert "Why <b>fever</b>?" in page.locator(".question").inner_text()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#result img, #result script, #result b").count() == 0
    w.clean()


def test_bad_input_gets_a_clear_message_not_a_traceback(server, browser):
    w = Watched(browser, server)
    page = w.page
    page.fill("#token", TOKEN)
    page.fill("#case-json", "{not json")
    page.click("#run")
    assert "not valid JSON" in page.locator("#error").inner_text()
    page.fill("#case-json", "")
    page.fill("#note", "A febrile child.")
    page.fill("#question", "Next step?")
    page.fill("#options", "A. Fluids\nparacetamol")
    page.click("#run")
    assert "Option line 2" in page.locator("#error").inner_text()
    assert page.evaluate("document.activeElement.id") == "options"
    page.fill("#options", "")
    page.fill("#case-json", '{"id": "x", "question": "q?", "strategy": 1}')
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    error = page.locator("#error").inner_text()
    assert "strategy" in error and "Traceback" not in error
    w.clean(422)


@pytest.fixture(scope="module")
def runs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`clinreason serve --runs DIR` (token required) over the runs of `make_runs`."""
    # in a thread: the CLI runs its own event loop, and Playwright's may be running here
    with ThreadPoolExecutor(1) as pool:
        root = pool.submit(make_runs, tmp_path_factory.mktemp("runs")).result()
    env = {**os.environ, "CLINREASON_WEB_TOKEN": TOKEN}
    log = tmp_path_factory.mktemp("serve-runs") / "stderr.log"
    options = ("--backend", "fake", "--token-env", "CLINREASON_WEB_TOKEN", "--runs", str(root))
    with local_server(*options, log=log, env=env) as url:
        yield url


def test_open_a_run_filter_its_cases_open_a_trace_and_compare(runs_server, browser):
    expect = pytest.importorskip("playwright.sync_api").expect
    w = Watched(browser, runs_server)
    page = w.page
    page.click("text=Browse runs")
    assert page.title() == "clinreason: runs"
    page.click("#load-runs")  # no token yet: said in words, focus on the token field
    expect(page.locator("#error")).to_contain_text("access token")
    assert page.evaluate("document.activeElement.id") == "token"
    page.fill("#token", TOKEN)
    page.click("#load-runs")
    runs = page.locator("#runs-table tbody tr")
    expect(runs).to_have_count(3)
    assert "cot / fake:fake" in runs.nth(1).inner_text() and "0.0%" in runs.nth(1).inner_text()
    # open a run and keep its wrong cases; then one of them in the page's trace view
    page.click("button[data-run='medcalc/cot']")
    expect(page.locator("#cases-table tbody tr")).to_have_count(3)
    page.click("button[data-run='mixed']")
    expect(page.locator("#cases-heading")).to_contain_text("mixed")
    page.select_option("#show", "flagged")
    expect(page.locator("#cases-count")).to_have_text("1 of 3 cases.")
    row = page.locator("#cases-table tbody tr")
    assert "1 contradicted" in row.inner_text() and "Body Mass Index" in row.inner_text()
    page.select_option("#show", "all")
    expect(page.locator("#cases-table tbody tr")).to_have_count(3)
    page.click("#cases-table button[data-case='2']")
    expect(page.locator("#run-case-head")).to_contain_text("case 2: correct (gold 36.935)")
    assert page.locator("#answer").inner_text() == "Answer: 36.935 mL/min"
    assert page.evaluate("document.activeElement.id") == "result"
    assert page.locator("#result-steps li.step").count() >= 6
    highlight = page.locator("#note-view a.hl").first
    highlight.click()  # the note's evidence links to its step, as on the explain page
    assert (
        page.evaluate("document.activeElement.id") == f"step-{highlight.get_attribute('data-step')}"
    )
    # "what if?" works on a stored trace too
    page.locator("#whatif-form tr[data-name=sex] select").select_option("Male")
    page.click("#whatif-run")
    expect(page.locator("#whatif-answer")).to_contain_text("the answer was 36.935 mL/min")
    # two runs side by side, with the paired statistics
    page.select_option("#baseline", "medcalc/calculator")
    page.select_option("#other", "medcalc/cot")
    page.click("#compare-run")
    expect(page.locator("#compare-heading")).to_have_text(
        "cot / fake:fake vs calculator / fake:fake"
    )
    first = page.locator("#compare-table tbody tr").first.inner_text().split("\t")
    assert first[:5] == ["all", "3", "100.0", "0.0", "-100.0"]
    assert page.locator("#disagree-table tbody tr").count() == 3
    page.click("#disagree-table button[data-run='medcalc/cot'][data-case='3']")
    expect(page.locator("#run-case-head")).to_contain_text("Run medcalc/cot, case 3: wrong")
    w.clean(401)


def _argumentation_reply(body: dict[str, Any]) -> str:
    """The argumentation strategy's two calls, told apart by the reply schema: arguments for
    three options, then one critical question."""
    return GOOD_VER if '"attacks"' in json.dumps(body.get("response_format", {})) else GOOD_GEN


def test_the_argument_graph_and_the_differential_are_drawn(browser, tmp_path):
    with scripted_server_thread(_argumentation_reply) as base:
        options = ("--backend", "openai", "--base-url", base, "--model", "scripted", "--no-cache")
        case = {
            "id": "meningitis",
            "context": "A 30-year-old man has fever and neck stiffness. CSF shows neutrophils.",
            "question": "Most likely diagnosis?",
            "options": {"A": "Bacterial meningitis", "B": "Migraine", "C": "Tension headache"},
        }
        with _serve(tmp_path / "stderr.log", *options) as url:
            w = Watched(browser, url)
            page = w.page
            page.fill("#case-json", json.dumps(case))
            page.select_option("#strategy", "argumentation")
            w.run()
            svg = page.locator("svg.ag-svg")
            assert svg.is_visible() and svg.bounding_box()["width"] > 600
            assert (
                svg.locator("g.ag-node").count() >= 10 and svg.locator("path.ag-edge").count() >= 8
            )
            # status in words and shapes, not colour alone: the legend and a mark in each box
            legend = page.locator(".ag-legend")
            assert legend.is_visible() and "rejected: red box, dashed border" in legend.inner_text()
            g1 = svg.locator("g.ag-node[data-arg=G1]")
            assert (
                "G1 ✓" in g1.text_content()
                and "fever and neck stiffness" in g1.locator("title").text_content()
            )
            # the text alternative: the drawing is labelled and every argument has a table row
            assert svg.get_attribute("role") == "img" and svg.locator("desc").count() == 1
            table = page.locator(".ag-table table")
            assert (
                table.is_visible()
                and table.locator("tbody tr").count() == svg.locator("g.ag-node").count()
            )
            row = table.locator("tr", has_text="neck stiffness, which supports option C")
            assert "rejected" in row.inner_text() and "V1" in row.inner_text()
            page.locator(".ag figcaption a").click()  # back to the step it draws
            assert page.evaluate("location.hash").startswith("#step-s")
            # the differential of a phenotype case: ranked bars with names and expandable paths
            page.fill("#case-json", (EXAMPLES / "phenotype_case.json").read_text())
            page.select_option("#strategy", "diagnose")
            page.click("#run")
            page.wait_for_selector("#differential", timeout=60_000)
            bars = page.locator("#differential .ddx-bar")
            assert bars.count() == 10 and bars.first.is_visible()
            first = page.locator("#differential .ddx-list > li").first
            assert (
                "OMIM:" in first.locator(".ddx-id").inner_text()
                and first.locator(".ddx-name").inner_text()[0].isalpha()
            )
            first.locator("summary").click()
            assert first.locator(".ddx-findings li").first.is_visible()
            w.clean()


@pytest.mark.embedded
def test_the_page_streams_a_real_embedded_model(browser, tmp_path):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    options = ("--backend", "embedded", "--model", "smollm2-135m", "--n-ctx", "2048", "--no-cache")
    with _serve(tmp_path / "stderr.log", *options) as url:  # loopback: no token needed
        w = Watched(browser, url)
        page = w.page
        assert "smollm2-135m" in page.locator("#backend").inner_text()
        page.fill("#note", NOTE)
        page.select_option("#strategy", "cot")
        page.click("#run")
        page.wait_for_selector("#answer", timeout=240_000)
        arrivals = page.evaluate("window.__arrivals")
        assert arrivals.index("answer") >= 1, arrivals  # a step arrived before the answer
        assert "words" in arrivals[: arrivals.index("answer")]  # the model's words as it wrote
        steps = page.locator("#result-steps li.step")
        assert steps.count() >= 2 and "Model call" in steps.first.inner_text()
        answer = page.locator("#answer").inner_text()
        assert any(f"{label}." in answer or f" {label} " in f" {answer} " for label in "ABCD")
        meta = page.locator("#run-meta").inner_text()
        assert "tokens/s" in meta and " 0 tokens" not in meta  # the model really generated
        assert page.locator("#trust").inner_text().startswith("Trust:")
        w.clean()

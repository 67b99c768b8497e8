"""Robustness probes: each perturbation on hand-written cases, and `clinreason probe` end to end."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.base import CaseResult
from clinreason.bench.probes import (
    PROBE_KEY,
    Demographics,
    Distractor,
    Negation,
    NumericFormat,
    OptionOrder,
    case_rng,
)
from clinreason.bench.probes.analysis import Tolerance, analyse
from clinreason.bench.probes.base import perturb_dataset
from clinreason.bench.probes.distractor import SENTENCES
from clinreason.bench.probes.numeric import CONVERSIONS, convert_text
from clinreason.bench.probes.run import ORIGINAL, run_probe
from clinreason.bench.rundir import read_results, records
from clinreason.bench.runner import run_eval
from clinreason.cli import main, probe_cmd
from clinreason.errors import ConfigError
from clinreason.strategies import ChainOfThought
from clinreason.tools.extract.labs import CREATININE
from clinreason.tools.extract.measure import extract
from clinreason.tools.extract.vitals import HEIGHT, TEMPERATURE, WEIGHT
from clinreason.trace import Case, GenerateRequest
from tests.bench.test_report_browser import ARGS, CHROMIUM

MCQ = Case(
    id="q1",
    question="A 23-year-old woman has fever and neck stiffness. Which test is most appropriate?",
    options={"A": "Lumbar puncture", "B": "Chest x-ray", "C": "Urinalysis", "D": "Skin biopsy"},
    gold="A",
)
NOTE = (
    "A 67-year-old man weighing 70 kg, height 170 cm. Temperature 38.5 °C. "
    "Creatinine 1.4 mg/dL, platelets 150000/µL. BUN 12-14 mg/dL."
)


def _calc(note: str, **kw: object) -> Case:
    return Case(id="c1", question="What is the patient's CrCl?", context=note, **kw)  # type: ignore[arg-type]


# option-order ---------------------------------------------------------------------------------


def test_option_order_moves_contents_and_gold_and_maps_back() -> None:
    new, record = OptionOrder().apply(MCQ, random.Random(3))
    assert new is not None
    assert sorted(new.options.values()) == sorted(MCQ.options.values())
    assert list(new.options) == list(MCQ.options)  # labels stay in display order
    assert new.options != MCQ.options
    assert new.options[new.gold] == "Lumbar puncture"  # type: ignore[index]
    mapping = record["mapping"]
    assert all(new.options[n] == MCQ.options[o] for n, o in mapping.items())


def test_option_order_rotate_and_skips() -> None:
    new, record = OptionOrder(mode="rotate").apply(MCQ, random.Random(0))
    assert new is not None
    labels = list(MCQ.options)
    shift = labels.index(record["mapping"]["A"])
    assert all(record["mapping"][lab] == labels[(i + shift) % 4] for i, lab in enumerate(labels))
    for options, why in (
        ({"A": "x"}, "fewer than two"),
        ({"A": "x", "B": "X"}, "duplicate"),
        ({"A": "x", "B": "y", "C": "All of the above"}, "refer to other options"),
        ({"A": "x", "B": "y", "C": "Both A and B"}, "refer to other options"),
    ):
        case = Case(id="s", question="?", options=options)
        skipped, rec = OptionOrder().apply(case, random.Random(0))
        assert skipped is None and why in rec["reason"]
    vitamins = Case(id="v", question="?", options={"A": "Vitamins A and D", "B": "Vitamin C"})
    assert OptionOrder().apply(vitamins, random.Random(0))[0] is not None
    with pytest.raises(ConfigError):
        OptionOrder(mode="sideways")  # type: ignore[arg-type]


# numeric-format -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        (("creatinine", "mg/dL"), "1.4", 1.4 * 88.4),
        (("creatinine", "µmol/L"), "124", 124 / 88.4),
        (("weight", "kg"), "70", 70 / 0.45359237),
        (("weight", "lbs"), "154", 154 * 0.45359237),
        (("temperature", "degrees celsius"), "38.5", 101.3),
        (("temperature", "degrees fahrenheit"), "98.6", 37.0),
        (("height", "cm"), "170", 170 / 2.54),
        (("height", "in"), "69", 69 * 2.54),
    ],
)
def test_conversions_are_numerically_right(key: tuple[str, str], raw: str, expected: float) -> None:
    conversion = CONVERSIONS[key]
    text = convert_text(raw, conversion)
    assert text is not None
    assert abs(float(text) - expected) <= 0.5 * abs(expected) / 100  # rounded, within 0.5%
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    assert abs(conversion.back(float(text)) - float(raw)) <= 0.5 * 10 ** -(decimals + 1) + 1e-9


def test_numeric_format_converts_and_the_extractors_read_the_same_value() -> None:
    new, record = NumericFormat(formats=("convert",)).apply(_calc(NOTE), random.Random(0))
    assert new is not None
    assert "124 µmol/L" in new.context and "154.3 lb" in new.context
    assert "66.93 inches" in new.context and "101.3 °F" in new.context
    for q, unit in ((CREATININE, "mg/dL"), (WEIGHT, "kg"), (TEMPERATURE, "degrees celsius")):
        before, after = extract(q, NOTE), extract(q, new.context)
        assert before is not None and after is not None and after.unit != unit
    height = extract(HEIGHT, new.context)
    assert height is not None and abs(float(height.value) * 2.54 - 170) < 0.01
    assert "12-14" in new.context  # a range is left alone ...
    assert any(p["quantity"] == "bun" for p in record["passed_over"])  # ... and listed
    for edit in record["edits"]:
        assert NOTE[edit["start"] : edit["end"]] == edit["original"] and edit["what"]


def test_numeric_format_decimal_comma_and_grouping() -> None:
    comma, _ = NumericFormat(formats=("decimal-comma",)).apply(_calc(NOTE), random.Random(0))
    assert comma is not None and "1,4 mg/dL" in comma.context and "38,5 °C" in comma.context
    assert extract(CREATININE, comma.context).value == 1.4  # type: ignore[union-attr]
    grouped, rec = NumericFormat(formats=("grouping",), spaced_grouping=False).apply(
        _calc(NOTE), random.Random(0)
    )
    assert grouped is not None and "150,000/µL" in grouped.context
    assert [e["what"] for e in rec["edits"]] == ["digit grouping added"]


def test_numeric_format_skips_with_a_reason_and_is_deterministic() -> None:
    none, record = NumericFormat().apply(_calc("Creatinine was normal."), random.Random(0))
    assert none is None and "no value read with certainty" in record["reason"]
    a = NumericFormat().apply(_calc(NOTE), case_rng(7, "numeric-format", "c1"))
    b = NumericFormat().apply(_calc(NOTE), case_rng(7, "numeric-format", "c1"))
    assert a == b
    with pytest.raises(ConfigError):
        NumericFormat(formats=("roman",))


# distractor -----------------------------------------------------------------------------------


def test_distractor_appends_a_listed_sentence_or_skips() -> None:
    new, record = Distractor().apply(_calc(NOTE), random.Random(1))
    assert new is not None and new.context.startswith(NOTE)
    assert record["sentence"] in SENTENCES and new.context.endswith(record["sentence"])
    vignette, rec = Distractor().apply(MCQ, random.Random(1))
    assert vignette is not None and vignette.question.endswith("Which test is most appropriate?")
    assert rec["sentence"] in vignette.question
    one = Case(id="s", question="Which vitamin prevents scurvy?", options={"A": "C", "B": "D"})
    assert Distractor().apply(one, random.Random(0))[0] is None


def test_negation_states_one_present_finding_as_absent_or_skips() -> None:
    note = "A 5-year-old boy presents with a fever and a rash. He denies seizures."
    case = Case(id="n", context=note, question="Most likely diagnosis?")
    seen = set()
    for seed in range(8):
        new, record = Negation().apply(case, random.Random(seed))
        assert new is not None and Negation.expectation == "may change"
        (edit,) = record["edits"]
        assert edit["new"] in ("no fever", "no rash") and edit["original"] in ("a fever", "a rash")
        assert new.context == note.replace(edit["original"], edit["new"], 1)
        assert "seizures" not in edit["new"]  # already absent: never chosen
        seen.add(record["finding"])
        assert Negation().apply(case, random.Random(seed)) == (new, record)  # deterministic
    assert len(seen) == 2
    opening = Case(id="o", context="Fever for three days.", question="Cause?")
    new, _ = Negation().apply(opening, random.Random(0))
    assert new is not None and new.context == "No fever for three days."
    none, why = Negation().apply(
        Case(id="x", context="Seen today.", question="?"), random.Random(0)
    )
    assert none is None and why["reason"] == "no finding recognised as present"


# demographics ---------------------------------------------------------------------------------


def test_demographics_swaps_sex_and_moves_age_within_band() -> None:
    note = "A 45-year-old woman with fever. She denies pain. Her husband is well. Ms. Lee has MS."
    new, record = Demographics().apply(_calc(note), random.Random(0))
    assert new is not None
    assert "man with fever. He denies pain. His wife is well. Mr. Lee has MS." in new.context
    age = int(new.context.split("-year-old")[0].split()[-1])
    assert age != 45 and 40 <= age < 50
    assert {e["what"] for e in record["edits"]} >= {"sex", f"age 45 -> {age}"}
    assert record["attributes"] == ["sex", "age"]


def test_demographics_skips_sex_specific_items_and_calculator_inputs() -> None:
    pregnant = _calc("A 30-year-old pregnant woman with nausea.")
    new, record = Demographics().apply(pregnant, random.Random(0))
    assert new is not None and "woman" in new.context  # age moved, sex kept
    assert "pregnant" in record["skipped_attributes"]["sex"]
    note = "A 72-year-old man, weight 70 kg, creatinine 1.4 mg/dL."
    cockcroft = _calc(note, metadata={"calculator_id": 2})  # uses sex and age
    skipped, rec = Demographics().apply(cockcroft, random.Random(0))
    assert skipped is None and "calculator uses sex" in rec["reason"]
    included, rec = Demographics(relevant="include").apply(cockcroft, random.Random(0))
    assert included is not None and rec["expectation"] == "may change"
    bmi = _calc(note, metadata={"calculator_id": 6})  # uses neither
    kept, rec = Demographics().apply(bmi, random.Random(0))
    assert kept is not None and "expectation" not in rec


def test_demographics_ethnicity_swaps_the_patient_descriptor_only() -> None:
    note = (
        "A 52-year-old African American man with black stools. The African American patient "
        "has a White wife."
    )
    probe = Demographics(attributes=("ethnicity",))
    new, record = probe.apply(_calc(note), random.Random(0))
    assert new is not None and "African American" not in new.context
    assert "black stools" in new.context and "White wife" in new.context  # not the patient
    (swap,) = {e["what"] for e in record["edits"]}
    other = swap.split(" -> ")[1]
    assert other not in ("African American", "Black") and new.context.count(other) >= 2
    assert record["attributes"] == ["ethnicity"]


def test_demographics_ethnicity_skips_where_ancestry_matters() -> None:
    probe = Demographics(attributes=("ethnicity",))
    sickle = _calc("A 20-year-old Black man with sickle cell disease and bone pain.")
    none, why = probe.apply(sickle, random.Random(0))
    assert none is None and "ancestry may matter" in why["reason"]
    unstated = _calc("A 20-year-old man with bone pain.")
    none, why = probe.apply(unstated, random.Random(0))
    assert none is None and "ethnicity not stated" in why["reason"]
    mdrd = _calc("A 60-year-old Black woman, creatinine 1.2.", metadata={"calculator_id": 9})
    none, why = probe.apply(mdrd, random.Random(0))
    assert none is None and "calculator uses ethnicity" in why["reason"]


def test_tolerance() -> None:
    tol = Tolerance(rel=0.005, abs=0.005)
    assert tol.same("36.935", "36.941") and tol.same("2", "2.0") and tol.same(None, None)
    assert not tol.same("36.9", "38") and not tol.same("1", None)


# the command ----------------------------------------------------------------------------------


def _probe(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["probe", *map(str, args)], catch_exceptions=False)


def test_probe_option_order_end_to_end_finds_flips(data_dir: Path, tmp_path: Path) -> None:
    # the fake backend always answers "A": moving the options must flip every answer
    out = tmp_path / "p"
    args = ["option-order", "mirage", data_dir / "mirage_tiny.json", "--backend", "fake"]
    result = _probe(*args, "--no-cache", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    kind = json.loads(result.output)["kinds"][0]
    assert kind["n_items"] == 3 and kind["n_paired"] == 3
    assert kind["n_flips"] == 3 and kind["flip_rate"] == 1.0
    assert kind["accuracy"]["accuracy_baseline"] > kind["accuracy"]["accuracy_other"]
    assert {f["case_id"] for f in kind["flips"]} == {"medqa/0000", "medqa/0001", "pubmedqa/111"}
    assert (out / "original" / "results.jsonl").exists() and (out / "probe.json").exists()
    lines = records(out / "option-order")
    assert all(PROBE_KEY in x["metadata"] for x in lines)  # the record, for auditing
    assert all(PROBE_KEY not in x["trace"]["case"]["metadata"] for x in lines)  # never shown
    assert all(x["trace"]["case"]["gold"] is None for x in lines)
    again = _probe(*args, "--no-cache", "--out", out, "--resume")
    assert again.exit_code == 0 and "option-order" in again.output and "flipped" in again.output


def test_probe_figures_equal_those_read_back_from_its_run_directories(
    data_dir: Path, tmp_path: Path
) -> None:
    # run_probe pairs the results run_eval hands over; reading the directories gives the same
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    kind = OptionOrder()
    [result] = asyncio.run(
        run_probe(bench, dataset, ChainOfThought(), FakeBackend(lambda r: "ANSWER: A"), [kind],
                  out_dir=tmp_path, progress=False)
    )  # fmt: skip
    perturbed = perturb_dataset(dataset, list(dataset.cases), kind, seed=0)
    again = analyse(kind.name, tmp_path / ORIGINAL, tmp_path / kind.name, perturbed.records,
                    perturbed.skipped, n_items=len(dataset))  # fmt: skip
    assert result.n_paired == 3 and len(result.flips) == 3
    assert again.as_dict() == result.as_dict()
    kept: list[CaseResult] = []
    asyncio.run(
        run_eval(bench, dataset, ChainOfThought(), FakeBackend(lambda r: "ANSWER: B"),
                 out_dir=tmp_path / "plain", progress=False, results_into=kept)
    )  # fmt: skip
    read = read_results(tmp_path / "plain", traces=False, frames=False)
    assert [(r.case_id, r.answer) for r in kept] == [(r.case_id, r.answer) for r in read]
    assert [r.answer for r in kept] == ["B"] * len(dataset)


def test_probe_medcalc_all_kinds(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[GenerateRequest] = []

    def reply(request: GenerateRequest) -> str:
        calls.append(request)
        return "{}"

    monkeypatch.setattr(probe_cmd, "_backend", lambda **kw: FakeBackend(reply))
    out = tmp_path / "m"
    result = _probe("all", "medcalc", data_dir / "medcalc_tiny.csv", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    kinds = {k["kind"]: k for k in json.loads(result.output)["kinds"]}
    assert not calls  # these rows need no model
    assert kinds["option-order"]["n_skipped"] == 3  # no options
    numeric = kinds["numeric-format"]
    assert numeric["n_perturbed"] == 3 and numeric["n_paired"] == 3 and numeric["n_flips"] == 0
    demo = kinds["demographics"]
    assert demo["skipped"] == {"2": "sex: the calculator uses sex; age: the calculator uses age"}
    assert demo["n_paired"] == 2 and demo["n_flips"] == 0
    skipped = json.loads((out / "demographics" / "probe.json").read_text())
    assert skipped["skipped"] == demo["skipped"] and skipped["seed"] == 0


def test_probe_bad_input_is_one_line(data_dir: Path, tmp_path: Path) -> None:
    for args, message in (
        (["nonsense", "mirage", data_dir / "mirage_tiny.json"], "unknown probe kind"),
        (["distractor", "mirage", tmp_path / "missing.json"], "not found"),
        (["option-order", "mirage", data_dir / "mirage_tiny.json", "-X", "x=1"], "parameter"),
        (["distractor", "nobench", data_dir / "mirage_tiny.json"], "unknown benchmark"),
    ):
        result = _probe(*args, "--backend", "fake", "--out", tmp_path / "o")
        assert result.exit_code != 0 and message in result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_perturb_dataset_is_seeded_per_item(data_dir: Path) -> None:
    from clinreason.bench.choice import MirageBenchmark
    from clinreason.bench.probes import perturb_dataset

    dataset = MirageBenchmark().load(data_dir / "mirage_tiny.json")
    cases = list(dataset.cases)
    a = perturb_dataset(dataset, cases, OptionOrder(), seed=1)
    b = perturb_dataset(dataset, cases, OptionOrder(), seed=1)
    alone = perturb_dataset(dataset, cases[1:], OptionOrder(), seed=1)  # another subset
    assert a.dataset.cases == b.dataset.cases and a.dataset.sha256 == b.dataset.sha256
    assert alone.dataset.cases == a.dataset.cases[1:]
    orders = {
        json.dumps(
            [c.options for c in perturb_dataset(dataset, cases, OptionOrder(), seed=s).dataset]
        )
        for s in range(5)
    }
    assert len(orders) > 1
    assert a.dataset.name == "mirage+option-order" and a.dataset.sha256 != dataset.sha256
    assert all(c.metadata[PROBE_KEY]["seed"] == 1 for c in a.dataset.cases)


def test_an_error_on_the_perturbed_side_only_is_a_flip(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinreason.errors import BackendUnavailable

    def reply(request: GenerateRequest) -> str:
        if any(s in request.messages[-1].content for s in SENTENCES):
            raise BackendUnavailable("connection refused", backend="fake")
        return json.dumps({"reasoning": "r", "answer": "A"})

    monkeypatch.setattr(probe_cmd, "_backend", lambda **kw: FakeBackend(reply))
    result = _probe("distractor", "mirage", data_dir / "mirage_tiny.json", "--out", tmp_path / "d")
    assert result.exit_code == 0, result.output
    assert "flipped medqa/0000: A -> error: BackendUnavailable" in result.output
    assert "skipped 2: 2 no note and a one-sentence question" in result.output


def test_report_of_a_probe_shows_flip_rates_and_every_flip(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "p"
    args = ["option-order", "mirage", data_dir / "mirage_tiny.json", "--backend", "fake"]
    assert _probe(*args, "--no-cache", "--out", out).exit_code == 0
    page = CliRunner().invoke(
        main, ["report", str(out), "--html", str(tmp_path / "r.html")], catch_exceptions=False
    )
    assert page.exit_code == 0, page.output
    html = (tmp_path / "r.html").read_text()
    section = html.split("<h2>Robustness probes</h2>")[1]
    row = section.split('<table class="probes">')[1].split("</table>")[0]
    cells = [c.split(">", 1)[1] for c in row.split("<td")[1:]]
    cells = [c.split("</td>")[0] for c in cells]
    assert cells[:8] == ["p", "option-order", "3", "3", "0", "3", "3", "100.0"]
    assert "answers that flipped (3)" in section
    for case_id in ("medqa/0000", "medqa/0001", "pubmedqa/111"):
        assert f"<code>{case_id}</code>" in section
    # the original and perturbed runs are in the page under plain names, compared pairwise
    assert "p: original" in html and "p: option-order" in html
    assert "p: option-order vs p: original" in html


def test_report_names_a_broken_probe_summary_in_one_line(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "p"
    args = ["option-order", "mirage", data_dir / "mirage_tiny.json", "--backend", "fake"]
    assert _probe(*args, "--no-cache", "--out", out).exit_code == 0
    (out / "probe.json").write_text("{not json")
    result = CliRunner().invoke(main, ["report", str(out), "--html", str(tmp_path / "r.html")])
    assert result.exit_code != 0 and "not a probe summary" in result.output
    assert "Traceback" not in result.output


@pytest.mark.browser
def test_probe_report_opens_in_headless_chromium(data_dir: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium not installed at {CHROMIUM} (apt-get install chromium)")
    out = tmp_path / "p"
    args = ["option-order", "mirage", data_dir / "mirage_tiny.json", "--backend", "fake"]
    assert _probe(*args, "--no-cache", "--out", out).exit_code == 0
    html = tmp_path / "r.html"
    assert CliRunner().invoke(main, ["report", str(out), "--html", str(html)]).exit_code == 0
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html.as_uri())
            assert page.locator("table.probes tbody tr").count() == 1
            flips = page.locator("details", has_text="answers that flipped")
            assert not flips.locator("li").first.is_visible()
            flips.locator("summary").click()
            assert flips.locator("li").count() == 3 and flips.locator("li").first.is_visible()
            assert errors == []
        finally:
            browser.close()

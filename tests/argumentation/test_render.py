"""Explanation lines and DOT/JSON export of a solved argument graph."""

from __future__ import annotations

import json

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.errors import ConfigError
from clinreason.strategies.argumentation import Argumentation
from clinreason.strategies.base import run
from clinreason.tools.argumentation import explain_lines, export_graph, to_dot, winner_of
from clinreason.trace import ArgumentStep, Trace

GEN = json.dumps(
    {
        "arguments": [
            {"option": "A", "scheme": "clinical_evidence", "finding": "fever and neck stiffness"},
            {"option": "B", "scheme": "clinical_evidence", "finding": 'aura before "pain"'},
        ]
    }
)


@pytest.fixture
async def trace(mcq_case) -> Trace:
    return await run(Argumentation(), mcq_case, FakeBackend([GEN, '{"attacks": []}']))


def test_explain_lines_show_accepted_rejected_attacks_and_why(trace, mcq_case):
    step = trace.steps_of(ArgumentStep)[0]
    lines = explain_lines(step, options=mcq_case.options)
    text = "\n".join(lines)
    assert lines[0] == "Argumentation (grounded semantics): 7 arguments, 7 attacks"
    assert "Accepted:" in text and "Rejected:" in text
    assert "  + G1 [for A · clinical_evidence]" in text
    assert "  - G2 [for B · clinical_evidence]" in text
    assert "  T1 -> G2: finding not in the case text" in text
    assert "D_A -> D_B: rival decision" in text and "G1 -> N_A: supports option A" in text
    assert lines[-1] == (
        "Why A (Bacterial meningitis) survives: D_A is supported by accepted G1; accepted: "
        "every attacker is defeated — N_A is defeated by G1; D_B is defeated by N_B"
    )
    assert winner_of(step) == "A"


def test_explain_lines_without_a_winner(mcq_case):
    step = ArgumentStep(graph={"arguments": [], "attacks": []})
    assert explain_lines(step)[-1] == "No option survives: no decision argument is accepted."


def test_dot_export_colours_by_status_and_escapes_quotes(trace, tmp_path):
    path = export_graph(trace, tmp_path / "g.dot")
    dot = path.read_text()
    assert dot.startswith("digraph argumentation {") and dot.rstrip().endswith("}")
    g1 = next(line for line in dot.splitlines() if line.startswith('  "G1" ['))
    g2 = next(line for line in dot.splitlines() if line.startswith('  "G2" ['))
    assert "#c8e6c9" in g1 and "#ffcdd2" in g2
    assert '\\"pain\\"' in g2  # quotes inside labels are escaped
    assert '"T1" -> "G2"' in dot
    assert export_graph(trace.steps_of(ArgumentStep)[0], tmp_path / "g.gv").read_text() == dot


def test_json_export_has_statuses_reasons_and_edges(trace, tmp_path):
    data = json.loads(export_graph(trace, tmp_path / "g.json").read_text())
    by_id = {a["id"]: a for a in data["arguments"]}
    assert by_id["G1"]["status"] == "accepted" and by_id["G2"]["status"] == "rejected"
    assert by_id["G2"]["reason"].startswith("rejected: attacked by")
    assert data["semantics"] == "grounded" and data["undecided"] == []
    assert {"source": "T1", "target": "G2"}.items() <= data["attacks"][-1].items()


def test_export_rejects_unknown_suffix_and_traces_without_graph(trace, tmp_path):
    with pytest.raises(ConfigError, match=r"\.dot, \.gv or \.json"):
        export_graph(trace, tmp_path / "g.png")
    plain = trace.model_copy(update={"steps": []})
    with pytest.raises(ConfigError, match="no argument graph"):
        export_graph(plain, tmp_path / "g.dot")


def test_undecided_arguments_are_grey(mcq_case):
    step = ArgumentStep(
        graph={
            "arguments": [
                {"id": "a", "claim": "x", "scheme": "s"},
                {"id": "b", "claim": "y", "scheme": "s"},
            ],
            "attacks": [{"source": "a", "target": "b"}, {"source": "b", "target": "a"}],
        }
    )
    assert to_dot(step).count("#eeeeee") == 2
    assert "Undecided:" in "\n".join(explain_lines(step))

"""The argument graph and the differential drawn on the result panel: layout data, the SVG and
its text alternative, and escaping of model text."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clinreason.api.app import create_app
from clinreason.api.view import result_view
from clinreason.api.web import render
from clinreason.backends.fake import FakeBackend
from clinreason.render.figures import (
    COLUMNS,
    NODE_H,
    NODE_W,
    argument_figure,
    differential_figure,
    path_steps,
    shorten,
)
from clinreason.tools.kg import demo_graph
from clinreason.trace import (
    DISCLAIMER,
    Argument,
    ArgumentGraph,
    ArgumentStep,
    Attack,
    Case,
    ToolCall,
    Trace,
)

EXAMPLES = Path(__file__).parents[2] / "examples"
CASE = {
    "id": "meningitis",
    "context": "A 30-year-old man has fever and neck stiffness. CSF shows neutrophils.",
    "question": "Most likely diagnosis?",
    "options": {"A": "Bacterial meningitis", "B": "Migraine", "C": "Tension headache"},
}
HOSTILE = '<script>window.x=1</script><img src=x onerror="alert(1)">'


def generator_reply(findings: dict[str, str]) -> str:
    """A scripted generator reply: one clinical_evidence argument per (finding -> option)."""
    args = [
        {"option": option, "scheme": "clinical_evidence", "finding": finding}
        for finding, option in findings.items()
    ]
    return json.dumps({"arguments": args})


def scripted(gen: str, ver: str) -> FakeBackend:
    """The argumentation model's two calls answered by schema: proposals, then challenges."""

    def reply(request: Any) -> str:
        props = (request.json_schema or {}).get("properties", {})
        return gen if "arguments" in props else ver

    return FakeBackend(script=reply)


GEN = generator_reply(
    {
        "fever and neck stiffness": "A",
        "CSF shows neutrophils": "A",
        "throbbing headache": "B",
        "neck stiffness": "C",
    }
)
VER = json.dumps({"attacks": [{"target": "G4", "question": "weak_evidence", "finding": "fever"}]})


def _client(backend: FakeBackend) -> TestClient:
    app = create_app(lambda: backend, graph=demo_graph(), backend_label="fake (test)")
    return TestClient(app, raise_server_exceptions=False)


def _explain(client: TestClient, case: dict[str, Any], strategy: str) -> dict[str, Any]:
    r = client.post("/v1/explain/stream", json={"case": case, "strategy": strategy})
    assert r.status_code == 200
    blocks = [b for b in r.text.split("\n\n") if b.startswith("event: done")]
    assert blocks, r.text[-500:]
    done = json.loads(blocks[0].split("data: ", 1)[1])
    assert done["error"] is None, done["error"]
    return done


def _graph_step(n_generator: int, n_checks: int) -> ArgumentStep:
    """A synthetic graph: generator arguments for A/B, checks attacking them, decisions."""
    args = [
        Argument(
            id=f"G{i}", claim=f"finding {i} supports {'AB'[i % 2]}", scheme="s", option="AB"[i % 2]
        )
        for i in range(n_generator)
    ]
    args += [
        Argument(
            id=f"T{i}",
            claim=f"finding {i} is not in the note",
            scheme="text_check",
            author="text_check",
        )
        for i in range(n_checks)
    ]
    args += [
        Argument(
            id=f"D_{o}", claim=f"Choose option {o}.", scheme="decision", option=o, author="decision"
        )
        for o in "AB"
    ]
    attacks = [
        Attack(source=f"T{i}", target=f"G{i % n_generator}", reason="not stated")
        for i in range(n_checks)
    ]
    attacks += [Attack(source="D_A", target="D_B"), Attack(source="D_B", target="D_A")]
    graph = ArgumentGraph(arguments=args, attacks=attacks)
    checks = {f"T{i}" for i in range(n_checks)}
    beaten = {f"G{i % n_generator}" for i in range(n_checks)}
    return ArgumentStep(
        id="s3",
        graph=graph,
        accepted=sorted(checks),
        rejected=sorted(beaten),
    )


def test_columns_by_role_with_attacks_as_arrows_and_mutual_attacks_merged():
    step = _graph_step(4, 3)
    f = argument_figure(step, 3)
    column = {n.id: COLUMNS[n.column][0] for n in f["nodes"]}
    assert column["T0"] == "checks" and column["G2"] == "arguments"
    assert column["D_A"] == column["D_B"] == "decisions"
    assert [h["text"] for h in f["headings"]] == ["Checks", "Arguments", "Decisions"]
    x = {n.id: n.x for n in f["nodes"]}
    assert x["T0"] < x["G0"] < x["D_A"]  # attacks run left to right
    pairs = {(e.source, e.target, e.both) for e in f["edges"]}
    assert pairs == {
        ("T0", "G0", False),
        ("T1", "G1", False),
        ("T2", "G2", False),
        ("D_A", "D_B", True),
    }
    hit = {(e.source, e.effective) for e in f["edges"]}
    assert ("T0", True) in hit and ("D_A", False) in hit  # D_A and D_B are both undecided
    status = {n.id: n.status for n in f["nodes"]}
    assert status["T1"] == "accepted" and status["G1"] == "rejected" and status["G3"] == "undecided"
    g1 = next(n for n in f["nodes"] if n.id == "G1")
    assert g1.attacked_by == ["T1"] and g1.heading.startswith("G1 ✗")
    assert f["counts"] == {"accepted": 3, "rejected": 3, "undecided": 3}


@pytest.mark.parametrize("n_generator,n_checks", [(1, 0), (12, 14), (20, 8)])
def test_up_to_thirty_arguments_fit_without_overlap(n_generator, n_checks):
    f = argument_figure(_graph_step(n_generator, n_checks), 1)
    assert len(f["nodes"]) == n_generator + n_checks + 2
    for a, b in combinations(f["nodes"], 2):
        apart = abs(a.x - b.x) >= NODE_W or abs(a.y - b.y) >= NODE_H
        assert apart, (a.id, b.id)
    assert all(n.x >= 0 and n.x + NODE_W <= f["width"] for n in f["nodes"])
    assert all(n.y >= 0 and n.y + NODE_H <= f["height"] for n in f["nodes"])
    assert all(len(n.label) <= 27 and len(n.heading) <= 27 for n in f["nodes"])


def test_shorten_and_hpo_paths():
    assert shorten("short") == "short"
    assert shorten("x" * 40, 10) == "x" * 9 + "…"
    up = path_steps([["HP:1", "Focal seizure"], ["HP:2", "Seizure"], ["HP:3", "Absence"]], "HP:2")
    assert [s["arrow"] for s in up] == ["", "→", "←"] and up[2]["label"] == "Absence"
    assert [s["arrow"] for s in path_steps([["a", "A"], ["b", "B"]], None)] == ["", "→"]


def _diagnose_call(result: Any) -> ToolCall:
    return ToolCall(id="s9", tool="kg.diagnose", arguments={}, result=result)


def test_differential_bars_names_paths_and_unexplained_notes():
    match = {
        "term": "HP:0008689",
        "label": "Bilateral cryptorchidism",
        "relation": "patient_more_specific",
        "path": [["HP:0008689", "Bilateral cryptorchidism"], ["HP:0000028", "Cryptorchidism"]],
        "via": None,
    }
    result = {
        "graph": "hpo@test",
        "differential": [
            {"rank": 1, "disease": "OMIM:1", "label": "Noonan syndrome 1", "score": 9.0,
             "posterior": 0.6, "explained": [match],
             "unexplained": [{"term": "HP:9", "label": "Seizure"}]},
            {"rank": 2, "disease": "OMIM:2", "label": "Costello syndrome", "score": 8.0,
             "posterior": 0.3, "explained": [], "unexplained": []},
            *({"rank": r, "disease": f"OMIM:{r}", "label": f"D{r}", "score": 1.0, "posterior": 0.0}
              for r in range(3, 15)),
        ],
        "dropped": [["HP:0000118", "too general"]],
    }  # fmt: skip
    d = differential_figure(_diagnose_call(result), 9)
    assert d is not None and len(d["rows"]) == 10 and d["n_total"] == 14
    top = d["rows"][0]
    assert (top["label"], top["disease"], top["bar"], d["bar_of"]) == (
        "Noonan syndrome 1",
        "OMIM:1",
        60.0,
        "posterior",
    )
    assert top["explained"][0]["how"] == "annotated with a more general term"
    assert top["unexplained"] == ["Seizure"] and not d["rows"][2]["has_explanation"]
    html = render("result.html", r=_result_with(differential=d), disclaimer=DISCLAIMER)
    assert 'id="differential"' in html and html.count('class="ddx-bar"') == 10
    assert 'Noonan syndrome 1 <span class="ddx-id">OMIM:1</span>' in html
    assert (
        'Bilateral cryptorchidism <span class="hpo-id">HP:0008689</span> → Cryptorchidism' in html
    )
    assert "Not explained by this disease: Seizure." in html
    assert "Findings were not explained for this rank" in html
    assert "Terms not used: HP:0000118 too general." in html
    # scores only: bars from the lower of 0 and the lowest score to the top score
    plain = [{"rank": 1, "disease": "X", "score": 4.0}, {"rank": 2, "disease": "Y", "score": -4.0}]
    bars = differential_figure(_diagnose_call({"differential": plain}), 1)
    assert (
        bars is not None
        and [r["bar"] for r in bars["rows"]] == [100.0, 0.0]
        and bars["bar_of"] == "score"
    )
    assert differential_figure(_diagnose_call("oops"), 1) is None


def _result_with(**figures: Any) -> dict[str, Any]:
    case = Case.model_validate(CASE)
    shown = result_view(Trace(case=case, strategy={"name": "test"}))
    shown.update(figures)
    return shown


def test_the_page_draws_the_argument_graph_with_its_table():
    client = _client(scripted(GEN, VER))
    done = _explain(client, CASE, "argumentation")
    html = done["html"]
    step = next(s for s in done["trace"]["steps"] if s["kind"] == "argument")
    sid, ids = step["id"], [a["id"] for a in step["graph"]["arguments"]]
    assert f'id="graph-{sid}"' in html and html.count('class="ag-svg"') == 1
    assert html.count('<g class="ag-node') == len(ids) and len(ids) >= 10
    for a in ids:  # every argument: a box in the drawing and a row in the table
        assert f'data-arg="{a}"' in html and f'id="arg-{sid}-{a}"' in html
    attacks = {(e["source"], e["target"]) for e in step["graph"]["attacks"]}
    drawn = {(e.split('data-source="')[1].split('"')[0], e.split('data-target="')[1].split('"')[0])
             for e in html.split("<path class=\"ag-edge")[1:]}  # fmt: skip
    assert drawn <= attacks and all(p in drawn or p[::-1] in drawn for p in attacks)
    assert "rejected: red box, dashed border" in html and "Arrows are attacks" in html
    assert f'<a href="#graph-{sid}">See the argument graph drawn</a>' in html
    t1 = next(a for a in step["graph"]["arguments"] if a["author"] == "text_check")
    assert f'href="#arg-{sid}-{t1["id"]}"' in html  # "attacked by" links to the attacker's row


def test_a_hostile_claim_is_escaped_in_the_drawing_and_the_table():
    gen = generator_reply({HOSTILE: "A", "neck stiffness": "B"})
    html = _explain(_client(scripted(gen, json.dumps({"attacks": []}))), CASE, "argumentation")[
        "html"
    ]
    assert "<script>" not in html and "<img" not in html
    svg = html.split('<svg class="ag-svg"', 1)[1].split("</svg>", 1)[0]
    table = html.split('<details class="ag-table"', 1)[1].split("</table>", 1)[0]
    escaped = "&lt;script&gt;window.x=1&lt;/script&gt;&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"
    assert f"The case states {escaped}, which supports option A." in table
    assert f"(rejected, on A · clinical evidence): The case states {escaped}" in svg  # <title>


def test_the_page_draws_the_differential_of_a_diagnose_trace():
    case = json.loads((EXAMPLES / "phenotype_case.json").read_text())
    done = _explain(_client(FakeBackend([])), case, "diagnose")
    call = next(s for s in done["trace"]["steps"] if s.get("tool") == "kg.diagnose")
    top = call["result"]["differential"][0]
    html = done["html"]
    assert 'id="differential"' in html and f'<a href="#step-{call["id"]}">' in html
    assert f'{top["label"]} <span class="ddx-id">{top["disease"]}</span>' in html
    assert html.count('class="ddx-bar"') == min(10, len(call["result"]["differential"]))
    assert '<a href="#differential">See the differential drawn</a>' in html

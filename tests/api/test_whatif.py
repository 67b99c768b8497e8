""" "What if?" through the HTTP API (FastAPI TestClient): real calculator traces from the
`calculator` strategy (no model call), recomputed with changed inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clinreason.api.app import create_app
from clinreason.api.view import result_view
from clinreason.backends import make_backend
from clinreason.trace import trace_from_dict

EXAMPLES = Path(__file__).parents[2] / "examples"
TOKEN = "whatif-token-77"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CRCL = json.loads((EXAMPLES / "crcl_case.json").read_text())
MCQ = json.loads((EXAMPLES / "mcq_case.json").read_text())
CHADS = {
    "id": "chads",
    "context": "A 70-year-old woman with hypertension and diabetes has atrial fibrillation. "
    "No history of stroke or heart failure.",
    "question": "What is the patient's CHA2DS2-VASc score?",
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = create_app(lambda: make_backend("fake"), token=TOKEN)
    return TestClient(app, headers=AUTH, raise_server_exceptions=False)


def _trace(client: TestClient, case: dict, strategy: str = "calculator") -> dict:
    r = client.post("/v1/explain", json={"case": case, "strategy": strategy})
    assert r.status_code == 200, r.text
    return r.json()


def _step(trace: dict, **fields) -> dict:
    return next(s for s in trace["steps"] if all(s.get(k) == v for k, v in fields.items()))


@pytest.fixture(scope="module")
def crcl(client) -> dict:
    return _trace(client, CRCL)


def test_a_changed_measurement_recomputes_and_names_the_changed_steps(client, crcl):
    r = client.post("/v1/whatif", json={"trace": crcl, "changes": {"creatinine": [2.0, "mg/dL"]}})
    assert r.status_code == 200, r.text
    w = r.json()
    # by hand: adjusted body weight 74.2787 kg (BMI 26.1); (140 - 72) x 74.2787 / (72 x 2.0)
    assert w["before"]["value"] == pytest.approx(43.845, abs=1e-3)
    assert w["after"]["value"] == pytest.approx(35.076, abs=1e-3)
    assert w["after"]["unit"] == "mL/min" and w["changed"] is True
    changed = [row for row in w["inputs"] if row["changed"]]
    assert [row["name"] for row in changed] == ["creatinine"]
    row = changed[0]
    assert row["before_text"] == "1.6 mg/dL" and row["after_text"] == "2.0 mg/dL"
    # the new value is the user's assumption; the old one was read from the note
    assert "not read from the note" in row["assumption"] and "was 1.6 mg/dL" in row["assumption"]
    assert row["source"] == "read by a rule from “Serum creatinine is 1.6 mg/dL”"
    assert any(a.startswith("creatinine: what if") for a in w["assumptions"])
    creatinine = _step(crcl, kind="extraction", name="creatinine")
    call = _step(crcl, kind="tool_call")
    assert w["changed_steps"] == [creatinine["id"], call["id"]]
    moved = [s for s in w["steps"] if s["status"] != "same"]
    assert moved[0] == {
        "status": "changed",
        "before": "creatinine = 1.6 mg/dL",
        "after": "creatinine = 2 mg/dL",
    }
    assert moved[-1]["after"] == "Result: 35.076 mL/min"
    # the weight and height lines did not change
    same = [s["after"] for s in w["steps"] if s["status"] == "same"]
    assert "weight = 80 kg" in same and any(line.startswith("IBW = ") for line in same)
    assert "html" not in w


def test_a_criterion_switched_on_changes_the_score(client):
    trace = _trace(client, CHADS)
    assert trace["answer"]["value"] == "4"  # female 1, hypertension 1, diabetes 1, age 65-74 1
    r = client.post("/v1/whatif", json={"trace": trace, "changes": {"Stroke": True}})
    w = r.json()
    assert r.status_code == 200 and w["after"]["value"] == 6  # stroke scores 2
    stroke = _step(trace, kind="extraction", name="Stroke")
    assert w["changed_steps"][0] == stroke["id"]
    assert [s["after"] for s in w["steps"] if s["status"] == "changed"] == [
        "Stroke / TIA / thromboembolism: yes -> +2",
        "Result: 6",
    ]


def test_calculator_and_inputs_instead_of_a_trace(client):
    body = {
        "calculator": "bmi",
        "inputs": {"weight": [70, "kg"], "height": [170, "cm"]},
        "changes": {"weight": [90, "kg"]},
    }
    w = client.post("/v1/whatif", json=body).json()
    assert w["before"]["value"] == pytest.approx(24.221, abs=1e-3)
    assert w["after"]["value"] == pytest.approx(31.142, abs=1e-3)  # 90 / 1.7^2
    assert w["changed_steps"] == []  # no trace: no step ids
    assert w["reference"]["citation"]


def test_the_html_fragment_shows_old_and_new_autoescaped(client, crcl):
    r = client.post(
        "/v1/whatif?html=true", json={"trace": crcl, "changes": {"creatinine": [2, "mg/dL"]}}
    )
    html = r.json()["html"]
    assert 'id="whatif-answer"' in html and "35.076 mL/min" in html and "43.845" in html
    assert "was: creatinine = 1.6 mg/dL" in html and "now: creatinine = 2 mg/dL" in html
    assert "BMI &gt;= 25" in html  # escaped


def test_a_stored_result_that_does_not_recompute_is_said(client, crcl):
    tampered = json.loads(json.dumps(crcl))
    _step(tampered, kind="tool_call")["result"]["value"] = 99.0
    w = client.post("/v1/whatif", json={"trace": tampered, "changes": {"age": [60, "years"]}})
    notes = w.json()["notes"]
    assert any(
        "stored result (99.0) differs from recomputing its inputs (43.845)" in n for n in notes
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"creatinine": [-1, "mg/dL"]}, "implausible"),
        ({"creatinine": "abc"}, "expected [number, unit]"),
        ({"creatinine": [1.2, "furlongs"]}, "furlongs"),
        ({"sex": "Alien"}, "'Alien' is not one of"),
        ({"nosuch": 1}, "has no input 'nosuch'; its inputs: age, weight, sex, creatinine"),
        ({"age": None}, "missing required input 'age'"),
    ],
)
def test_bad_values_get_a_4xx_with_one_line(client, crcl, changes, expected):
    r = client.post("/v1/whatif", json={"trace": crcl, "changes": changes})
    assert r.status_code == 422
    error = r.json()["error"]
    assert expected in error and "\n" not in error and "Traceback" not in error


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"changes": {"age": 1}}, "give either 'trace' or 'calculator' with 'inputs'"),
        ({"inputs": {}, "changes": {"age": 1}}, "'inputs' needs 'calculator'"),
        ({"calculator": "bmi", "inputs": {}, "changes": {}}, "changes"),
        ({"trace": {"x": 1}, "changes": {"age": 1}}, "not a valid trace"),
    ],
)
def test_malformed_requests_get_422(client, body, expected):
    r = client.post("/v1/whatif", json=body)
    assert r.status_code == 422 and expected in r.json()["error"]


def test_a_trace_without_a_calculation_is_refused(client):
    trace = _trace(client, MCQ, strategy="cot")
    r = client.post("/v1/whatif", json={"trace": trace, "changes": {"age": 1}})
    assert r.status_code == 422
    assert (
        r.json()["error"] == "this trace has no calculator result to change ('what if' needs one)"
    )


def test_whatif_needs_the_token(client, crcl):
    r = client.post(
        "/v1/whatif",
        json={"trace": crcl, "changes": {"age": [60, "years"]}},
        headers={"Authorization": "Bearer wrong"},
    )
    assert r.status_code == 401


def test_the_result_view_offers_a_field_per_input_with_the_value_used(crcl):
    form = result_view(trace_from_dict(crcl))["whatif"]
    assert form["calculator"] == "Creatinine Clearance (Cockcroft-Gault Equation)"
    fields = {f["name"]: f for f in form["fields"]}
    assert list(fields) == ["age", "weight", "sex", "creatinine", "height"]
    assert (fields["creatinine"]["value"], fields["creatinine"]["unit"]) == ("1.6", "mg/dL")
    assert fields["sex"]["value"] == "Male" and fields["sex"]["choices"] == ["Male", "Female"]
    assert fields["creatinine"]["step"] == _step(crcl, kind="extraction", name="creatinine")["id"]


def test_no_form_without_a_calculation(client):
    trace = _trace(client, MCQ, strategy="cot")
    assert result_view(trace_from_dict(trace))["whatif"] is None


def test_whatif_is_in_the_openapi_document(client):
    doc = client.get("/openapi.json", headers={}).json()
    assert "post" in doc["paths"]["/v1/whatif"]
    assert "changes" in doc["components"]["schemas"]["WhatIfRequest"]["properties"]

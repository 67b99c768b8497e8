"""The HTTP API with the fake backend: every endpoint, auth, limits and errors."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from clinreason.api.app import Limits, create_app
from clinreason.backends import demo_reply, make_backend
from clinreason.backends.fake import FakeBackend
from clinreason.errors import BackendUnavailable
from clinreason.tools.calculators import CALCULATORS
from clinreason.tools.kg import demo_graph
from clinreason.trace import SCHEMA_VERSION, Trace

EXAMPLES = Path(__file__).parents[2] / "examples"
TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CRCL = json.loads((EXAMPLES / "crcl_case.json").read_text())
MCQ = json.loads((EXAMPLES / "mcq_case.json").read_text())


def _client(backend=None, **kwargs) -> TestClient:
    factory = (lambda: backend) if backend is not None else (lambda: make_backend("fake"))
    app = create_app(factory, token=TOKEN, graph=demo_graph(), **kwargs)
    return TestClient(app, headers=AUTH, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return _client()


# -- meta, auth ---------------------------------------------------------------------------


def test_healthz_and_openapi_are_published(client):
    assert client.get("/healthz", headers={}).json()["status"] == "ok"
    doc = client.get("/openapi.json", headers={}).json()
    paths = doc["paths"]
    for path in ("/v1/explain", "/v1/verify", "/v1/calculate", "/v1/differential"):
        assert "post" in paths[path]
    assert "get" in paths["/v1/calculators"]
    # the explain response is the trace schema
    assert "Trace" in doc["components"]["schemas"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": "Basic x"}],
)
def test_v1_needs_the_bearer_token(headers):
    client = _client()
    client.headers.pop("Authorization")
    r = client.get("/v1/calculators", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "access token" in r.json()["error"]
    r = client.post("/v1/calculate", headers=headers, json={"calculator": "bmi", "inputs": {}})
    assert r.status_code == 401


def test_without_a_token_the_api_is_open_on_loopback():
    app = create_app(lambda: make_backend("fake"))
    assert TestClient(app).get("/v1/calculators").status_code == 200


# -- calculators ----------------------------------------------------------------------------


def test_calculators_list_every_calculator_with_inputs_and_reference(client):
    listed = client.get("/v1/calculators").json()
    assert [c["id"] for c in listed] == sorted(CALCULATORS)
    for c in listed:
        assert c["inputs"], c["slug"]
        assert c["reference"]["citation"], c["slug"]
    ckd = next(c for c in listed if c["slug"] == "egfr_ckd_epi_2021")
    assert ckd["reference"]["doi"] == "10.1056/NEJMoa2102953"
    sex = next(i for i in ckd["inputs"] if i["name"] == "sex")
    assert sex["kind"] == "choice" and set(sex["choices"]) >= {"Male", "Female"}


def test_calculate_from_inputs_gives_value_steps_and_reference(client):
    r = client.post(
        "/v1/calculate",
        json={
            "calculator": 3,
            "inputs": {"age": [60, "years"], "creatinine": [1.2, "mg/dL"], "sex": "Female"},
        },
    )
    assert r.status_code == 200, r.text
    data = r.json()
    # 142 x (1.2/0.7)^-1.2 x 0.9938^60 x 1.012 = 51.82 (by hand)
    assert data["value"] == pytest.approx(51.82, abs=0.01)
    assert data["unit"].startswith("mL/min")
    assert any("0.9938" in s for s in data["steps"])
    assert data["reference"]["url"] == "https://doi.org/10.1056/NEJMoa2102953"


def test_calculate_from_a_note_gives_extractions_with_spans(client):
    note = CRCL["context"]
    r = client.post(
        "/v1/calculate",
        json={"calculator": "creatinine_clearance_cockcroft_gault", "note": note},
    )
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["unit"] == "mL/min" and data["value"] > 0
    spans = [e["span"] for e in data["extractions"] if e["span"]]
    assert spans and all(note[s["start"] : s["end"]] == s["text"] for s in spans)
    assert data["reference"]["doi"] == "10.1159/000180580"
    assert data["trace"]["trust"]["summary"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"calculator": "nosuch", "inputs": {}}, 422, "unknown calculator 'nosuch'"),
        ({"calculator": 999, "inputs": {}}, 422, "unknown calculator id"),
        ({"calculator": "bmi", "inputs": {"weight": [70, "kg"]}}, 422, "height"),
        ({"calculator": "bmi", "inputs": {"weight": [-70, "kg"], "height": [170, "cm"]}}, 422, ""),
        ({"calculator": "bmi"}, 422, "either 'inputs' or 'note'"),
        ({"calculator": "bmi", "inputs": {}, "note": "x"}, 422, "either 'inputs' or 'note'"),
        ({"note": "a note"}, 422, "needs 'calculator' or 'question'"),
        ({"calculator": "bmi", "inputs": {}, "extra": 1}, 422, "extra"),
    ],
)
def test_calculate_bad_input_is_a_4xx_with_one_line(client, body, status, message):
    r = client.post("/v1/calculate", json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert message in error and "\n" not in error


# -- differential ---------------------------------------------------------------------------


def test_differential_from_hpo_ids_and_from_text(client):
    by_ids = client.post("/v1/differential", json={"hpo_ids": ["HP:4"], "top_k": 2}).json()
    assert by_ids["graph"] == "demo"
    assert by_ids["differential"][0]["disease"] == "D:A"
    assert by_ids["differential"][0]["explained"][0]["term"] == "HP:4"
    by_text = client.post("/v1/differential", json={"text": "Focal seizures."}).json()
    assert by_text["differential"][0]["disease"] == "D:A"
    finding = by_text["findings"][0]
    assert finding["entity"] == "HP:4"
    assert "Focal seizures."[finding["span"]["start"] : finding["span"]["end"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"hpo_ids": ["HP:9999999"]}, "HP:9999999"),
        ({"text": "   "}, "empty"),
        ({}, "either 'hpo_ids' or 'text'"),
        ({"hpo_ids": ["HP:4"], "top_k": 0}, "top_k"),
    ],
)
def test_differential_bad_input(client, body, message):
    r = client.post("/v1/differential", json=body)
    assert r.status_code == 422, r.text
    assert message in r.json()["error"]


# -- explain and verify -------------------------------------------------------------------


def test_explain_returns_the_verified_trace(client):
    r = client.post("/v1/explain", json={"case": CRCL})
    assert r.status_code == 200, r.text
    trace = Trace.model_validate(r.json())
    assert trace.schema_version == SCHEMA_VERSION
    assert trace.strategy.name == "calculator"
    assert trace.answer is not None and trace.answer.unit == "mL/min"
    assert trace.verdicts and trace.claims and trace.trust is not None
    assert trace.case.gold is None  # blinded, as in `clinreason explain`


def test_explain_then_verify_round_trip(client):
    trace = client.post("/v1/explain", json={"case": CRCL}).json()
    r = client.post("/v1/verify", json=trace)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["case_id"] == CRCL["id"]
    assert data["summary"]["contradicted"] == 0
    assert data["trust"]["level"] == trace["trust"]["level"]
    assert len(data["claims"]) == len(trace["claims"])
    only = client.post("/v1/verify", params={"verifier": "calculation"}, json=trace).json()
    assert {v["verifier"] for v in only["verdicts"]} == {"calculation"}


def test_verify_detects_a_tampered_calculation(client):
    trace = client.post("/v1/explain", json={"case": CRCL}).json()
    call = next(s for s in trace["steps"] if s["kind"] == "tool_call")
    call["result"]["value"] = call["result"]["value"] * 2
    data = client.post("/v1/verify", json=trace).json()
    assert data["summary"]["contradicted"] >= 1
    assert call["id"] in data["summary"]["flagged_steps"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"case": {"id": "x"}}, 422, "case.question: Field required"),
        ({"case": CRCL, "strategy": "nosuch"}, 400, "unknown strategy 'nosuch'"),
        ({"case": CRCL, "strategy": "self_consistency", "params": {"kk": 3}}, 400, "parameters"),
        ({"case": MCQ, "strategy": "self_consistency", "params": {"k": "abc"}}, 400, ""),
        ([1, 2], 422, ""),
        ({"case": MCQ, "strategy": "diagnose", "params": {"graph": {}}}, 400, "'graph'"),
        ({"case": MCQ, "strategy": "diagnose", "params": {"config": {"x": 1}}}, 400, "config"),
    ],
)
def test_explain_bad_input(client, body, status, message):
    r = client.post("/v1/explain", json=body)
    assert r.status_code == status, r.text
    assert message in r.json()["error"]


def test_malformed_json_is_422(client):
    r = client.post(
        "/v1/explain", content=b'{"case": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert "JSON" in r.json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"schema_version": "99.0", "case": {}}, "99.0"),
        ({"schema_version": SCHEMA_VERSION, "case": {"id": "c"}}, "not a valid trace"),
        ([], ""),
    ],
)
def test_verify_bad_trace(client, body, message):
    r = client.post("/v1/verify", json=body)
    assert r.status_code == 422, r.text
    assert message in r.json()["error"]


def test_backend_error_is_an_error_response_not_an_answer():
    client = _client(FakeBackend([BackendUnavailable("model server down", backend="fake")]))
    r = client.post("/v1/explain", json={"case": MCQ, "strategy": "direct"})
    assert r.status_code == 502
    body = r.json()
    assert "model server down" in body["error"]
    assert body["trace"]["answer"] is None
    assert body["trace"]["error"]["type"] == "BackendUnavailable"


# -- limits -----------------------------------------------------------------------------------


def test_oversized_body_is_413():
    client = _client(limits=Limits(max_body_bytes=1000))
    r = client.post("/v1/explain", json={"case": {**CRCL, "context": "x" * 2000}})
    assert r.status_code == 413
    assert "too large" in r.json()["error"]

    def chunks():  # no Content-Length: counted while read
        for _ in range(5):
            yield b"x" * 400

    r = client.post("/v1/calculate", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    ok = client.post("/v1/calculate", json={"calculator": "bmi", "inputs": {}})
    assert ok.status_code == 422  # under the limit: reaches the endpoint


@dataclass
class HeldBackend(FakeBackend):
    """A fake backend whose generations wait until released."""

    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def generate(self, request):
        await self.release.wait()
        return await super().generate(request)


async def test_full_generation_queue_is_503_with_retry_after():
    backend = HeldBackend(script=demo_reply)
    app = create_app(lambda: backend, limits=Limits(generations=1, queue=1, retry_after_s=7))
    gate = app.state.clinreason.gate
    body = {"case": MCQ, "strategy": "direct"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        running = asyncio.create_task(client.post("/v1/explain", json=body))
        queued = asyncio.create_task(client.post("/v1/explain", json=body))
        for _ in range(200):
            if gate.admitted == 2:
                break
            await asyncio.sleep(0.01)
        assert gate.admitted == 2
        refused = await client.post("/v1/explain", json=body)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "7"
        assert "busy" in refused.json()["error"]
        # deterministic work does not wait for the model
        calc = await client.post("/v1/calculate", json={"calculator": "bmi", "inputs": {}})
        assert calc.status_code == 422
        backend.release.set()
        first, second = await running, await queued
    assert first.status_code == second.status_code == 200
    assert gate.admitted == 0


# -- privacy ------------------------------------------------------------------------------


def test_patient_text_is_never_logged(caplog):
    marker = "Zebulon-Quaxley-7731"
    client = _client(
        FakeBackend([BackendUnavailable(f"down while reading {marker}", backend="fake")])
    )
    caplog.set_level(logging.DEBUG)
    case = {**CRCL, "context": CRCL["context"] + f" Patient name {marker}."}
    assert client.post("/v1/explain", json={"case": case}).status_code == 200
    assert client.post("/v1/explain", json={"case": {**MCQ, "id": marker}}).status_code == 502
    client.post("/v1/calculate", json={"calculator": "bmi", "note": f"{marker} weighs 70 kg"})
    client.post("/v1/differential", json={"text": f"Focal seizures. {marker}"})
    client.post("/v1/explain", json={"case": {"id": marker}})
    assert caplog.records  # the server did log (timings), just not the patient's text
    assert marker not in caplog.text


def test_an_unexpected_error_is_a_500_with_its_type_only(caplog):
    marker = "Ottoline-Brisk-4410"

    def broken():
        raise RuntimeError(f"crashed on {marker}")

    app = create_app(broken, token=TOKEN)
    # raise_server_exceptions=True: the error does not escape the app (the server would log it)
    client = TestClient(app, headers=AUTH)
    caplog.set_level(logging.DEBUG)
    r = client.post("/v1/explain", json={"case": {**MCQ, "context": marker}, "strategy": "direct"})
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (RuntimeError)"}
    assert "RuntimeError" in caplog.text and marker not in caplog.text

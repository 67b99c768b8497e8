""" "Why?" on a step through the HTTP API (FastAPI TestClient): real traces from the `calculator`
strategy (no model call), a scripted `FakeBackend` answering the question, and the real
verifiers checking each sentence of its reply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clinreason.api.app import Limits, create_app
from clinreason.backends import FakeBackend, make_backend
from clinreason.errors import BackendUnavailable, MissingDependencyError
from clinreason.trace import GenerateRequest

EXAMPLES = Path(__file__).parents[2] / "examples"
TOKEN = "why-token-31"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CRCL = json.loads((EXAMPLES / "crcl_case.json").read_text())
NOTE_FACT = "The patient has hypertension."  # the note: "A 72-year-old man with hypertension"
AGAINST_NOTE = "Serum creatinine is 2.4 mg/dL."  # the note: 1.6 mg/dL
KNOWLEDGE = "Cockcroft-Gault overestimates clearance in obesity."
REPLY = f"{NOTE_FACT} {AGAINST_NOTE} {KNOWLEDGE}"


def _client(backend=None, **kwargs) -> TestClient:
    factory = (lambda: backend) if backend is not None else (lambda: make_backend("fake"))
    app = create_app(factory, token=TOKEN, **kwargs)
    return TestClient(app, headers=AUTH, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def crcl() -> dict:
    r = _client().post("/v1/explain", json={"case": CRCL, "strategy": "calculator"})
    assert r.status_code == 200, r.text
    return r.json()


def _step(trace: dict, **fields) -> dict:
    return next(s for s in trace["steps"] if all(s.get(k) == v for k, v in fields.items()))


def _prompt(request: GenerateRequest) -> str:
    return "\n".join(m.content for m in request.messages)


def test_each_sentence_is_checked_supported_contradicted_or_unverifiable(crcl):
    backend = FakeBackend(script=[REPLY])
    call = _step(crcl, kind="tool_call")
    r = _client(backend).post("/v1/why", json={"trace": crcl, "step": call["id"]})
    assert r.status_code == 200, r.text
    w = r.json()
    assert w["step"] == call["id"] and w["number"] == len(crcl["steps"])
    assert w["question"] == "Why?" and w["said_by"] == "fake" and w["dropped"] == 0
    got = {s["text"]: s for s in w["sentences"]}
    assert list(got) == [NOTE_FACT, AGAINST_NOTE, KNOWLEDGE]
    # a note fact restated: supported by grounding, with the note's sentence as evidence
    fact = got[NOTE_FACT]
    assert fact["status"] == "supported" and fact["words"] == "checked"
    assert fact["claims"][0]["checked_by"] == ["grounding"]
    assert fact["evidence"] == (
        'note: "A 72-year-old man with hypertension is admitted for pneumonia."'
    )
    # a value the note gives otherwise: contradicted, the note's value as evidence
    wrong = got[AGAINST_NOTE]
    assert wrong["status"] == "contradicted" and wrong["evidence"] == 'the note gives "1.6 mg/dL"'
    # medical knowledge: nothing can check it, so it is the model's word, never supported
    said = got[KNOWLEDGE]
    assert said["status"] == "unverifiable"
    assert said["words"] == "said by the model, not checked"
    assert [c["status"] for c in said["claims"]] == ["unverifiable"]
    # the reply is recorded as steps: the model call under the step, one thought per sentence
    llm, *thoughts = w["steps"]
    assert llm["kind"] == "llm_call" and llm["parents"] == [call["id"]]
    assert [t["text"] for t in thoughts] == list(got)
    assert all(t["parents"] == [call["id"], llm["id"]] for t in thoughts)
    assert {t["id"] for t in thoughts}.isdisjoint(s["id"] for s in crcl["steps"])


def test_the_prompt_holds_the_step_its_ancestors_and_the_note_only(crcl):
    backend = FakeBackend(script=[KNOWLEDGE])
    creatinine = _step(crcl, kind="extraction", name="creatinine")
    body = {"trace": crcl, "step": creatinine["id"], "question": "Where  was it read?"}
    r = _client(backend).post("/v1/why", json=body)
    assert r.status_code == 200, r.text
    prompt = _prompt(backend.requests[0])
    assert CRCL["context"] in prompt and CRCL["question"] in prompt
    assert "creatinine = 1.6 mg/dL" in prompt  # the step asked about
    assert "Calculator: Creatinine Clearance" in prompt  # the step it builds on
    assert "weight = 80 kg" not in prompt and "43.845" not in prompt  # not its ancestors
    assert prompt.endswith(
        f"About step {creatinine['id'][1:]}, the clinician asks: Where was it read?"
    )
    assert r.json()["question"] == "Where was it read?"


def test_gold_never_reaches_the_prompt(crcl):
    rationale = "Per the Aldred-Voss reference, CrCl is 51.7 mL/min."
    gold_case = {
        **crcl["case"],
        "gold": "51.7",
        "gold_range": [49.1, 54.3],
        "rationale": rationale,
        "metadata": {"relevant_entities": {"creatinine": [9.9, "mg/dL"]}, "source": "docs"},
    }
    backend = FakeBackend(script=[REPLY])
    trace = {**crcl, "case": gold_case}
    r = _client(backend).post("/v1/why", json={"trace": trace, "step": "s7"})
    assert r.status_code == 200, r.text
    prompt = _prompt(backend.requests[0])
    assert CRCL["context"] in prompt  # the note does reach it
    for secret in ("51.7", "Aldred-Voss", "49.1", "54.3", "9.9", "relevant_entities"):
        assert secret not in prompt
    assert "Aldred-Voss" not in r.text  # nor the answer


def test_the_page_fragment_badges_each_sentence_in_plain_words(crcl):
    r = _client(FakeBackend(script=[REPLY])).post(
        "/v1/why?html=true", json={"trace": crcl, "step": "s7"}
    )
    html = r.json()["html"]
    assert html.count('class="badge badge-supported">checked<') == 1
    assert html.count('class="badge badge-contradicted">contradicted<') == 1
    assert ">said by the model, not checked<" in html
    assert "s7" not in html and "You asked:" in html


def test_markup_in_the_reply_is_text():
    backend = FakeBackend(script=["<script>alert(1)</script> It is <b>so</b>."])
    trace = _client().post("/v1/explain", json={"case": CRCL, "strategy": "calculator"}).json()
    r = _client(backend).post("/v1/why?html=true", json={"trace": trace, "step": "s1"})
    assert "<script>" not in r.json()["html"] and "&lt;script&gt;" in r.json()["html"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"step": "s99"}, 422, "the trace has no step 's99'"),
        ({"step": "s1", "question": "   "}, 422, "the question is empty"),
        ({"step": "s1", "question": "x" * 501}, 422, "question"),
        ({"step": ""}, 422, "step"),
        ({"step": "s1", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_requests_get_one_line(crcl, body, status, words):
    backend = FakeBackend(script=[REPLY])
    r = _client(backend).post("/v1/why", json={"trace": crcl, **body})
    assert r.status_code == status and words in r.json()["error"]
    assert backend.requests == []  # nothing was asked


def test_a_broken_trace_is_a_clear_error():
    r = _client(FakeBackend(script=[REPLY])).post(
        "/v1/why", json={"trace": {"steps": "no"}, "step": "s1"}
    )
    assert r.status_code == 422 and "\n" not in r.json()["error"]


def test_backend_failures_are_errors_never_an_answer(crcl):
    down = FakeBackend(script=[BackendUnavailable("connection refused", backend="openai")])
    r = _client(down).post("/v1/why", json={"trace": crcl, "step": "s7"})
    assert r.status_code == 502
    assert r.json() == {"error": "openai: connection refused"}
    empty = FakeBackend(script=["   "])
    r = _client(empty).post("/v1/why", json={"trace": crcl, "step": "s7"})
    assert r.status_code == 502 and "explanation was empty" in r.json()["error"]
    assert "sentences" not in r.json()

    def missing():
        raise MissingDependencyError("pip install clinreason[llama]")

    client = TestClient(create_app(missing), raise_server_exceptions=False)
    r = client.post("/v1/why", json={"trace": crcl, "step": "s7"})
    assert r.status_code == 503 and r.json()["error"] == "pip install clinreason[llama]"


def test_token_and_size_limits_apply(crcl):
    client = _client(FakeBackend(script=[REPLY]), limits=Limits(max_body_bytes=2048))
    r = client.post("/v1/why", json={"trace": {}, "step": "s7"}, headers={"Authorization": ""})
    assert r.status_code == 401
    r = client.post("/v1/why", json={"trace": crcl, "step": "s7"})
    assert r.status_code == 413


def test_a_long_reply_is_cut_and_says_so(crcl):
    reply = " ".join(f"Point {n} holds." for n in range(20))
    r = _client(FakeBackend(script=[reply])).post("/v1/why", json={"trace": crcl, "step": "s7"})
    w = r.json()
    assert len(w["sentences"]) == 12 and w["dropped"] == 8


def test_why_is_in_the_openapi_document():
    doc = _client().get("/openapi.json", headers={}).json()
    assert "post" in doc["paths"]["/v1/why"]
    assert {"trace", "step", "question"} <= set(
        doc["components"]["schemas"]["WhyRequest"]["properties"]
    )


def test_a_checked_fact_does_not_make_the_inference_beside_it_checked(crcl):
    mixed = "Serum creatinine is 1.6 mg/dL, which suggests reduced clearance."
    r = _client(FakeBackend(script=[mixed])).post(
        "/v1/why?html=true", json={"trace": crcl, "step": "s7"}
    )
    (sentence,) = r.json()["sentences"]
    assert sentence["status"] == "unverifiable"
    assert [(c["kind"], c["status"]) for c in sentence["claims"]] == [
        ("patient_fact", "supported"),
        ("reasoning", "unverifiable"),
    ]
    html = r.json()["html"]  # the part that was checked is shown as such, under the sentence
    assert 'class="why-claims"' in html and ">checked</span> creatinine 1.6 mg/dL" in html

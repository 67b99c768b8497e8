"""`POST /v1/explain/stream` (server-sent events) with the fake backend, and the page at `/`."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clinreason.api import stream as stream_module
from clinreason.api.app import Limits, _State, create_app
from clinreason.api.service import ExplainRequest
from clinreason.api.stream import explain_events
from clinreason.backends import make_backend
from clinreason.backends.fake import FakeBackend
from clinreason.errors import BackendUnavailable
from clinreason.tools.kg import demo_graph
from clinreason.trace import Answer, Case, Thought, TraceBuilder

EXAMPLES = Path(__file__).parents[2] / "examples"
TOKEN = "stream-token-5678"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CRCL = json.loads((EXAMPLES / "crcl_case.json").read_text())
NOTE = (EXAMPLES / "note.txt").read_text()


def _client(backend: Any = None, **kwargs: Any) -> TestClient:
    factory = (lambda: backend) if backend is not None else (lambda: make_backend("fake"))
    app = create_app(factory, token=TOKEN, backend_label="fake (test)", **kwargs)
    return TestClient(app, headers=AUTH, raise_server_exceptions=False)


def events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a server-sent event stream."""
    out = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


@pytest.fixture(scope="module")
def client() -> TestClient:
    return _client()


def test_events_come_in_order_steps_then_the_verified_trace(client):
    r = client.post("/v1/explain/stream", json={"case": CRCL})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    got = events(r.text)
    names = [name for name, _ in got]
    assert names[0] == "status" and names[-1] == "done"
    steps = [data for name, data in got if name == "step"]
    assert names == ["status", *["step"] * len(steps), "done"]
    assert [s["number"] for s in steps] == list(range(1, len(steps) + 1)) and len(steps) >= 6
    assert [s["kind"] for s in steps][:2] == ["thought", "extraction"]
    assert all(s["elapsed_s"] >= 0 and "Step " in s["html"] for s in steps)
    done = got[-1][1]
    assert done["status"] == 200 and done["error"] is None
    trace = done["trace"]
    assert [s["id"] for s in trace["steps"]] == [s["id"] for s in steps]
    assert [s["step"] for s in steps] == trace["steps"]  # each step as the trace holds it
    assert trace["answer"]["unit"] == "mL/min" and trace["verdicts"] and trace["claims"]
    # the same trust words as /v1/explain (and `clinreason explain`)
    plain = client.post("/v1/explain", json={"case": CRCL}).json()
    assert trace["trust"]["summary"] == plain["trust"]["summary"]
    assert trace["answer"] == plain["answer"]
    assert plain["trust"]["summary"] in done["html"]
    assert done["elapsed_s"] >= 0 and done["tokens"] == 0


def test_plain_text_is_read_as_clinreason_explain_reads_stdin(client):
    r = client.post("/v1/explain/stream", json={"text": NOTE, "strategy": "self_consistency"})
    got = events(r.text)
    done = got[-1][1]
    assert got[-1][0] == "done", got[-1]
    case = done["trace"]["case"]
    assert case["question"] == "Which coronary artery is most likely occluded?"
    assert case["options"]["C"] == "Right coronary artery"
    assert sum(name == "step" for name, _ in got) == len(done["trace"]["steps"]) >= 5
    assert done["trace"]["strategy"]["name"] == "self_consistency"
    assert done["tokens"] > 0 and done["tokens_per_s"] > 0


class Blocking:
    """Adds a step, waits until told to go on, adds another."""

    name = "blocking"
    version = 1

    def __init__(self) -> None:
        self.go_on = asyncio.Event()
        self.finished = False
        self.cancelled = False

    async def solve(self, case: Case, backend: Any, tb: TraceBuilder) -> Answer:
        tb.add(Thought(text="first thought"))
        try:
            await self.go_on.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        tb.add(Thought(text="second thought"))
        self.finished = True
        return Answer(value="A", support=["s2"])


def _blocked_stream() -> tuple[_State, Blocking, Any]:
    state = _State(lambda: FakeBackend([]), Limits(), None)
    strategy = Blocking()
    req = ExplainRequest(case=Case(id="c", question="q?", options={"A": "a", "B": "b"}))
    return state, strategy, explain_events(state, req, strategy, state.gate.admit())


def test_steps_are_sent_while_the_run_is_still_going(monkeypatch):
    """The first step reaches the client before the strategy finishes; ticks while it waits."""
    monkeypatch.setattr(stream_module, "TICK_S", 0.05)

    async def scenario() -> list[str]:
        state, strategy, stream = _blocked_stream()
        seen = [await anext(stream), await anext(stream)]
        assert "running" in seen[0] and "event: step" in seen[1] and "first thought" in seen[1]
        seen.append(await anext(stream))  # nothing happens for a while: a tick
        assert not strategy.finished and state.gate.admitted == 1
        strategy.go_on.set()
        seen += [chunk async for chunk in stream]
        assert state.gate.admitted == 0  # the queue place is given back
        return seen

    seen = asyncio.run(scenario())
    names = [chunk.split("\n")[0] for chunk in seen]
    assert names[:3] == ["event: status", "event: step", "event: tick"]
    assert [n for n in names[3:] if n != "event: tick"] == ["event: step", "event: done"]


def test_a_client_that_goes_away_cancels_the_run_and_frees_its_place():
    async def scenario() -> None:
        state, strategy, stream = _blocked_stream()
        await anext(stream)
        await anext(stream)
        await stream.aclose()  # what Starlette does when the client disconnects
        await asyncio.sleep(0)
        assert strategy.cancelled and not strategy.finished
        assert state.gate.admitted == 0 and not state.gate.waiting

    asyncio.run(scenario())


def test_diagnose_steps_stream_from_its_worker_thread():
    client = _client(graph=demo_graph())
    case = json.loads((EXAMPLES / "phenotype_case.json").read_text())
    got = events(client.post("/v1/explain/stream", json={"case": case}).text)
    assert got[-1][0] == "done" and got[-1][1]["trace"]["strategy"]["name"] == "diagnose"
    kinds = [data["kind"] for name, data in got if name == "step"]
    assert "kg_link" in kinds and len(kinds) == len(got[-1][1]["trace"]["steps"])
    assert 'class="hl"' in got[-1][1]["html"]  # findings highlighted in the note


def test_a_token_is_needed_when_the_server_has_one():
    client = _client()
    r = client.post("/v1/explain/stream", json={"case": CRCL}, headers={"Authorization": ""})
    assert r.status_code == 401 and "token" in r.json()["error"]
    assert r.headers["WWW-Authenticate"] == "Bearer"
    wrong = client.post(
        "/v1/explain/stream", json={"case": CRCL}, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401


def test_a_body_too_large_is_413():
    client = _client(limits=Limits(max_body_bytes=2_000))
    r = client.post("/v1/explain/stream", json={"text": "fever " * 1_000 + "Question: why?"})
    assert r.status_code == 413 and "too large" in r.json()["error"]


def test_a_full_queue_is_503_with_retry_after_and_places_are_given_back():
    client = _client(limits=Limits(queue=0, retry_after_s=7))
    gate = client.app.state.clinreason.gate
    ticket = gate.admit()  # another request holds the only place
    r = client.post("/v1/explain/stream", json={"case": CRCL})
    assert r.status_code == 503 and r.headers["Retry-After"] == "7"
    assert "busy" in r.json()["error"]
    ticket.release()
    ok = client.post("/v1/explain/stream", json={"case": CRCL})
    assert ok.status_code == 200 and events(ok.text)[-1][0] == "done"
    assert gate.admitted == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 422, "give either 'case' or 'text'"),
        ({"case": CRCL, "text": "x"}, 422, "give either 'case' or 'text'"),
        ({"text": "   "}, 400, "no input"),
        ({"text": "A. one\nB. two"}, 400, "no question found"),
        ({"case": CRCL, "strategy": "nosuch"}, 400, "nosuch"),
        ({"case": {"id": "x"}}, 422, "question"),
    ],
)
def test_bad_input_is_a_4xx_with_one_line(client, body, status, message):
    r = client.post("/v1/explain/stream", json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert message in error and "\n" not in error and "Traceback" not in error


def test_a_parameter_of_the_wrong_type_is_a_400_before_the_stream_starts(client):
    body = {"case": CRCL, "params": {"k": "abc"}, "strategy": "self_consistency"}
    r = client.post("/v1/explain/stream", json=body)
    assert r.status_code == 400 and "k must be a whole number" in r.json()["error"]
    assert client.post("/v1/explain", json=body).json() == r.json()  # as /v1/explain says


def test_a_backend_failure_ends_with_the_failed_trace_never_an_answer():
    broken = FakeBackend([BackendUnavailable("connection refused", backend="fake")])
    r = _client(broken).post(
        "/v1/explain/stream", json={"case": {"id": "m", "question": "Why?", "options": {"A": "x"}}}
    )
    name, done = events(r.text)[-1]
    assert name == "done" and done["status"] == 502
    assert "connection refused" in done["error"] and done["trace"]["answer"] is None
    assert "No answer" in done["html"]


def test_note_text_is_escaped_in_steps_and_result(client):
    nasty = '<script>alert("x")</script> 72-year-old man, creatinine 1.6 mg/dL, weighs 80 kg.'
    case = {**CRCL, "context": nasty}
    got = events(client.post("/v1/explain/stream", json={"case": case}).text)
    html = "".join(data.get("html", "") for _, data in got)
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert 'class="hl"' in html  # the evidence is still highlighted


def test_patient_text_is_never_logged(caplog):
    marker = "Quillon-Marsh-7781"
    case = {**CRCL, "context": CRCL["context"] + f" Patient {marker}."}
    with caplog.at_level(logging.DEBUG):
        r = _client().post("/v1/explain/stream", json={"case": case})
        assert marker in r.text  # it is in the answer to the client ...
    assert marker not in caplog.text  # ... and nowhere in the log


def test_the_page_is_served_with_its_script_and_style_sheet(client):
    page = client.get("/", headers={})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    for needed in ('<label for="note">', '<label for="token">', "fake (test)", "self_consistency"):
        assert needed in html
    assert "http://" not in html and "https://" not in html  # nothing from another host
    for path in ("/static/web.js", "/static/web.css"):
        r = client.get(path, headers={})
        assert r.status_code == 200 and len(r.text) > 1_000
    open_page = TestClient(create_app(lambda: make_backend("fake"))).get("/").text
    assert 'id="token"' not in open_page and "set by the server" in open_page
    doc = client.get("/openapi.json").json()
    assert "post" in doc["paths"]["/v1/explain/stream"] and "/" not in doc["paths"]

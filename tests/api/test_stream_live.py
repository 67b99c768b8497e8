"""A model call streamed by `POST /v1/explain/stream` as it happens: `model_start` at once, its
words in batched `model_text` events, then its step. With the fake backend in process, and with
a real `clinreason serve` fed by a scripted OpenAI-compatible server streaming over loopback."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx

from clinreason.api import stream as stream_module
from clinreason.api.app import Limits, _State
from clinreason.api.local import local_server
from clinreason.api.service import ExplainRequest
from clinreason.api.stream import explain_events
from clinreason.backends import CachedBackend
from clinreason.backends.fake import FakeBackend
from clinreason.backends.scripted_server import scripted_server_thread
from clinreason.backends.streaming import model_words
from clinreason.strategies.cot import ChainOfThought
from clinreason.trace import Case, case_from_text

NOTE = (Path(__file__).parents[2] / "examples" / "note.txt").read_text()
REASONING = (
    "ST elevation in leads II, III and aVF marks an inferior infarction. The right coronary "
    "artery supplies the inferior wall in most patients, so it is the likely culprit here."
)
REPLY = json.dumps({"reasoning": REASONING, "answer": "C"})
WORDS = f"Reasoning: {REASONING}\n\nAnswer: C"  # as the page shows the reply
CASE = Case(id="c", question="Which artery?", options={"A": "LAD", "B": "LCx", "C": "RCA"})


def parse(chunk: str) -> tuple[str, dict[str, Any]]:
    lines = dict(line.split(": ", 1) for line in chunk.strip().splitlines())
    return lines["event"], json.loads(lines["data"])


def rebuilt(texts: list[dict[str, Any]]) -> str:
    """The text the page shows after these `model_text` events."""
    shown = ""
    for data in texts:
        shown = shown[: data["at"]] + data["text"]
        assert len(shown) == data["chars"]
    return shown


def check_model_call(got: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The events of a run whose first step is a model call: start, text, its step, ... done.
    Returns the model call's step event."""
    names = [name for name, _ in got if name != "tick"]
    assert names[:3] == ["status", "model_start", "model_text"], names
    call_at = names.index("step")
    assert set(names[2:call_at]) == {"model_text"} and names[-1] == "done"
    start = got[1][1]
    step = next(data for name, data in got if name == "step")
    assert step["kind"] == "llm_call" and step["number"] == start["number"] == 1
    texts = [data for name, data in got if name == "model_text"]
    assert all(data["number"] == 1 for data in texts)
    final = model_words(step["step"]["response"]["texts"][0])
    shown = rebuilt(texts)
    assert shown and final.startswith(shown)  # the page held the model's words, in order
    return step


def test_a_model_call_shows_at_once_then_its_words_batched_then_its_step(monkeypatch):
    monkeypatch.setattr(stream_module, "TEXT_EVERY_S", 0.1)
    backend = FakeBackend([REPLY], stream_delay=0.02)  # 33 words in about 0.7 s

    async def scenario() -> list[tuple[float, str, dict[str, Any]]]:
        state = _State(lambda: backend, Limits(), None)
        req = ExplainRequest(case=CASE, strategy="cot")
        start = time.perf_counter()
        events = explain_events(state, req, ChainOfThought(), state.gate.admit())
        return [(time.perf_counter() - start, *parse(chunk)) async for chunk in events]

    timed = asyncio.run(scenario())
    got = [(name, data) for _, name, data in timed]
    step = check_model_call(got)
    assert "Asking the model (fake)" in got[1][1]["html"] and got[1][1]["model"] == "fake"
    texts = [data for name, data in got if name == "model_text"]
    words = len(REPLY.split())
    assert 3 <= len(texts) < words / 2  # batched: far fewer events than words
    assert rebuilt(texts) == WORDS and step["step"]["response"]["texts"] == [REPLY]
    when = {name: t for t, name, _ in reversed(timed)}  # the first time of each event
    assert when["model_start"] < 0.2 and when["step"] - when["model_text"] > 0.3
    assert got[-1][1]["trace"]["steps"][0]["response"]["texts"] == [REPLY]


def test_a_cached_answer_is_shown_whole_in_one_event(tmp_path):
    backend = CachedBackend(FakeBackend([REPLY, REPLY]), tmp_path / "cache.sqlite3")

    async def run_once() -> list[tuple[str, dict[str, Any]]]:
        state = _State(lambda: backend, Limits(), None)
        req = ExplainRequest(case=CASE, strategy="cot")
        events = explain_events(state, req, ChainOfThought(), state.gate.admit())
        return [parse(chunk) async for chunk in events]

    asyncio.run(run_once())
    got = asyncio.run(run_once())
    check_model_call(got)
    assert [data["text"] for name, data in got if name == "model_text"] == [WORDS]


def test_words_from_a_real_server_reach_the_client_before_the_call_ends(tmp_path):
    """`clinreason serve` → scripted server streaming 33 words 40 ms apart over loopback."""
    with scripted_server_thread(lambda body: REPLY, latency=0.2, token_delay=0.04) as base:
        options = ("--backend", "openai", "--base-url", base, "--model", "scripted", "--no-cache")
        log = tmp_path / "stderr.log"
        with local_server(*options, log=log, log_level="DEBUG") as url:
            case = case_from_text(NOTE, case_id="live").model_dump(mode="json")
            body = {"case": case, "strategy": "cot"}
            timed = []
            start = time.perf_counter()
            with httpx.stream("POST", f"{url}/v1/explain/stream", json=body, timeout=60) as r:
                assert r.status_code == 200
                buffer = ""
                for piece in r.iter_text():
                    buffer += piece
                    *blocks, buffer = buffer.split("\n\n")
                    timed += [(time.perf_counter() - start, *parse(b)) for b in blocks if b]
    got = [(name, data) for _, name, data in timed]
    step = check_model_call(got)
    assert got[1][1]["model"] == "scripted"
    when = {name: t for t, name, _ in reversed(timed)}
    # the call is announced before the server's first word (0.2 s latency), and words arrive
    # while it writes: the 33 words take about 1.3 s
    assert when["model_start"] < when["model_text"] and when["step"] - when["model_text"] > 0.6
    texts = [data for name, data in got if name == "model_text"]
    assert len(texts) >= 4 and rebuilt(texts) == WORDS
    assert step["step"]["response"]["texts"] == [REPLY]
    assert step["step"]["usage"]["completion_tokens"] == len(REPLY.split())
    assert got[-1][1]["trace"]["answer"]["value"] == "C"
    assert "substernal" not in log.read_text()  # nothing from the request is logged

"""OpenAIBackend against real servers on loopback.

- llama-cpp-python's OpenAI-compatible server running the small SmolLM2 model;
- a tiny error-injecting HTTP server (429 with Retry-After, 503, 400, malformed body, slow
  responses) to check retries and the errors users see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jsonschema
import pytest

from clinreason.api.local import free_port
from clinreason.backends import make_backend
from clinreason.backends.models import model_path
from clinreason.backends.openai_http import OpenAIBackend
from clinreason.backends.retry import RetryPolicy
from clinreason.backends.streaming import stream_text
from clinreason.errors import (
    BackendBadResponse,
    BackendRateLimited,
    BackendRequestError,
    BackendTimeout,
    BackendUnavailable,
)
from clinreason.trace import SCHEMA_VERSION, GenerateRequest, Message

API_KEY = "loopback-test-key"
KEY_ENV = "CLINREASON_TEST_SERVER_KEY"


def ask(text: str, **kw) -> GenerateRequest:
    return GenerateRequest(messages=(Message(role="user", content=text),), **kw)


# --------------------------------------------------------------------------------------
# llama-cpp-python's server with the small model


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory) -> Iterator[str]:
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model_path("smollm2-135m")),
        "--model_alias", "smollm2",
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "512", "--n_threads", "1", "--n_threads_batch", "1",
        "--api_key", API_KEY,
    ]  # fmt: skip
    # Logs go to a file: the server writes a lot and would block on a full pipe.
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log_path.read_text()[-2000:]}")
            try:
                headers = {"Authorization": f"Bearer {API_KEY}"}
                if httpx.get(f"{base}/models", headers=headers, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 90 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def served(llama_server, monkeypatch) -> OpenAIBackend:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    return OpenAIBackend(llama_server, "smollm2", api_key_env=KEY_ENV, schema_mode="json_object")


@pytest.mark.server
async def test_real_server_generates_with_usage_and_determinism(served):
    request = ask("What is the capital of France? One word.", max_tokens=8, seed=1)
    first = await served.generate(request)
    second = await served.generate(request)
    assert first.texts[0].strip() and first.texts == second.texts
    assert first.model == "smollm2" and first.finish_reasons[0] in ("stop", "length")
    assert first.usage.prompt_tokens > 5 and 1 <= first.usage.completion_tokens <= 8
    await served.aclose()


@pytest.mark.server
async def test_real_server_n_samples_and_logprobs(served):
    gen = await served.generate(
        ask("Name a colour.", max_tokens=6, n=2, temperature=1.0, seed=3, logprobs=True)
    )
    assert len(gen.texts) == 2  # this server ignores n: the backend asked twice
    assert gen.logprobs is not None and all(len(lp) >= 1 for lp in gen.logprobs)
    assert all(t.logprob <= 0 for t in gen.logprobs[0])
    await served.aclose()


@pytest.mark.server
async def test_real_server_streams_the_plain_call_s_text_and_logprobs(served):
    request = ask("List three fruits.", max_tokens=16, seed=1, logprobs=True)
    plain = await served.generate(request)
    seen: list[str] = []
    with stream_text(seen.append):
        streamed = await served.generate(request)
    assert streamed.texts == plain.texts and streamed.finish_reasons == plain.finish_reasons
    assert seen[0] == "" and seen[-1] == plain.texts[0] and len(seen) >= 4
    assert streamed.logprobs is not None and plain.logprobs is not None
    assert [t.token for t in streamed.logprobs[0]] == [t.token for t in plain.logprobs[0]]
    # llama-cpp-python's server sends no usage when streaming: no counts, never made-up ones
    assert streamed.usage.completion_tokens in (0, plain.usage.completion_tokens)
    await served.aclose()


SCHEMA = {
    "type": "object",
    "properties": {
        "age": {"type": "integer"},
        "sex": {"type": "string", "enum": ["male", "female"]},
    },
    "required": ["age", "sex"],
}


@pytest.mark.server
async def test_real_server_json_schema_in_llama_cpp_form(served):
    gen = await served.generate(
        ask("A 45-year-old man. Give his age and sex as JSON.", max_tokens=24, json_schema=SCHEMA)
    )
    jsonschema.validate(json.loads(gen.texts[0]), SCHEMA)
    await served.aclose()


@pytest.mark.server
async def test_real_server_wrong_key_is_a_request_error_not_retried(llama_server, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "wrong")
    be = OpenAIBackend(llama_server, "smollm2", api_key_env=KEY_ENV)
    with pytest.raises(BackendRequestError, match=r"HTTP 401"):
        await be.generate(ask("hi", max_tokens=2))
    await be.aclose()


@pytest.mark.server
async def test_real_server_through_make_backend_and_cache(llama_server, monkeypatch, tmp_path):
    monkeypatch.setenv(KEY_ENV, API_KEY)
    be = make_backend(
        "openai", model="smollm2", base_url=llama_server, api_key_env=KEY_ENV,
        cache_path=tmp_path / "c.sqlite3",
    )  # fmt: skip
    a = await be.generate(ask("Say yes.", max_tokens=3))
    b = await be.generate(ask("Say yes.", max_tokens=3))
    assert (a.cached, b.cached) == (False, True) and a.texts == b.texts
    assert be.spec.params["base_url"] == llama_server and API_KEY not in json.dumps(be.spec.params)
    await be.aclose()


# --------------------------------------------------------------------------------------
# An error-injecting server: the first path segment picks the scenario


OK_BODY = {
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "fine"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1},
}


class FaultyHandler(BaseHTTPRequestHandler):
    """Scenario by path: /<scenario>/v1/chat/completions."""

    hits: Counter[str]
    lock: threading.Lock

    def log_message(self, *args: object) -> None:
        """Quiet."""

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout scenario)
            self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        scenario = self.path.strip("/").split("/")[0]
        with self.lock:
            self.hits[scenario] += 1
            hit = self.hits[scenario]
        ok = json.dumps(OK_BODY).encode()
        if scenario == "ratelimited" and hit == 1:
            return self.send(429, b'{"error": {"message": "slow down"}}', {"Retry-After": "1"})
        if scenario == "ratelimited_long":
            return self.send(429, b"{}", {"Retry-After": "120"})
        if scenario == "flaky" and hit <= 2:
            return self.send(503, b"upstream overloaded")
        if scenario == "down":
            return self.send(503, b'{"error": {"message": "model loading"}}')
        if scenario == "badrequest":
            return self.send(400, b'{"error": {"message": "max_tokens is too large"}}')
        if scenario == "malformed":
            return self.send(200, b"<html>gateway page</html>")
        if scenario == "nochoices":
            return self.send(200, b'{"object": "chat.completion"}')
        if scenario == "slow":
            time.sleep(1.5)
        return self.send(200, ok, {"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def faulty_server() -> Iterator[tuple[str, Counter[str]]]:
    hits: Counter[str] = Counter()
    handler = type("Handler", (FaultyHandler,), {"hits": hits, "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def faulty(root: str, scenario: str, sleeps: list[float], timeout: float = 5.0) -> OpenAIBackend:
    import asyncio

    async def recording_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(seconds)

    retry = RetryPolicy(base_delay=0.05, max_delay=5.0, jitter=0.0, sleep=recording_sleep)
    return OpenAIBackend(f"{root}/{scenario}/v1", "m", timeout=timeout, retry=retry)


@pytest.mark.server
async def test_429_retry_after_is_honoured_then_succeeds(faulty_server):
    root, hits = faulty_server
    sleeps: list[float] = []
    started = time.monotonic()
    gen = await faulty(root, "ratelimited", sleeps).generate(ask("x"))
    assert gen.texts == ["fine"] and hits["ratelimited"] == 2
    assert sleeps == [1.0] and time.monotonic() - started >= 1.0


@pytest.mark.server
async def test_429_asking_for_longer_than_max_delay_fails_at_once(faulty_server):
    root, hits = faulty_server
    sleeps: list[float] = []
    with pytest.raises(BackendRateLimited, match=r"HTTP 429.*retry after 120 s"):
        await faulty(root, "ratelimited_long", sleeps).generate(ask("x"))
    assert hits["ratelimited_long"] == 1 and sleeps == []


@pytest.mark.server
async def test_503_twice_then_success_with_backoff(faulty_server):
    root, hits = faulty_server
    sleeps: list[float] = []
    gen = await faulty(root, "flaky", sleeps).generate(ask("x"))
    assert gen.texts == ["fine"] and hits["flaky"] == 3 and sleeps == [0.05, 0.1]


@pytest.mark.parametrize(
    ("scenario", "error", "message", "attempts"),
    [
        ("down", BackendUnavailable, "server error: model loading (HTTP 503) after 4 attempts", 4),
        ("malformed", BackendBadResponse, "response body is not JSON", 4),
        ("nochoices", BackendBadResponse, "response has no choices (HTTP 200) after 4", 4),
        ("badrequest", BackendRequestError, "rejected: max_tokens is too large (HTTP 400)", 1),
    ],
)
@pytest.mark.server
async def test_errors_are_clear_and_retried_only_when_retryable(
    faulty_server, scenario, error, message, attempts
):
    root, hits = faulty_server
    sleeps: list[float] = []
    with pytest.raises(error) as info:
        await faulty(root, scenario, sleeps).generate(ask("x"))
    assert str(info.value).startswith(f"openai at {root}/{scenario}/v1: ")
    assert message in str(info.value)
    assert hits[scenario] == attempts and len(sleeps) == attempts - 1


@pytest.mark.server
async def test_slow_server_times_out_after_bounded_retries(faulty_server):
    root, hits = faulty_server
    sleeps: list[float] = []
    with pytest.raises(BackendTimeout, match=r"no response within 0.3 s after 4 attempts"):
        await faulty(root, "slow", sleeps, timeout=0.3).generate(ask("x"))
    assert hits["slow"] == 4


@pytest.mark.server
async def test_connection_refused_is_unavailable():
    sleeps: list[float] = []
    be = faulty(f"http://127.0.0.1:{free_port()}", "none", sleeps)
    with pytest.raises(BackendUnavailable, match=r"cannot reach the server.*after 4 attempts"):
        await be.generate(ask("x"))
    assert len(sleeps) == 3


def test_no_secret_in_environment_leaks_into_spec(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-appear")
    be = OpenAIBackend("http://127.0.0.1:1/v1", "m")
    assert "sk-should-not-appear" not in json.dumps(be.spec.model_dump()) + repr(be)
    assert os.environ["OPENAI_API_KEY"] == "sk-should-not-appear"


@pytest.mark.server
def test_explain_over_the_server_checks_the_answer_and_reports_trust(llama_server, monkeypatch):
    """End to end over an OpenAI-compatible server: cot, an independent re-asking, claims, trust."""
    from pathlib import Path

    from click.testing import CliRunner

    from clinreason.cli import main

    monkeypatch.setenv(KEY_ENV, API_KEY)
    case = str(Path(__file__).resolve().parents[2] / "examples" / "mcq_case.json")
    args = ["explain", case, "--backend", "openai", "--base-url", llama_server, "--model"]
    args += ["smollm2", "--api-key-env", KEY_ENV, "--schema-mode", "json_object", "--no-cache"]
    args += ["--strategy", "cot"]
    args += ["-S", "max_tokens=96", "-S", "recheck=2", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    trace = json.loads(result.output)
    assert trace["schema_version"] == SCHEMA_VERSION and trace["case"]["gold"] is None
    assert any(s["kind"] == "check" and s["verdict"]["verifier"] == "reask" for s in trace["steps"])
    assert trace["trust"] is not None and trace["trust"]["fully_verified"] is False
    answer = next(c for c in trace["claims"] if c["kind"] == "answer")
    assert answer["status"] in ("supported", "contradicted", "judgement")


def test_checked_self_consistency_over_the_server(llama_server, monkeypatch):
    """`self_consistency -S checked=true` over a real server: each sample is read by the
    verifiers before the vote; every sample either votes or has a `check` step saying why not."""
    from pathlib import Path

    from click.testing import CliRunner

    from clinreason.cli import main

    monkeypatch.setenv(KEY_ENV, API_KEY)
    case = str(Path(__file__).resolve().parents[2] / "examples" / "mcq_case.json")
    args = ["explain", case, "--backend", "openai", "--base-url", llama_server, "--model"]
    args += ["smollm2", "--api-key-env", KEY_ENV, "--schema-mode", "json_object", "--no-cache"]
    args += ["--strategy", "self_consistency", "-S", "k=2", "-S", "max_tokens=96"]
    args += ["-S", "checked=true", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    trace = json.loads(result.output)
    assert trace["strategy"]["params"]["checked"] is True
    samples = [s["id"] for s in trace["steps"] if s["kind"] == "thought"]
    dropped = {
        s["parents"][0]
        for s in trace["steps"]
        if s["kind"] == "check" and "vote_dropped" in s["verdict"]["details"]
    }
    (vote,) = [s for s in trace["steps"] if s["kind"] == "vote"]
    voters = [p for p in vote["parents"] if p in samples]
    assert len(samples) == 2 and set(voters) | dropped == set(samples)
    assert not (set(voters) & dropped) or set(voters) == set(samples)  # all dropped: all vote


@pytest.mark.server
def test_fanout_onto_the_real_server_when_the_other_endpoint_dies(
    llama_server, monkeypatch, tmp_path
):
    """llama-cpp-python's server (SmolLM2) plus a scripted server killed after its first
    answer: every case is answered once, the rest by the real server."""
    from clinreason.backends.fanout import FanoutBackend
    from clinreason.backends.scripted_server import scripted_servers
    from clinreason.bench import MirageBenchmark
    from clinreason.bench.base import Dataset
    from clinreason.bench.rundir import RESULTS, scan_results
    from clinreason.bench.runner import run_eval
    from clinreason.strategies import Direct
    from clinreason.trace import Case

    monkeypatch.setenv(KEY_ENV, API_KEY)
    cases = tuple(
        Case(id=f"medqa/{i}", question=f"Is {i} an even number?", options={"A": "yes", "B": "no"},
             gold="A" if i % 2 == 0 else "B", metadata={"dataset": "medqa"})
        for i in range(6)
    )  # fmt: skip
    dataset = Dataset("synthetic", "1", cases, "memory", "0" * 64)

    class KillFirst:
        def start(self, total: int, done: int) -> None: ...
        def stop(self) -> None: ...
        def advance(self, result) -> None:  # type: ignore[no-untyped-def]
            if scripted.process.poll() is None:
                scripted.kill()

    with scripted_servers(1, latency=0.2) as (scripted,):
        backend = FanoutBackend(
            [llama_server, scripted.url], "smollm2", per_endpoint=1, api_key_env=KEY_ENV,
            schema_mode="json_object", recheck_s=0.2,
        )  # fmt: skip

        async def go() -> dict:  # type: ignore[type-arg]
            try:
                return await run_eval(
                    MirageBenchmark(), dataset, Direct(), backend, out_dir=tmp_path,
                    concurrency=2, progress=KillFirst(), verify=False,
                )  # fmt: skip
            finally:
                await backend.aclose()

        summary = asyncio.run(go())
    real, killed = backend.stats()
    assert summary["n"] == 6 and summary["n_errors"] == 0
    ids = scan_results(tmp_path / RESULTS).case_ids
    assert len(ids) == len(set(ids)) == 6
    assert killed["state"] == "down" and killed["ok"] <= 2
    assert real["state"] == "up" and real["ok"] + killed["ok"] == 6 and real["ok"] >= 4

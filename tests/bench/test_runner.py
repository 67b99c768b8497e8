"""The runner: run directory contents, resume after a crash, errors, concurrency, re-scoring."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.rundir import (
    RESULTS,
    locked,
    read_results,
    read_run,
    read_spec,
    records,
    scan_results,
)
from clinreason.bench.runner import rescore, run_eval
from clinreason.bench.tracestore import STORE
from clinreason.errors import BackendUnavailable, ConfigError, TraceFormatError
from clinreason.strategies import ChainOfThought, Direct
from clinreason.trace import GenerateRequest, Generation

KEYS = {"neck stiffness": "A", "scurvy": "C", "walking": "A"}


def _run(bench, dataset, strategy, backend, out: Path, **kw):  # type: ignore[no-untyped-def]
    return asyncio.run(
        run_eval(bench, dataset, strategy, backend, out_dir=out, progress=False, **kw)
    )


def _lines(out: Path) -> list[dict]:  # type: ignore[type-arg]
    """Every line of results.jsonl, joined with its trace frame."""
    return records(out)


def test_run_writes_results_summary_and_spec(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    summary = _run(
        bench,
        dataset,
        ChainOfThought(),
        scripted_backend(KEYS),
        tmp_path / "run",
        seed=5,
        argv=["x"],
    )
    lines = _lines(tmp_path / "run")
    assert sorted(r["case_id"] for r in lines) == sorted(c.id for c in dataset)
    assert all(r["status"] == "ok" and r["correct"] for r in lines)
    first = lines[0]
    assert first["trace"]["steps"][0]["kind"] == "llm_call"  # the full trace, from its frame
    assert first["metadata"]["dataset"] in ("medqa", "pubmedqa")
    assert summary["accuracy"] == 1.0 and summary["n"] == 3 and summary["n_errors"] == 0
    assert summary["by"]["dataset"]["medqa"]["n"] == 2 and summary["macro_accuracy"] == 1.0
    assert json.loads((tmp_path / "run" / "summary.json").read_text()) == summary
    spec = read_spec(tmp_path / "run")
    assert spec.dataset.sha256 == dataset.sha256 and spec.dataset.n_selected == 3
    assert spec.strategy is not None and spec.strategy.name == "cot"
    assert spec.backend is not None and spec.backend.name == "fake"
    assert spec.benchmark.name == "mirage" and spec.seed == 5 and spec.argv == ["x"]
    assert "clinreason" in spec.packages and "numpy" in spec.packages and spec.python
    assert "revision" in spec.git and spec.finished_at is not None


def test_existing_results_need_resume(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    _run(bench, dataset, Direct(), scripted_backend(KEYS), tmp_path)
    with pytest.raises(ConfigError, match="--resume"):
        _run(bench, dataset, Direct(), scripted_backend(KEYS), tmp_path)
    with pytest.raises(ConfigError, match="different strategy"):
        _run(bench, dataset, ChainOfThought(), scripted_backend(KEYS), tmp_path, resume=True)


def test_resume_accepts_a_strategy_option_added_since_at_its_default(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    out = tmp_path / "run"
    _run(bench, dataset, ChainOfThought(), scripted_backend(KEYS), out, limit=1)
    spec = json.loads((out / "run.json").read_text())
    del spec["strategy"]["params"]["recheck"]  # as if the run began before `recheck` existed
    (out / "run.json").write_text(json.dumps(spec))
    for changed in (ChainOfThought(recheck=2), ChainOfThought(max_tokens=100)):
        with pytest.raises(ConfigError, match="different strategy"):
            _run(bench, dataset, changed, scripted_backend(KEYS), out, resume=True)
    summary = _run(bench, dataset, ChainOfThought(), scripted_backend(KEYS), out, resume=True)
    assert summary["n"] == 3
    assert "recheck" not in read_spec(out).strategy.params  # type: ignore[union-attr]


def test_resume_after_crash_repairs_torn_line_and_skips_finished(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    out = tmp_path / "run"
    _run(bench, dataset, Direct(), scripted_backend(KEYS), out, limit=2)  # a partial run
    assert len(_lines(out)) == 2
    with open(out / RESULTS, "ab") as handle:  # a crash in the middle of writing the third line
        handle.write(b'{"case_id":"pubmedqa/111","status":"ok","answer":"A","gold"')
    assert scan_results(out / RESULTS).torn
    backend = scripted_backend(KEYS)
    summary = _run(bench, dataset, Direct(), backend, out, resume=True)
    assert len(backend.requests) == 1  # only the unfinished case was run again
    ids = [r["case_id"] for r in _lines(out)]
    assert sorted(ids) == sorted(c.id for c in dataset) and len(set(ids)) == 3
    assert summary["n"] == 3 and summary["accuracy"] == 1.0
    assert len(read_spec(out).resumed_at) == 1
    again = scripted_backend(KEYS)
    _run(bench, dataset, Direct(), again, out, resume=True)  # nothing left to do
    assert again.requests == [] and len(_lines(out)) == 3


def test_errors_are_recorded_counted_and_retried_on_resume(data_dir: Path, tmp_path: Path) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")

    def flaky(request: GenerateRequest) -> str:
        if "scurvy" in request.messages[-1].content:
            raise BackendUnavailable("connection refused", backend="fake")
        if "walking" in request.messages[-1].content:
            raise ValueError("bug in a backend")  # not a ClinReasonError: still recorded
        return '{"answer": "A"}'

    summary = _run(bench, dataset, Direct(), FakeBackend(flaky), tmp_path)
    by_id = {r["case_id"]: r for r in _lines(tmp_path)}
    assert (
        by_id["medqa/0001"]["status"] == "error"
        and "connection refused" in by_id["medqa/0001"]["error"]
    )
    assert (
        by_id["pubmedqa/111"]["status"] == "error"
        and "ValueError: bug" in by_id["pubmedqa/111"]["error"]
    )
    assert by_id["medqa/0001"]["correct"] is None  # never scored as wrong
    assert summary["n_errors"] == 2 and summary["n_scored"] == 1 and summary["accuracy"] == 1.0
    assert summary["accuracy_errors_as_wrong"] == pytest.approx(1 / 3)
    keep = FakeBackend(lambda r: '{"answer": "C"}')
    _run(bench, dataset, Direct(), keep, tmp_path, resume=True, retry_errors=False)
    assert keep.requests == []
    fixed = FakeBackend(
        lambda r: '{"answer": "C"}' if "scurvy" in r.messages[-1].content else '{"answer": "A"}'
    )
    summary = _run(bench, dataset, Direct(), fixed, tmp_path, resume=True)
    assert len(fixed.requests) == 2 and summary["n_errors"] == 0 and summary["accuracy"] == 1.0
    assert len(_lines(tmp_path)) == 3  # error lines replaced, not duplicated


def test_answer_without_option_is_no_answer(data_dir: Path, tmp_path: Path) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    summary = _run(bench, dataset, Direct(), FakeBackend(lambda r: "I cannot decide."), tmp_path)
    assert summary["n_no_answer"] == 3 and summary["accuracy"] == 0.0
    assert {r["status"] for r in _lines(tmp_path)} == {"no_answer"}


class SlowBackend(FakeBackend):
    """Counts how many generate calls run at once."""

    in_flight: int = 0
    peak: int = 0

    async def generate(self, request: GenerateRequest) -> Generation:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        try:
            return await super().generate(request)
        finally:
            self.in_flight -= 1


def test_concurrency_is_bounded_by_the_backend(data_dir: Path, tmp_path: Path) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    backend = SlowBackend(lambda r: '{"answer": "A"}', max_concurrency=2)
    _run(bench, dataset, Direct(), backend, tmp_path / "a", concurrency=8)
    assert backend.peak == 2
    serial = SlowBackend(lambda r: '{"answer": "A"}', max_concurrency=8)
    _run(bench, dataset, Direct(), serial, tmp_path / "b", concurrency=1)
    assert serial.peak == 1


def test_corrupt_middle_line_and_locked_directory(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    _run(bench, dataset, Direct(), scripted_backend(KEYS), tmp_path, limit=2)
    lines = (tmp_path / RESULTS).read_bytes().split(b"\n")
    (tmp_path / RESULTS).write_bytes(b"garbage\n" + b"\n".join(lines))
    with pytest.raises(TraceFormatError, match="line 1"):
        _run(bench, dataset, Direct(), scripted_backend(KEYS), tmp_path, resume=True)
    with locked(tmp_path), pytest.raises(ConfigError, match="another process"):
        _run(bench, dataset, Direct(), scripted_backend(KEYS), tmp_path, resume=True)


def test_rescore_from_stored_traces(data_dir: Path, tmp_path: Path) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    backend = FakeBackend(lambda r: '{"reasoning": "unsure", "answer": "none of these"}')
    summary = _run(bench, dataset, ChainOfThought(), backend, tmp_path)
    assert summary["n_no_answer"] == 3
    calls = len(backend.requests)
    upstream = rescore(
        tmp_path, benchmark=MirageBenchmark(extraction="mirage_upstream"), out_dir=tmp_path / "up"
    )
    assert (
        upstream["n_no_answer"] == 0 and upstream["n_correct"] == 2
    )  # fallback 'A' credits gold-A items
    assert len(backend.requests) == calls  # no model calls
    assert read_spec(tmp_path / "up").benchmark.params["extraction"] == "mirage_upstream"
    assert rescore(tmp_path)["n_no_answer"] == 3  # in place, with the recorded benchmark


def test_no_verify_run_is_verified_later_by_rescore(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    _run(bench, dataset, ChainOfThought(), scripted_backend(KEYS), tmp_path, verify=False)
    assert all("quality" not in r["details"] and not r["verdicts"] for r in _lines(tmp_path))
    summary = rescore(tmp_path)
    assert summary["accuracy"] == 1.0 and "quality" in summary
    assert all("quality" in r["details"] and r["verdicts"] for r in _lines(tmp_path))


_CHILD = """
import asyncio, sys, time
from pathlib import Path
from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.base import Dataset
from clinreason.bench.runner import run_eval
from clinreason.strategies import Direct
from clinreason.trace import Case

class Slow(FakeBackend):
    async def generate(self, request):
        await asyncio.sleep(0.005)
        return await super().generate(request)

cases = tuple(Case(id=f"medqa/{i}", question=f"Question {i}?", options={"A": "x", "B": "y"},
              gold="A", metadata={"dataset": "medqa"}) for i in range(400))
dataset = Dataset("synthetic", "1", cases, "memory", "0" * 64)
asyncio.run(run_eval(MirageBenchmark(), dataset, Direct(), Slow(lambda r: '{"answer": "A"}'),
            out_dir=Path(sys.argv[1]), concurrency=4, progress=False, resume=len(sys.argv) > 2))
"""


def test_killed_process_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    out = tmp_path / "run"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(out)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (out / RESULTS).exists() and len((out / RESULTS).read_bytes().splitlines()) >= 60:
            break
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    finished = len(scan_results(out / RESULTS).lines)
    assert 60 <= finished < 400, "the child was killed midway"
    subprocess.run([sys.executable, "-c", _CHILD, str(out), "resume"], check=True, timeout=120)
    results = read_results(out, traces=False)
    ids = [line.split(b'"')[3] for line in (out / RESULTS).read_bytes().splitlines()]
    assert len(results) == 400 and len(ids) == len(set(ids)) == 400
    assert all(r.status == "ok" for r in results)
    read = read_run(out)  # every case's frame in the trace store is intact, none left over
    assert not read.lost and all(r.trace is not None and r.trace.steps for r in read.results)
    ends = [sum(json.loads(line)["frame"]) for line in scan_results(out / RESULTS).lines]
    assert max(ends) == (out / STORE).stat().st_size


class Recorder:
    """A progress sink that records what it is told."""

    def __init__(self) -> None:
        self.started: tuple[int, int] | None = None
        self.advanced: list[str] = []
        self.stopped = False

    def start(self, total: int, done: int) -> None:
        self.started = (total, done)

    def advance(self, result) -> None:  # type: ignore[no-untyped-def]
        self.advanced.append(result.status)

    def stop(self) -> None:
        self.stopped = True


def test_progress_sinks(data_dir: Path, tmp_path: Path, scripted_backend: Callable) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    _run(bench, dataset, Direct(), scripted_backend(KEYS), tmp_path / "a", limit=1)
    sink = Recorder()
    asyncio.run(
        run_eval(
            bench,
            dataset,
            Direct(),
            scripted_backend(KEYS),
            out_dir=tmp_path / "a",
            resume=True,
            progress=sink,
        )
    )
    assert sink.started == (3, 1) and sink.advanced == ["ok", "ok"] and sink.stopped
    # the rich bar (rate, ETA) also works when forced on without a terminal
    asyncio.run(
        run_eval(
            bench, dataset, Direct(), scripted_backend(KEYS), out_dir=tmp_path / "b", progress=True
        )
    )
    assert len(_lines(tmp_path / "b")) == 3


def test_skip_leaves_out_the_first_cases_and_is_recorded(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    out = tmp_path / "run"
    summary = _run(bench, dataset, Direct(), scripted_backend(KEYS), out, skip=1, limit=1)
    assert [r["case_id"] for r in _lines(out)] == [dataset.cases[1].id]
    assert summary["n"] == 1
    spec = read_spec(out)
    assert spec.skip == 1 and spec.limit == 1 and spec.dataset.n_selected == 1
    with pytest.raises(ConfigError, match="--skip must be >= 0"):
        _run(bench, dataset, Direct(), scripted_backend(KEYS), tmp_path / "b", skip=-1)

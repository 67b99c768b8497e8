"""The fan-out over real loopback OpenAI-compatible servers (scripted, fixed latency): failover
when one is killed mid-run, quarantine of one returning garbage, health checks, the CLI."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinreason.backends import make_backend
from clinreason.backends.fanout import FanoutBackend
from clinreason.backends.scripted_server import scripted_servers
from clinreason.bench import MirageBenchmark
from clinreason.bench.base import CaseResult, Dataset
from clinreason.bench.rundir import RESULTS, read_results, scan_results
from clinreason.bench.runner import run_eval
from clinreason.cli import main
from clinreason.errors import ConfigError
from clinreason.strategies import Direct
from clinreason.trace import Case

DATA = Path(__file__).resolve().parents[1] / "bench" / "data"


def _dataset(n: int) -> Dataset:
    cases = tuple(
        Case(id=f"medqa/{i:03d}", question=f"Question {i}?", options={"A": "x", "B": "y"},
             gold="A", metadata={"dataset": "medqa"})
        for i in range(n)
    )  # fmt: skip
    return Dataset("synthetic", "1", cases, "memory", "0" * 64)


class KillAfter:
    """A progress sink that kills one server once `after` cases have finished."""

    def __init__(self, server, after: int) -> None:  # type: ignore[no-untyped-def]
        self.server, self.after, self.done = server, after, 0

    def start(self, total: int, done: int) -> None:
        pass

    def advance(self, result: CaseResult) -> None:
        self.done += 1
        if self.done == self.after:
            self.server.kill()

    def stop(self) -> None:
        pass


def _eval(backend: FanoutBackend, out: Path, n: int, progress: object = False) -> dict:  # type: ignore[type-arg]
    async def go() -> dict:  # type: ignore[type-arg]
        try:
            return await run_eval(
                MirageBenchmark(), _dataset(n), Direct(), backend, out_dir=out,
                concurrency=backend.max_concurrency, progress=progress, verify=False,
            )  # fmt: skip
        finally:
            await backend.aclose()

    return asyncio.run(go())


def test_a_server_killed_mid_run_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    with scripted_servers(3, latency=0.05) as servers:
        backend = FanoutBackend([s.url for s in servers], "m", per_endpoint=2, recheck_s=0.2)
        summary = _eval(backend, tmp_path, 60, progress=KillAfter(servers[1], 12))
    assert summary["n"] == 60 and summary["n_errors"] == 0 and summary["accuracy"] == 1.0
    ids = scan_results(tmp_path / RESULTS).case_ids
    assert len(ids) == len(set(ids)) == 60  # none lost, none written twice
    stats = {s["url"]: s for s in backend.stats()}
    killed = stats[servers[1].url]
    assert killed["state"] == "down" and "cannot reach" in killed["reason"]
    assert 0 < killed["ok"] < 20  # it answered until it died, then nothing
    assert sum(s["ok"] for s in stats.values()) == 60  # each case answered exactly once
    alive = [stats[servers[i].url] for i in (0, 2)]
    assert all(s["state"] == "up" and s["ok"] > killed["ok"] and s["per_s"] > 0 for s in alive)


def test_an_endpoint_returning_garbage_is_quarantined(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with scripted_servers(2, latency=0.01, garbage=[0]) as servers:
        backend = FanoutBackend([s.url for s in servers], "m", per_endpoint=2)
        with caplog.at_level(logging.WARNING, logger="clinreason.backends.fanout"):
            summary = _eval(backend, tmp_path, 20)
    assert summary["n_errors"] == 0 and summary["accuracy"] == 1.0
    bad, good = backend.stats()
    # quarantined after 2 in a row (a request or two already in flight may fail too)
    assert bad["state"] == "quarantined" and bad["ok"] == 0 and 2 <= bad["failed"] <= 4
    assert "garbage responses in a row" in bad["reason"] and "not JSON" in bad["reason"]
    assert good["ok"] == 20
    assert any("quarantined" in r.getMessage() for r in caplog.records)


def test_health_check_marks_an_unreachable_endpoint_down(tmp_path: Path) -> None:
    with scripted_servers(1) as servers:
        dead = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
        backend = FanoutBackend([dead, servers[0].url], "m", recheck_s=60)
        states = asyncio.run(backend.check())
        assert [e.state for e in states] == ["down", "up"]
        summary = _eval(backend, tmp_path, 5)
    assert summary["n_errors"] == 0 and backend.stats()[1]["ok"] == 5


def test_no_endpoint_up_fails_each_case_as_an_error_not_an_answer(tmp_path: Path) -> None:
    backend = FanoutBackend(
        ["http://127.0.0.1:9/v1", "http://127.0.0.1:7/v1"], "m", recheck_s=0.1, wait_s=0.3
    )
    started = time.monotonic()
    summary = _eval(backend, tmp_path, 12)
    assert time.monotonic() - started < 5  # waited out once, not once per case
    assert summary["n_errors"] == 12
    errors = [r.error or "" for r in read_results(tmp_path, traces=False)]
    assert all("no endpoint is up" in e and "127.0.0.1:9" in e for e in errors)


def test_a_request_every_endpoint_fails_ends_as_an_error_after_bounded_tries(
    tmp_path: Path,
) -> None:
    with scripted_servers(2, failing=[0, 1]) as servers:  # healthy, but every completion 500s
        backend = FanoutBackend([s.url for s in servers], "m", recheck_s=0.05)
        summary = _eval(backend, tmp_path, 2)
    assert summary["n_errors"] == 2
    errors = [r.error or "" for r in read_results(tmp_path, traces=False)]
    assert all("failed on 6 tries" in e and "scripted failure" in e for e in errors)
    assert sum(s["failed"] for s in backend.stats()) == 12


def test_make_backend_and_bad_options() -> None:
    urls = ["http://127.0.0.1:1/v1", "http://127.0.0.1:2/v1"]
    fan = make_backend("openai", model="m", base_url=urls, per_endpoint=3, cache=False)
    assert isinstance(fan, FanoutBackend) and fan.max_concurrency == 6
    assert fan.spec.params["base_url"] == sorted(urls)
    one = make_backend("openai", model="m", base_url=urls[:1], cache=False)
    assert one.spec.params["base_url"] == urls[0] and one.max_concurrency == 4
    with pytest.raises(ConfigError, match="twice"):
        FanoutBackend([urls[0], urls[0] + "/"], "m")


def test_eval_cli_with_repeated_base_url_and_a_url_file(tmp_path: Path) -> None:
    with scripted_servers(2, latency=0.01) as servers:
        url_file = tmp_path / "urls.txt"
        url_file.write_text(f"# replicas\n{servers[1].url}\n")
        args = [
            "eval", "mirage", str(DATA / "mirage_tiny.json"), "--backend", "openai",
            "--model", "m", "--base-url", servers[0].url, "--base-url", str(url_file),
            "--endpoint-concurrency", "3", "--no-cache", "--no-progress", "--out",
            str(tmp_path / "run"),
        ]  # fmt: skip
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "answers/s" in result.output
    assert "raise it to use them all" in result.output  # --concurrency 4 < 2 servers x 3
    assert servers[0].url in result.output and servers[1].url in result.output
    spec = json.loads((tmp_path / "run" / "run.json").read_text())
    assert sorted(spec["backend"]["params"]["base_url"]) == sorted(s.url for s in servers)
    empty = tmp_path / "none.txt"
    empty.write_text("# nothing\n")
    bad = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "r2"), "--base-url", str(empty)])
    assert bad.exit_code != 0 and "lists no URL" in bad.output

"""A real `clinreason serve` process on a free loopback port, driven over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from clinreason.cli import main

CLI = Path(sys.executable).with_name("clinreason")
CRCL = json.loads((Path(__file__).parents[2] / "examples" / "crcl_case.json").read_text())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited early: {proc.stderr.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("server did not start")


def test_serve_process_answers_over_http_with_a_token():
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    marker = "Quillon-Marsh-5512"
    env = {**os.environ, "CLINREASON_TEST_TOKEN": "proc-token-77"}
    proc = subprocess.Popen(
        [
            str(CLI),
            "--log-level",
            "DEBUG",
            "serve",
            "--backend",
            "fake",
            "--port",
            str(port),
            "--token-env",
            "CLINREASON_TEST_TOKEN",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_ready(url, proc)
        assert httpx.get(f"{url}/v1/calculators").status_code == 401
        auth = {"Authorization": "Bearer proc-token-77"}
        listed = httpx.get(f"{url}/v1/calculators", headers=auth).json()
        assert len(listed) == 55
        case = {**CRCL, "context": CRCL["context"] + f" Patient {marker}."}
        r = httpx.post(f"{url}/v1/explain", json={"case": case}, headers=auth, timeout=120)
        assert r.status_code == 200, r.text
        trace = r.json()
        assert trace["answer"]["unit"] == "mL/min" and trace["trust"]["summary"]
        big = httpx.post(f"{url}/v1/verify", content=b"x" * 2_000_000, headers=auth)
        assert big.status_code == 413
        assert httpx.get(f"{url}/openapi.json").json()["info"]["title"] == "clinreason"
    finally:
        proc.terminate()
        try:
            _, stderr = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
    assert f"http://127.0.0.1:{port}" in stderr  # the URL is printed
    assert marker not in stderr  # patient text is never logged, even at DEBUG


def test_serve_refuses_a_public_host_without_a_token(monkeypatch):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--backend", "fake"])
    assert result.exit_code != 0
    assert "refusing to serve on 0.0.0.0 without an access token" in result.output
    monkeypatch.setenv("EMPTY_TOKEN", "")
    result = CliRunner().invoke(main, ["serve", "--backend", "fake", "--token-env", "EMPTY_TOKEN"])
    assert result.exit_code != 0
    assert "EMPTY_TOKEN: that environment variable is empty" in result.output

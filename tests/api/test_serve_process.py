"""A real `clinreason serve` process on a free loopback port, driven over HTTP."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
from click.testing import CliRunner

from clinreason.api.local import local_server
from clinreason.cli import main

CRCL = json.loads((Path(__file__).parents[2] / "examples" / "crcl_case.json").read_text())


def test_serve_process_answers_over_http_with_a_token(tmp_path: Path) -> None:
    marker = "Quillon-Marsh-5512"
    env = {**os.environ, "CLINREASON_TEST_TOKEN": "proc-token-77"}
    log = tmp_path / "stderr.log"
    options = ("--backend", "fake", "--token-env", "CLINREASON_TEST_TOKEN")
    with local_server(*options, log=log, log_level="DEBUG", env=env) as url:
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
    stderr = log.read_text()
    assert url in stderr  # the URL is printed
    assert marker not in stderr  # patient text is never logged, even at DEBUG


def test_serve_refuses_a_public_host_without_a_token(monkeypatch):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--backend", "fake"])
    assert result.exit_code != 0
    assert "refusing to serve on 0.0.0.0 without an access token" in result.output
    monkeypatch.setenv("EMPTY_TOKEN", "")
    result = CliRunner().invoke(main, ["serve", "--backend", "fake", "--token-env", "EMPTY_TOKEN"])
    assert result.exit_code != 0
    assert "EMPTY_TOKEN: that environment variable is empty" in result.output

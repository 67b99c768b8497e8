"""Run directories for the export tests, made by real `clinreason eval` runs on a fake backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinreason.backends.fake import FakeBackend
from clinreason.cli import bench_cmd, main

MEDCALC_TINY = Path(__file__).resolve().parents[1] / "bench" / "data" / "medcalc_tiny.csv"


def _eval(out: Path, *extra: str) -> None:
    args = ["eval", "medcalc", str(MEDCALC_TINY), "--no-cache", "--out", str(out), *extra]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def calculator_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The calculator strategy, rules only (fake backend): 3 right answers, 2 fully verified."""
    out = tmp_path_factory.mktemp("runs") / "calculator"
    _eval(out, "--backend", "fake")
    return out


@pytest.fixture(scope="module")
def wrong_cot_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Chain of thought from a scripted model that always answers 31 (wrong on every case)."""
    out = tmp_path_factory.mktemp("runs") / "cot"
    reply = json.dumps({"reasoning": "The weight and height are in the note.", "answer": "31"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bench_cmd, "_backend", lambda **kw: FakeBackend(lambda request: reply))
        _eval(out, "--strategy", "cot")
    return out

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


def _cot_run(factory: pytest.TempPathFactory, reasoning: str, answer: str) -> Path:
    """Chain of thought from a scripted model that gives the same reply on every case."""
    out = factory.mktemp("runs") / "cot"
    reply = json.dumps({"reasoning": reasoning, "answer": answer})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bench_cmd, "_backend", lambda **kw: FakeBackend(lambda request: reply))
        _eval(out, "--strategy", "cot")
    return out


@pytest.fixture(scope="module")
def wrong_cot_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Chain of thought that always answers 31 (wrong on every case)."""
    return _cot_run(tmp_path_factory, "The weight and height are in the note.", "31")


# Two samples of the BMI case (row 1: 70 kg, 170 cm) that share their first sentence; the
# second misreads the height, which the numbers verifier contradicts.
SHARED = "He weighs 70 kg."
MISREAD = "His height is 150 cm."


@pytest.fixture(scope="module")
def sound_cot_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """BMI reasoning with every number as in the note: right on row 1, not fully verified."""
    reasoning = f"{SHARED} His height is 170 cm. BMI is 70 divided by 1.7 squared, 24.2."
    return _cot_run(tmp_path_factory, reasoning, "24.2")


@pytest.fixture(scope="module")
def misread_cot_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same start, then a misread height (a contradicted step) and a wrong BMI."""
    reasoning = f"{SHARED} {MISREAD} BMI is 70 divided by 1.5 squared, 31.1."
    return _cot_run(tmp_path_factory, reasoning, "31.1")

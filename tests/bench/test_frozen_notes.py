"""The frozen calculator notes (bench/data/frozen_calc_notes.csv) and bench/frozen_notes.py."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from clinreason.bench.medcalc import load
from clinreason.tools.calculators import CALCULATORS, parse_entities
from tests.bench.scripts import load_bench_script

ROOT = Path(__file__).resolve().parents[2]
FROZEN = ROOT / "bench" / "data" / "frozen_calc_notes.csv"
FROZEN_2 = ROOT / "bench" / "data" / "frozen_calc_notes_2.csv"
# rows where the medcalc-bench package differs, each explained in bench/data/README.md
EXPLAINED_2 = {"10", "45", "46"}


def load_script():  # type: ignore[no-untyped-def]
    return load_bench_script("frozen_notes")


@pytest.mark.parametrize(("path", "rows", "n_calcs"), [(FROZEN, 48, 16), (FROZEN_2, 40, 14)])
def test_the_set_loads_and_has_the_promised_shape(path: Path, rows: int, n_calcs: int) -> None:
    dataset = load(path)
    calculators = {c.metadata["calculator_id"] for c in dataset.cases}
    assert len(dataset.cases) >= rows
    assert len(calculators) >= n_calcs
    for case in dataset.cases:
        words = len((case.context or "").split())
        assert 80 <= words <= 300, (case.id, words)


@pytest.mark.parametrize("path", [FROZEN, FROZEN_2])
def test_every_yes_no_input_is_labelled_explicitly(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        calc = CALCULATORS[int(row["Calculator ID"])]
        entities = parse_entities(row["Relevant Entities"])
        for p in calc.params:
            if p.kind == "bool" and not any(k == p.name or k in p.aliases for k in entities):
                # every yes/no item is stated, so a wrongly counted one shows in the diagnosis
                pytest.fail(f"row {row['Row Number']}: {p.name!r} not labelled")


def test_labels_recompute_and_agree_with_the_package(capsys: pytest.CaptureFixture[str]) -> None:
    script = load_script()
    assert script.check_labels(FROZEN) == 0
    out = capsys.readouterr().out
    assert not [line for line in out.splitlines() if line.startswith("row ")], out


def test_second_set_labels_recompute_and_differ_only_where_explained(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert load_script().check_labels(FROZEN_2) == 0
    differ = re.findall(r"^row (\d+) ", capsys.readouterr().out, flags=re.M)
    assert set(differ) == EXPLAINED_2


def test_second_set_ids_are_numbered() -> None:
    with FROZEN_2.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["Note ID"] for r in rows] == [f"frozen2-{i:02d}" for i in range(1, len(rows) + 1)]


def test_cause_compares_presence_and_values() -> None:
    cause = load_script()._cause
    assert cause(True, None) == "finding missed (read as absent)"
    assert cause(False, True) == "finding wrongly counted"
    assert cause(True, "Mild") is None  # any category counts as present, as in the calculators
    assert cause(False, None) is None
    assert cause(False, "None or diet-controlled") == "finding wrongly counted"
    assert cause("Moderate", "Absent") == "wrong category chosen"
    assert cause([131, "µmol/L"], None) == "value or category not found"
    assert cause(0, None) is None  # alcohol 'nil': not extracted, read as 0 anyway
    assert cause([131, "µmol/L"], [2025, "µmol/L"]).startswith("wrong value")


def test_measure_lists_every_miss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = load_script()
    script.measure(FROZEN, None, tmp_path)
    out = capsys.readouterr().out
    m = re.search(r"Frozen notes: [\d.]+% \((\d+)/(\d+)\)", out)
    assert m is not None, out
    correct, n = int(m.group(1)), int(m.group(2))
    assert n == len(load(FROZEN).cases)
    listed = out.split("Frozen misses")[1].split("Wrong inputs of the misses")[0]
    assert len(re.findall(r"^- row \d+ ", listed, flags=re.M)) == n - correct
    assert "Dev slice: not found" in out

"""Shards: a deterministic split by case id, and `clinreason merge` of the shard runs (refusing
runs of different evaluations, a shard twice, missing or unfinished shards)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinreason.bench import MirageBenchmark
from clinreason.bench.rundir import read_results, read_spec
from clinreason.bench.shards import merge_runs, parse_shard, select_shard, shard_of
from clinreason.cli import main
from clinreason.errors import ConfigError
from clinreason.trace import Case

DATA = Path(__file__).resolve().parent / "data"


def _eval(out: Path, *extra: str) -> None:
    args = ["eval", "mirage", str(DATA / "mirage_tiny.json"), "--backend", "fake",
            "--no-progress", "--out", str(out), *extra]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def test_split_is_deterministic_complete_and_disjoint() -> None:
    cases = [Case(id=f"item-{i}", question="?") for i in range(300)]
    parts = [select_shard(cases, (i, 4)) for i in range(1, 5)]
    ids = [c.id for part in parts for c in part]
    assert sorted(ids) == sorted(c.id for c in cases) and len(set(ids)) == 300
    assert all(50 <= len(p) <= 100 for p in parts)  # roughly even
    assert select_shard(list(reversed(cases)), (2, 4)) == list(
        reversed(parts[1])
    )  # by id, not order
    assert shard_of("item-7", 4) == shard_of("item-7", 4)
    for bad in ("0/4", "5/4", "1-4", "a/b"):
        with pytest.raises(ConfigError, match="--shard"):
            parse_shard(bad)


def test_shard_runs_merge_into_the_full_run(tmp_path: Path) -> None:
    _eval(tmp_path / "full")
    for i in (1, 2):
        _eval(tmp_path / f"s{i}", "--shard", f"{i}/2")
    assert read_spec(tmp_path / "s1").shard == "1/2"
    n1, n2 = (len(read_results(tmp_path / f"s{i}")) for i in (1, 2))
    assert n1 + n2 == 3
    result = CliRunner().invoke(
        main, ["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 0, result.output
    merged = {r.case_id: r for r in read_results(tmp_path / "m")}
    full = {r.case_id: r for r in read_results(tmp_path / "full")}
    assert merged.keys() == full.keys()
    assert all(merged[k].answer == full[k].answer and merged[k].trace for k in full)
    summary = json.loads((tmp_path / "m" / "summary.json").read_text())
    expected = json.loads((tmp_path / "full" / "summary.json").read_text())
    assert summary["accuracy"] == expected["accuracy"] and summary["n"] == 3
    spec = read_spec(tmp_path / "m")
    assert spec.shard is None and spec.merged_from and len(spec.merged_from) == 2
    # a resumed shard must keep its shard
    bad = CliRunner().invoke(
        main, ["eval", "mirage", str(DATA / "mirage_tiny.json"), "--backend", "fake",
               "--out", str(tmp_path / "s1"), "--resume", "--shard", "2/2"],
    )  # fmt: skip
    assert bad.exit_code != 0 and "shard" in bad.output


def test_merge_refuses_what_is_not_one_evaluation(tmp_path: Path) -> None:
    _eval(tmp_path / "a1", "--shard", "1/2")
    _eval(tmp_path / "a2", "--shard", "2/2")
    _eval(tmp_path / "b2", "--shard", "2/2", "--seed", "7")
    _eval(tmp_path / "c2", "--shard", "2/3")
    _eval(tmp_path / "plain")
    cases: list[tuple[list[str], str]] = [
        (["a1", "b2"], "different seed"),
        (["a1", "c2"], "different shard count"),
        (["a1", "a1"], "same shard is given twice"),
        (["a1"], "2/2 missing"),
        (["plain", "a1"], "different shard count"),
    ]
    for dirs, message in cases:
        with pytest.raises(ConfigError, match=message):
            merge_runs([tmp_path / d for d in dirs], tmp_path / "out")
    merge_runs([tmp_path / "a1"], tmp_path / "partial", partial=True)
    assert len(read_results(tmp_path / "partial")) == len(read_results(tmp_path / "a1"))
    with pytest.raises(ConfigError, match="already holds results"):
        merge_runs([tmp_path / "a1", tmp_path / "a2"], tmp_path / "partial")
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "a1"), "--out", str(tmp_path / "x")])
    assert result.exit_code != 0 and "missing" in result.output and "Traceback" not in result.output


def test_the_fixture_has_ids_in_both_shards() -> None:
    """The merge test needs both shards of 2 non-empty."""
    cases = MirageBenchmark().load(DATA / "mirage_tiny.json").cases
    assert {shard_of(c.id, 2) for c in cases} == {1, 2}

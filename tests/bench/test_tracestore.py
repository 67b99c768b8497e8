"""The compact layout: small result lines plus `traces.gz`; old inline run directories still open;
a damaged frame loses only its case and is reported; a torn last frame is repaired on resume."""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinreason.bench import MirageBenchmark
from clinreason.bench.compare import compare_runs
from clinreason.bench.framecodec import decompress, frames, unpack
from clinreason.bench.report import load_report_run
from clinreason.bench.rundir import (
    RESULTS,
    RUN,
    RUN_SCHEMA_VERSION,
    read_results,
    read_run,
    read_spec,
    records,
    result_line,
    rewrite_results,
    scan_results,
)
from clinreason.bench.runner import rescore, run_eval
from clinreason.bench.tracestore import FRAME, STORE, print_frames
from clinreason.cli import main
from clinreason.strategies import ChainOfThought

KEYS = {"neck stiffness": "A", "scurvy": "C", "walking": "A"}


def _run(data_dir: Path, out: Path, backend: object, **kw: object) -> dict:  # type: ignore[type-arg]
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    return asyncio.run(
        run_eval(bench, dataset, ChainOfThought(), backend, out_dir=out, progress=False, **kw)
    )


def _frames(out: Path) -> dict[str, list[int]]:
    return {
        obj["case_id"]: obj[FRAME]
        for obj in map(json.loads, (out / RESULTS).read_text().splitlines())
    }


def _old_layout(new: Path, old: Path) -> None:
    """The same run as a version-1 directory: every result inline in results.jsonl."""
    old.mkdir()
    spec = json.loads((new / RUN).read_text())
    spec["schema_version"] = 1
    (old / RUN).write_text(json.dumps(spec))
    shutil.copy(new / "summary.json", old / "summary.json")
    (old / RESULTS).write_bytes(b"".join(result_line(r) for r in read_results(new)))


def test_compact_lines_and_old_directories_read_the_same(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    new, old = tmp_path / "new", tmp_path / "old"
    _run(data_dir, new, scripted_backend(KEYS))
    assert read_spec(new).schema_version == RUN_SCHEMA_VERSION == 3
    raw = [json.loads(x) for x in (new / RESULTS).read_text().splitlines()]
    assert all("trace" not in x and "verdicts" not in x and FRAME in x for x in raw)
    assert all(
        x["checks"] and x["details"]["answer"] and "quality" not in x["details"] for x in raw
    )
    assert all(len(line) < 600 for line in (new / RESULTS).read_bytes().splitlines())
    # one frame per case (packed header and trace lines), where the lines say
    found = list(frames((new / STORE).read_bytes()))
    assert [offset for offset, _, _ in found] == [x[FRAME][0] for x in raw]
    assert all(packed and payload.count(b"\n") == 2 for _, payload, packed in found)
    assert unpack(json.loads(found[0][1].split(b"\n")[0]))["case_id"] == raw[0]["case_id"]
    _old_layout(new, old)
    assert STORE not in {p.name for p in old.iterdir()}
    for traces in (True, False):
        a, b = read_results(new, traces=traces), read_results(old, traces=traces)
        assert a == b and len(a) == 3
    full = read_results(new)
    assert all(r.trace is not None and r.trace.steps and r.verdicts for r in full)
    assert all(r.trace.case.metadata == r.full_case().blinded().metadata for r in full)  # type: ignore[union-attr]
    row = compare_runs([old, new], by=None)[0]
    assert row.n == 3 and row.difference.estimate == 0.0
    assert load_report_run(old, max_cases=2).cases == load_report_run(new, max_cases=2).cases
    # re-scoring an old directory rewrites it in the compact layout, same results
    rescore(old)
    assert read_spec(old).schema_version == 3 and (old / STORE).is_file()
    assert read_results(old) == read_results(new)


def test_lines_without_frames_give_the_answers_and_scores_only(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    new, old = tmp_path / "new", tmp_path / "old"
    _run(data_dir, new, scripted_backend(KEYS))
    _old_layout(new, old)
    full = read_results(new, traces=False)
    (new / STORE).write_bytes(b"")  # the frames are not read at all
    lines = read_results(new, frames=False)
    assert [r.case_id for r in lines] == [r.case_id for r in full]
    for line, whole in zip(lines, full, strict=True):
        assert (line.status, line.answer, line.correct, line.score, line.error) == (
            whole.status, whole.answer, whole.correct, whole.score, whole.error,
        )  # fmt: skip
        assert whole.metadata and whole.verdicts
        assert (line.trace, line.metadata, line.verdicts) == (None, {}, [])
    # inline (version 1) lines hold everything but the trace
    assert read_results(old, frames=False) == full


def test_damaged_frame_loses_only_its_case_and_score_reports_it(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    out = tmp_path / "run"
    _run(data_dir, out, scripted_backend(KEYS))
    frames = _frames(out)
    victim = sorted(frames)[1]
    offset, length = frames[victim]
    data = bytearray((out / STORE).read_bytes())
    data[offset + length // 2] ^= 0xFF  # one flipped byte inside the deflate stream
    (out / STORE).write_bytes(bytes(data))
    read = read_run(out)
    assert [x.case_id for x in read.lost] == [victim] and "damaged" in read.lost[0].reason
    assert sorted(r.case_id for r in read.results) == sorted(set(frames) - {victim})
    assert len(read_results(out, traces=False)) == 2
    result = CliRunner().invoke(main, ["score", str(out)])
    assert result.exit_code == 0, result.output
    assert f"case {victim} lost" in result.output and "--resume" in result.output
    assert json.loads((out / "summary.json").read_text())["lost"][0]["case_id"] == victim
    # the rewritten run lacks the case; resuming runs that case only
    backend = scripted_backend(KEYS)
    summary = _run(data_dir, out, backend, resume=True)
    assert len(backend.requests) == 1 and summary["n"] == 3
    assert len(read_results(out)) == 3 and read_run(out).lost == []


def test_a_frame_of_another_case_is_reported_not_misread(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    out = tmp_path / "run"
    _run(data_dir, out, scripted_backend(KEYS))
    lines = (out / RESULTS).read_bytes().splitlines(keepends=True)
    first = json.loads(lines[0])
    second = json.loads(lines[1])
    first[FRAME] = second[FRAME]
    lines[0] = json.dumps(first).encode() + b"\n"
    rewrite_results(out / RESULTS, lines)
    read = read_run(out)
    assert [x.case_id for x in read.lost] == [first["case_id"]]
    assert "another case" in read.lost[0].reason


def test_unreferenced_last_frame_is_trimmed_on_resume(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    out = tmp_path / "run"
    _run(data_dir, out, scripted_backend(KEYS), limit=2)
    size = (out / STORE).stat().st_size
    with open(out / STORE, "ab") as handle:  # killed after the frame, before its line
        handle.write(gzip.compress(b'{"case_id": "pubmedqa/111"}\n{}')[:-7])
    backend = scripted_backend(KEYS)
    _run(data_dir, out, backend, resume=True)
    assert len(backend.requests) == 1
    assert len(scan_results(out / RESULTS).lines) == 3 and not read_run(out).lost
    assert max(sum(ref) for ref in _frames(out).values()) == (out / STORE).stat().st_size
    assert min(ref[0] for ref in _frames(out).values()) == 0
    assert sorted(_frames(out).values())[-1][0] == size  # appended where the torn frame began


def test_records_joins_frames_and_reads_inline_lines(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    out = tmp_path / "run"
    _run(data_dir, out, scripted_backend(KEYS))
    rows = records(out)
    assert len(rows) == 3 and all(r["trace"]["steps"] and r["verdicts"] for r in rows)
    with open(out / RESULTS, "ab") as handle:  # an inline line appended by an older version
        handle.write((json.dumps(rows[0]) + "\n").encode())
    assert len(records(out)) == 4 and len(read_results(out)) == 3


def test_bad_frame_reference_is_a_lost_case(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    out = tmp_path / "run"
    _run(data_dir, out, scripted_backend(KEYS))
    lines = (out / RESULTS).read_bytes().splitlines(keepends=True)
    obj = json.loads(lines[2])
    obj[FRAME] = [10**9, 5]
    lines[2] = json.dumps(obj).encode() + b"\n"
    rewrite_results(out / RESULTS, lines)
    read = read_run(out)
    assert [x.case_id for x in read.lost] == [obj["case_id"]]
    assert "ends before" in read.lost[0].reason


@pytest.mark.parametrize("fsync", ["line", "none"])
def test_fsync_modes_write_the_same_layout(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable, fsync: str
) -> None:
    out = tmp_path / fsync
    _run(data_dir, out, scripted_backend(KEYS), fsync=fsync)
    assert len(read_results(out)) == 3 and not read_run(out).lost


def _gzip_store(run: Path) -> None:
    """Rewrite `run`'s store the way versions before the frame dictionary wrote it: plain JSON
    lines, one gzip member per case (lines rewritten by `json.dumps`, spaces and all, as
    another tool would: resume must still find where their frames end)."""
    store, lines, out = (run / STORE).read_bytes(), [], b""
    for line in (run / RESULTS).read_bytes().splitlines():
        obj = json.loads(line)
        offset, length = obj[FRAME]
        payload, _ = decompress(store[offset : offset + length])
        plain = b"".join(
            json.dumps(unpack(json.loads(x))).encode() + b"\n" for x in payload.splitlines()
        )
        frame = gzip.compress(plain)
        obj[FRAME] = [len(out), len(frame)]
        out += frame
        lines.append(json.dumps(obj).encode() + b"\n")
    (run / STORE).write_bytes(out)
    rewrite_results(run / RESULTS, lines)


def test_gzip_frames_of_older_versions_read_the_same_and_resume_appends(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    new, old = tmp_path / "new", tmp_path / "old"
    _run(data_dir, new, scripted_backend(KEYS))
    shutil.copytree(new, old)
    _gzip_store(old)
    spec = json.loads((old / RUN).read_text())
    (old / RUN).write_text(json.dumps({**spec, "schema_version": 2}))
    assert (old / STORE).read_bytes()[:2] == b"\x1f\x8b"  # zcat reads this one
    assert read_results(old) == read_results(new)
    # resuming an old run adds a new-style frame after the old ones; both kinds read
    lines = (old / RESULTS).read_bytes().splitlines(keepends=True)
    rerun = json.loads(lines[2])["case_id"]
    rewrite_results(old / RESULTS, lines[:2])
    _run(data_dir, old, scripted_backend(KEYS), resume=True)
    assert [packed for _, _, packed in frames((old / STORE).read_bytes())] == [False, False, True]
    assert read_spec(old).schema_version == 3  # older versions now refuse it, not misread it
    got = {r.case_id: r for r in read_results(old)}
    want = {r.case_id: r for r in read_results(new)}
    assert got.keys() == want.keys() and len(got) == 3
    assert all(got[c] == want[c] for c in want if c != rerun)  # the old frames, unchanged
    # the case run again: the same answer and verdicts; only its timings differ
    same = ("status", "answer", "correct", "score", "verdicts")
    assert [getattr(got[rerun], k) for k in same] == [getattr(want[rerun], k) for k in same]


def test_a_frame_with_an_unknown_dictionary_is_a_lost_case(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable
) -> None:
    out = tmp_path / "run"
    _run(data_dir, out, scripted_backend(KEYS))
    frames_by_case = _frames(out)
    victim = sorted(frames_by_case)[0]
    offset = frames_by_case[victim][0]
    data = bytearray((out / STORE).read_bytes())
    data[offset + 2 : offset + 6] = (12345).to_bytes(4, "big")  # another DICTID
    (out / STORE).write_bytes(bytes(data))
    read = read_run(out)
    assert [x.case_id for x in read.lost] == [victim]
    assert "trace dictionary 00003039" in read.lost[0].reason and "upgrade" in read.lost[0].reason


def test_print_frames_shows_every_frame_as_plain_json(
    data_dir: Path, tmp_path: Path, scripted_backend: Callable, capfdbinary: pytest.CaptureFixture
) -> None:
    out = tmp_path / "run"
    _run(data_dir, out, scripted_backend(KEYS))
    assert print_frames(out) == 0
    printed = [json.loads(x) for x in capfdbinary.readouterr().out.splitlines()]
    full = records(out)
    assert [x["case_id"] for x in printed[::2]] == [r["case_id"] for r in full]
    assert [x["steps"] for x in printed[1::2]] == [r["trace"]["steps"] for r in full]
    _gzip_store(out)
    assert print_frames(out) == 0
    assert [json.loads(x) for x in capfdbinary.readouterr().out.splitlines()] == printed
    (out / STORE).write_bytes((out / STORE).read_bytes()[:-5])
    assert print_frames(out) == 1
    assert "truncated" in capfdbinary.readouterr().err.decode()

"""`clinreason eval/score/compare/report/import` through click's CliRunner (offline)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clinreason.backends.fake import FakeBackend
from clinreason.cli import bench_cmd, main
from clinreason.errors import BackendUnavailable
from clinreason.trace import GenerateRequest


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _field(output: str, label: str) -> str:
    """The value printed after `label` in the run summary."""
    match = re.search(rf"^\s*{label}\s+(\S+)", output, re.MULTILINE)
    assert match, output
    return match.group(1)


def _import_args(data_dir: Path, out: Path, system: str) -> list[str | Path]:
    return [
        "import", data_dir / "predictions_tiny.jsonl", "--dataset", "mirage",
        "--data", data_dir / "mirage_tiny.json", "--id-field", "{subset}/{qid}",
        "--output-field", "raw", "--where", f"system={system}", "--name", system, "--out", out,
    ]  # fmt: skip


def test_eval_resume_score_with_fake_backend(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = [
        "eval",
        "mirage",
        data_dir / "mirage_tiny.json",
        "--backend",
        "fake",
        "--no-cache",
        "--out",
        out,
    ]
    first = _invoke(*args, "--limit", "2")
    assert first.exit_code == 0, first.output
    assert _field(first.output, "cases") == "2" and _field(first.output, "accuracy") == "50.0"
    again = _invoke(*args)
    assert again.exit_code != 0 and "--resume" in again.output
    resumed = _invoke(*args, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert len((out / "results.jsonl").read_text().splitlines()) == 3
    spec = json.loads((out / "run.json").read_text())
    assert spec["argv"][0] == "clinreason"
    assert spec["strategy"]["name"] == "cot" and len(spec["resumed_at"]) == 1
    scored = _invoke("score", out, "--extraction", "mirage_upstream", "--json")
    assert scored.exit_code == 0 and json.loads(scored.output)["extraction"] == "mirage_upstream"


def test_eval_with_strategy_params_and_errors(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reply(request: GenerateRequest) -> str:
        if "scurvy" in request.messages[-1].content:
            raise BackendUnavailable("connection refused", backend="fake")
        return '{"answer": "A"}'

    monkeypatch.setattr(bench_cmd, "_backend", lambda **kw: FakeBackend(reply))
    result = _invoke(
        "eval", "mirage", data_dir / "mirage_tiny.json", "--strategy", "direct",
        "-S", "max_tokens=16", "-P", 'subsets=["medqa"]', "--out", tmp_path / "r",
        "--concurrency", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _field(result.output, "errors") == "1" and _field(result.output, "cases") == "2"
    lines = [json.loads(x) for x in (tmp_path / "r" / "results.jsonl").read_text().splitlines()]
    assert {x["status"] for x in lines} == {"ok", "error"} and len(lines) == 2
    spec = json.loads((tmp_path / "r" / "run.json").read_text())
    assert spec["strategy"] == {
        "name": "direct",
        "version": 1,
        "params": {"max_tokens": 16, "recheck": 0},
    }
    assert spec["benchmark"]["params"]["subsets"] == ["medqa"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "nosuch", "x.json", "--out", "o"], "unknown benchmark 'nosuch'"),
        (["eval", "mirage", "missing.json", "--out", "o"], "never downloads"),
        (["eval", "mirage", "TINY", "-P", "colour=red", "--out", "o"], "has no parameter colour"),
        (["score", "not-a-run"], "not a run directory"),
        (["compare", "only-one"], "at least two"),
    ],
)
def test_clear_one_line_errors(
    args: list[str], message: str, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [str(data_dir / "mirage_tiny.json") if a == "TINY" else a for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_import_compare_report(data_dir: Path, tmp_path: Path) -> None:
    for system in ("alpha", "beta"):
        imported = _invoke(*_import_args(data_dir, tmp_path / system, system))
        assert imported.exit_code == 0, imported.output
        assert "imported 3 predictions" in imported.output
    compared = _invoke("compare", tmp_path / "alpha", tmp_path / "beta")
    assert compared.exit_code == 0, compared.output
    assert "beta vs alpha" in compared.output and "p Holm" in compared.output
    rows = json.loads(_invoke("compare", tmp_path / "alpha", tmp_path / "beta", "--json").output)
    assert [r["group"] for r in rows] == ["all", "medqa", "pubmedqa"]
    page = tmp_path / "report.html"
    reported = _invoke("report", tmp_path / "alpha", tmp_path / "beta", "--html", page)
    assert reported.exit_code == 0, reported.output
    html = page.read_text()
    assert html.count('class="js-plotly-plot"') == 0  # plots are created in the browser
    assert html.count("Plotly.newPlot") >= 2 and "cdn" not in html.split("<body>")[1].lower()
    assert 'table class="summary"' in html and 'details class="case"' in html

"""The run browser through the HTTP API (FastAPI TestClient) over real run directories written
by `clinreason eval` with the fake backend, and one rewritten with `rundir.write_results`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from clinreason.api.app import create_app
from clinreason.backends import make_backend
from clinreason.bench.compare import compare_runs, row_dict
from clinreason.bench.rundir import read_run, write_results
from clinreason.cli import main
from clinreason.trace import Verdict

DATA = Path(__file__).parents[1] / "bench" / "data"
TOKEN = "runs-token-5150"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def make_runs(root: Path) -> Path:
    """Under `root`: `medcalc/calculator` (3 right), `medcalc/cot` (3 wrong) and `mixed` (a
    copy of the calculator run with case 1 flagged by a contradicted check and case 3 an
    error)."""
    for strategy in ("calculator", "cot"):
        out = root / "medcalc" / strategy
        args = ["eval", "medcalc", DATA / "medcalc_tiny.csv", "--strategy", strategy]
        args += ["--backend", "fake", "--no-cache", "--out", out]
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    mixed = root / "mixed"
    mixed.mkdir()
    shutil.copy(root / "medcalc" / "calculator" / "run.json", mixed / "run.json")
    results = read_run(root / "medcalc" / "calculator").results
    bad = Verdict(verifier="numbers", status="contradicted", claim="weight 70 kg", step_id="s2")
    results[0] = results[0].model_copy(update={"verdicts": [*results[0].verdicts, bad]})
    results[2] = results[2].model_copy(
        update={"status": "error", "answer": None, "correct": None, "error": "backend: down"}
    )
    write_results(mixed, results)
    return root


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def client(root: Path) -> TestClient:
    app = create_app(lambda: make_backend("fake"), token=TOKEN, runs_root=root)
    return TestClient(app, headers=AUTH, raise_server_exceptions=False)


def _cases(client: TestClient, run: str, show: str = "all") -> dict:
    r = client.get("/v1/runs/cases", params={"run": run, "show": show})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_runs_under_the_root_are_listed(client):
    runs = client.get("/v1/runs").json()["runs"]
    assert [r["path"] for r in runs] == ["medcalc/calculator", "medcalc/cot", "mixed"]
    calc, cot, _ = runs
    assert calc["system"] == "calculator / fake:fake" and cot["system"] == "cot / fake:fake"
    assert (calc["cases"], calc["accuracy"], cot["accuracy"]) == (3, 1.0, 0.0)
    assert calc["benchmark"] == "medcalc" and calc["error"] is None


@pytest.mark.parametrize(
    ("run", "show", "expected"),
    [
        ("medcalc/cot", "all", ["1", "2", "3"]),
        ("medcalc/cot", "wrong", ["1", "2", "3"]),  # the fake model names no number
        ("medcalc/cot", "low_trust", ["1", "2", "3"]),
        ("medcalc/calculator", "wrong", []),
        ("medcalc/calculator", "low_trust", []),
        ("mixed", "flagged", ["1"]),  # its contradicted check
        ("mixed", "error", ["3"]),
        ("mixed", "wrong", []),  # an error is not scored as wrong
    ],
)
def test_cases_are_filtered(client, run, show, expected):
    data = _cases(client, run, show)
    assert [row["case_id"] for row in data["rows"]] == expected
    assert data["matching"] == len(expected) and data["total"] == 3
    counts = {f["key"]: f["count"] for f in data["filters"]}
    assert counts[show] == len(expected) and counts["all"] == 3


def test_a_case_row_says_outcome_trust_and_checks(client):
    rows = {row["case_id"]: row for row in _cases(client, "mixed")["rows"]}
    assert rows["1"]["outcome"] == "correct" and rows["1"]["contradicted"] == 1
    assert rows["1"]["trust_level"] == "high" and rows["1"]["about"] == "Body Mass Index (BMI)"
    assert rows["3"]["outcome_words"] == "error" and rows["3"]["error"] == "backend: down"
    html = client.get(
        "/v1/runs/cases", params={"run": "mixed", "show": "flagged", "html": True}
    ).json()["html"]
    assert "1 contradicted" in html and 'value="flagged" selected' in html


def test_a_case_opens_in_the_trace_view_with_its_verdicts(client):
    r = client.get("/v1/runs/case", params={"run": "medcalc/calculator", "case_id": "2"})
    data = r.json()
    assert r.status_code == 200 and data["outcome"] == "correct" and data["gold"] == "36.935"
    trace = data["trace"]
    assert trace["answer"]["value"] == "36.935" and trace["verdicts"]  # attached from the run
    html = client.get(
        "/v1/runs/case", params={"run": "medcalc/calculator", "case_id": "2", "html": True}
    ).json()["html"]
    assert 'id="run-case-head"' in html and "(gold 36.935)" in html
    assert 'id="answer"' in html and 'id="whatif-form"' in html  # the page's own trace view


def test_comparison_is_the_one_clinreason_compare_computes(client, root):
    r = client.get(
        "/v1/runs/compare", params={"baseline": "medcalc/calculator", "other": "medcalc/cot"}
    )
    data = r.json()
    assert r.status_code == 200
    expected = compare_runs([root / "medcalc" / "calculator", root / "medcalc" / "cot"])
    assert data["rows"] == [row_dict(row) for row in expected]
    assert data["rows"][0]["only_baseline_correct"] == 3 and data["rows"][0]["n"] == 3
    assert [d["case_id"] for d in data["disagree"]] == ["1", "2", "3"]
    first = data["disagree"][0]
    assert first["baseline"]["outcome"] == "correct" and first["other"]["outcome"] == "wrong"
    assert [run["strategy"] for run in data["runs"]] == ["calculator", "cot"]


def test_a_run_compared_with_itself_has_no_disagreement(client):
    r = client.get("/v1/runs/compare", params={"baseline": "mixed", "other": "mixed"})
    assert r.status_code == 200 and r.json()["disagree_count"] == 0
    assert r.json()["rows"][0]["difference"] == 0.0


@pytest.mark.parametrize(
    "run",
    ["../outside", "/etc", "medcalc/../../outside", "nosuch", "a\x00b", ".", "medcalc", "linked"],
)
def test_paths_outside_the_root_or_not_runs_are_404(client, root, tmp_path_factory, run):
    outside = tmp_path_factory.mktemp("outside")
    shutil.copytree(root / "medcalc" / "cot", outside / "run")
    link = root / "linked"
    if not link.exists():
        link.symlink_to(outside / "run")  # a run outside the root, reached by a link
    for path, params in [
        ("/v1/runs/cases", {"run": run}),
        ("/v1/runs/case", {"run": run, "case_id": "1"}),
        ("/v1/runs/compare", {"baseline": run, "other": "mixed"}),
    ]:
        r = client.get(path, params=params)
        assert r.status_code == 404, (path, run)
        assert r.json()["error"] == f"no run {run!r} in the runs directory"
    assert "linked" not in [r["path"] for r in client.get("/v1/runs").json()["runs"]]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    run=st.text(max_size=40) | st.sampled_from(["mixed", "mixed/..", "mixed/../mixed", "./mixed"]),
    case_id=st.text(max_size=12),
)
def test_any_run_path_and_case_id_is_a_run_a_404_or_a_422(client, root, run, case_id):
    r = client.get("/v1/runs/case", params={"run": run, "case_id": case_id})
    assert r.status_code in (200, 404, 422), (run, r.status_code)
    if r.status_code == 200:
        assert (root / r.json()["run"] / "run.json").is_file() and r.json()["run"] == "mixed"
    else:
        error = r.json()["error"]
        assert "\n" not in error and "Traceback" not in error


def test_an_unknown_case_is_404(client):
    r = client.get("/v1/runs/case", params={"run": "mixed", "case_id": "99"})
    assert r.status_code == 404 and r.json()["error"] == "run 'mixed' has no case '99'"


def test_bad_filter_and_missing_parameters_are_422(client):
    assert client.get("/v1/runs/cases", params={"run": "mixed", "show": "odd"}).status_code == 422
    assert client.get("/v1/runs/cases").status_code == 422


def test_the_run_browser_needs_the_token(client):
    for path in ("/v1/runs", "/v1/runs/cases?run=mixed", "/v1/runs/case?run=mixed&case_id=1"):
        assert client.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_without_a_runs_directory_the_browser_says_how_to_start_one():
    client = TestClient(create_app(lambda: make_backend("fake")))
    r = client.get("/v1/runs")
    assert r.status_code == 404 and "--runs DIR" in r.json()["error"]
    assert "/runs" not in client.get("/").text  # no link to it either


def test_the_run_browser_is_in_the_openapi_document(client):
    paths = client.get("/openapi.json", headers={}).json()["paths"]
    for path in ("/v1/runs", "/v1/runs/cases", "/v1/runs/case", "/v1/runs/compare"):
        assert "get" in paths[path]
    assert "/runs" not in paths  # the page is not part of the API


def test_damaged_runs_are_said_in_one_line_without_the_servers_paths(root, tmp_path):
    shutil.copytree(root / "mixed", tmp_path / "damaged")
    lines = (tmp_path / "damaged" / "results.jsonl").read_text().splitlines()
    lines[0] = "not json"
    (tmp_path / "damaged" / "results.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "run.json").write_text("{")
    client = TestClient(create_app(lambda: make_backend("fake"), runs_root=tmp_path))
    runs = {r["path"]: r for r in client.get("/v1/runs").json()["runs"]}
    assert runs["odd"]["error"].startswith("cannot read odd/run.json")
    r = client.get("/v1/runs/cases", params={"run": "damaged"})
    error = r.json()["error"]
    assert r.status_code == 422 and error.startswith("damaged/results.jsonl line 1 is not a valid")
    assert str(tmp_path) not in error and str(tmp_path) not in json.dumps(runs)

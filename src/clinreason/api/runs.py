"""The run browser: the run directories under one root, their cases, one case's trace, and two
runs compared (`clinreason serve --runs DIR`).

Routes (JSON; with `html=true` also the fragment the page shows, rendered with autoescaping):

- `GET /v1/runs`: every run under the root: its path relative to the root, system, benchmark,
  dataset, cases and accuracy
- `GET /v1/runs/cases?run=PATH&show=all|wrong|flagged|low_trust|no_answer|error`: its cases
- `GET /v1/runs/case?run=PATH&case_id=ID`: one case's result with its trace (verdicts attached),
  shown in the page's trace view
- `GET /v1/runs/compare?baseline=PATH&other=PATH`: the paired statistics of `clinreason
  compare` (`bench.compare`) and the cases the two runs score differently
- `GET /runs`: the page

Runs are read with `clinreason.bench.rundir`. A run path is relative to the root; one that
resolves outside it (`..`, an absolute path, a symbolic link out) or to no run directory gets
the same 404, so the server tells nothing about other files.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from clinreason.api import view
from clinreason.api.web import page_response, render
from clinreason.bench.base import CaseResult
from clinreason.bench.compare import compare_pair, detect_key, distinct_labels, load_run, row_dict
from clinreason.bench.rundir import RESULTS, RUN, SUMMARY, read_case, read_run, read_spec
from clinreason.errors import ClinReasonError, ConfigError, InputError, TraceFormatError
from clinreason.trace import DISCLAIMER, Trace
from clinreason.verify.trust import trust_level

Show = Literal["all", "wrong", "flagged", "low_trust", "no_answer", "error"]
FILTERS: dict[str, tuple[str, Callable[[CaseResult], bool]]] = {
    "all": ("all cases", lambda r: True),
    "wrong": ("wrong", lambda r: r.correct is False),
    "flagged": (
        "flagged (a check contradicted a step)",
        lambda r: any(v.status == "contradicted" for v in r.verdicts),
    ),
    "low_trust": ("low trust", lambda r: r.trust is not None and trust_level(r.trust) == "low"),
    "no_answer": ("no answer", lambda r: r.status == "no_answer"),
    "error": ("errors", lambda r: r.status == "error"),
}
OUTCOME_WORDS = {
    "correct": "correct",
    "wrong": "wrong",
    "unscored": "not scored",
    "no_answer": "no answer",
    "error": "error",
}
MAX_DEPTH = 4
"""How deep under the root run directories are looked for."""
MAX_RUNS = 500
MAX_ROWS = 5000
"""Most case rows one page shows (the count says how many there are)."""
MAX_DISAGREE = 500
ABOUT_KEYS = ("calculator_name", "category", "dataset", "subject", "question_type")


def outcome(result: CaseResult) -> str:
    """'correct', 'wrong', 'unscored', 'no_answer' or 'error'."""
    if result.status != "ok":
        return result.status
    return "unscored" if result.correct is None else "correct" if result.correct else "wrong"


class RunBrowser:
    """Reads the runs under `root` (None: the server has no runs directory)."""

    def __init__(self, root: Path | None) -> None:
        self.root = Path(root).resolve() if root is not None else None

    def resolve(self, run: str) -> Path:
        """The run directory `run` names, inside the root.

        Raises:
            HTTPException: 404 when there is no runs directory, or `run` names no run in it.
        """
        if self.root is None:
            raise HTTPException(404, "no runs directory: start the server with --runs DIR")
        missing = HTTPException(404, f"no run {run!r} in the runs directory")
        try:
            path = (self.root / run).resolve()
            inside = path.is_relative_to(self.root) and (path / RUN).is_file()
        except (OSError, ValueError):  # a name the file system refuses, a NUL byte
            raise missing from None
        if not inside:
            raise missing
        return path

    def name(self, path: Path) -> str:
        """A run's path as the browser names it: relative to the root."""
        return path.relative_to(self.root).as_posix() if self.root else str(path)

    @contextmanager
    def relative_paths(self) -> Iterator[None]:
        """Errors raised inside name files relative to the root (the client is not told where
        the root is on the server)."""
        try:
            yield
        except (ConfigError, InputError, TraceFormatError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise type(exc)(message.replace(f"{self.root}/", "")) from None

    def runs(self) -> list[dict[str, Any]]:
        """Every run directory under the root (at most `MAX_RUNS`, `MAX_DEPTH` deep)."""
        if self.root is None:
            raise HTTPException(404, "no runs directory: start the server with --runs DIR")
        found: list[Path] = []
        for top, dirs, files in os.walk(self.root):
            depth = len(Path(top).relative_to(self.root).parts)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if depth < MAX_DEPTH else []
            if RUN in files:
                found.append(Path(top))
                dirs[:] = []  # a run holds no runs
            if len(found) >= MAX_RUNS:
                break
        return [self._run_info(p) for p in sorted(found)]

    def _run_info(self, path: Path) -> dict[str, Any]:
        info: dict[str, Any] = {"path": self.name(path), "error": None}
        try:
            with self.relative_paths():
                spec = read_spec(path)
        except ClinReasonError as exc:
            return {**info, "error": str(exc)}
        summary = _summary(path)
        accuracy = summary.get("accuracy")
        cases = summary.get("n")
        if not isinstance(cases, int):
            results = path / RESULTS
            cases = results.read_bytes().count(b"\n") if results.is_file() else 0
        return {
            **info,
            "system": spec.system,
            "benchmark": spec.benchmark.name,
            "dataset": f"{spec.dataset.name} {spec.dataset.version}",
            "created": spec.created_at.strftime("%Y-%m-%d %H:%M"),
            "cases": cases,
            "accuracy": accuracy
            if isinstance(accuracy, float) and math.isfinite(accuracy)
            else None,
        }

    def cases(self, run: str, show: Show) -> dict[str, Any]:
        """A run's cases (rows), those `show` selects, with the count for every filter."""
        path = self.resolve(run)
        with self.relative_paths():
            read = read_run(path, traces=False)
        results = read.results
        chosen = [r for r in results if FILTERS[show][1](r)]
        return {
            "run": self.name(path),
            "system": read_spec(path).system,
            "show": show,
            "filters": [
                {"key": k, "words": words, "count": sum(1 for r in results if keep(r))}
                for k, (words, keep) in FILTERS.items()
            ],
            "total": len(results),
            "matching": len(chosen),
            "rows": [_row(r) for r in chosen[:MAX_ROWS]],
            "lost": [c.case_id for c in read.lost],
        }

    def case(self, run: str, case_id: str) -> tuple[str, CaseResult, Trace]:
        """The run's name, one case's result and its trace (the result's verdicts attached).

        Raises:
            HTTPException: 404 for an unknown run or case, or a case stored without a trace.
        """
        path = self.resolve(run)
        with self.relative_paths():
            result = read_case(path, case_id)
        if result is None:
            raise HTTPException(404, f"run {self.name(path)!r} has no case {case_id!r}")
        if result.trace is None:
            raise HTTPException(404, f"no trace was stored for case {case_id!r}")
        trace = result.trace
        if not trace.verdicts and result.verdicts:
            trace = trace.model_copy(update={"verdicts": list(result.verdicts)})
        return self.name(path), result, trace

    def compare(self, baseline: str, other: str) -> dict[str, Any]:
        """The paired comparison of `clinreason compare`, and the cases scored differently.

        Raises:
            ConfigError: the runs share no scored case.
        """
        paths = [self.resolve(baseline), self.resolve(other)]
        with self.relative_paths():
            a, b = distinct_labels([load_run(p) for p in paths])
            key = detect_key([a, b])
            rows = [row_dict(r) for r in compare_pair(a, b, by=key)]
        b_by_id = {r.case_id: r for r in b.results}
        disagree = [
            {"case_id": r.case_id, "baseline": _row(r), "other": _row(b_by_id[r.case_id])}
            for r in a.results
            if r.correct is not None
            and r.case_id in b_by_id
            and b_by_id[r.case_id].correct not in (None, r.correct)
        ]
        return {
            "runs": [
                {"path": self.name(run.path), "label": run.label, **_spec_words(run.spec)}
                for run in (a, b)
            ],
            "by": key,
            "rows": rows,
            "disagree_count": len(disagree),
            "disagree": disagree[:MAX_DISAGREE],
        }


def _summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads((path / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _spec_words(spec: Any) -> dict[str, Any]:
    backend = spec.backend
    model = backend.params.get("model") if backend else None
    return {
        "strategy": spec.strategy.name if spec.strategy else "—",
        "backend": f"{backend.name} ({model})" if model else backend.name if backend else "—",
        "benchmark": spec.benchmark.name,
    }


def _row(result: CaseResult) -> dict[str, Any]:
    about = next((str(result.metadata[k]) for k in ABOUT_KEYS if result.metadata.get(k)), "")
    kind = outcome(result)
    return {
        "case_id": result.case_id,
        "outcome": kind,
        "outcome_words": OUTCOME_WORDS[kind],
        "answer": result.answer,
        "gold": result.gold,
        "trust": result.trust,
        "trust_level": trust_level(result.trust) if result.trust is not None else None,
        "fully_verified": result.fully_verified,
        "contradicted": sum(1 for v in result.verdicts if v.status == "contradicted"),
        "checked": sum(1 for v in result.verdicts if v.status == "supported"),
        "about": about,
        "error": result.error.splitlines()[0] if result.error else None,
    }


RunPath = Annotated[str, Query(min_length=1, max_length=1000, description="Relative to the root")]


def install(app: FastAPI, browser: RunBrowser, auth: Any, *, token_required: bool) -> None:
    """Add the run browser's routes and its page to `app`."""

    @app.get("/v1/runs", dependencies=[auth], tags=["runs"])
    def runs(html: bool = False) -> dict[str, Any]:
        """The run directories under the server's runs directory."""
        data: dict[str, Any] = {"runs": browser.runs()}
        if html:
            data["html"] = render("run_list.html", runs=data["runs"])
        return data

    @app.get("/v1/runs/cases", dependencies=[auth], tags=["runs"])
    def cases(run: RunPath, show: Show = "all", html: bool = False) -> dict[str, Any]:
        """A run's cases, filtered: wrong, flagged (a contradicted check), low trust, ..."""
        data = browser.cases(run, show)
        if html:
            data["html"] = render("run_cases.html", c=data)
        return data

    @app.get("/v1/runs/case", dependencies=[auth], tags=["runs"])
    def case(
        run: RunPath,
        case_id: Annotated[str, Query(min_length=1, max_length=1000)],
        html: bool = False,
    ) -> dict[str, Any]:
        """One case of a run: its score and its trace (trace schema, with verdicts)."""
        name, result, trace = browser.case(run, case_id)
        data: dict[str, Any] = {"run": name, **_row(result)}
        data["trace"] = trace.model_dump(mode="json")
        if html:
            shown = view.result_view(trace)
            data["html"] = render("run_case.html", head=data, r=shown, disclaimer=DISCLAIMER)
        return data

    @app.get("/v1/runs/compare", dependencies=[auth], tags=["runs"])
    def compare(baseline: RunPath, other: RunPath, html: bool = False) -> dict[str, Any]:
        """Two runs side by side: paired accuracy difference (bootstrap interval), McNemar,
        Holm across groups, as `clinreason compare`; and the cases scored differently."""
        data = browser.compare(baseline, other)
        if html:
            data["html"] = render("run_compare.html", c=data)
        return data

    page = render("runs.html", token_required=token_required, disclaimer=DISCLAIMER)

    @app.get("/runs", include_in_schema=False)
    async def runs_page() -> HTMLResponse:
        return page_response(page)

"""`clinreason report`: one self-contained HTML page for one or more runs.

Summary table with intervals, per-category breakdown, paired comparison, reliability diagram
and a browsable list of cases, each prediction linked to the reasoning steps that support it.
A probe directory (`clinreason probe --out DIR`) stands for its original and perturbed runs
and adds a robustness section: flip rates with intervals, paired accuracy, and every flip.
All text is HTML-escaped (cases contain patient notes and model output); plotly.js is inlined
once, so the page needs no network.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinreason.bench.base import CaseResult
from clinreason.bench.compare import ALL, PairedRow, compare_pair, detect_key, load_run
from clinreason.bench.probes.run import ORIGINAL, PROBE_JSON
from clinreason.bench.report_plots import (
    accuracy_figure,
    difference_figure,
    figure_div,
    reliability_figure,
)
from clinreason.bench.rundir import SUMMARY, RunSpec, read_run
from clinreason.bench.summary import summarize_binary
from clinreason.errors import ClinReasonError, ConfigError, TraceFormatError
from clinreason.render.html import figures_css, figures_html
from clinreason.trace import DISCLAIMER, utcnow

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3} td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:.9rem} .case{border-bottom:1px solid #eee;padding:.2rem 0}
.case>summary{cursor:pointer} .badge{display:inline-block;width:1.4em;text-align:center;
font-weight:bold} .correct{color:#1a7f37} .wrong{color:#c62828} .no_answer{color:#b26a00}
.error{color:#6a1b9a} .step.support{background:#fff7d6} pre{white-space:pre-wrap;
background:#fafafa;padding:.5rem;border:1px solid #eee;max-height:20rem;overflow:auto}
.filter{margin:.5rem 0} code{font-size:.85rem}
"""

_SCRIPT = """
document.querySelectorAll('form.filter').forEach(function (form) {
  var section = document.getElementById(form.dataset.target);
  function apply() {
    var status = form.elements.status.value;
    var text = form.elements.text.value.toLowerCase();
    var shown = 0;
    section.querySelectorAll('details.case').forEach(function (el) {
      var ok = (status === 'all' || el.dataset.outcome === status) &&
               (!text || el.dataset.search.indexOf(text) >= 0);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    form.querySelector('.count').textContent = shown + ' shown';
  }
  form.addEventListener('input', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  apply();
});
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _pct(value: object) -> str:
    return "–" if value is None else f"{100 * float(value):.1f}"  # type: ignore[arg-type]


def _num(value: object) -> str:
    return "–" if value is None else f"{float(value):.3f}"  # type: ignore[arg-type]


def _ci(pair: object) -> str:
    if not isinstance(pair, list | tuple) or len(pair) != 2 or pair[0] is None:
        return "–"
    return f"{100 * pair[0]:.1f}–{100 * pair[1]:.1f}"


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, css: str, numeric: set[int]
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


@dataclass
class ReportRun:
    """What the report needs from one run directory."""

    path: Path
    spec: RunSpec
    summary: dict[str, Any]
    cases: list[CaseResult]
    """Results with traces, at most `max_cases`."""
    n_results: int
    name: str | None = None
    """Display name instead of the system's (the probe kind of a perturbed run)."""

    @property
    def label(self) -> str:
        """Display name."""
        return self.name or self.spec.system or self.path.name


_KEYS = ("dataset", "category", "subject", "step", "question_type", "calculator_name", "cohort")
"""Metadata keys the report breaks down by when the benchmark's summary names none."""


def _keys(results: Sequence[CaseResult], summary: Mapping[str, Any]) -> list[str]:
    if isinstance(summary.get("by"), dict) and summary["by"]:
        return list(summary["by"])
    keys = []
    for key in _KEYS:
        values = {str(r.metadata[key]) for r in results if r.metadata.get(key) is not None}
        if 2 <= len(values) <= 60:
            keys.append(key)
    return keys[:2]


def load_report_run(path: Path, *, max_cases: int, name: str | None = None) -> ReportRun:
    """Read a run directory for the report (traces only for the first `max_cases` results).

    Headline figures are recomputed from the results with the harness's own definitions, so
    runs of every benchmark appear alike (accuracy over scored items, errors counted apart).
    """
    loaded = load_run(path)
    summary_path = Path(path) / SUMMARY
    if not summary_path.is_file():
        raise ConfigError(f"{path} has no {SUMMARY}; finish the run or `clinreason score` it first")
    stored = json.loads(summary_path.read_text(encoding="utf-8"))
    summary = summarize_binary(
        loaded.results,
        benchmark=loaded.spec.benchmark.name,
        breakdown_keys=_keys(loaded.results, stored),
        macro_key=stored.get("macro_key"),
    )
    try:
        cases = read_run(Path(path), limit=max_cases).results
    except TraceFormatError as exc:
        raise ConfigError(f"{path}: unreadable result line: {exc}") from None
    return ReportRun(Path(path), loaded.spec, summary, cases, len(loaded.results), name)


@dataclass
class Probe:
    """A probe directory's figures (`DIR/probe.json`)."""

    path: Path
    kinds: list[dict[str, Any]]


def _expand_probes(paths: Sequence[Path]) -> tuple[list[tuple[Path, str | None]], list[Probe]]:
    """Run directories to report, each with a display name (None: the system's), a probe
    directory replaced by its original and perturbed runs; and the probes found."""
    runs: list[tuple[Path, str | None]] = []
    probes: list[Probe] = []
    for path in map(Path, paths):
        figures = path / PROBE_JSON
        if not (figures.is_file() and (path / ORIGINAL).is_dir()):
            runs.append((path, None))
            continue
        try:
            kinds = json.loads(figures.read_text(encoding="utf-8"))["kinds"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ConfigError(
                f"{figures}: not a probe summary; re-run `clinreason probe`"
            ) from None
        probes.append(Probe(path, kinds))
        runs.append((path / ORIGINAL, f"{path.name}: original"))
        runs += [
            (path / k["kind"], f"{path.name}: {k['kind']}")
            for k in kinds
            if (path / k["kind"] / SUMMARY).is_file()
        ]
    return runs, probes


def _changes_list(title: str, changes: Sequence[dict[str, Any]]) -> str:
    if not changes:
        return ""
    items = "".join(
        f"<li><code>{_e(c['case_id'])}</code>: {_e(c['original'])} → {_e(c['perturbed'])}"
        + (f" <span class='note'>({_e(_edits(c.get('edits')))})</span>" if c.get("edits") else "")
        + "</li>"
        for c in changes
    )
    return f"<details><summary>{_e(title)} ({len(changes)})</summary><ul>{items}</ul></details>"


def _edits(edits: object) -> str:
    """A perturbation record's edits in words (each edit's `what`)."""
    if not isinstance(edits, list):
        return str(edits)
    text = "; ".join(str(e.get("what", e)) if isinstance(e, dict) else str(e) for e in edits)
    return text if len(text) <= 160 else text[:157] + "..."


def _probe_section(probes: Sequence[Probe]) -> str:
    headers = [
        "Probe", "Kind", "Items", "Perturbed", "Skipped", "Paired", "Flips", "Flip rate %",
        "95% CI (Wilson)", "Accuracy original → perturbed %", "Difference (95% CI)",
        "p (McNemar exact)",
    ]  # fmt: skip
    rows, details = [], []
    for probe in probes:
        for k in probe.kinds:
            acc = k.get("accuracy") or {}
            rows.append(
                [
                    _e(probe.path.name),
                    _e(k["kind"]),
                    _e(k["n_items"]),
                    _e(k["n_perturbed"]),
                    _e(k["n_skipped"]),
                    _e(k["n_paired"]),
                    _e(k["n_flips"]),
                    _pct(k.get("flip_rate")),
                    _ci(k.get("flip_rate_ci95")),
                    f"{_pct(acc.get('accuracy_baseline'))} → {_pct(acc.get('accuracy_other'))}"
                    if acc
                    else "–",
                    f"{100 * acc['difference']:+.1f} ({_ci(acc.get('ci'))})" if acc else "–",
                    f"{acc['p_mcnemar']:.3g}" if acc else "–",
                ]
            )
            parts = [_changes_list("answers that flipped", k.get("flips") or [])]
            parts.append(
                _changes_list("answers that changed where allowed", k.get("changes") or [])
            )
            by_attribute = k.get("by_attribute") or {}
            if by_attribute:
                listed = ", ".join(
                    f"{_e(a)}: {_e(v.get('flips', 0))} of {_e(v.get('n', 0))}"
                    for a, v in sorted(by_attribute.items())
                )
                parts.append(f"<p>Flips by attribute: {listed}</p>")
            reasons: dict[str, int] = {}
            for why in (k.get("skipped") or {}).values():
                reasons[why] = reasons.get(why, 0) + 1
            if reasons:
                listed = "; ".join(f"{_e(why)} ({n})" for why, n in sorted(reasons.items()))
                parts.append(f"<p class='note'>Skipped: {listed}</p>")
            details.append(f"<h3>{_e(probe.path.name)}: {_e(k['kind'])}</h3>{''.join(parts)}")
    note = (
        '<p class="note">A flip is an item whose answer changed although the perturbation '
        "should not change it (options compared by content, numbers to rounding). Accuracy is "
        "paired on the items expected unchanged; items a perturbation could not apply to are "
        "skipped and counted.</p>"
    )
    table = _table(headers, rows, css="probes", numeric={*range(2, 9), 11})
    return table + note + "".join(details)


def _summary_table(runs: Sequence[ReportRun]) -> str:
    headers = [
        "System", "Benchmark", "Dataset", "Kind", "n", "Scored", "Accuracy %", "95% CI (Wilson)",
        "95% CI (bootstrap)", "Macro avg %", "Errors", "No answer", "Brier", "ECE",
        "Trust (mean)", "Trust AUROC", "Fully verified %", "Accuracy if fully verified %",
    ]  # fmt: skip
    rows = []
    for run in runs:
        s, spec = run.summary, run.spec
        cal = s.get("calibration") or {}
        trust = s.get("trust") or {}
        rows.append(
            [
                _e(run.label),
                _e(spec.benchmark.name),
                f"{_e(spec.dataset.name)}@{_e(spec.dataset.version)} "
                f"<code>{_e(spec.dataset.sha256[:12])}</code>",
                _e(spec.kind),
                _e(s.get("n")),
                _e(s.get("n_scored")),
                _pct(s.get("accuracy")),
                _ci(s.get("ci_wilson")),
                _ci(s.get("ci_bootstrap")),
                _pct(s.get("macro_accuracy")),
                _e(s.get("n_errors")),
                _e(s.get("n_no_answer")),
                f"{cal['brier']:.3f}" if "brier" in cal else "–",
                f"{cal['ece']:.3f}" if "ece" in cal else "–",
                _num(trust.get("mean")),
                _num(trust.get("auroc")),
                _pct(trust.get("fully_verified")),
                _pct(trust.get("fully_verified_accuracy")),
            ]
        )
    return _table(headers, rows, css="summary", numeric={4, 5, 6, *range(9, 18)})


def _breakdown_keys(runs: Sequence[ReportRun]) -> list[str]:
    keys: list[str] = []
    for run in runs:
        for key in run.summary.get("by", {}):
            if key not in keys:
                keys.append(key)
    return keys


def _breakdown_table(runs: Sequence[ReportRun], key: str) -> str:
    groups = sorted({g for run in runs for g in run.summary.get("by", {}).get(key, {})})
    headers = [key] + [f"{run.label}: accuracy % (95% CI), n" for run in runs]
    rows = []
    for group in groups:
        row = [_e(group)]
        for run in runs:
            entry = run.summary.get("by", {}).get(key, {}).get(group)
            row.append(
                "–" if entry is None
                else f"{_pct(entry['accuracy'])} ({_ci(entry.get('ci_wilson'))}), {entry['n']}"
            )  # fmt: skip
        rows.append(row)
    return _table(headers, rows, css="breakdown", numeric=set(range(1, len(headers))))


def _comparison_section(runs: Sequence[ReportRun], seed: int) -> str:
    if len(runs) < 2:
        return '<p class="note">One run: no paired comparison.</p>'
    loaded = [dataclasses.replace(load_run(run.path), name=run.name) for run in runs]
    key = detect_key(loaded)
    rows: list[PairedRow] = []
    notes = []
    for other in loaded[1:]:
        try:
            rows += compare_pair(loaded[0], other, by=key, seed=seed)
        except ClinReasonError as exc:
            notes.append(f'<p class="note">{_e(exc)}</p>')
    if not rows:
        return "".join(notes)
    headers = [
        "Comparison", "Group", "n paired", "Baseline %", "Other %", "Difference (points)",
        "95% CI (paired bootstrap)", "Only baseline right", "Only other right", "p (McNemar exact)",
        "p (Holm)",
    ]  # fmt: skip
    table_rows = [
        [
            f"{_e(r.other)} vs {_e(r.baseline)}",
            _e(r.group),
            _e(r.n),
            _pct(r.accuracy_baseline),
            _pct(r.accuracy_other),
            f"{100 * r.difference.estimate:+.1f}",
            f"{100 * r.difference.low:+.1f} to {100 * r.difference.high:+.1f}",
            _e(r.mcnemar.only_b),
            _e(r.mcnemar.only_a),
            f"{r.mcnemar.p_value:.3g}",
            "–" if r.p_holm is None else f"{r.p_holm:.3g}",
        ]
        for r in rows
    ]
    note = (
        '<p class="note">Difference = other minus baseline (the first run), on items scored in '
        "both."
        + (f" Holm's correction is across the {_e(key)} groups of each comparison." if key else "")
        + "</p>"
    )
    table = _table(headers, table_rows, css="comparison", numeric=set(range(2, 11)))
    return table + note + "".join(notes) + figure_div(difference_figure(rows), "fig-difference")


def _case_html(run_index: int, case_index: int, result: CaseResult) -> str:
    trace = result.trace
    outcome = (
        "error"
        if result.status == "error"
        else "no_answer"
        if result.status == "no_answer"
        else ("correct" if result.correct else "wrong")
    )
    mark = {"correct": "✓", "wrong": "✗", "no_answer": "∅", "error": "!"}[outcome]
    case = result.full_case()
    search = " ".join(
        [result.case_id, case.question if case else "", str(result.answer or "")]
    ).lower()
    prefix = f"r{run_index}-c{case_index}"
    meta = ", ".join(
        f"{_e(k)}={_e(v)}" for k, v in result.metadata.items() if isinstance(v, str | int)
    )
    trust = (
        f", trust {result.trust:.2f}" + (" (fully verified)" if result.fully_verified else "")
        if result.trust is not None
        else ""
    )
    head = (
        f'<summary><span class="badge {outcome}">{mark}</span> <code>{_e(result.case_id)}</code> '
        f"answer <b>{_e(result.answer if result.answer is not None else 'none')}</b>, gold "
        f'<b>{_e(result.gold)}</b>{_e(trust)} <span class="note">{meta}</span></summary>'
    )
    parts = []
    if case is not None:
        if case.context:
            parts.append(f'<pre class="context">{_e(case.context)}</pre>')
        parts.append(f'<p class="question"><b>Question:</b> {_e(case.question)}</p>')
        if case.options:
            items = "".join(f"<li><b>{_e(k)}</b>. {_e(v)}</li>" for k, v in case.options.items())
            parts.append(f'<ul class="options">{items}</ul>')
    if result.error:
        parts.append(f'<p class="error"><b>Error:</b> {_e(result.error)}</p>')
    if trace is not None:
        support = set(trace.answer.support) if trace.answer else set()
        links = ", ".join(f'<a href="#{prefix}-{_e(s)}">{_e(s)}</a>' for s in sorted(support))
        confidence = trace.answer.confidence if trace.answer else None
        conf = f", confidence {confidence:.2f}" if confidence is not None else ""
        source = result.details.get("source")
        src = f", read from {_e(source)}" if source else ""
        parts.append(
            f"<p><b>Answer</b> {_e(result.answer)}{conf}{src}; "
            f"supported by steps: {links or 'none'}</p>"
        )
        if trace.trust is not None:
            parts.append(f'<p class="trust"><b>Trust</b> {_e(trace.trust.summary)}</p>')
            claims = "".join(
                f'<li class="claim {_e(c.status)}"><code>{_e(c.step_id or "")}</code> '
                f"<b>{_e(c.status)}</b> {_e(c.text)}"
                + (f' <span class="note">— {_e(c.evidence)}</span>' if c.evidence else "")
                + "</li>"
                for c in trace.claims
            )
            parts.append(f"<details><summary>claims</summary><ul>{claims}</ul></details>")
        steps = []
        for step in trace.steps:
            try:
                line = step.summary()
            except NotImplementedError:
                line = step.kind
            css = "step support" if step.id in support else "step"
            steps.append(
                f'<li id="{prefix}-{_e(step.id)}" class="{css}"><code>{_e(step.id)}</code> '
                f"<i>{_e(step.kind)}</i> {_e(line)}</li>"
            )
        parts.append(figures_html(trace, ns=f"{prefix}-", step_anchor=f"{prefix}-"))
        if steps:
            parts.append(f'<ol class="steps">{"".join(steps)}</ol>')
        if trace.answer and trace.answer.raw:
            parts.append(
                "<details><summary>raw model output</summary>"
                f"<pre>{_e(trace.answer.raw)}</pre></details>"
            )
    if case is not None and case.rationale:
        parts.append(
            "<details><summary>reference rationale</summary>"
            f"<pre>{_e(case.rationale)}</pre></details>"
        )
    return (
        f'<details class="case" data-outcome="{outcome}" data-search="{_e(search)}">'
        f'{head}<div class="body">{"".join(parts)}</div></details>'
    )


def _cases_section(run_index: int, run: ReportRun) -> str:
    target = f"cases-{run_index}"
    form = (
        f'<form class="filter" data-target="{target}">Show <select name="status">'
        '<option value="all">all</option><option value="correct">correct</option>'
        '<option value="wrong">wrong</option><option value="no_answer">no answer</option>'
        '<option value="error">error</option></select> containing <input name="text" '
        'type="search" placeholder="id, question or answer"> <span class="count"></span></form>'
    )
    shown = (
        "" if len(run.cases) == run.n_results else f" (first {len(run.cases)} of {run.n_results})"
    )
    items = "".join(_case_html(run_index, i, r) for i, r in enumerate(run.cases))
    return f'<h3>{_e(run.label)}{shown}</h3>{form}<div id="{target}" class="cases">{items}</div>'


def build_report(
    paths: Sequence[Path], *, title: str | None = None, max_cases: int = 500, seed: int = 0
) -> str:
    """The report page as one HTML string."""
    import plotly.offline

    if not paths:
        raise ConfigError("report needs at least one run directory")
    run_paths, probes = _expand_probes(paths)
    runs = [load_report_run(p, max_cases=max_cases, name=name) for p, name in run_paths]
    title = title or "clinreason benchmark report"
    pairs = [(run.label, run.summary) for run in runs]
    keys = _breakdown_keys(runs)
    sections = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">Generated {_e(utcnow().isoformat(timespec="seconds"))}. '
        f"{_e(DISCLAIMER)}</p>",
        "<h2>Summary</h2>",
        _summary_table(runs),
        '<p class="note">Accuracy over scored items; errors are counted, not scored as wrong. '
        "An answer naming no option counts as wrong (no answer).</p>",
        figure_div(accuracy_figure(pairs, keys[0] if keys else None), "fig-accuracy"),
    ]
    for key in keys:
        sections += [f"<h2>By {_e(key)}</h2>", _breakdown_table(runs, key)]
    sections += ["<h2>Paired comparison</h2>", _comparison_section(runs, seed)]
    if probes:
        sections += ["<h2>Robustness probes</h2>", _probe_section(probes)]
    calibrated = [
        (run.label, run.summary["calibration"]) for run in runs if run.summary.get("calibration")
    ]
    sections.append("<h2>Calibration</h2>")
    if calibrated:
        sections.append(figure_div(reliability_figure(calibrated), "fig-reliability"))
    else:
        sections.append('<p class="note">No answer confidences were recorded in these runs.</p>')
    sections.append("<h2>Cases</h2>")
    sections += [_cases_section(i, run) for i, run in enumerate(runs)]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}{figures_css()}</style>"
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script></head><body>'
        f"{''.join(sections)}<script>{_SCRIPT}</script></body></html>"
    )


def write_report(paths: Sequence[Path], out: Path, **options: Any) -> Path:
    """Write the report page to `out` and return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(paths, **options), encoding="utf-8")
    return out


def summary_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines for a terminal summary of one run."""
    rows = [
        ("cases", str(summary.get("n"))),
        ("scored", str(summary.get("n_scored"))),
        ("accuracy", f"{_pct(summary.get('accuracy'))} % (95% CI {_ci(summary.get('ci_wilson'))})"),
        ("errors", str(summary.get("n_errors"))),
        ("no answer", str(summary.get("n_no_answer"))),
    ]
    if summary.get("macro_accuracy") is not None:
        rows.append(
            (
                f"macro average over {summary.get('macro_key')}",
                f"{_pct(summary['macro_accuracy'])} %",
            )
        )
    trust = summary.get("trust")
    if isinstance(trust, dict) and trust.get("mean") is not None:
        rows.append(("trust (mean)", f"{trust['mean']:.3f} (n={trust['n']})"))
        rows.append(("trust AUROC, right vs wrong", _num(trust.get("auroc"))))
        rows.append(
            (
                "fully verified",
                f"{_pct(trust.get('fully_verified'))} % of cases; accuracy among them "
                f"{_pct(trust.get('fully_verified_accuracy'))} %",
            )
        )
    for column, entry in (summary.get("quality") or {}).items():
        if isinstance(entry, dict) and entry.get("mean") is not None:
            rows.append((column.replace("_", " "), f"{entry['mean']:.3f} (n={entry['n']})"))
    return rows


__all__ = ["ALL", "build_report", "summary_rows", "write_report"]

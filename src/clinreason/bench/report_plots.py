"""Plotly figures for the HTML report (accuracy by group, paired differences, reliability).

Figures are rendered as `<div>`s without the plotly.js library; the report page inlines the
library once, so the page works offline (no CDN).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from clinreason.bench.compare import PairedRow

_CONFIG = {"displaylogo": False, "responsive": True}


def figure_div(fig: go.Figure, div_id: str, *, height: int = 420) -> str:
    """The figure as an HTML fragment (plotly escapes its embedded JSON)."""
    fig.update_layout(
        height=height, margin={"l": 60, "r": 20, "t": 50, "b": 80}, template="plotly_white"
    )
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config=_CONFIG,
            default_height=f"{height}px",
        )
    )


def _pct(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else 100 * number


def accuracy_figure(runs: Sequence[tuple[str, Mapping[str, Any]]], key: str | None) -> go.Figure:
    """Grouped bars: accuracy per group (and overall) per run, Wilson 95% CI as error bars.

    Args:
        runs: (label, summary.json content) per run.
        key: Breakdown key whose groups form the x axis (None = overall only).
    """
    fig = go.Figure()
    for label, summary in runs:
        entries: list[tuple[str, Mapping[str, Any]]] = [("all", summary)]
        if key:
            entries += sorted(summary.get("by", {}).get(key, {}).items())
        xs, ys, plus, minus, text = [], [], [], [], []
        for group, entry in entries:
            acc = _pct(entry.get("accuracy"))
            if acc is None:
                continue
            low, high = (entry.get("ci_wilson") or [None, None])[:2]
            xs.append(group)
            ys.append(acc)
            plus.append((_pct(high) or acc) - acc)
            minus.append(acc - (_pct(low) or acc))
            text.append(f"n={entry.get('n_scored', entry.get('n'))}")
        fig.add_trace(
            go.Bar(
                name=label,
                x=xs,
                y=ys,
                text=text,
                textposition="none",
                error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
                hovertemplate="%{x}: %{y:.1f}% (%{text})<extra>"
                + label.replace("<", "&lt;")
                + "</extra>",
            )
        )
    title = "Accuracy with 95% Wilson intervals" + (f", by {key}" if key else "")
    fig.update_layout(
        barmode="group", title=title, yaxis={"title": "accuracy (%)", "range": [0, 100]}
    )
    return fig


def difference_figure(rows: Sequence[PairedRow]) -> go.Figure:
    """Forest plot: accuracy difference (other - baseline) with paired-bootstrap 95% CIs."""
    fig = go.Figure()
    comparisons: dict[str, list[PairedRow]] = {}
    for row in rows:
        comparisons.setdefault(f"{row.other} vs {row.baseline}", []).append(row)
    for name, items in comparisons.items():
        fig.add_trace(
            go.Scatter(
                name=name,
                x=[100 * r.difference.estimate for r in items],
                y=[r.group for r in items],
                mode="markers",
                marker={"size": 10},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [100 * (r.difference.high - r.difference.estimate) for r in items],
                    "arrayminus": [100 * (r.difference.estimate - r.difference.low) for r in items],
                },
                text=[f"p={r.mcnemar.p_value:.3g}" for r in items],
                hovertemplate="%{y}: %{x:+.1f} points (%{text})<extra></extra>",
            )
        )
    fig.add_vline(x=0, line_dash="dash", line_color="grey")
    fig.update_layout(
        title="Paired accuracy difference (points) with 95% paired-bootstrap intervals",
        xaxis={"title": "difference in accuracy (percentage points)"},
        yaxis={"autorange": "reversed"},
    )
    return fig


def reliability_figure(runs: Sequence[tuple[str, Mapping[str, Any]]]) -> go.Figure:
    """Reliability diagram: accuracy against mean confidence per bin, with the diagonal."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 100],
            y=[0, 100],
            mode="lines",
            name="perfect calibration",
            line={"dash": "dash", "color": "grey"},
        )
    )
    for label, calibration in runs:
        bins = calibration.get("bins", [])
        fig.add_trace(
            go.Scatter(
                name=f"{label} (ECE {calibration.get('ece', float('nan')):.3f})",
                x=[100 * b["confidence"] for b in bins],
                y=[100 * b["accuracy"] for b in bins],
                mode="lines+markers",
                marker={"size": [max(6, min(24, 4 + math.sqrt(b["n"]) * 2)) for b in bins]},
                text=[f"n={b['n']}" for b in bins],
                hovertemplate="confidence %{x:.0f}%: accuracy %{y:.0f}% (%{text})<extra></extra>",
            )
        )
    fig.update_layout(
        title="Reliability diagram (answer confidence)",
        xaxis={"title": "mean confidence (%)", "range": [0, 100]},
        yaxis={"title": "accuracy (%)", "range": [0, 100]},
    )
    return fig

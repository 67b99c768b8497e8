"""Fit the trust score's calibration: an L2-penalised logistic model per family of traces.

`fit_logistic(rows, labels)` gives the table `clinreason.verify.trust.predict` reads (feature
names, their mean and scale, coefficients, intercept); `cross_fit` fits on one half and
predicts the other, both ways, so every reported figure is out of sample.

>>> rows = [{"a": float(i % 2), "b": 1.0} for i in range(40)]
>>> table = fit_logistic(rows, [bool(i % 2) for i in range(40)], ("a", "b"))
>>> from clinreason.verify.trust import predict
>>> predict(table, {"a": 1.0, "b": 1.0}) > 0.8 > 0.2 > predict(table, {"a": 0.0, "b": 1.0})
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import minimize


def fit_logistic(
    rows: Sequence[dict[str, float]],
    labels: Sequence[bool],
    names: Sequence[str],
    *,
    l2: float = 1.0,
    signs: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A logistic model of `labels` on the standardised features `names` of `rows`; `signs`
    (default `clinreason.verify.trust.SIGNS`) bounds a feature's coefficient to be >= 0 (+1) or
    <= 0 (-1)."""
    from clinreason.verify.trust import SIGNS

    signs = SIGNS if signs is None else signs
    if not rows or len(rows) != len(labels):
        raise ValueError("need equally many, non-empty rows and labels")
    x = np.array([[r[n] for n in names] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        logits = w[0] + z @ w[1:]
        p = 1.0 / (1.0 + np.exp(-logits))
        eps = 1e-12
        nll = -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        grad = np.concatenate(([np.sum(p - y)], z.T @ (p - y)))
        grad[1:] += l2 * w[1:]
        return float(nll + 0.5 * l2 * np.sum(w[1:] ** 2)), grad

    bounds = [(None, None)] + [
        (0.0, None) if signs.get(n) == 1 else (None, 0.0) if signs.get(n) == -1 else (None, None)
        for n in names
    ]
    result = minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    w = result.x
    return {
        "features": list(names),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in w[1:]],
        "intercept": round(float(w[0]), 6),
        "n": len(rows),
        "n_right": int(y.sum()),
        "l2": l2,
        "signs": {n: signs[n] for n in names if n in signs},
    }


def half_of(case_id: str) -> int:
    """A stable half (0 or 1) for a case id, the same on every machine."""
    return hashlib.sha256(case_id.encode()).digest()[0] % 2


def cross_fit(
    ids: Sequence[str],
    rows: Sequence[dict[str, float]],
    labels: Sequence[bool],
    names: Sequence[str],
) -> list[float]:
    """Out-of-half trust scores: fitted on the other half of `ids` for each row."""
    from clinreason.verify.trust import calibrated

    out = [0.0] * len(rows)
    halves = [half_of(i) for i in ids]
    for h in (0, 1):
        train = [k for k, g in enumerate(halves) if g != h]
        test = [k for k, g in enumerate(halves) if g == h]
        if not train or not test:
            raise ValueError("both halves need cases")
        table = fit_logistic([rows[k] for k in train], [labels[k] for k in train], names)
        for k in test:
            out[k] = calibrated(table, rows[k])
    return out

"""Statistics for benchmark results. Pure functions; all randomness from an explicit seed.

- accuracy with Wilson and (seeded, percentile) bootstrap intervals;
- paired comparison of two systems on the same items: exact McNemar test, paired bootstrap
  of the accuracy difference, Holm's step-down correction across datasets;
- calibration of the answer confidence: Brier score, expected calibration error (ECE) and the
  reliability table behind both;
- breakdown of accuracy by any metadata key.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import binomtest, norm

DEFAULT_RESAMPLES = 2000


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval."""

    estimate: float
    low: float
    high: float
    method: str
    level: float = 0.95

    def as_dict(self) -> dict[str, float | str]:
        """JSON-ready fields."""
        return asdict(self)


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be in (0, 1), got {level}")
    return float(norm.ppf(0.5 + level / 2))


def wilson_interval(successes: int, n: int, *, level: float = 0.95) -> Interval:
    """Wilson score interval for a binomial proportion (Newcombe 1998, method 3).

    >>> iv = wilson_interval(81, 263)
    >>> round(iv.low, 4), round(iv.high, 4)
    (0.2553, 0.3662)
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes}/{n}")
    if n == 0:
        return Interval(math.nan, 0.0, 1.0, "wilson", level)
    z = _z(level)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the bounds
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(p, low, high, "wilson", level)


def _as_array(values: Iterable[float | bool]) -> np.ndarray:
    return np.asarray([float(v) for v in values], dtype=float)


def bootstrap_means(values: Sequence[float | bool], *, seed: int, resamples: int) -> np.ndarray:
    """Means of `resamples` seeded resamples (with replacement) of `values`.

    Resampling n items with replacement only matters through how often each distinct value is
    drawn, so for data with few distinct values (0/1 correctness, paired differences in
    {-1, 0, 1}) the counts are drawn from the equivalent multinomial: the same distribution as
    index resampling, in O(resamples) instead of O(resamples * n).
    """
    data = _as_array(values)
    if data.size == 0:
        return np.array([])
    rng = np.random.default_rng(seed)
    distinct, counts = np.unique(data, return_counts=True)
    if distinct.size <= 16:
        draws = rng.multinomial(data.size, counts / data.size, size=resamples)
        return np.asarray(draws @ distinct / data.size, dtype=float)
    idx = rng.integers(0, data.size, size=(resamples, data.size))
    return np.asarray(data[idx].mean(axis=1), dtype=float)


def bootstrap_interval(
    values: Sequence[float | bool],
    *,
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> Interval:
    """Mean with a percentile bootstrap interval; the same seed gives the same interval.

    >>> bootstrap_interval([1, 1, 1]).as_dict()["low"]
    1.0
    """
    data = _as_array(values)
    if data.size == 0:
        return Interval(math.nan, math.nan, math.nan, "bootstrap", level)
    means = bootstrap_means(data, seed=seed, resamples=resamples)
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return Interval(float(data.mean()), float(low), float(high), "bootstrap", level)


def accuracy(correct: Sequence[bool], *, seed: int = 0, level: float = 0.95) -> dict[str, object]:
    """Accuracy with both intervals, as stored in `summary.json`.

    >>> accuracy([True, False, True, True])["accuracy"]
    0.75
    """
    n = len(correct)
    k = int(sum(bool(c) for c in correct))
    wilson = wilson_interval(k, n, level=level)
    boot = bootstrap_interval(correct, seed=seed, level=level)
    return {
        "n": n,
        "n_correct": k,
        "accuracy": k / n if n else None,
        "ci_wilson": [wilson.low, wilson.high],
        "ci_bootstrap": [boot.low, boot.high] if n else None,
    }


@dataclass(frozen=True)
class McNemar:
    """Exact McNemar test on paired binary outcomes."""

    n: int
    both_correct: int
    only_a: int
    """Items A gets right and B wrong (b in the textbook 2x2 table)."""
    only_b: int
    """Items B gets right and A wrong (c)."""
    both_wrong: int
    p_value: float


def mcnemar_exact(a: Sequence[bool], b: Sequence[bool]) -> McNemar:
    """Two-sided exact McNemar test: binomial test of the discordant pairs against 1/2.

    >>> mcnemar_exact([True] * 9 + [False], [False] * 9 + [True]).p_value
    0.021484375
    """
    if len(a) != len(b):
        raise ValueError(f"paired samples differ in length: {len(a)} vs {len(b)}")
    pairs = list(zip((bool(x) for x in a), (bool(y) for y in b), strict=True))
    only_a = sum(x and not y for x, y in pairs)
    only_b = sum(y and not x for x, y in pairs)
    both = sum(x and y for x, y in pairs)
    discordant = only_a + only_b
    p = 1.0 if discordant == 0 else float(binomtest(only_a, discordant, 0.5).pvalue)
    return McNemar(len(pairs), both, only_a, only_b, len(pairs) - both - discordant, min(1.0, p))


def paired_bootstrap_difference(
    a: Sequence[float | bool],
    b: Sequence[float | bool],
    *,
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> Interval:
    """Mean of (a - b) over items, with a percentile interval from resampling items (pairs).

    >>> paired_bootstrap_difference([1, 1, 0], [0, 0, 0]).estimate
    0.6666666666666666
    """
    if len(a) != len(b):
        raise ValueError(f"paired samples differ in length: {len(a)} vs {len(b)}")
    diff = _as_array(a) - _as_array(b)
    interval = bootstrap_interval(diff, seed=seed, resamples=resamples, level=level)
    return Interval(interval.estimate, interval.low, interval.high, "paired_bootstrap", level)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm (1979) step-down adjusted p-values, in the input order.

    >>> holm([0.01, 0.04, 0.03, 0.005])
    [0.03, 0.06, 0.06, 0.02]
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, (m - rank) * p_values[index])
        adjusted[index] = min(1.0, round(running, 15))
    return adjusted


def brier_score(confidence: Sequence[float], correct: Sequence[bool]) -> float:
    """Mean squared difference between the stated confidence and correctness (0 = perfect).

    >>> round(brier_score([0.9, 0.6], [True, False]), 6)
    0.185
    """
    if len(confidence) != len(correct) or not confidence:
        raise ValueError("need equally long, non-empty confidence and correctness")
    p = _as_array(confidence)
    y = _as_array(correct)
    return float(np.mean((p - y) ** 2))


def reliability_table(
    confidence: Sequence[float], correct: Sequence[bool], *, bins: int = 10
) -> list[dict[str, float | int]]:
    """Equal-width confidence bins: range, count, mean confidence and accuracy (non-empty bins).

    A confidence of exactly 1.0 falls in the last bin; bins are [low, high) otherwise.
    """
    if len(confidence) != len(correct):
        raise ValueError("confidence and correctness differ in length")
    p = _as_array(confidence)
    y = _as_array(correct)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("confidences must lie in [0, 1]")
    index = np.minimum((p * bins).astype(int), bins - 1)
    table: list[dict[str, float | int]] = []
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        if count:
            table.append(
                {
                    "low": b / bins,
                    "high": (b + 1) / bins,
                    "n": count,
                    "confidence": float(p[mask].mean()),
                    "accuracy": float(y[mask].mean()),
                }
            )
    return table


def expected_calibration_error(
    confidence: Sequence[float], correct: Sequence[bool], *, bins: int = 10
) -> float:
    """ECE: the count-weighted mean of |accuracy - confidence| over equal-width bins.

    >>> expected_calibration_error([0.95, 0.95, 0.55, 0.55], [True, False, True, True], bins=10)
    0.45
    """
    table = reliability_table(confidence, correct, bins=bins)
    total = sum(int(row["n"]) for row in table)
    if total == 0:
        raise ValueError("no confidences to calibrate")
    gap = sum(
        int(row["n"]) * abs(float(row["accuracy"]) - float(row["confidence"])) for row in table
    )
    return round(gap / total, 12)


def auroc(score: Sequence[float], correct: Sequence[bool]) -> float | None:
    """Area under the ROC curve of `score` for right vs wrong answers (ties count half); None
    when one class is empty. 0.5 is chance.

    >>> auroc([0.9, 0.8, 0.3, 0.8], [True, True, False, False])
    0.875
    """
    if len(score) != len(correct):
        raise ValueError("score and correctness differ in length")
    from scipy.stats import rankdata

    s = _as_array(score)
    y = _as_array(correct).astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auroc_interval(
    score: Sequence[float], correct: Sequence[bool], *, seed: int = 0, resamples: int = 2000
) -> tuple[float, float] | None:
    """95% percentile bootstrap interval of `auroc` (cases resampled with replacement); None
    when no resample has both classes.

    >>> auroc_interval([0.9, 0.8, 0.3, 0.1], [True, True, False, False], resamples=200)
    (1.0, 1.0)
    """
    rng = np.random.default_rng(seed)
    s, y = _as_array(score), _as_array(correct).astype(bool)
    values = []
    for _ in range(resamples):
        idx = rng.integers(0, len(s), len(s))
        value = auroc(s[idx], y[idx])
        if value is not None:
            values.append(value)
    if not values:
        return None
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def calibration(
    confidence: Sequence[float], correct: Sequence[bool], *, bins: int = 10
) -> dict[str, object]:
    """Brier, ECE and the reliability table, as stored in `summary.json`."""
    return {
        "n": len(confidence),
        "brier": brier_score(confidence, correct),
        "ece": expected_calibration_error(confidence, correct, bins=bins),
        "bins": reliability_table(confidence, correct, bins=bins),
    }


def breakdown(
    groups: Sequence[Hashable],
    correct: Sequence[bool],
    *,
    level: float = 0.95,
) -> dict[str, dict[str, object]]:
    """Accuracy and Wilson interval per group (items whose group is None are left out).

    >>> breakdown(["a", "a", "b"], [True, False, True])["a"]["accuracy"]
    0.5
    """
    if len(groups) != len(correct):
        raise ValueError("groups and correctness differ in length")
    tally: dict[str, list[int]] = {}
    for group, ok in zip(groups, correct, strict=True):
        if group is None:
            continue
        counts = tally.setdefault(str(group), [0, 0])
        counts[0] += int(bool(ok))
        counts[1] += 1
    out: dict[str, dict[str, object]] = {}
    for group in sorted(tally):
        k, n = tally[group]
        wilson = wilson_interval(k, n, level=level)
        out[group] = {
            "n": n,
            "n_correct": k,
            "accuracy": k / n,
            "ci_wilson": [wilson.low, wilson.high],
        }
    return out


def macro_average(per_group: Mapping[str, Mapping[str, object]]) -> float | None:
    """Unweighted mean of the groups' accuracies (MIRAGE's leaderboard 'Average')."""
    values = [float(g["accuracy"]) for g in per_group.values() if g.get("accuracy") is not None]  # type: ignore[arg-type]
    return sum(values) / len(values) if values else None

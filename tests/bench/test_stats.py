"""Statistics against textbook and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clinreason.bench import stats


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998) Stat Med 17:857, Table I, method 3 (Wilson)
        (15, 148, 0.0624, 0.1605),  # same table
        (0, 20, 0.0000, 0.1611),  # same table
        (1, 29, 0.0061, 0.1718),  # same table
    ],
)
def test_wilson_matches_newcombe_1998(k: int, n: int, low: float, high: float) -> None:
    interval = stats.wilson_interval(k, n)
    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)
    assert interval.estimate == k / n


def test_wilson_edge_cases() -> None:
    assert stats.wilson_interval(0, 0).low == 0.0 and math.isnan(
        stats.wilson_interval(0, 0).estimate
    )
    assert stats.wilson_interval(10, 10).high == 1.0
    with pytest.raises(ValueError):
        stats.wilson_interval(5, 3)


def test_bootstrap_distribution_is_exact_resampling() -> None:
    # Resampling [0, 0, 1]: the number of 1s drawn is Binomial(3, 1/3), so the mean is 0, 1/3,
    # 2/3, 1 with probabilities 8/27, 12/27, 6/27, 1/27 (hand computed).
    means = stats.bootstrap_means([0, 0, 1], seed=1, resamples=200_000)
    for value, p in [(0, 8 / 27), (1 / 3, 12 / 27), (2 / 3, 6 / 27), (1, 1 / 27)]:
        assert abs(np.mean(np.isclose(means, value)) - p) < 0.005
    # Many distinct values take the index-resampling path: same mean, right spread.
    values = np.linspace(0, 1, 50)
    many = stats.bootstrap_means(values, seed=1, resamples=20_000)
    assert abs(many.mean() - values.mean()) < 0.005
    assert abs(many.std() - values.std() / math.sqrt(50)) < 0.003


def test_bootstrap_interval_is_seeded_and_matches_binomial_quantiles() -> None:
    data = [1] * 50 + [0] * 50
    first = stats.bootstrap_interval(data, seed=7)
    assert first == stats.bootstrap_interval(data, seed=7)
    # Binomial(100, 0.5): the 2.5% and 97.5% quantiles are 40 and 60 -> (0.40, 0.60)
    assert (round(first.low, 2), round(first.high, 2)) == (0.40, 0.60)
    assert stats.bootstrap_interval([1, 1, 1]).low == 1.0


def test_accuracy_summary_fields() -> None:
    out = stats.accuracy([True, True, True, False])
    assert out["n"] == 4 and out["n_correct"] == 3 and out["accuracy"] == 0.75
    low, high = out["ci_wilson"]  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.3006, 0.9544)  # Wilson for 3/4, z = 1.96


@pytest.mark.parametrize(
    ("only_a", "only_b", "p"),
    [
        (9, 1, 22 / 1024),  # 2 * (C(10,0) + C(10,1)) / 2^10
        (3, 7, 352 / 1024),  # 2 * (1 + 10 + 45 + 120) / 1024
        (0, 5, 2 / 32),  # 2 * (1/2)^5
        (4, 4, 1.0),
        (0, 0, 1.0),  # no discordant pairs
    ],
)
def test_mcnemar_exact_hand_computed(only_a: int, only_b: int, p: float) -> None:
    a = [True] * only_a + [False] * only_b + [True] * 5 + [False] * 3
    b = [False] * only_a + [True] * only_b + [True] * 5 + [False] * 3
    result = stats.mcnemar_exact(a, b)
    assert (result.only_a, result.only_b, result.both_correct, result.both_wrong) == (
        only_a,
        only_b,
        5,
        3,
    )
    assert result.p_value == pytest.approx(p, abs=1e-12)


def test_paired_bootstrap_difference() -> None:
    same = stats.paired_bootstrap_difference([1, 0, 1], [1, 0, 1])
    assert (same.estimate, same.low, same.high) == (0.0, 0.0, 0.0)
    better = stats.paired_bootstrap_difference([1] * 10, [0] * 10)
    assert (better.estimate, better.low, better.high) == (1.0, 1.0, 1.0)
    # differences [+1] * 30 + [0] * 60 + [-1] * 10: mean 0.2, sd of the mean sqrt(0.38/100)=0.0616
    a = [1] * 30 + [1] * 30 + [0] * 30 + [0] * 10
    b = [0] * 30 + [1] * 30 + [0] * 30 + [1] * 10
    interval = stats.paired_bootstrap_difference(a, b, seed=3, resamples=5000)
    assert interval.estimate == pytest.approx(0.2)
    assert interval.low == pytest.approx(0.2 - 1.96 * 0.0616, abs=0.02)
    assert interval.high == pytest.approx(0.2 + 1.96 * 0.0616, abs=0.02)
    with pytest.raises(ValueError):
        stats.paired_bootstrap_difference([1], [1, 0])


def test_holm_hand_computed() -> None:
    # sorted p: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, max(0.04*1, 0.06)=0.06
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == [0.03, 0.06, 0.06, 0.02]
    assert stats.holm([0.5, 0.6]) == [1.0, 1.0]  # capped at 1
    assert stats.holm([]) == []


def test_brier_ece_and_reliability_table() -> None:
    assert stats.brier_score([0.9, 0.6], [True, False]) == pytest.approx((0.01 + 0.36) / 2)
    assert stats.brier_score([1.0, 0.0], [True, False]) == 0.0
    confidence = [0.95, 0.95, 0.55, 0.55, 0.25]
    correct = [True, False, True, True, False]
    table = stats.reliability_table(confidence, correct, bins=10)
    assert [(r["low"], r["n"], r["accuracy"]) for r in table] == [
        (0.2, 1, 0.0),
        (0.5, 2, 1.0),
        (0.9, 2, 0.5),
    ]
    # ECE = (1*|0-0.25| + 2*|1-0.55| + 2*|0.5-0.95|) / 5 = (0.25 + 0.9 + 0.9) / 5 = 0.41
    assert stats.expected_calibration_error(confidence, correct) == pytest.approx(0.41)
    assert stats.reliability_table([1.0], [True])[0]["low"] == 0.9  # 1.0 falls in the last bin
    with pytest.raises(ValueError):
        stats.reliability_table([1.2], [True])


def test_breakdown_and_macro_average() -> None:
    out = stats.breakdown(["medqa", "medqa", "mmlu", None], [True, False, True, True])
    assert list(out) == ["medqa", "mmlu"]  # None groups left out
    assert out["medqa"]["accuracy"] == 0.5 and out["mmlu"]["n"] == 1
    assert stats.macro_average(out) == 0.75

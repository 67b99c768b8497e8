"""The safe arithmetic parser and arithmetic claims in text."""

from __future__ import annotations

import pytest

from clinreason.verify.arith import ArithmeticError_, Undefined, arithmetic_claims, evaluate


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("3 + 2", 5),
        ("72/1.8", 40),
        ("2 ^ 3 ^ 2", 512),  # right associative
        ("2 ** 3", 8),
        ("-(3 - 5) × 2", 4),
        ("[1 + 2] · 3", 9),
        ("10 ÷ 4", 2.5),
        ("1,400 + 100", 1500),
        ("70 / 1.75^2", 22.857142857),
    ],
)
def test_evaluate(expr, value):
    assert evaluate(expr) == pytest.approx(value)


@pytest.mark.parametrize(
    ("expr", "error"),
    [
        ("__import__('os')", ArithmeticError_),  # never eval
        ("1 +", ArithmeticError_),
        ("(1 + 2", ArithmeticError_),
        ("5 / 0", Undefined),
        ("10 ^ 5000", Undefined),  # exponent cap
        ("10 ^ 400", Undefined),  # overflow
        ("9" * 400 + " * 1e300", Undefined),
        ("", ArithmeticError_),
        ("1 " + "+ 1 " * 1000, ArithmeticError_),  # too long
    ],
)
def test_evaluate_rejects(expr, error):
    with pytest.raises(error):
        evaluate(expr)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 + 2 = 6", [("3 + 2", "6", False)]),
        ("72/1.8 = 40", [("72/1.8", "40", True)]),
        # units between operands are ignored
        ("BMI = 70 kg / (1.75 m)^2 = 22.9 kg/m2", [("70 / (1.75 )^2", "22.9", True)]),
        # a chain: each link is checked
        ("70/1.75^2 = 70/3.06 = 22.9", [("70/1.75^2", "70/3.06", True), ("70/3.06", "22.9", True)]),
        # words before the expression are not part of it
        ("Na 128, K 5.9, so 5.9 - 4 = 1.9", [("5.9 - 4", "1.9", True)]),
        # aggregation
        ("the sum of 2, 1 and 3 is 7", [("sum of 2, 1, 3", "7", False)]),
        ("mean of 120 and 140 is 130", [("mean of 120, 140", "130", True)]),
        # unicode minus and multiplication sign
        ("140 − (100 + 24) = 16", [("140 - (100 + 24)", "16", True)]),
        # undefined results are not judged
        ("5/0 = 3", [("5/0", "3", None)]),
        # no claim: labels, dates, plain numbers
        ("HR = 110, on 03/14/2024", []),
        ("", []),
    ],
)
def test_arithmetic_claims(text, expected):
    got = [(c.expression, c.stated, c.correct) for c in arithmetic_claims(text)]
    assert got == expected

"""The benchmark scoring rule and `ceiling_row` (the eval summary's `ceiling`)."""

from __future__ import annotations

from clinreason.tools.calculators import ceiling_row, is_correct


def _row(cid: int, entities: str, truth: str, lower: str, upper: str) -> dict[str, str]:
    return {
        "Row Number": "7",
        "Calculator ID": str(cid),
        "Relevant Entities": entities,
        "Ground Truth Answer": truth,
        "Lower Limit": lower,
        "Upper Limit": upper,
    }


def test_decimal_within_limits() -> None:
    row = _row(5, "{}", "93.333", "88.666", "98.0")
    assert is_correct(93.0, row) and is_correct("98.0", row)
    assert not is_correct(98.01, row) and not is_correct("n/a", row) and not is_correct(None, row)


def test_dates_and_gestational_tuple_exact() -> None:
    assert is_correct("02/08/2002", _row(13, "{}", "02/08/2002", "02/08/2002", "02/08/2002"))
    assert is_correct("2/8/2002", _row(13, "{}", "02/08/2002", "02/08/2002", "02/08/2002"))
    assert not is_correct("02/09/2002", _row(13, "{}", "02/08/2002", "02/08/2002", "02/08/2002"))
    t = "('14 weeks', '1 days')"
    assert is_correct((14, 1), _row(69, "{}", t, t, t))
    assert not is_correct((14, 2), _row(69, "{}", t, t, t))


def test_ceiling_row_scores_gold_entities() -> None:
    row = _row(
        5,
        "{'Systolic Blood Pressure': [120.0, 'mm hg'], "
        "'Diastolic Blood Pressure': [80.0, 'mm hg']}",
        "93.333",
        "88.666",
        "98.0",
    )
    res = ceiling_row(row)
    assert res.correct and res.answer == 93.333 and res.error is None and res.row_number == 7
    assert res.steps[-1] == "Result: 93.333 mmHg"


def test_ceiling_row_reports_errors_instead_of_raising() -> None:
    row = _row(5, "{'Systolic Blood Pressure': [120.0, 'parsecs']}", "93.3", "88.6", "98.0")
    res = ceiling_row(row)
    assert not res.correct and res.answer is None and "unknown unit" in (res.error or "")
    bad = ceiling_row(_row(5, "__import__('os')", "1", "1", "1"))
    assert not bad.correct and "literal" in (bad.error or "")

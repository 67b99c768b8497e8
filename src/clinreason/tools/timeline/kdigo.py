"""KDIGO 2012 acute kidney injury staging by serum creatinine: the rule and its SQL window.

KDIGO (Kidney Int Suppl 2012;2:1-138), creatinine criteria only (urine output is not read):
AKI is a rise of >= 0.3 mg/dL within 48 hours, or a value >= 1.5 times baseline "known or
presumed to have occurred within the prior 7 days". Here the baselines are the lowest values of
the previous 48 hours and of the previous 7 days (each measurement against the rows before it).
"""

from __future__ import annotations

KDIGO_SQL = """
SELECT id, t, value,
  min(value) OVER w48, arg_min(id, value) OVER w48,
  min(value) OVER w7, arg_min(id, value) OVER w7
FROM obs WHERE analyte = 'creatinine'
WINDOW
  w48 AS (ORDER BY t RANGE BETWEEN INTERVAL 48 HOURS PRECEDING AND CURRENT ROW
          EXCLUDE CURRENT ROW),
  w7 AS (ORDER BY t RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW
         EXCLUDE CURRENT ROW)
ORDER BY t
"""


def kdigo_stage(value: float, base48: float | None, base7: float | None) -> int:
    """KDIGO 2012 AKI stage from serum creatinine (mg/dL) alone.

    AKI: a rise of >= 0.3 mg/dL over the lowest value of the previous 48 h, or >= 1.5 times the
    lowest value of the previous 7 days. Stage 2: >= 2.0 times; stage 3: >= 3.0 times, or a
    value >= 4.0 mg/dL in AKI.

    >>> kdigo_stage(1.4, 1.0, 1.0), kdigo_stage(2.1, 1.0, 1.0), kdigo_stage(4.1, 3.7, 3.7)
    (1, 2, 3)
    >>> kdigo_stage(1.2, None, 1.0)
    0
    """
    rise = value - base48 if base48 is not None else 0.0
    ratio = value / base7 if base7 else 0.0
    if not (rise >= 0.3 - 1e-9 or ratio >= 1.5 - 1e-9):
        return 0
    if ratio >= 3.0 - 1e-9 or value >= 4.0:
        return 3
    return 2 if ratio >= 2.0 - 1e-9 else 1

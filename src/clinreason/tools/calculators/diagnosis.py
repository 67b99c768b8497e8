"""Diagnostic criteria: FeverPAIN, PERC rule, SIRS."""

from __future__ import annotations

from clinreason.tools.calculators._common import (
    AGE,
    HR,
    RR,
    TEMP,
    Ctx,
    FormulaCalculator,
    flag,
    fmt,
    measure,
    optional,
)
from clinreason.tools.calculators.icu import WBC

_FEVERPAIN = (
    ("Fever in past 24 hours", "Fever in the past 24 hours"),
    ("Absence of cough or coryza", "Absence of cough or coryza"),
    ("Symptom onset ≤3 days", "Attend rapidly (symptom onset <= 3 days)"),
    ("Purulent tonsils", "Purulence (purulent tonsils)"),
    ("Severe tonsil inflammation", "Inflamed tonsils (severe)"),
)


def _feverpain(c: Ctx) -> float:
    return sum(c.item(name, 1, label) for name, label in _FEVERPAIN)


def _criterion(c: Ctx, label: str, value: float | None, met: bool, shown: str) -> float:
    if value is None:
        return c.points(label, 0, "not given -> assumed normal")
    return c.points(label, 1 if met else 0, shown)


def _perc(c: Ctx) -> float:
    age = c.num("age")
    total = c.points("Age >= 50", 1 if age >= 50 else 0, f"{fmt(age)} years")
    hr = c.opt(HR.name)
    total += _criterion(
        c, "Heart rate >= 100", hr, hr is not None and hr >= 100, f"{fmt(hr or 0)} /min"
    )
    sat = c.opt("O₂ saturation percentage")
    total += _criterion(
        c, "O2 saturation < 95 %", sat, sat is not None and sat < 95, f"{fmt(sat or 0)} %"
    )
    total += c.item("Unilateral Leg Swelling", 1, "Unilateral leg swelling")
    total += c.item("Hemoptysis", 1)
    total += c.item("Recent surgery or trauma", 1, "Recent surgery or trauma (<= 4 weeks)")
    prior = c.flag("Previously Documented Pulmonary Embolism")
    prior |= c.flag("Previously documented Deep Vein Thrombosis")
    total += c.points("Prior PE or DVT", 1 if prior else 0, "yes" if prior else "no")
    total += c.item("Hormone use", 1, "Hormone use (oral contraceptives, HRT, estrogen)")
    return total


def _sirs(c: Ctx) -> float:
    t = c.opt(TEMP.name)
    total = _criterion(
        c,
        "Temperature > 38 or < 36 °C",
        t,
        t is not None and (t > 38 or t < 36),
        f"{fmt(t or 0)} °C",
    )
    hr = c.opt(HR.name)
    total += _criterion(
        c, "Heart rate > 90", hr, hr is not None and hr > 90, f"{fmt(hr or 0)} /min"
    )
    rr, paco2 = c.opt(RR.name), c.opt("PaCO₂")
    met = (rr is not None and rr > 20) or (paco2 is not None and paco2 < 32)
    shown = ", ".join(
        x
        for x in (
            f"RR {fmt(rr)} /min" if rr is not None else "",
            f"PaCO2 {fmt(paco2)} mmHg" if paco2 is not None else "",
        )
        if x
    )
    total += _criterion(
        c,
        "Respiratory rate > 20 or PaCO2 < 32 mmHg",
        None if rr is None and paco2 is None else 0.0,
        met,
        shown,
    )
    wbc, bands = c.opt(WBC.name), c.opt("Band form percentage")
    met = (wbc is not None and (wbc > 12000 or wbc < 4000)) or (bands is not None and bands > 10)
    shown = ", ".join(
        x
        for x in (
            f"WBC {fmt(wbc)} /µL" if wbc is not None else "",
            f"bands {fmt(bands)} %" if bands is not None else "",
        )
        if x
    )
    total += _criterion(
        c,
        "WBC > 12,000 or < 4,000 /µL or bands > 10 %",
        None if wbc is None and bands is None else 0.0,
        met,
        shown,
    )
    return total


CALCULATORS = (
    FormulaCalculator(
        33,
        "feverpain",
        "FeverPAIN Score for Strep Pharyngitis",
        ("FeverPAIN", "Fever PAIN", "FeverPAIN score"),
        "diagnosis",
        "integer",
        tuple(
            flag(n, aliases=(("Symptom onset <=3 days",) if "≤" in n else ()))
            for n, _ in _FEVERPAIN
        ),
        "Little P et al. BMJ 2013;347:f5806",
        _feverpain,
    ),
    FormulaCalculator(
        48,
        "perc_rule",
        "PERC Rule for Pulmonary Embolism",
        ("PERC rule", "PERC", "pulmonary embolism rule-out criteria", "PE rule-out criteria"),
        "diagnosis",
        "integer",
        (
            AGE,
            optional(HR),
            measure(
                "O₂ saturation percentage",
                "%",
                (20, 100),
                required=False,
                aliases=("O2 saturation percentage",),
            ),
            flag("Unilateral Leg Swelling"),
            flag("Hemoptysis"),
            flag("Recent surgery or trauma"),
            flag("Previously Documented Pulmonary Embolism"),
            flag("Previously documented Deep Vein Thrombosis"),
            flag("Hormone use"),
        ),
        "Kline JA et al. J Thromb Haemost 2004;2:1247-55",
        _perc,
    ),
    FormulaCalculator(
        51,
        "sirs",
        "SIRS Criteria",
        ("SIRS criteria", "SIRS", "systemic inflammatory response syndrome"),
        "diagnosis",
        "integer",
        (
            optional(TEMP),
            optional(HR),
            optional(RR),
            measure("PaCO₂", "mmHg", (5, 200), required=False, aliases=("PaCO2",)),
            WBC,
            measure("Band form percentage", "%", (0, 100), required=False),
        ),
        "Bone RC et al. Chest 1992;101:1644-55",
        _sirs,
    ),
)

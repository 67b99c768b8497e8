"""Pregnancy dating (due date, conception date, gestational age) and dose conversions
(corticosteroid equivalents, morphine milligram equivalents)."""

from __future__ import annotations

import datetime as dt

from clinreason.errors import InputError
from clinreason.tools import units
from clinreason.tools.calculators._common import (
    Ctx,
    FormulaCalculator,
    choice,
    fmt,
    measure,
    number,
)
from clinreason.tools.calculators.base import Param

LMP = Param("Last menstrual date", "date", description="first day of the last menstrual period")
CYCLE = number("cycle length", (15, 60), required=False, description="menstrual cycle length, days")
TODAY = Param("Current Date", "date", description="the date of the visit")


def _cycle(c: Ctx) -> int:
    cycle = c.opt("cycle length")
    if cycle is None:
        c.assume("cycle length not given: 28 days")
        cycle = 28
    if not float(cycle).is_integer():
        raise InputError(f"cycle length must be a whole number of days, got {cycle!r}")
    return int(cycle)


def _due_date(c: Ctx) -> str:
    lmp, cycle = c.date("Last menstrual date"), _cycle(c)
    c.step("Naegele's rule: due date = LMP + 280 days + (cycle length - 28) days")
    due = lmp + dt.timedelta(days=280 + cycle - 28)
    c.step(f"due date = {lmp:%m/%d/%Y} + 280 + ({cycle} - 28) days = {due:%m/%d/%Y}")
    return due.strftime("%m/%d/%Y")


def _conception(c: Ctx) -> str:
    lmp, cycle = c.date("Last menstrual date"), _cycle(c)
    c.step(
        "ovulation (conception) is about 14 days before the next period: "
        "conception = LMP + (cycle length - 14) days"
    )
    date = lmp + dt.timedelta(days=cycle - 14)
    c.step(f"conception = {lmp:%m/%d/%Y} + ({cycle} - 14) days = {date:%m/%d/%Y}")
    return date.strftime("%m/%d/%Y")


def _gestational_age(c: Ctx) -> tuple[int, int]:
    lmp, today = c.date("Last menstrual date"), c.date("Current Date")
    days = (today - lmp).days
    if days < 0:
        raise InputError("the current date is before the last menstrual period")
    c.step(
        f"gestational age = current date - LMP = {days} days = {days // 7} weeks {days % 7} days"
    )
    return days // 7, days % 7


# -- steroids --

STEROID_EQUIVALENT_MG: dict[str, float] = {
    "Betamethasone IV": 0.75,
    "Cortisone PO": 25.0,
    "Dexamethasone IV": 0.75,
    "Dexamethasone PO": 0.75,
    "Hydrocortisone IV": 20.0,
    "Hydrocortisone PO": 20.0,
    "MethylPrednisoLONE IV": 4.0,
    "MethylPrednisoLONE PO": 4.0,
    "PrednisoLONE PO": 5.0,
    "PredniSONE PO": 5.0,
    "Triamcinolone IV": 4.0,
}
"""Anti-inflammatory equivalent doses (mg), as in MDCalc's steroid conversion calculator."""

_STEROID_KEYS = {k.lower(): k for k in STEROID_EQUIVALENT_MG}


def _steroid_name(text: str) -> str:
    key = " ".join(str(text).lower().split())
    if key not in _STEROID_KEYS:
        raise InputError(f"unknown steroid {text!r}; known: {list(STEROID_EQUIVALENT_MG)}")
    return _STEROID_KEYS[key]


def _steroid(c: Ctx) -> float:
    given = c.get("input steroid")
    if not (isinstance(given, list | tuple) and len(given) == 3):
        raise InputError(f"input steroid: expected [name, dose, unit], got {given!r}")
    source = _steroid_name(given[0])
    if isinstance(given[1], bool) or not isinstance(given[1], int | float) or given[1] <= 0:
        raise InputError(f"input steroid: dose must be a positive number, got {given[1]!r}")
    dose = units.convert(float(given[1]), str(given[2]), "mg")
    target_raw = c.get("target steroid")
    if target_raw is None:
        raise InputError("Steroid Conversion Calculator: missing required input 'target steroid'")
    target = _steroid_name(target_raw)
    c.inputs.update({"input steroid": [source, dose, "mg"], "target steroid": target})
    c.step(f"input: {source} {fmt(dose)} mg; target: {target}")
    src_eq, dst_eq = STEROID_EQUIVALENT_MG[source], STEROID_EQUIVALENT_MG[target]
    c.step(f"equivalent doses: {source} {fmt(src_eq)} mg = {target} {fmt(dst_eq)} mg")
    value = dose * dst_eq / src_eq
    c.step(f"{fmt(dose)} mg x {fmt(dst_eq)} / {fmt(src_eq)} = {fmt(value)} mg {target}")
    return value


# -- morphine milligram equivalents --

MME_FACTOR: dict[str, tuple[float, str]] = {
    "Codeine": (0.15, "mg"),
    "FentaNYL buccal": (0.13, "µg"),
    "FentANYL patch": (2.4, "µg"),
    "HYDROcodone": (1.0, "mg"),
    "HYDROmorphone": (5.0, "mg"),
    "Methadone": (4.7, "mg"),
    "Morphine": (1.0, "mg"),
    "OxyCODONE": (1.5, "mg"),
    "OxyMORphone": (3.0, "mg"),
    "Tapentadol": (0.4, "mg"),
    "TraMADol": (0.2, "mg"),
}
"""MME conversion factors, CDC Clinical Practice Guideline 2022 (fentanyl patch per µg/h)."""


def _mme(c: Ctx) -> float:
    c.step("MME/day = sum over opioids of dose x doses per day x conversion factor")
    total, found = 0.0, False
    for drug, (factor, unit) in MME_FACTOR.items():
        dose = c.opt(f"{drug} Dose")
        if dose is None:
            continue
        per_day = c.opt(f"{drug} Dose Per Day")
        if per_day is None:
            per_day = 1.0
            c.assume(f"{drug}: doses per day not given, 1 assumed")
        found = True
        mme = dose * per_day * factor
        c.step(f"{drug}: {fmt(dose)} {unit} x {fmt(per_day)}/day x {factor} = {fmt(mme)} MME/day")
        total += mme
    if not found:
        raise InputError("MME Calculator: no opioid dose given")
    return total


def _mme_params() -> tuple[Param, ...]:
    out: list[Param] = []
    for drug, (_, unit) in MME_FACTOR.items():
        out.append(
            measure(
                f"{drug} Dose",
                unit,
                (0, 100000),
                required=False,
                aliases=(("FentaNYL patch Dose",) if drug == "FentANYL patch" else ()),
            )
        )
        out.append(
            measure(
                f"{drug} Dose Per Day",
                "/day",
                (0, 48),
                required=False,
                aliases=(("FentaNYL patch Dose Per Day",) if drug == "FentANYL patch" else ()),
            )
        )
    return tuple(out)


_STEROIDS = tuple(STEROID_EQUIVALENT_MG)

CALCULATORS = (
    FormulaCalculator(
        13,
        "due_date_naegele",
        "Estimated Due Date",
        (
            "estimated due date",
            "due date",
            "Naegele's rule",
            "Naegele rule",
            "EDD",
            "expected date of delivery",
        ),
        "date",
        "date",
        (LMP, CYCLE),
        "Naegele's rule with cycle-length adjustment (ACOG Committee Opinion 700, 2017)",
        _due_date,
        notes="A cycle shorter than 28 days moves the date earlier; v1.0 labels add the "
        "difference in both directions.",
    ),
    FormulaCalculator(
        68,
        "conception_date",
        "Estimated of Conception",
        (
            "estimated date of conception",
            "date of conception",
            "conception date",
            "estimated conception",
        ),
        "date",
        "date",
        (LMP, CYCLE),
        "Ovulation ~14 days before the next menses (luteal phase): LMP + (cycle - 14) days; "
        "consistent with the cycle-adjusted Naegele due date (conception + 266 days)",
        _conception,
        notes="v1.0 labels use LMP + 14 days whatever the cycle length.",
    ),
    FormulaCalculator(
        69,
        "gestational_age",
        "Estimated Gestational Age",
        ("gestational age", "estimated gestational age", "weeks pregnant"),
        "date",
        "weeks_days",
        (TODAY, LMP),
        "ACOG Committee Opinion 700 (2017): gestational age from the LMP",
        _gestational_age,
    ),
    FormulaCalculator(
        24,
        "steroid_conversion",
        "Steroid Conversion Calculator",
        (
            "steroid conversion",
            "corticosteroid conversion",
            "steroid equivalent",
            "equivalent dosage",
        ),
        "dosage",
        "decimal",
        (
            Param(
                "input steroid",
                "measurement",
                unit="mg",
                description="[steroid name, dose, unit], e.g. ['PredniSONE PO', 10, 'mg']",
            ),
            choice("target steroid", _STEROIDS, required=True),
        ),
        "Liu D et al. Allergy Asthma Clin Immunol 2013;9:30 (equivalent glucocorticoid doses)",
        _steroid,
        "mg",
    ),
    FormulaCalculator(
        49,
        "morphine_milligram_equivalents",
        "Morphine Milligram Equivalents (MME) Calculator",
        (
            "morphine milligram equivalents",
            "morphine miligram equivalents",
            "MME",
            "morphine equivalent dose",
            "morphine equivalents",
        ),
        "dosage",
        "decimal",
        _mme_params(),
        "Dowell D et al. CDC Clinical Practice Guideline for Prescribing Opioids for Pain. "
        "MMWR Recomm Rep 2022;71(3):1-95",
        _mme,
        "MME/day",
    ),
)

"""Anion gap family: anion gap, delta gap, delta ratio and their albumin-corrected versions.

Conventions (MDCalc, after Kraut & Madias, Clin J Am Soc Nephrol 2007;2:162-74): normal anion
gap 12 mEq/L, normal bicarbonate 24 mEq/L, albumin correction +2.5 mEq/L per 1 g/dL of albumin
below 4 g/dL (Figge J et al. Crit Care Med 1998;26:1807-10).
"""

from __future__ import annotations

from clinreason.errors import InputError
from clinreason.tools.calculators._common import (
    ALBUMIN,
    BICARB,
    CHLORIDE,
    SODIUM,
    Ctx,
    FormulaCalculator,
    fmt,
)

NORMAL_AG = 12.0
NORMAL_HCO3 = 24.0
NORMAL_ALBUMIN = 4.0


def _anion_gap(c: Ctx) -> float:
    na, cl, hco3 = c.num("Sodium"), c.num("Chloride"), c.num("Bicarbonate")
    c.step("anion gap = Na - (Cl + HCO3)")
    ag = na - (cl + hco3)
    c.step(f"anion gap = {fmt(na)} - ({fmt(cl)} + {fmt(hco3)}) = {fmt(ag)} mEq/L")
    return ag


def _albumin_corrected_ag(c: Ctx) -> float:
    ag = _anion_gap(c)
    alb = c.num("Albumin")
    c.step("albumin-corrected anion gap = anion gap + 2.5 x (4 - albumin (g/dL))")
    value = ag + 2.5 * (NORMAL_ALBUMIN - alb)
    c.step(f"= {fmt(ag)} + 2.5 x (4 - {fmt(alb)}) = {fmt(value)} mEq/L")
    return value


def _delta(gap: float, c: Ctx, label: str) -> float:
    c.step(f"delta gap = {label} - 12 (normal anion gap)")
    value = gap - NORMAL_AG
    c.step(f"delta gap = {fmt(gap)} - 12 = {fmt(value)} mEq/L")
    return value


def _ratio(delta_gap: float, c: Ctx) -> float:
    hco3 = float(c.inputs["Bicarbonate"])
    if hco3 == NORMAL_HCO3:
        raise InputError("delta ratio: bicarbonate equals 24 mEq/L, so the ratio is undefined")
    c.step("delta ratio = delta gap / (24 - HCO3)")
    value = delta_gap / (NORMAL_HCO3 - hco3)
    c.step(f"delta ratio = {fmt(delta_gap)} / (24 - {fmt(hco3)}) = {fmt(value)}")
    return value


def _delta_gap(c: Ctx) -> float:
    return _delta(_anion_gap(c), c, "anion gap")


def _delta_ratio(c: Ctx) -> float:
    return _ratio(_delta_gap(c), c)


def _albumin_delta_gap(c: Ctx) -> float:
    return _delta(_albumin_corrected_ag(c), c, "albumin-corrected anion gap")


def _albumin_delta_ratio(c: Ctx) -> float:
    return _ratio(_albumin_delta_gap(c), c)


_BASIC = (SODIUM, CHLORIDE, BICARB)
_WITH_ALB = (SODIUM, CHLORIDE, BICARB, ALBUMIN)
_REF = "Kraut JA, Madias NE. Clin J Am Soc Nephrol 2007;2:162-74"
_REF_ALB = _REF + "; albumin correction: Figge J et al. Crit Care Med 1998;26:1807-10"

CALCULATORS = (
    FormulaCalculator(
        39,
        "anion_gap",
        "Anion Gap",
        ("anion gap", "AG", "serum anion gap"),
        "lab",
        "decimal",
        _BASIC,
        _REF,
        _anion_gap,
        "mEq/L",
    ),
    FormulaCalculator(
        63,
        "delta_gap",
        "Delta Gap",
        ("delta gap", "delta anion gap", "gap gap"),
        "lab",
        "decimal",
        _BASIC,
        _REF,
        _delta_gap,
        "mEq/L",
    ),
    FormulaCalculator(
        64,
        "delta_ratio",
        "Delta Ratio",
        ("delta ratio", "delta delta", "delta-delta ratio"),
        "lab",
        "decimal",
        _BASIC,
        _REF,
        _delta_ratio,
        notes="The medcalc-bench package has no delta-ratio calculator.",
    ),
    FormulaCalculator(
        65,
        "albumin_corrected_anion_gap",
        "Albumin Corrected Anion Gap",
        (
            "albumin corrected anion gap",
            "albumin-corrected anion gap",
            "corrected anion gap",
            "anion gap corrected for albumin",
        ),
        "lab",
        "decimal",
        _WITH_ALB,
        _REF_ALB,
        _albumin_corrected_ag,
        "mEq/L",
    ),
    FormulaCalculator(
        66,
        "albumin_corrected_delta_gap",
        "Albumin Corrected Delta Gap",
        (
            "albumin corrected delta gap",
            "albumin-corrected delta gap",
            "corrected delta gap",
            "delta gap corrected for albumin",
        ),
        "lab",
        "decimal",
        _WITH_ALB,
        _REF_ALB,
        _albumin_delta_gap,
        "mEq/L",
    ),
    FormulaCalculator(
        67,
        "albumin_corrected_delta_ratio",
        "Albumin Corrected Delta Ratio",
        (
            "albumin corrected delta ratio",
            "albumin-corrected delta ratio",
            "corrected delta ratio",
            "delta ratio corrected for albumin",
        ),
        "lab",
        "decimal",
        _WITH_ALB,
        _REF_ALB,
        _albumin_delta_ratio,
    ),
)

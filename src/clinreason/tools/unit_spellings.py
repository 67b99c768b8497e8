"""How clinical units are written: one regex per unit, keyed by the canonical unit key.

Shared by the extractors (`clinreason.tools.extract.labs` / `vitals`, compiled with
`re.IGNORECASE`) and the numbers verifier (`clinreason.verify.units._UNIT_PATTERNS`, compiled
without it), so a spelling added here is recognised by both. Each spelling therefore carries its
own case flags: `(?i:...)` around the whole, `(?-i:...)` where case matters ('mM' is millimolar,
'mm' a length). The temperatures are the exception: written without a flag, their letter is
any case for the extractor and a capital for the verifier. Callers add their own boundary
after the unit.

Spellings only one side accepts stay on that side, with the reason: the extractor reads a bare
'K' after a count as thousands, 'G/L' as giga per litre and 'mm-3' as per mm³, which would be
false matches in free text for the verifier.

>>> import re
>>> bool(re.fullmatch(SPELLINGS["mg/dL"], "milligrams per deciliter"))
True
>>> bool(re.fullmatch(SPELLINGS["mmol/L"], "mm"))
False
"""

from __future__ import annotations

_PER_L = r"\s*(?:/|per)\s*l(?:it(?:er|re))?"
_PER_DL = r"\s*(?:/|per)\s*(?:dl|decilit(?:er|re))"


def _minus_one(amount: str, volume: str) -> str:
    """'mg·dL-1', 'mmol L⁻¹', 'mg dL^-1' (the verifier's normalized superscript)."""
    return amount + r"\s*[·⋅.]?\s*" + volume + r"\s*\^?[-−⁻]\s*[1¹]"


def _i(pattern: str) -> str:
    return f"(?i:{pattern})"


_DEG_C = r"℃|(?:[°º˚]|deg(?:rees?)?)\s*(?:C(?:elsius)?|centigrade)|Celsius"
_DEG_F = r"℉|(?:[°º˚]|deg(?:rees?)?)\s*F(?:ahrenheit)?|Fahrenheit"
MARKED_TEMPERATURE = {"degC": _DEG_C, "degF": _DEG_F}
"""Temperature spellings with a degree sign or word (without the bare letter 'C' / 'F')."""

SPELLINGS: dict[str, str] = {
    "mg/dL": _i(
        r"(?:mg|milligrams?)" + _PER_DL + r"|mg\s*/\s*100\s*ml|mg\s*%|" + _minus_one("mg", "dl")
    ),
    "g/dL": _i(r"(?:gm?|grams?)" + _PER_DL + r"|gm?\s*%|g\s*/\s*100\s*ml|" + _minus_one("g", "dl")),
    "g/L": _i(r"(?:gm?|grams?)" + _PER_L + "|" + _minus_one("g", "l")),
    "mmol/L": _i(
        r"(?:mmol|millimol(?:es)?)" + _PER_L + r"|mm/l|" + _minus_one("mmol", "l") + "|"
        r"(?-i:mM)(?![\w/])"  # millimolar; case-sensitive, 'mm' is a length
    ),
    "umol/L": _i(
        r"(?:[µμu]mol|micromol(?:es)?)" + _PER_L + r"|[µμu]m/l|" + _minus_one("[µμu]mol", "l")
    ),
    "mEq/L": _i(r"(?:m?eq|milliequivalents?)" + _PER_L + "|" + _minus_one("m?eq", "l")),
    "U/L": _i(r"(?:i?u|units?)" + _PER_L),
    "x10^9/L": _i(
        r"(?:[x×*]\s*)?10\s*(?:\^|e|\*\*)?\s*[9⁹]\)?\s*(?:cells\s*)?/\s*l(?:it(?:er|re))?|"
        r"[x×]\s*109\s*/\s*l|(?:[x×*]\s*)?10\s*\(9\)\s*/\s*l"
    ),
    "x10^3/uL": _i(
        r"(?:[x×*]\s*)?10\s*(?:\^|e|\*\*)?\s*[3³]\)?\s*(?:cells\s*)?/\s*"
        r"(?:[µμu]l|mm3|mm\^3|mm³|cumm)|"
        r"[x×]\s*103\s*/\s*(?:[µμu]l|mm3)|k\s*/\s*(?:[µμu]l|mcl|mm3|cumm)|"
        r"thou(?:s|sand)?\s*/\s*(?:[µμu]l|mcl|mm3)"
    ),
    "/uL": _i(
        r"(?:cells\s*|counts?\s*)?/\s*(?:[µμu]l|mcl|mm3|mm\^3|mm³|cmm|cu\s*mm|microlit(?:er|re))|"
        r"per\s+(?:[µμu]l|microlit(?:er|re)|cubic\s+millimet(?:er|re)|mm3)"
    ),
    "mmHg": _i(r"mm\s*hg|millimet(?:er|re)s?\s+(?:of\s+)?(?:mercury|hg)|torr"),
    "kPa": _i(r"kpa"),
    "%": _i(r"%|percent|per\s*cent"),
    # temperatures carry no case flag on purpose: any case for the extractor, a capital letter
    # for the verifier ('45 f'; MedCalc's explanations write '37.2 degrees fahrenheit' for a
    # 37.2 °C note)
    "degC": _DEG_C + r"|C(?![a-zA-Z])",
    "degF": _DEG_F + r"|F(?![a-zA-Z])",
}
"""Canonical unit key (as in `clinreason.verify.units.UNITS`) -> regex of its spellings."""

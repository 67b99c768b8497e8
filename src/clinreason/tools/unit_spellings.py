"""How clinical units are written: one regex per unit, keyed by the canonical unit key.

Shared by the extractors (`clinreason.tools.extract.labs` / `vitals`, compiled with
`re.IGNORECASE`) and the numbers verifier (`clinreason.verify.units._UNIT_PATTERNS`, compiled
without it), so a spelling added here is recognised by both. Each spelling therefore carries its
own case flags: `(?i:...)` around the whole, `(?-i:...)` where case matters ('mM' is millimolar,
'mm' a length). Temperatures, 'm', 'g' and 'inch' are written without a flag on purpose: any
case for the extractor, the case written here for the verifier ('45 F', '45 M' are a woman and
a man). Callers add their own boundary after the unit.

Spellings only one side accepts stay on that side, because elsewhere in free text they mean
something else: after a count the extractor reads a bare 'K' as thousands, 'G/L' as giga per
litre and 'mm-3' as per mm³; after a rate '/m' and 'b/min' as per minute; after a height a bare
'in' as inches; after a weight 'lb.'; the verifier reads bare 'beats' / 'breaths' as per minute.

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
    "/min": _i(r"/\s*min(?:ute)?|per\s+min(?:ute)?|min-1|min⁻¹"),
    "beats/min": _i(r"beats?\s*(?:/|per)\s*min(?:ute)?|b\.?p\.?m\.?|beats\s+a\s+minute"),
    "breaths/min": _i(r"breaths?\s*(?:/|per)\s*min(?:ute)?|breaths\s+a\s+minute"),
    "bmi": _i(r"kg\s*/\s*(?:m\s*(?:2|\^2|²|\*\*2)|square\s+met(?:er|re)s?)"),
    "kg": _i(r"kgs?|kilograms?|kilos?"),
    "lb": _i(r"lbs?|pounds?"),
    "cm": _i(r"cm|centimet(?:er|re)s?"),
    # no case flag: any case for the extractor, lower case for the verifier ('45 M' is a man)
    "in": r"inch(?:es)?|\"|”",
    "m": r"m|met(?:er|re)s?",
    "g": r"g|grams?",
    # temperatures carry no case flag on purpose: any case for the extractor, a capital letter
    # for the verifier ('45 f'; MedCalc's explanations write '37.2 degrees fahrenheit' for a
    # 37.2 °C note)
    "degC": _DEG_C + r"|C(?![a-zA-Z])",
    "degF": _DEG_F + r"|F(?![a-zA-Z])",
}
"""Canonical unit key -> regex of its spellings. The keys are those of
`clinreason.verify.units.UNITS`, except 'beats/min' and 'breaths/min' (the extractor tells heart
from breathing rates; the verifier reads both, and '/min', as '/min')."""

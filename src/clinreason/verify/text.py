"""Reading numbers, units and negations out of clinical text. Pure functions, no I/O.

`normalize` maps unicode look-alikes (minus signs, non-breaking spaces, superscript exponents,
full-width digits, micro signs) to plain ASCII forms; `quantities` finds every number with its
unit and the analyte it is attached to (by the label just before it, or by an implying unit
such as 'bpm' or '-year-old').

>>> [(q.value, q.unit, q.analyte) for q in quantities("A 67-year-old with Na 128 mEq/L, HR 110.")]
[(67.0, 'year', 'age'), (128.0, 'mEq/L', 'sodium'), (110.0, None, 'heart_rate')]
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from dataclasses import dataclass

from clinreason.verify.units import UNITS, analytes_in, convert, match_unit

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SIMPLE = str.maketrans(
    {
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u00b5": "u",
        "\u03bc": "u",
        "\u2264": "≤",
        "\u2265": "≥",
    }
)
_SUP_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")


def normalize(text: str) -> str:
    """Plain-ASCII digits, full-width letters, minus signs, spaces and micro signs; superscripts
    become `^n`.

    >>> normalize("WBC 12×10⁹/L, K 3·5, −2, ５ µg")
    'WBC 12×10^9/L, K 3·5, -2, 5 ug'
    """
    text = _SUP_RUN.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPT), text)
    text = text.translate(_SIMPLE)
    if text.isascii():
        return text
    out = []
    for ch in text:
        if not ch.isascii() and ch.isdigit():
            digit = unicodedata.digit(ch, None)
            out.append(str(digit) if digit is not None else ch)
        elif "\uff01" <= ch <= "\uff5e":  # full-width ASCII forms, one character each
            out.append(chr(ord(ch) - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Quantity:
    """A number in text with its unit and analyte."""

    value: float
    decimals: int
    """Digits after the decimal point as written (precision of the statement)."""
    unit: str | None
    analyte: str | None
    start: int
    end: int
    """Offsets of number + unit in the normalized text."""
    text: str
    before: str
    """Up to 60 characters of the same clause before the number (for qualifiers)."""
    in_range: bool = False
    """Part of a range such as '135-145' or '3 to 5' (a reference, rarely a patient value)."""

    @property
    def finite(self) -> bool:
        """False for numbers too large to represent (checked as unverifiable)."""
        return math.isfinite(self.value)


NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?(?:[eE][-+]?\d{1,3}(?![\d]))?")
_MASK = re.compile(
    r"\b\d{1,4}[/-]\d{1,2}[/-]\d{2,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b|\b(?:19|20)\d{2}\b(?=\s*[,)]|\s*$)"
)
_BP = re.compile(r"(?<![\d.])(\d{2,3})\s*/\s*(\d{2,3})(?![\d.])")
_CLAUSE_END = re.compile(r"[.;!?\n](?=\s|$)|;|\n")
_UNIT_ANALYTE = {"degC": "temperature", "degF": "temperature", "bmi": "bmi"}
_SEX_LETTER = re.compile(r" ?[MF](?![A-Za-z])")
_COMPOUND = re.compile(
    r"(?i)(?<![\d.])(?P<big>\d{1,2})\s*(?:(?P<ft>ft|feet|foot|')|st|stones?)\s*"
    r"(?P<small>\d{1,2}(?:\.\d+)?)\s*(?(ft)(?:in(?:ch(?:es)?)?\b|\"|'')|(?:lbs?|pounds?)\b)"
)
_MAX_DIGITS = 400


def parse_number(token: str) -> tuple[float, int]:
    """Value and number of decimals of a matched number token.

    >>> parse_number("1,400.25")
    (1400.25, 2)
    >>> parse_number("9" * 500)[0]
    inf
    """
    clean = token.replace(",", "")
    mantissa = re.split(r"[eE]", clean)[0]
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    if len(mantissa) > _MAX_DIGITS:
        return math.inf, decimals
    try:
        return float(clean), decimals
    except (ValueError, OverflowError):
        return math.inf, decimals


_OPERATOR = re.compile(r"[+*/×÷^]|\s-\s")


def _label(before: str) -> str | None:
    """The analyte a number belongs to: the one label in its clause, not across an operator."""
    found = analytes_in(before)
    if not found:
        return None
    last = found[-1]
    between = before[last[2] :]
    if _OPERATOR.search(between) or len(between.split()) > 6:
        return None
    if len({n for n, _, _ in found}) == 1:
        return last[0]
    # several labels: the last one counts only if it sits right before the number
    if re.fullmatch(r"(?:\s|[:=(,]|of|was|is)*", between):
        return last[0]
    return None


def quantities(text: str) -> list[Quantity]:
    """Every number in `text` (normalized first) with unit and analyte, in order."""
    return list(_quantities(text))


@functools.lru_cache(maxsize=1024)
def _quantities(text: str) -> tuple[Quantity, ...]:
    """`quantities`, memoized: several verifiers read the same note in one trace."""
    text = normalize(text)
    masked = _MASK.sub(lambda m: "#" * len(m.group(0)), text)
    out: list[Quantity] = []
    prev_end = 0
    bp_part: dict[int, tuple[str, str | None]] = {}
    for m in _BP.finditer(masked):
        after = match_unit(masked, m.end())
        window = masked[max(0, m.start() - 40) : m.start()]
        mmhg = bool(after and after[0] == "mmHg")
        if mmhg or re.search(r"(?i)\b(?:bp|blood pressure)\b", window):
            bp_part[m.start(1)] = ("sbp", "mmHg" if mmhg else None)
            bp_part[m.start(2)] = ("dbp", None)
    for m in NUMBER.finditer(masked):
        start, end = m.span()
        if start < prev_end:  # inside the unit of the previous number (x10^9/L)
            continue
        prev = masked[start - 1] if start else " "
        if prev.isalnum() or prev in "._^#":
            continue
        if prev == "-" and start >= 2 and masked[start - 2].isalpha():
            continue
        sign = -1.0 if prev == "-" and (start < 2 or masked[start - 2] in " (=:,[") else 1.0
        value, decimals = parse_number(m.group(0))
        unit = match_unit(masked, end)
        sex_letter = _SEX_LETTER.match(masked, end)
        if unit and unit[0] == "degF" and sex_letter and not 90 <= value <= 113:
            unit = None  # '27F', '79 F': age and sex in triage shorthand, not a temperature
        unit_key, unit_end, is_age = unit if unit else (None, end, False)
        if unit is None and end < len(masked) and masked[end].isalpha() and not sex_letter:
            continue
        before = _clause_before(masked, start, prev_end)
        analyte, bp_unit = bp_part.get(start, (None, None))
        unit_key = unit_key or bp_unit
        if analyte is None:
            analyte = "age" if is_age else _UNIT_ANALYTE.get(unit_key or "") or _label(before)
        if analyte is None and unit_key is not None:
            after = re.match(r"\s+of\s+(?:(?:body|serum|total)\s+)?", masked[unit_end:])
            if after:
                hit = analytes_in(masked[unit_end + after.end() : unit_end + after.end() + 30])
                if hit and hit[0][1] == 0:
                    analyte = hit[0][0]
        if analyte is None and unit_key == "/min":
            word = masked[end:unit_end].lower()
            analyte = "respiratory_rate" if "breath" in word else "heart_rate"
        out.append(
            Quantity(
                value=sign * value,
                decimals=decimals,
                unit=unit_key,
                analyte=analyte,
                start=start - (1 if sign < 0 else 0),
                end=unit_end,
                text=text[start - (1 if sign < 0 else 0) : unit_end],
                before=before,
            )
        )
        prev_end = unit_end
    compounds = _compounds(masked, text)
    out = [q for q in out if not any(c.start <= q.start < c.end for c in compounds)] + compounds
    return tuple(_mark_ranges(sorted(out, key=lambda q: q.start), masked))


def _clause_before(masked: str, start: int, floor: int = 0) -> str:
    """Up to 60 characters before `start` (not before `floor`), from the last clause end on."""
    before = masked[max(floor, start - 60) : start]
    cut = list(_CLAUSE_END.finditer(before))
    return before[cut[-1].end() :] if cut else before


def _compounds(masked: str, text: str) -> list[Quantity]:
    """Imperial measures written in two parts, as one value in the smaller unit: '5 ft 10 in'
    and 5'10" -> 70 in; '8 st 10 lb' -> 122 lb (they replace their parts: '5 ft' alone would
    pass for 54-66 in)."""
    out = []
    for m in _COMPOUND.finditer(masked):
        big, small = float(m.group("big")), float(m.group("small"))
        feet = m.group("ft") is not None
        value = big * (12 if feet else 14) + small
        before = _clause_before(masked, m.start())
        decimals = len(m.group("small").partition(".")[2])
        unit, label = ("in" if feet else "lb"), _label(before)
        span = text[m.start() : m.end()]
        out.append(Quantity(value, decimals, unit, label, m.start(), m.end(), span, before))
    return out


def _mark_ranges(found: list[Quantity], text: str) -> list[Quantity]:
    out = list(found)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        between = text[a.end : b.start]
        is_range = re.fullmatch(r"\s*(?:-|to)\s*", between) or (
            re.fullmatch(r"\s*and\s*", between) and re.search(r"(?i)between\s*$", a.before)
        )
        if is_range and a.value < b.value:
            out[i] = dataclasses.replace(a, in_range=True)
            out[i + 1] = dataclasses.replace(b, in_range=True)
    return out


def unit_key(unit: str | None) -> str | None:
    """Canonical key of a unit written on its own ('mg/dL', 'µmol/L', 'beats per minute').

    >>> unit_key("µmol/L"), unit_key("beats per minute"), unit_key("furlongs")
    ('umol/L', '/min', None)
    """
    if not unit:
        return None
    text = normalize(unit.strip())
    if text in UNITS:
        return text
    m = match_unit(text, 0)
    if m and m[1] == len(text):
        return m[0]
    if re.fullmatch(r"(?i)(?:beats|breaths)\s+per\s+minute|per\s+min(?:ute)?", text):
        return "/min"
    return None


def same_value(
    stated: float,
    stated_decimals: int,
    stated_unit: str | None,
    source: float,
    source_decimals: int,
    source_unit: str | None,
    *,
    analyte: str | None = None,
) -> bool:
    """Whether a stated value equals a source value, allowing rounding and unit conversion.

    Without units on one side the raw numbers are compared (a fraction may also be a percent,
    as SI writes a haematocrit: 0.36 for 36%).

    >>> same_value(124, 0, "umol/L", 1.4, 1, "mg/dL", analyte="creatinine")
    True
    >>> same_value(2.1, 1, "mg/dL", 1.4, 1, "mg/dL")
    False
    >>> same_value(36, 0, "%", 0.36, 2, None), same_value(36, 0, "%", 0.42, 2, None)
    (True, False)
    """
    if not (math.isfinite(stated) and math.isfinite(source)):
        return False
    if stated_unit is None or source_unit is None or stated_unit == source_unit:
        tol = 0.5 * 10.0 ** -min(stated_decimals, source_decimals)
        if abs(stated - source) <= tol * (1 + 1e-9) + 1e-9 * abs(source):
            return True
        if source_unit == "%" and stated_unit is None:
            return abs(stated * 100 - source) <= tol * 100 * (1 + 1e-9)
        if stated_unit == "%" and source_unit is None and 0 < source <= 1:  # a fraction (L/L)
            tol = 0.5 * 10.0 ** -min(stated_decimals, max(source_decimals - 2, 0))
            return abs(stated - source * 100) <= tol * (1 + 1e-9)
        return False
    lo = convert(source - 0.5 * 10.0**-source_decimals, source_unit, stated_unit, analyte=analyte)
    hi = convert(source + 0.5 * 10.0**-source_decimals, source_unit, stated_unit, analyte=analyte)
    if lo is None or hi is None:
        return False
    lo, hi = min(lo, hi), max(lo, hi)
    half = 0.5 * 10.0**-stated_decimals
    return stated + half >= lo - 1e-9 * abs(lo) and stated - half <= hi + 1e-9 * abs(hi)


def sentences(text: str) -> list[tuple[int, str]]:
    """Sentences with their start offsets (split after . ! ? ; or newlines).

    >>> [s for _, s in sentences("No fever. Cough; denies pain.")]
    ['No fever.', 'Cough;', 'denies pain.']
    """
    out = []
    for m in re.finditer(r"(?:[^.!?;\n]|[.!?;](?=[^\s.!?;]))+[.!?;]*", text):
        s = m.group(0)
        if s.strip():
            lead = len(s) - len(s.lstrip())
            out.append((m.start() + lead, s.strip()))
    return out

"""`numeric-format`: the same values written another way; the answer should not change.

Values are found with the project's own extractors (`tools.extract`: every lab and vital sign
quantity), and only where the reading is certain: the number is followed by one of the
quantity's units, written (not inferred, converted or read as a slip: `Found.note` is empty),
no other quantity claims the same number, and it is not part of a range, a list
("1.2-1.4 mg/dL", "... respectively") or a compound unit. Each such value gets one change,
chosen with the item's seeded generator among those that apply:

- **unit conversion**: creatinine mg/dL <-> µmol/L (x 88.4), weight kg <-> lb (1 lb =
  0.45359237 kg), temperature °C <-> °F, height cm <-> inches (2.54 cm); the new number has
  the fewest decimals that convert back to within half a unit of one more decimal than the
  original (1.4 mg/dL -> 124 µmol/L; 70 kg -> 154.3 lb), so no precision is lost;
- **decimal comma**: 1.4 -> 1,4 (one or two decimals only: "1,400" would read as thousands);
- **digit grouping**: 150000 -> 150,000 or 150 000, and 150,000 -> 150000.

The factors are the standard ones written here, not taken from `tools.units`. The extraction
is shared with the `calculator` strategy, though: a value the extractors cannot see is never
changed, and the strategy re-reads a changed value with the same code that found it, so this
probe measures invariance where the project already reads values, not coverage.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from clinreason.bench.probes.base import (
    Edit,
    Expectation,
    Record,
    edits_record,
    text_field,
    with_edits,
)
from clinreason.errors import ConfigError
from clinreason.tools.extract._core import NUMBER_RE, Found, sentence_at, sentences, to_number
from clinreason.tools.extract.measure import Quantity, find_all
from clinreason.tools.extract.vitals import QUANTITIES
from clinreason.trace import Case

_LB = 0.45359237


@dataclass(frozen=True)
class Conversion:
    """Write a value of `quantity` in `unit` as `to` (the new unit's text)."""

    to: str
    forward: Callable[[float], float]
    back: Callable[[float], float]
    factor: str
    """The conversion in words, for the record."""


CONVERSIONS: dict[tuple[str, str], Conversion] = {
    ("creatinine", "mg/dL"): Conversion("µmol/L", lambda x: x * 88.4, lambda y: y / 88.4, "x 88.4"),
    ("creatinine", "µmol/L"): Conversion("mg/dL", lambda x: x / 88.4, lambda y: y * 88.4, "/ 88.4"),
    ("weight", "kg"): Conversion("lb", lambda x: x / _LB, lambda y: y * _LB, "/ 0.45359237"),
    ("weight", "lbs"): Conversion("kg", lambda x: x * _LB, lambda y: y / _LB, "x 0.45359237"),
    ("temperature", "degrees celsius"): Conversion(
        "°F", lambda c: c * 9 / 5 + 32, lambda f: (f - 32) * 5 / 9, "x 9/5 + 32"
    ),
    ("temperature", "degrees fahrenheit"): Conversion(
        "°C", lambda f: (f - 32) * 5 / 9, lambda c: c * 9 / 5 + 32, "(- 32) x 5/9"
    ),
    ("height", "cm"): Conversion("inches", lambda x: x / 2.54, lambda y: y * 2.54, "/ 2.54"),
    ("height", "in"): Conversion("cm", lambda x: x * 2.54, lambda y: y / 2.54, "x 2.54"),
}
"""(quantity, unit label as the extractors give it) -> how to write it in the other unit."""

FORMATS = ("convert", "decimal-comma", "grouping")


@dataclass(frozen=True)
class Value:
    """A value read with certainty: where its number and unit are, and what it is."""

    quantity: str
    unit: str
    number: str
    start: int
    """Offset of the number."""
    end: int
    """End of the number."""
    unit_end: int
    """End of the written unit."""


def _decimals(raw: str) -> int:
    return len(raw.split(".", 1)[1]) if "." in raw else 0


def convert_text(raw: str, conversion: Conversion) -> str | None:
    """The converted number with the fewest decimals (0-4) that keeps the original's precision.

    >>> convert_text("1.4", CONVERSIONS[("creatinine", "mg/dL")])
    '124'
    >>> convert_text("70", CONVERSIONS[("weight", "kg")])
    '154.3'
    >>> convert_text("38.5", CONVERSIONS[("temperature", "degrees celsius")])
    '101.3'
    """
    x = to_number(raw)
    tolerance = 0.5 * 10 ** -(_decimals(raw) + 1) + 1e-9
    y = conversion.forward(x)
    for d in range(5):
        text = f"{y:.{d}f}"
        if abs(conversion.back(float(text)) - x) <= tolerance:
            return text
    return None


_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


@functools.lru_cache(maxsize=256)
def _unit_alone(pattern: str) -> re.Pattern[str]:
    """A unit pattern matching a whole string after optional space."""
    return re.compile(r"\s*(?:" + pattern + ")", re.I)


_RANGE_BEFORE = re.compile(r"(?:[-–—~±/]|\d\s*(?:to|and|or|-)\s*)$")


def _locate(
    q: Quantity, text: str, found: Found, bounds: list[tuple[int, int]]
) -> tuple[Value | None, str]:
    """The number and unit of a `Found` inside its span, or None and why not."""
    if found.note:
        return None, f"read with a note ({found.note})"
    units = [u for u in (*q.units, *q.suffix_units) if u.label == found.unit and u.factor == 1]
    if found.unit is None or not units:
        return None, "no written unit"
    span = found.span
    inside = text[span.start : span.end]
    for m in reversed(list(NUMBER_RE.finditer(inside))):
        rest = inside[m.end() :]
        if not any(_unit_alone(u.pattern).fullmatch(rest) for u in units):
            continue
        if to_number(m.group(1)) != found.value:
            break
        start, end = span.start + m.start(1), span.start + m.end(1)
        value = Value(q.name, found.unit, m.group(1), start, end, span.end)
        return _check_context(text, value, bounds)
    return None, "number and unit not adjacent"


def _check_context(text: str, v: Value, bounds: list[tuple[int, int]]) -> tuple[Value | None, str]:
    if _RANGE_BEFORE.search(text[max(0, v.start - 8) : v.start].rstrip()):
        return None, "part of a range or list"
    if text[v.unit_end : v.unit_end + 1] in ("/", "^", "·"):
        return None, "part of a compound unit"
    a, b = sentence_at(text, v.start, bounds)
    if _RESPECTIVELY.search(text[a:b]):
        return None, "in a 'respectively' list"
    return v, ""


def certain_values(text: str) -> tuple[list[Value], list[Record]]:
    """Values read with certainty (note order) and the mentions passed over, with reasons."""
    by_start: dict[int, list[Value]] = {}
    passed: list[Record] = []
    bounds = sentences(text)
    for q in QUANTITIES:
        for found in find_all(q, text, QUANTITIES):
            value, why = _locate(q, text, found, bounds)
            if value is None:
                passed.append({"quantity": q.name, "text": found.span.text, "why": why})
            else:
                by_start.setdefault(value.start, []).append(value)
    values = []
    for _, claims in sorted(by_start.items()):
        if len({(c.quantity, c.unit_end) for c in claims}) > 1:
            names = sorted({c.quantity for c in claims})
            passed.append({"text": claims[0].number, "why": f"claimed by {', '.join(names)}"})
        else:
            values.append(claims[0])
    return values, passed


def _group(raw: str, sep: str) -> str:
    whole, _, frac = raw.partition(".")
    grouped = f"{int(whole):,}".replace(",", sep)
    return grouped + (f".{frac}" if frac else "")


def reformat(v: Value, field: str, fmt: str) -> Edit | None:
    """The edit that writes `v` in format `fmt`, or None when `fmt` does not apply to it."""
    raw = v.number
    if fmt == "convert":
        conversion = CONVERSIONS.get((v.quantity, v.unit))
        new = convert_text(raw, conversion) if conversion and "," not in raw else None
        if conversion is None or new is None:
            return None
        what = f"{v.quantity} {v.unit} -> {conversion.to} ({conversion.factor})"
        return Edit(field, v.start, v.unit_end, "", f"{new} {conversion.to}", what)
    if fmt == "decimal-comma":
        if "," in raw or _decimals(raw) not in (1, 2) or raw.startswith("."):
            return None
        return Edit(field, v.start, v.end, raw, raw.replace(".", ","), "decimal comma")
    if "," in raw:  # fmt == "grouping": remove the thousands separators
        return Edit(field, v.start, v.end, raw, raw.replace(",", ""), "digit grouping removed")
    if to_number(raw) < 1000:
        return None
    return Edit(field, v.start, v.end, raw, _group(raw, ","), "digit grouping added")


@dataclass(frozen=True)
class NumericFormat:
    """Rewrite each value read with certainty in one of `formats` (seeded choice per value)."""

    name: ClassVar[str] = "numeric-format"
    expectation: ClassVar[Expectation] = "unchanged"
    formats: tuple[str, ...] = FORMATS
    """Any of 'convert', 'decimal-comma', 'grouping'."""
    spaced_grouping: bool = True
    """Also group digits with a space (150 000), chosen at random with the comma."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.formats) - set(FORMATS))
        if unknown or not self.formats:
            raise ConfigError(
                f"numeric-format: formats must be among {', '.join(FORMATS)}, got {self.formats}"
            )

    def apply(self, case: Case, rng: random.Random) -> tuple[Case | None, Record]:
        """The case with its values rewritten, or None with the reason."""
        field = text_field(case)
        text = getattr(case, field)
        values, passed = certain_values(text)
        edits: list[Edit] = []
        for v in values:
            options = [e for f in self.formats if (e := reformat(v, field, f)) is not None]
            if not options:
                continue
            if edits and v.start < edits[-1].end:  # overlaps the value before it: leave it
                passed.append({"quantity": v.quantity, "text": v.number, "why": "overlaps"})
                continue
            edit = rng.choice(options)
            if edit.what == "digit grouping added" and self.spaced_grouping and rng.random() < 0.5:
                edit = Edit(field, v.start, v.end, v.number, _group(v.number, " "), edit.what)
            original = text[edit.start : edit.end]
            edits.append(Edit(field, edit.start, edit.end, original, edit.new, edit.what))
        if not edits:
            reason = (
                f"no value read with certainty in a format that can change "
                f"({len(values)} certain, {len(passed)} passed over)"
            )
            return None, {"reason": reason, "passed_over": passed}
        return with_edits(case, edits), edits_record(edits, passed_over=passed)

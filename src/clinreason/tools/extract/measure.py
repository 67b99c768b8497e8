"""The generic engine for "<name> <number> <unit>" measurements (labs and vital signs).

A `Quantity` lists its synonyms, the units it may be written in (each with the range of
plausible values in that unit) and words that disqualify a mention (e.g. "urine" before
"creatinine"). `find_all` returns every plausible mention in note order; `extract` applies the
selection rule:

- **first value wins** (the admission / presentation value in a case report), unless the
  caller asks for the last one (e.g. a question about the latest value);
- a number without a unit gets the first unit whose plausible range contains it, and the
  inference is written into `Found.note`; a number plausible in no unit is skipped;
- a number followed by a unit that is not one of the quantity's units is skipped (it belongs to
  something else), so unknown units never turn into silently wrong numbers.
- "38,9 °C" (decimal comma) and "14 200/mm3" (spaced thousands) are read whole when one of the
  quantity's units follows, with the reading written into `Found.note`; without such a unit the
  number is not read (never as 38 or 14).

"A, B and C were 1, 2 and 3 mmol/L, respectively" lists are resolved by `respectively_values`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from clinreason.errors import InputError
from clinreason.tools.extract._core import (
    NUMBER,
    Found,
    sentences,
    span,
    tidy,
    to_number,
    words_pattern,
)
from clinreason.tools.extract.negation import is_remote
from clinreason.tools.units import convert


@dataclass(frozen=True)
class Unit:
    """One way a quantity's unit is written, the canonical label, and plausible values in it."""

    pattern: str
    """Regex (case-insensitive) for the written unit."""
    label: str | None
    """Canonical unit in MedCalc-Bench form (e.g. 'mg/dL', 'µmol/L', 'mm Hg'); None = unitless
    (INR, pH, scores): the value is then stored bare."""
    low: float
    high: float
    factor: float = 1.0
    """Multiply the written number by this to express it in `label` (e.g. 10^9/L -> /µL)."""
    guess: tuple[float, float] | None = None
    """Written-number range in which a number without a unit is taken to be in this unit
    (default: `low`/`high` divided by `factor`); (0, 0) = never guess this unit."""
    written: str = ""
    """How the unit is written, when it differs from `label` (recorded in conversion notes)."""

    def guess_range(self) -> tuple[float, float]:
        """Written-number range for unit inference."""
        return self.guess or (self.low / self.factor, self.high / self.factor)


@dataclass(frozen=True)
class Quantity:
    """A measurable quantity and how it is written."""

    name: str
    synonyms: tuple[str, ...]
    units: tuple[Unit, ...]
    exclude_before: str | None = None
    """Regex; a mention preceded (within 25 chars) by a match is about something else."""
    exclude_after: str | None = None
    """Regex; a mention directly followed by a match is about something else."""
    unitless: bool = True
    """May the number stand without a unit (unit then inferred from the plausible range)?"""
    case_sensitive: tuple[str, ...] = ()
    """Short synonyms that must match case exactly ('K', 'Na', 'HR')."""
    suffix_units: tuple[Unit, ...] = ()
    """Units that identify the quantity on their own after a number (e.g. 'bpm')."""

    @functools.cached_property
    def insensitive(self) -> list[str]:
        """The synonyms matched in any case (all but `case_sensitive`)."""
        return [s for s in self.synonyms if s not in self.case_sensitive]

    @functools.cached_property
    def names_re(self) -> re.Pattern[str]:
        """Its synonyms as one pattern (case-insensitive but for `case_sensitive`)."""
        parts = []
        if self.insensitive:
            parts.append("(?i:" + words_pattern(self.insensitive) + ")")
        if self.case_sensitive:
            parts.append(words_pattern(list(self.case_sensitive)))
        return re.compile("|".join(parts))

    @functools.cached_property
    def exclusions(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """`exclude_before` (ending within 12 word characters of the mention) and
        `exclude_after` (after optional space), compiled."""
        before = self.exclude_before and re.compile(
            r"(?:" + self.exclude_before + r")[\s\w-]{0,12}$", re.I
        )
        after = self.exclude_after and re.compile(r"\s*(?:" + self.exclude_after + ")", re.I)
        return before or None, after or None

    @functools.cached_property
    def first_runs(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """The first letter run of each synonym: lowercased for the case-insensitive ones, as
        written for the case-sensitive ones; None without synonyms, or when one does not start
        with an ASCII letter or holds another letter."""
        folded, exact = set(), set()
        for synonyms, keys in ((self.insensitive, folded), (self.case_sensitive, exact)):
            for synonym in (s.strip() for s in synonyms):
                run = _LETTER_RUN.match(synonym)
                if run is None or any(ch.isalpha() and not ch.isascii() for ch in synonym):
                    return None
                keys.add(run.group().lower() if keys is folded else run.group())
        return (frozenset(folded), frozenset(exact)) if folded or exact else None


@functools.lru_cache(maxsize=512)
def _unit_re(units: tuple[Unit, ...]) -> re.Pattern[str]:
    alternatives = "|".join(f"(?P<u{i}>{u.pattern})" for i, u in enumerate(units))
    return re.compile(r"\s*(?:" + alternatives + r")(?![a-zA-Z])", re.I)


_ANY_UNIT = re.compile(
    r"\s*(?:[µμ%°/^×]|x\s*10|k\s*/|(?:mm\s*hg|k?pa|m?mol|m?eq|[mnpµμu]?g|i?u|mm|cm|kg|lbs?|m?l|"
    r"dl|m?sec|ms|cells|per|units?|mcg|ng|pg|fl)(?![a-z]))",
    re.I,
)


def _match_unit(units: tuple[Unit, ...], text: str) -> tuple[Unit | None, int]:
    m = _unit_re(units).match(text)
    if not m:
        return None, 0
    for i, u in enumerate(units):
        if m.group(f"u{i}") is not None:
            return u, m.end()
    return None, 0


def _infer_unit(q: Quantity, value: float) -> Unit | None:
    for u in q.units:
        low, high = u.guess_range()
        if low <= value <= high and (low, high) != (0, 0):
            return u
    return None


def _conversion_note(unit: Unit) -> str:
    if unit.factor == 1:
        return ""
    return f"converted from {unit.written or 'the written unit'} (x{unit.factor:g})"


_LETTER_RUN = re.compile(r"[A-Za-z]+")
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
"""The non-ASCII characters that re.IGNORECASE matches to ASCII letters (İ, ı, ſ, Kelvin K)."""


@functools.lru_cache(maxsize=4096)
def _run_re(run: str, folded: bool) -> re.Pattern[str]:
    """Where `run` starts a letter run and ends it (`folded`: in lowercased text) or stops
    before a non-lowercase character (as written)."""
    before = "[a-z]" if folded else "[A-Za-z]"
    return re.compile(f"{re.escape(run)}(?<!{before}{re.escape(run)})(?![a-z])")


@functools.lru_cache(maxsize=256)
def _folded_runs(text: str) -> tuple[str, frozenset[str]] | None:
    """`text` lowercased and its letter runs; None when it holds a character of
    `_FOLDS_TO_ASCII`."""
    if not _FOLDS_TO_ASCII.isdisjoint(text):
        return None
    lowered = text.lower()
    return lowered, frozenset(_LETTER_RUN.findall(lowered))


def _synonym_matches(q: Quantity, text: str) -> Iterator[re.Match[str]]:
    """`q.names_re.finditer(text)`, tried only where a synonym can start (faster).

    A match starts after a non-word character and ends before a character that is not a letter
    (any case for the case-insensitive synonyms, lowercase for the others), and its non-letters
    stand as written, so it starts where a synonym's first letter run is a whole letter run of
    `text` (case-insensitive) or begins one and ends it or stops before a capital (as written).
    """
    pattern = q.names_re
    keys, runs = q.first_runs, _folded_runs(text)
    if keys is None or runs is None:
        return pattern.finditer(text)
    lowered, present = runs
    folded, exact = keys
    starts = {m.start() for k in folded & present for m in _run_re(k, True).finditer(lowered)}
    starts.update(m.start() for k in exact for m in _run_re(k, False).finditer(text))
    return _finditer_at(pattern, text, sorted(starts))


def _finditer_at(
    pattern: re.Pattern[str], text: str, starts: Sequence[int]
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a pattern that matches a non-empty string and only at
    `starts` (sorted)."""
    end = 0
    for pos in starts:
        if pos >= end and (m := pattern.match(text, pos)) is not None:
            end = m.end()
            yield m


_NUMBER_RUN = re.compile(r"[\d.]+")


@functools.lru_cache(maxsize=256)
def _number_starts(text: str) -> tuple[int, ...]:
    """Where the runs of digits and points of `text` start with a digit or a point and a digit:
    the only places a number preceded by neither a digit nor a point (`NUMBER`, a decimal
    comma) can start."""
    return tuple(
        m.start()
        for m in _NUMBER_RUN.finditer(text)
        if m.group()[0] != "." or m.group()[1:2].isdigit()
    )


@functools.lru_cache(maxsize=256)
def _suffix_res(units: tuple[Unit, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A number followed by one of `units`: "70 kg", and "70,5 kg" read whole with its decimal
    comma (never as "5 kg")."""
    unit_ahead = r"(?=" + _unit_re(units).pattern + ")"
    plain = re.compile(r"(?<!\d,)" + NUMBER + unit_ahead, re.I)
    comma = re.compile(r"(?<![\d,.])(\d{1,3},\d{1,2})(?![\d,.])" + unit_ahead, re.I)
    return plain, comma


def _excluded(q: Quantity, note: str, start: int, end: int) -> bool:
    before, after = q.exclusions
    if before and before.search(note[max(0, start - 25) : start]):
        return True
    return bool(after and after.match(note[end:]))


_GAP_WORDS = (
    r"level|levels|concentration|concentrations|value|values|count|counts|of|was|were|is|are|"
    r"at|measured|measuring|elevated|raised|increased|decreased|reduced|low|high|normal|"
    r"abnormal|serum|plasma|blood|total|to|a|an|the|initial|initially|on|admission|"
    r"presentation|arrival|baseline|revealed|showed|noted|found|recorded|documented|"
    r"remarkable|for|significant|with|mildly|markedly|slightly|severely|rate|test|result|"
    r"results|approximately|about|around|nearly|only|still|again|then|be|been|had|has|"
    r"fasting|random|spot|arterial|venous|which|reading|readings|score|index|as|"
    r"relatively|notably|within|range|upper|lower|limit|measurement|displayed|reported|"
    r"demonstrated|lies|stood|showing|up|down|peak|peaked|rose|fell|dropped|estimated|"
    r"calculated|corrected|performed|obtained|reveals|shows|indicated|remained|"
    r"persistently|moderately|extremely|very|critically|profoundly|substantially"
)
_GAP = (
    r"(?P<gap>(?:\s*(?:\((?P<punit>[^()\d]{1,25})\)|\[[^\[\]\d]{1,25}\]))?"
    r"(?:[\s:=,~≈\-−–(]|(?:" + _GAP_WORDS + r")\b)*?)"
)
_COMPARATOR = (
    r"(?:[<>≤≥]=?\s*|(?:less|greater|more|lower|higher)\s+than\s+|(?:below|above|under|over)\s+)?"
)
_TIGHT = re.compile(_GAP + _COMPARATOR + NUMBER, re.I)
_LOOSE = re.compile(r"(?P<gap>[^\d;\n]{0,70}?)" + _COMPARATOR + NUMBER, re.I)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]|\.\s*$")


def _read_number(
    q: Quantity, note: str, m: re.Match[str], *, need_unit: bool
) -> tuple[float, Unit, int, int, str] | None:
    raw = m.group(len(m.groups()))
    number = to_number(raw)
    start = m.start(len(m.groups()))
    if _negative_sign(note, start):
        return None  # "-5 kg": a negative value, implausible for every measured quantity here
    end, why = m.end(), ""
    rest = _NUMBER_REST.match(note, end) if _UP_TO_999.fullmatch(raw) else None
    if rest:  # "38,9 °C" (decimal comma) or "14 200/mm3" (spaced thousands)
        if not _match_unit(q.units, note[rest.end() : rest.end() + 40])[0]:
            return None  # without one of the quantity's units the number is ambiguous
        number = to_number(raw + rest.group(0).replace(",", ".").replace(" ", ""))
        end, why = rest.end(), _REST_NOTE[rest.group(0)[0] == ","]
    after = note[end : end + 40]
    unit, used = _match_unit(q.units, after)
    if unit is None and m.groupdict().get("punit"):
        unit, _ = _match_unit(q.units, m.group("punit"))
    if unit is None:
        # a slash right after the number means a ratio or blood pressure, not this quantity
        if need_unit or _SLASH_NUMBER.match(after):
            return None
        written = _CONCENTRATION.match(after)
        if written:  # a concentration unit the quantity is not listed with
            read = _read_other_unit(q, number, written.group().strip())
            if read is None:
                return None
            unit, value, why = read
            return value, unit, start, end + written.end(), why
        if _ANY_UNIT.match(after) or not q.unitless:
            return None  # written with a unit this quantity does not use
        unit = _infer_unit(q, number)
        if unit is None:
            return None
        if unit.label is not None:
            why = f"no unit written; {unit.written or unit.label} inferred from the value"
    value = number * unit.factor
    if not unit.low <= value <= unit.high:
        written_unit = after[:used].strip()
        slip = _unit_slip(q, number, written_unit)
        if slip is None:
            return None
        why = "; ".join(x for x in (why, _slip_note(q, slip, written_unit)) if x)
        unit, value = slip, number * slip.factor
    conv = _conversion_note(unit)
    why = "; ".join(x for x in (why, conv) if x)
    return value, unit, start, end + used, why


_UP_TO_999 = re.compile(r"\d{1,3}")
_SLASH_NUMBER = re.compile(r"\s*/\s*\d")
_NUMBER_REST = re.compile(r",\d{1,2}(?![\d,.])|(?: \d{3})+(?![\d,.])")
"""The rest of a number written with a decimal comma ("38,9") or spaced thousands ("14 200"),
read only when one of the quantity's units follows (else the number is not read at all)."""
_REST_NOTE = {True: "decimal comma read as a point", False: "space read as a thousands separator"}


_CONCENTRATION = re.compile(
    r"\s*(?:[mµμunp]?(?:g|mol)|m?eq)\s*(?:/|·|per\s+)\s*[dmµμ]?(?:l|lit(?:er|re))(?![a-z])"
    r"(?:\s*[-−]\s*1)?",
    re.I,
)


def _unit_slip(q: Quantity, number: float, written: str) -> Unit | None:
    """The one unit of `q` in which `number` is plausible, for a number whose written unit gives
    no plausible value ("albumin 3.3 mg/dL", "sodium 131 mg/dL"): a slip of the pen, read in the
    unit that fits. None when no unit fits, or units that fit give different values."""
    fits = [
        u
        for u in q.units
        if u.label is not None
        and u.label.lower() != written.lower()
        and u.guess_range() != (0, 0)
        and u.guess_range()[0] <= number <= u.guess_range()[1]
        and u.low <= number * u.factor <= u.high
    ]
    return fits[0] if fits and len({number * u.factor for u in fits}) == 1 else None


def _read_other_unit(q: Quantity, number: float, written: str) -> tuple[Unit, float, str] | None:
    """A number written in a concentration unit the quantity is not listed with: converted to
    the quantity's first unit when the result is plausible ("creatinine 12 mg/L" -> 1.2 mg/dL),
    else read as a unit slip when exactly one of its units fits ("sodium 131 mg/dL")."""
    canonical = q.units[0]
    plain = re.sub(r"\s*[-−]\s*1$", "", written.replace("·", "/"))
    try:
        value = convert(number, plain, canonical.label or "", analyte=q.name)
    except InputError:
        value = None
    if value is not None and canonical.low <= value <= canonical.high:
        return canonical, round(value, 4), f"converted from {written}"
    slip = _unit_slip(q, number, written)
    if slip is None:
        return None
    return slip, number * slip.factor, _slip_note(q, slip, written)


UNIT_SLIP = "assumed a unit slip"
"""Marks an extraction note where the written number is read in another unit than written."""


def _slip_note(q: Quantity, unit: Unit, written: str) -> str:
    return (
        f"written as {written or 'a unit'}, which gives no plausible {q.name}; read as "
        f"{unit.written or unit.label} ({UNIT_SLIP})"
    )


_NUMBER_RE = re.compile(NUMBER)


def read_value_at(q: Quantity, note: str, pos: int) -> Found | None:
    """The quantity's value for the number written at offset `pos`, with its unit, or None."""
    located = _NUMBER_RE.match(note, pos)
    if located is None:
        return None
    hit = _read_number(q, note, located, need_unit=not q.unitless)
    if hit is None:
        return None
    value, unit, start, end, why = hit
    return Found(tidy(value), unit.label, span(note, start, end), note=why)


def _negative_sign(note: str, start: int) -> bool:
    """A minus sign attached to the number ("weight -5"), not a dash between words ("K - 4")."""
    if start == 0 or note[start - 1] not in "-−–":
        return False
    return start == 1 or note[start - 2] in " \t:=(,"


def _value_after(
    q: Quantity, note: str, pos: int, others: tuple[Quantity, ...] = ()
) -> tuple[float, Unit, int, int, str] | None:
    """Number (+unit) after a synonym ending at `pos`: (value, unit, start, end, note).

    A short gap of filler words ("level was", "of", ":") may be followed by a number with or
    without a unit. A longer gap ("levels were slightly above the normal range at") is accepted
    only when the number carries one of the quantity's units, the gap stays in one sentence and
    names no other quantity.
    """
    m = _TIGHT.match(note, pos)
    if m and len(m.group("gap")) <= 50:
        hit = _read_number(q, note, m, need_unit=False)
        if hit:
            return hit
    m = _LOOSE.match(note, pos) if others else None
    if not m:
        return None
    gap = m.group("gap")
    if _SENTENCE_BREAK.search(gap) or any(o.names_re.search(gap) for o in others if o != q):
        return None
    return _read_number(q, note, m, need_unit=True)


def find_all(q: Quantity, note: str, others: tuple[Quantity, ...] = ()) -> list[Found]:
    """Every plausible mention of `q` in note order.

    >>> from clinreason.tools.extract.labs import CREATININE
    >>> [f.entity() for f in find_all(CREATININE, "Cr 1.4 mg/dL, later creatinine 2.0")]
    [[1.4, 'mg/dL'], [2, 'mg/dL']]
    """
    results: list[Found] = []
    taken: set[int] = set()
    for m in _synonym_matches(q, note):
        if _excluded(q, note, m.start(), m.end()):
            continue
        hit = _value_after(q, note, m.end(), others)
        if hit is None:
            continue
        value, unit, _, end, why = hit
        if end in taken:
            continue
        taken.add(end)
        results.append(Found(tidy(value), unit.label, span(note, m.start(), end), note=why))
    if q.suffix_units:
        plain, comma = _suffix_res(q.suffix_units)
        starts = _number_starts(note)
        matches = sorted(
            [*_finditer_at(plain, note, starts), *_finditer_at(comma, note, starts)],
            key=lambda m: m.start(),
        )
        for m in matches:
            unit, used = _match_unit(q.suffix_units, note[m.end() :])
            if unit is None:
                continue
            end = m.end() + used
            if end in taken or _excluded(q, note, m.start(), m.start()):
                continue
            if _negative_sign(note, m.start()):
                continue
            decimal_comma = m.re is comma
            number = float(m.group(1).replace(",", ".")) if decimal_comma else to_number(m.group(1))
            value = number * unit.factor
            if unit.low <= value <= unit.high:
                taken.add(end)
                ev = span(note, m.start(), end)
                read = _REST_NOTE[True] if decimal_comma else ""
                why = "; ".join(x for x in (read, _conversion_note(unit)) if x)
                results.append(Found(tidy(value), unit.label, ev, note=why))
    results.sort(key=lambda f: f.span.start)
    return results


def implausible(q: Quantity, note: str) -> Found | None:
    """The first value of `q` written after its name with one of its units but outside every
    plausible range ("creatinine 0 mg/dL", "weight -70 kg"). Never a value to compute with: it
    lets the caller say why an input is missing instead of asking a model to guess one.

    >>> from clinreason.tools.extract.labs import CREATININE
    >>> bad = implausible(CREATININE, "Labs: creatinine 0 mg/dL, sodium 140.")
    >>> bad.value, bad.unit, bad.note
    (0, 'mg/dL', 'outside the plausible range 0.1-30 mg/dL')
    >>> implausible(CREATININE, "Creatinine 1.2 mg/dL.") is None
    True
    """
    for m in q.names_re.finditer(note):
        if _excluded(q, note, m.start(), m.end()):
            continue
        hit = _TIGHT.match(note, m.end())
        if hit is None:
            continue
        start = hit.start(len(hit.groups()))
        number = to_number(hit.group(len(hit.groups())))
        number = -number if _negative_sign(note, start) else number
        unit, used = _match_unit(q.units, note[hit.end() : hit.end() + 40])
        if unit is None or unit.low <= number * unit.factor <= unit.high:
            continue
        written = unit.written or unit.label or ""
        low, high = (tidy(x / unit.factor) for x in (unit.low, unit.high))
        why = f"outside the plausible range {low}-{high} {written}".rstrip()
        return Found(tidy(number), written or None, span(note, m.start(), hit.end() + used), why)
    return None


Pick = Literal["first", "last"]


def select(found: list[Found], pick: Pick = "first") -> Found | None:
    """The value the selection rule keeps, with the others listed as alternatives."""
    if not found:
        return None
    chosen = found[0] if pick == "first" else found[-1]
    others = tuple(f for f in found if f is not chosen)
    if not others:
        return chosen
    listed = ", ".join(f"{f.value} {f.unit or ''}".rstrip() for f in others)
    why = (
        "taken as the value at presentation"
        if pick == "first"
        else "the question asks for the latest"
    )
    extra = f"the {pick} of {len(found)} values in the note, {why} (others: {listed})"
    note = f"{chosen.note}; {extra}" if chosen.note else extra
    return Found(chosen.value, chosen.unit, chosen.span, note, alternatives=others, selection=pick)


def extract(
    q: Quantity, note: str, pick: Pick = "first", others: tuple[Quantity, ...] = ()
) -> Found | None:
    """The selected mention of `q` (first by default), or None.

    `others` are the quantities whose names end a long gap between a name and a number. A value
    in a sentence dated a year or more ago ("normal creatinine a year before") is a past baseline,
    used only when the note gives no other.
    """
    found = find_all(q, note, others)
    current = [f for f in found if not is_remote(note, f.span.start)]
    return select(current or found, pick)


_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


_PLACEHOLDERS = re.compile(r"(?i:blood\s+pressures?|\bBP\b|pulse\s+pressure)")
_TOKEN = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?(?![\d/])|" + NUMBER)


def respectively_values(quantities: Sequence[Quantity], note: str) -> dict[str, Found]:
    """Resolve "A, B and C were 1, 2 and 3 mmol/L, respectively" sentences.

    Names and values are paired in order; a blood pressure ("120/80") fills one slot.

    >>> from clinreason.tools.extract.labs import SODIUM, POTASSIUM
    >>> t = "Sodium and potassium were 128 and 3.1 mmol/L, respectively."
    >>> {k: v.entity() for k, v in respectively_values([SODIUM, POTASSIUM], t).items()}
    {'sodium': [128, 'mmol/L'], 'potassium': [3.1, 'mmol/L']}
    """
    out: dict[str, Found] = {}
    for s_start, s_end in sentences(note):
        sentence = note[s_start:s_end]
        if not _RESPECTIVELY.search(sentence):
            continue
        first_num = _TOKEN.search(sentence)
        if not first_num:
            continue
        head = sentence[: first_num.start()]
        hits: list[tuple[int, int, Quantity | None]] = [
            (m.start(), m.end(), None) for m in _PLACEHOLDERS.finditer(head)
        ]
        for q in quantities:
            for m in q.names_re.finditer(head):
                hits.append((m.start(), m.end(), q))
        # overlapping names: keep the longest
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        names: list[tuple[int, int, Quantity | None]] = []
        for h in hits:
            if names and h[0] < names[-1][1]:
                if h[1] - h[0] > names[-1][1] - names[-1][0]:
                    names[-1] = h
                continue
            if h[2] is not None and any(n[2] is h[2] for n in names):
                continue
            names.append(h)
        tail = sentence[first_num.start() :]
        nums = [t for t in _TOKEN.finditer(tail) if not _in_brackets(tail, t.start())]
        if len(names) < 2 or len(nums) != len(names):
            continue
        shared_unit_text = tail[nums[-1].end() : nums[-1].end() + 15]
        for (n_start, _, q), num in zip(names, nums, strict=True):
            if q is None or "/" in num.group(0):
                continue
            own = tail[num.end() : num.end() + 15]
            unit, used = _match_unit(q.units, own)
            if unit is None:
                unit, _ = _match_unit(q.units, shared_unit_text)
                used = 0
            number = to_number(num.group(0))
            if unit is None:
                unit = _infer_unit(q, number)
            if unit is None or not unit.low <= number * unit.factor <= unit.high:
                continue
            v_start = s_start + first_num.start() + num.start()
            ev = span(note, s_start + n_start, s_start + first_num.start() + num.end() + used)
            out[q.name] = Found(
                tidy(number * unit.factor),
                unit.label,
                ev,
                note=f"'respectively' list; value at offset {v_start}",
            )
    return out


def _in_brackets(text: str, pos: int) -> bool:
    depth = 0
    for ch in text[:pos]:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
    return depth > 0


_NUMBER_CHAIN = re.compile(r"(?<![\w./])\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)+(?![\d/])")


def slash_values(quantities: Sequence[Quantity], note: str) -> dict[str, Found]:
    """Resolve "Na/K 127/2.6 mEq/L", "AST/ALT 471/374 IU/L" and "urea nitrogen (BUN)/creatinine
    of 21/1.0" (names and values paired).

    >>> from clinreason.tools.extract.labs import SODIUM, POTASSIUM
    >>> {k: v.entity() for k, v in slash_values([SODIUM, POTASSIUM], "Na/K 127/2.6 mEq/L").items()}
    {'sodium': [127, 'mEq/L'], 'potassium': [2.6, 'mEq/L']}
    """
    out: dict[str, Found] = {}
    for chain in _NUMBER_CHAIN.finditer(note):
        values = [to_number(v) for v in re.split(r"\s*/\s*", chain.group(0))]
        head_start = max(0, chain.start() - 80)
        head = note[head_start : chain.start()]
        hits: list[tuple[int, int, Quantity]] = []
        for q in quantities:
            hits.extend((m.start(), m.end(), q) for m in q.names_re.finditer(head))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        names: list[tuple[int, int, Quantity]] = []
        for h in hits:  # longest name at each position, no overlaps
            if names and h[0] < names[-1][1]:
                continue
            names.append(h)
        # the chain of names joined by '/' that ends just before the numbers
        chain_names: list[tuple[int, int, Quantity]] = []
        for h in reversed(names):
            if not chain_names:
                if not re.fullmatch(_GAP, head[h[1] :], re.I) or len(head) - h[1] > 30:
                    break
                chain_names.insert(0, h)
            elif re.fullmatch(r"\)?\s*/\s*\(?", head[h[1] : chain_names[0][0]]):
                chain_names.insert(0, h)
            else:
                break
        if len(chain_names) != len(values) or len(values) < 2:
            continue
        after = note[chain.end() : chain.end() + 16]
        for (n_start, _, q), number in zip(chain_names, values, strict=True):
            unit, used = _match_unit(q.units, after)
            if unit is None:
                if _ANY_UNIT.match(after) or not q.unitless:
                    continue
                unit = _infer_unit(q, number)
            if unit is None or not unit.low <= number * unit.factor <= unit.high:
                continue
            ev = span(note, head_start + n_start, chain.end() + used)
            out.setdefault(
                q.name,
                Found(tidy(number * unit.factor), unit.label, ev, note="'A/B x/y' list"),
            )
    return out


Extractor = Callable[[str], Found | None]

"""Age, sex and race from a patient note.

Rules:
- age: the first "N-year-old" phrase (also months/weeks/days, spelled-out numbers); failing
  that, the first "N years of age", "aged N", "age of N", "N yo" phrase; failing that, the
  triage shorthand "58F" / "54 M". Case reports state the age at presentation first, so the
  first phrase of the strongest pattern is taken.
- sex: the triage shorthand ("58F", "79 M") when it comes before any sex-defining noun (it
  names the patient; a later "wife" or "her" may not); else a sex-defining noun in the same
  phrase as the age or the first such noun in the note ("woman", "male", "boy", "Mrs.");
  otherwise the majority of personal pronouns (he/his/him vs she/her), whose first occurrence
  is the evidence. Relatives ("his mother") are skipped.

The shorthand is an integer age and a capital M or F, standing at the start of a line or after
a colon, dash, comma, bracket or full stop ("ED triage: 54 M, palpitations", "Triage 16:05 -
27F c/o", "03:15. 79M brought in"); a temperature word just before it ("T: 101 F") rules it
out, since that F is Fahrenheit, as does a device after it ("Foley: 16 F catheter").
- race: an explicit term ("African American", "Black", "White", "Caucasian", ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from clinreason.tools.extract._core import Found, span, tidy

_UNITS = {
    "year": "years",
    "yr": "years",
    "month": "months",
    "mo": "months",
    "week": "weeks",
    "wk": "weeks",
    "day": "days",
}
_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_NUM = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_ONES[1:10]) + r"))?|"
    r"(?:" + "|".join(sorted(_ONES, key=len, reverse=True)) + r")|one\s+hundred(?:\s+and\s+\w+)?)"
)
_NUM = r"(\d{1,3}(?:\.\d)?|" + _WORD_NUM + r")"
_UNIT = r"(years?|yrs?|months?|mos?|weeks?|wks?|days?)"

_AGE_PATTERNS = [
    # 87-year-old, 5-month-old, 45 year old, seventy-two-year-old
    re.compile(_NUM + r"[\s-]*" + _UNIT + r"[\s-]*old\b", re.I),
    # 65 years of age / 65 years of age
    re.compile(_NUM + r"\s*" + _UNIT + r"\s+of\s+age\b", re.I),
    # aged 45 / aged 5 months / age 60 / age of 60 / age: 60
    re.compile(r"\bage(?:d|\s+of|:)?\s*" + _NUM + r"(?:\s*" + _UNIT + r")?(?![\d/])", re.I),
    # 45 yo / 45 y/o / 45 y.o. / 45yo
    re.compile(r"\b(\d{1,3})\s*(y\.?\s?o\.?|y/o)(?![a-z])", re.I),
]

_SHORTHAND = re.compile(r"(?:^|\n|[:\-–,(]|\.\s)\s*(\d{1,3})\s?-?\s?([MF])(?![\w°])")
_TEMPERATURE_BEFORE = re.compile(r"\b(?:t|temp|temperature|tmax|fever|pyrexi\w*)\W*$", re.I)
_DEVICE_AFTER = re.compile(r"\W*(?:catheter|cannula|tube|sheath|drain|foley)\b", re.I)


def _shorthand(note: str) -> re.Match[str] | None:
    """The first triage shorthand of age and sex ('58F', '54 M'; see the module doc).

    >>> _shorthand("ED triage: 54 M, palpitations").group(1, 2)
    ('54', 'M')
    >>> _shorthand("Obs: T 38.1, HR 90. Temp: 101 F") is None
    True
    """
    for m in _SHORTHAND.finditer(note):
        if _TEMPERATURE_BEFORE.search(note[max(0, m.start() - 16) : m.start(1)]):
            continue
        if _DEVICE_AFTER.match(note, m.end()):  # a catheter's size in French
            continue
        if int(m.group(1)) <= 120:
            return m
    return None


_GESTATIONAL = re.compile(r"gestational\s*$", re.I)


def words_to_number(text: str) -> float | None:
    """'seventy-two' -> 72, '45' -> 45; None if not a number.

    >>> words_to_number("seventy-two"), words_to_number("nine"), words_to_number("4.5")
    (72, 9, 4.5)
    """
    t = text.lower().strip()
    try:
        return tidy(float(t))
    except ValueError:
        pass
    if t.startswith("one hundred"):
        rest = t.removeprefix("one hundred").replace("and", "").strip()
        sub = words_to_number(rest) if rest else 0
        return None if sub is None else 100 + sub
    total = 0
    for part in re.split(r"[\s-]+", t):
        if part in _ONES:
            total += _ONES.index(part)
        elif part in _TENS:
            total += 20 + 10 * _TENS.index(part)
        else:
            return None
    return total


def _unit(raw: str | None) -> str:
    if not raw or raw.lower().startswith("y"):
        return "years"
    return _UNITS.get(raw.lower().rstrip("s").rstrip("."), "years")


def extract_age(note: str) -> Found | None:
    """The patient's age as [value, unit] (unit 'years', 'months', 'weeks' or 'days').

    >>> f = extract_age("An 87-year-old man with CKD.")
    >>> f.value, f.unit, f.span.text
    (87, 'years', '87-year-old')
    >>> extract_age("A girl aged 5 months presented.").entity()
    [5, 'months']
    """
    for index, pattern in enumerate(_AGE_PATTERNS):
        for m in pattern.finditer(note):
            if _GESTATIONAL.search(note[max(0, m.start() - 15) : m.start()]):
                continue
            value = words_to_number(m.group(1))
            if value is None or not 0 <= value <= 120:
                continue
            unit = _unit(m.group(2) if (m.lastindex or 0) >= 2 and index < 3 else None)
            return Found(value=value, unit=unit, span=span(note, m.start(), m.end()))
    m = _shorthand(note)
    if m is None:
        return None
    return Found(value=int(m.group(1)), unit="years", span=span(note, m.start(1), m.end()))


_FEMALE_NOUN = (
    r"woman|women|female|girl|lady|mrs\.?|ms\.?|miss|mother|gravida|pregnant|"
    r"primigravida|multigravida|postmenopausal|g\d+p\d+"
)
_MALE_NOUN = r"man|men|male|boy|gentleman|mr\.?"
_NOUN_RE = re.compile(
    r"(?<![\w-])(?:(" + _FEMALE_NOUN + r")|(" + _MALE_NOUN + r"))(?![\w])",
    re.I,
)
_RELATIVE_BEFORE = re.compile(r"\b(?:his|her|their|the\s+patient's)\s+$", re.I)
_PRONOUN_RE = re.compile(r"\b(?:(she|her|hers|herself)|(he|his|him|himself))\b", re.I)


def _patient_nouns(note: str) -> Iterator[re.Match[str]]:
    """Sex-defining nouns that may name the patient (relatives and titles in lower case
    skipped); group 1 is set for a female noun."""
    for m in _NOUN_RE.finditer(note):
        word = m.group(0).lower().rstrip(".")
        if word in {"mother"} or _RELATIVE_BEFORE.search(note[max(0, m.start() - 20) : m.start()]):
            continue
        if word in {"ms", "mr", "mrs"} and not note[m.start()].isupper():
            continue
        if word in {"man", "men"} and note[m.start() - 1 : m.start()] == "-":
            continue
        yield m


def extract_sex(note: str) -> Found | None:
    """'Male' or 'Female' with the word that shows it.

    >>> f = extract_sex("A 45-year-old woman with chest pain. She denies fever.")
    >>> f.value, f.span.text
    ('Female', 'woman')
    >>> extract_sex("The patient reports that he smokes.").value
    'Male'
    >>> extract_sex("66M, lives with his wife; she called 999.").value
    'Male'
    """
    short = _shorthand(note)
    noun = next(_patient_nouns(note), None)
    if short is not None and (noun is None or short.start(2) < noun.start()):
        sex = "Male" if short.group(2) == "M" else "Female"
        return Found(
            value=sex, unit=None, span=span(note, short.start(1), short.end()), note="shorthand"
        )
    if noun is not None:
        sex = "Female" if noun.group(1) else "Male"
        return Found(
            value=sex, unit=None, span=span(note, noun.start(), noun.end()), note="sex noun"
        )
    counts = {"Female": 0, "Male": 0}
    first: dict[str, re.Match[str]] = {}
    for m in _PRONOUN_RE.finditer(note):
        sex = "Female" if m.group(1) else "Male"
        counts[sex] += 1
        first.setdefault(sex, m)
    if not any(counts.values()):
        return None
    sex = max(counts, key=lambda k: counts[k])
    if counts["Female"] == counts["Male"]:
        return None
    m = first[sex]
    note_text = f"pronouns: {counts['Male']} male, {counts['Female']} female"
    return Found(value=sex, unit=None, span=span(note, m.start(), m.end()), note=note_text)


_RACE = [
    (r"african[\s-]american|black", "Black"),
    (r"caucasian|white", "White"),
    (r"asian", "Asian"),
    (r"hispanic|latino|latina", "Hispanic"),
]


def extract_race(note: str) -> Found | None:
    """Race as stated in the note ('Black', 'White', 'Asian', 'Hispanic').

    >>> extract_race("A 60-year-old African American man.").value
    'Black'
    """
    best: tuple[int, Found] | None = None
    for pattern, label in _RACE:
        m = re.search(r"\b(?:" + pattern + r")\b(?!\s+(?:blood\s+cell|matter|count))", note, re.I)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), Found(value=label, unit=None, span=span(note, m.start(), m.end())))
    return best[1] if best else None

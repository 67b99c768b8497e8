"""Drug doses: steroid conversions, opioid regimens (MME), alcohol intake.

Drug names are returned in MedCalc-Bench's spelling ('MethylPrednisoLONE IV', 'FentaNYL buccal')
so they match the calculators' choices; matching is case-insensitive.
"""

from __future__ import annotations

import re

from clinreason.tools.extract._core import NUMBER, Found, span, tidy, to_number
from clinreason.tools.extract.measure import UNIT_SLIP

STEROIDS = (
    "Betamethasone IV",
    "Cortisone PO",
    "Dexamethasone IV",
    "Dexamethasone PO",
    "Hydrocortisone IV",
    "Hydrocortisone PO",
    "MethylPrednisoLONE IV",
    "MethylPrednisoLONE PO",
    "PrednisoLONE PO",
    "PredniSONE PO",
    "Triamcinolone IV",
)


def _steroid_re() -> re.Pattern[str]:
    names = sorted({s.rsplit(" ", 1)[0] for s in STEROIDS}, key=len, reverse=True)
    return re.compile(
        r"\b(" + "|".join(names) + r")\b(?:\s+(?:sodium\s+succinate|acetate|phosphate))?"
        r"(?:\s*\(?\s*(IV|PO|intravenous(?:ly)?|oral(?:ly)?|by\s+mouth)\b\)?)?",
        re.I,
    )


def _canonical(name: str, route: str | None) -> str | None:
    label = None
    if route:
        label = "IV" if route.lower().startswith(("iv", "intraven")) else "PO"
    candidates = [s for s in STEROIDS if s.rsplit(" ", 1)[0].lower() == name.lower()]
    if label:
        candidates = [s for s in candidates if s.endswith(label)] or candidates
    return candidates[0] if len(candidates) == 1 else None


def extract_input_steroid(note: str) -> Found | None:
    """The steroid taken, its dose and unit: ['MethylPrednisoLONE IV', 9.599, 'mg'].

    >>> extract_input_steroid("Patient has taken 9.599 mg of MethylPrednisoLONE IV.").value
    ['MethylPrednisoLONE IV', 9.599, 'mg']
    """
    dose = re.compile(NUMBER + r"\s*(mg|milligrams?|g|mcg|µg)\s+(?:of\s+)?", re.I)
    for m in _steroid_re().finditer(note):
        before = note[max(0, m.start() - 30) : m.start()]
        doses = list(dose.finditer(before))
        d = doses[-1] if doses else None
        if d is None or d.end() != len(before):
            after = re.match(
                r"\s*(?:\(|,)?\s*" + NUMBER + r"\s*(mg|g|mcg|µg)", note[m.end() :], re.I
            )
            if not after:
                continue
            value, unit, end = to_number(after.group(1)), after.group(2), m.end() + after.end()
            start = m.start()
        else:
            value, unit, start, end = (
                to_number(d.group(1)),
                d.group(2),
                m.start() - len(before) + d.start(),
                m.end(),
            )
        name = _canonical(m.group(1), m.group(2))
        if name is None:
            continue
        unit = "mg" if unit.lower().startswith("mil") else unit
        return Found([name, tidy(value), unit], None, span(note, start, end))
    return None


def extract_target_steroid(question: str) -> Found | None:
    """The steroid asked for in the question ('... equivalent dosage in mg of PredniSONE PO?').

    Offsets refer to the question (span.source == 'question').

    >>> extract_target_steroid("what is the equivalent dosage in mg of Cortisone PO?").value
    'Cortisone PO'
    """
    cue = re.search(r"equivalent|convert(?:ed)?\s+(?:it\s+)?to|in\s+terms\s+of", question, re.I)
    text_from = cue.end() if cue else 0
    named = [
        (m, name)
        for m in _steroid_re().finditer(question, text_from)
        if (name := _canonical(m.group(1), m.group(2)))
    ]
    if not named:
        return None
    m, name = named[0] if cue else named[-1]
    s = span(question, m.start(), m.end())
    return Found(name, None, s.model_copy(update={"source": "question"}))


OPIOIDS = (
    "Codeine",
    "FentaNYL buccal",
    "FentANYL patch",
    "HYDROcodone",
    "HYDROmorphone",
    "Methadone",
    "Morphine",
    "OxyCODONE",
    "OxyMORphone",
    "Tapentadol",
    "TraMADol",
    "Buprenorphine",
)
_FREQ_WORDS = {
    "once": 1,
    "twice": 2,
    "thrice": 3,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
}
_FREQ = re.compile(
    r"(\d+|once|twice|thrice|one|two|three|four|five|six)\s*(?:times?|x)?\s*(?:a|per|each|/)\s*day|"
    r"(once|twice|thrice)\s+daily|\b(q\.?d|b\.?i\.?d|t\.?i\.?d|q\.?i\.?d)\b|every\s+(\d+)\s*h(?:ours?|rs?)?|"
    r"q\s*(\d+)\s*h",
    re.I,
)
_ABBR = {"qd": 1, "bid": 2, "tid": 3, "qid": 4}


def _per_day(text: str) -> tuple[int, int, int] | None:
    m = _FREQ.search(text)
    if not m:
        return None
    if m.group(1):
        raw = m.group(1).lower()
        n = int(raw) if raw.isdigit() else _FREQ_WORDS[raw]
    elif m.group(2):
        n = _FREQ_WORDS[m.group(2).lower()]
    elif m.group(3):
        n = _ABBR[m.group(3).lower().replace(".", "")]
    else:
        hours = int(m.group(4) or m.group(5))
        if hours <= 0 or 24 % hours:
            return None
        n = 24 // hours
    return n, m.start(), m.end()


_MAX_MG = {"FentaNYL buccal": 1.6, "FentANYL patch": 0.3}
"""Largest single dose in mg of opioids dosed in micrograms (buccal tablets up to 800 µg, taken
at most twice per episode; patches up to 100 µg/h, at most a few at once). A larger number
written in mg is a unit slip for µg."""


def extract_opioids(note: str) -> dict[str, Found]:
    """Per opioid: '<Drug> Dose' -> [dose, unit] and '<Drug> Dose Per Day' -> [n, 'per day'].

    >>> out = extract_opioids("The patient takes 50 mg of Tapentadol 1 time a day.")
    >>> out["Tapentadol Dose"].entity(), out["Tapentadol Dose Per Day"].entity()
    ([50, 'mg'], [1, 'per day'])
    >>> extract_opioids("20 mg of FentaNYL buccal 2 times a day")["FentaNYL buccal Dose"].unit
    'µg'
    """
    names = sorted(OPIOIDS, key=len, reverse=True)
    drug_re = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.I)
    dose_re = re.compile(NUMBER + r"\s*(mg|mcg|µg|μg|ug)(?:/h(?:r|our)?)?\s+(?:of\s+)?$", re.I)
    out: dict[str, Found] = {}
    for m in drug_re.finditer(note):
        name = next(n for n in names if n.lower() == m.group(1).lower())
        before = note[max(0, m.start() - 25) : m.start()]
        d = dose_re.search(before)
        if not d:
            continue
        unit = d.group(2).replace("μ", "µ").replace("mcg", "µg").replace("ug", "µg")
        d_start = m.start() - len(before) + d.start()
        tail_end = min(len(note), m.end() + 40)
        clause_end = re.search(r"[,;.]\s|\band\b", note[m.end() : tail_end])
        window = (
            note[m.end() : m.end() + clause_end.start()] if clause_end else note[m.end() : tail_end]
        )
        freq = _per_day(window)
        if f"{name} Dose" in out:
            continue
        dose, why = tidy(to_number(d.group(1))), ""
        if unit == "mg" and dose > _MAX_MG.get(name, float("inf")):
            unit, why = (
                "µg",
                (
                    f"{dose} mg of {name} exceeds any single dose ({_MAX_MG[name]} mg); read as "
                    f"{dose} µg ({UNIT_SLIP})"
                ),
            )
        out[f"{name} Dose"] = Found(dose, unit, span(note, d_start, m.end()), note=why)
        if freq:
            n, _a, b = freq
            out[f"{name} Dose Per Day"] = Found(n, "per day", span(note, d_start, m.end() + b))
    return out


_COUNT_WORDS = {"a single": 1, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_DRINKS = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?|a\s+single|one|two|three|four|five|a)(?![\d])\s*(?:-\s*\d+\s*)?(?:alcoholic\s+)?(?:drinks?|beers?|glasses\s+of\s+wine|units?"
    r"(?:\s+of\s+alcohol)?|alcoholic\s+beverages?|shots?)\s*(?:of\s+\w+\s+)?(?:per|a|each|every|/)\s*"
    r"(week|day|wk|d)\b",
    re.I,
)
_WEEKLY_DRINKS = re.compile(
    r"\b(?:weekly|per\s+week|a\s+week|each\s+week)\b[^.;\d]{0,25}?"
    + NUMBER
    + r"\s*(?:alcoholic\s+)?"
    r"(?:drinks?|beers?|beverages?|units?(?:\s+of\s+alcohol)?|shots?)",
    re.I,
)
_NO_ALCOHOL = re.compile(
    r"(?:denie[sd]|no|not?\s+(?:drink|use)|never\s+drinks?|abstains?\s+from|does\s+not\s+consume)"
    r"\s+(?:any\s+)?(?:alcohol|ethanol|drinking)|non[\s-]?drinker|teetotal",
    re.I,
)


def extract_drinks_per_week(note: str) -> Found | None:
    """Alcoholic drinks per week (per-day amounts x 7); 0 when alcohol use is denied.

    >>> extract_drinks_per_week("He drinks 2 beers a day.").value
    14
    >>> extract_drinks_per_week("She denies alcohol use.").value
    0
    >>> extract_drinks_per_week("Alcohol is limited to a single drink per week.").value
    1
    >>> extract_drinks_per_week("She reports a weekly average of 12 alcoholic beverages.").value
    12
    """
    m = _DRINKS.search(note)
    if m:
        count = re.sub(r"\s+", " ", m.group(1).lower())
        n = _COUNT_WORDS[count] if count in _COUNT_WORDS else to_number(count)
        per_day = m.group(2).lower().startswith("d")
        value = tidy(n * 7) if per_day else tidy(n)
        why = "per-day amount x 7" if per_day else ""
        return Found(value, None, span(note, m.start(), m.end()), note=why)
    m = _WEEKLY_DRINKS.search(note)
    if m:
        return Found(tidy(to_number(m.group(1))), None, span(note, m.start(), m.end()))
    m = _NO_ALCOHOL.search(note)
    if m:
        return Found(0, None, span(note, m.start(), m.end()), note="alcohol use denied")
    return None

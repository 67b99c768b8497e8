"""Seeded generator of patient notes and correct reasoning for bench/planted_errors.py.

Every random choice goes through the `random.Random` passed in. Notes vary in layout (prose,
comma lists, one value per line), lab names (full names, abbreviations), units (mg/dL or
µmol/L, °C or °F, kg or lb, cm or m, g/dL or g/L, 10^9/L or /µL) and carry distractor numbers
(doses, durations, dates, pack-years, reference ranges). The reasoning restates values
(sometimes converted), compares, computes, hedges, states definitions and concludes. For each
trace the generator records *slots*: (step id, exact text, replacement) where an error of each
kind can be planted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

FINDINGS = [
    "chest pain",
    "shortness of breath",
    "cough",
    "nausea",
    "vomiting",
    "headache",
    "abdominal pain",
    "palpitations",
    "syncope",
    "diaphoresis",
    "leg swelling",
    "rash",
    "dysuria",
    "hematuria",
    "confusion",
    "weight loss",
    "night sweats",
    "back pain",
    "dizziness",
    "jaundice",
    "diarrhea",
    "joint pain",
    "blurred vision",
    "hemoptysis",
]
DIAGNOSES = [
    "Community-acquired pneumonia",
    "Acute coronary syndrome",
    "Pulmonary embolism",
    "Diabetic ketoacidosis",
    "Acute kidney injury",
    "Urinary tract infection",
    "Sepsis",
    "Congestive heart failure",
    "Acute pancreatitis",
    "Migraine",
    "Hyperkalemia",
    "Syndrome of inappropriate antidiuretic hormone",
    "Upper gastrointestinal bleeding",
]
MEDS = [
    ("metformin", 500),
    ("lisinopril", 10),
    ("atorvastatin", 40),
    ("aspirin", 81),
    ("furosemide", 40),
    ("amlodipine", 5),
    ("levothyroxine", 75),
    ("omeprazole", 20),
]

# name, abbreviation, (lo, hi, decimals), units [(unit, factor)], normal range (lo, hi)
LABS: dict[
    str, tuple[str, str, tuple[float, float, int], list[tuple[str, float]], tuple[float, float]]
] = {
    "sodium": ("sodium", "Na", (118, 156, 0), [("mEq/L", 1), ("mmol/L", 1)], (135, 145)),
    "potassium": ("potassium", "K", (2.6, 6.8, 1), [("mEq/L", 1), ("mmol/L", 1)], (3.5, 5.0)),
    "chloride": ("chloride", "Cl", (88, 116, 0), [("mEq/L", 1), ("mmol/L", 1)], (98, 107)),
    "bicarbonate": ("bicarbonate", "HCO3", (8, 34, 0), [("mEq/L", 1), ("mmol/L", 1)], (22, 29)),
    "bun": ("blood urea nitrogen", "BUN", (5, 90, 0), [("mg/dL", 1)], (7, 20)),
    "creatinine": ("creatinine", "Cr", (0.5, 5.5, 1), [("mg/dL", 1), ("µmol/L", 88.4)], (0.6, 1.2)),
    "glucose": (
        "glucose",
        "glucose",
        (55, 480, 0),
        [("mg/dL", 1), ("mmol/L", 1 / 18.016)],
        (70, 100),
    ),
    "hemoglobin": ("hemoglobin", "Hb", (6.0, 17.5, 1), [("g/dL", 1), ("g/L", 10)], (12, 16)),
    "wbc": (
        "white blood cell count",
        "WBC",
        (2.0, 26.0, 1),
        [("x10^9/L", 1), ("/µL", 1000)],
        (4, 11),
    ),
    "platelets": ("platelet count", "platelets", (40, 480, 0), [("x10^9/L", 1)], (150, 400)),
    "albumin": ("albumin", "albumin", (1.8, 5.0, 1), [("g/dL", 1), ("g/L", 10)], (3.5, 5.0)),
    "calcium": ("calcium", "Ca", (6.8, 12.5, 1), [("mg/dL", 1)], (8.5, 10.5)),
    "lactate": ("lactate", "lactate", (0.5, 9.0, 1), [("mmol/L", 1)], (0.5, 2.0)),
}
SWAP = {
    "mg/dL": "mmol/L",
    "mmol/L": "mg/dL",
    "µmol/L": "mg/dL",
    "mEq/L": "mg/dL",
    "g/dL": "g/L",
    "g/L": "g/dL",
    "x10^9/L": "/µL",
    "/µL": "x10^9/L",
    "kg": "lb",
    "lb": "kg",
    "°C": "°F",
    "°F": "°C",
    "cm": "in",
    "m": "cm",
}


@dataclass
class Patient:
    """Ground truth for one generated patient."""

    age: int
    sex: str
    weight_kg: float
    height_cm: int
    hr: int
    rr: int
    sbp: int
    dbp: int
    temp_c: float
    spo2: int
    labs: dict[str, float]
    present: list[str]
    denied: list[str]


@dataclass
class Reasoning:
    """A question, the reasoning sentences, the answer and the error slots."""

    question: str
    thoughts: list[str]
    answer: str
    options: dict[str, str] = field(default_factory=dict)
    slots: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)


def _val(rng: random.Random, lo: float, hi: float, dec: int) -> float:
    return round(rng.uniform(lo, hi), dec)


def _fmt(v: float, dec: int) -> str:
    return f"{v:.{dec}f}"


def make_patient(rng: random.Random) -> Patient:
    """A random, internally consistent patient."""
    findings = rng.sample(FINDINGS, rng.randint(3, 6))
    k = rng.randint(1, len(findings) - 1)
    sbp = rng.randint(85, 195)
    labs = {
        name: _val(rng, *spec[2])
        for name, spec in rng.sample(sorted(LABS.items()), rng.randint(5, 10))
    }
    if rng.random() < 0.5:
        for name in ("sodium", "chloride", "bicarbonate"):
            labs.setdefault(name, _val(rng, *LABS[name][2]))
    return Patient(
        age=rng.randint(18, 94),
        sex=rng.choice(["man", "woman"]),
        weight_kg=round(rng.uniform(45, 130), rng.choice([0, 1])),
        height_cm=rng.randint(150, 198),
        hr=rng.randint(48, 145),
        rr=rng.randint(10, 34),
        sbp=sbp,
        dbp=rng.randint(45, max(46, min(115, sbp - 25))),
        temp_c=round(rng.uniform(35.8, 40.4), 1),
        spo2=rng.randint(84, 100),
        labs=labs,
        present=findings[:k],
        denied=findings[k:],
    )


def _join(items: list[str], rng: random.Random) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + rng.choice([" and ", ", and "]) + items[-1]


def note_text(p: Patient, rng: random.Random) -> tuple[str, dict[str, tuple[Any, str, str]]]:
    """The note and facts: name -> (value as the note states it, unit, exact note text)."""
    he = "He" if p.sex == "man" else "She"
    facts: dict[str, tuple[Any, str, str]] = {}
    parts: list[str] = []
    opener = rng.choice(
        [
            "A {age}-year-old {sex} presents with {pres}.",
            "{age}-year-old {sex} with a history of hypertension presents with {pres}.",
            "The patient is a {age} year old {sex} who reports {pres} for {d} days.",
        ]
    )
    parts.append(
        opener.format(age=p.age, sex=p.sex, pres=_join(p.present, rng), d=rng.randint(2, 9))
    )
    facts["sex"] = ("Male" if p.sex == "man" else "Female", "", p.sex)
    parts.append(
        rng.choice(
            [
                f"{he} denies {_join(p.denied, rng)}.",
                f"No {_join(p.denied, rng)}.",
                f"{he} has no {_join(p.denied, rng)}.",
                f"Review of systems is negative for {_join(p.denied, rng)}.",
            ]
        )
    )
    med, dose = rng.choice(MEDS)
    parts.append(
        rng.choice(
            [
                f"Home medications include {med} {dose} mg daily.",
                f"{he} takes {med} {dose} mg twice a day and smokes "
                f"{rng.randint(5, 40)} pack-years.",
                f"Last clinic visit was on {rng.randint(1, 12):02d}/"
                f"{rng.randint(1, 28):02d}/20{rng.randint(10, 24)}.",
            ]
        )
    )
    if rng.random() < 0.6:
        w = f"{p.weight_kg:g} kg"
        facts["weight"] = (p.weight_kg, "kg", w)
    else:
        lb = round(p.weight_kg * 2.20462)
        w = f"{lb} lb"
        facts["weight"] = (lb, "lb", w)
    if rng.random() < 0.7:
        h = f"{p.height_cm} cm"
        facts["height"] = (p.height_cm, "cm", h)
    else:
        h = f"{p.height_cm / 100:.2f} m"
        facts["height"] = (round(p.height_cm / 100, 2), "m", h)
    parts.append(rng.choice([f"{he} weighs {w} and is {h} tall.", f"Weight {w}, height {h}."]))
    temp = f"{p.temp_c:.1f} °C" if rng.random() < 0.6 else f"{p.temp_c * 9 / 5 + 32:.1f} °F"
    bp = f"{p.sbp}/{p.dbp} mmHg"
    facts["sbp"] = (p.sbp, "mmHg", f"{p.sbp}/")
    facts["dbp"] = (p.dbp, "mmHg", f"/{p.dbp}")
    vit = rng.choice(
        [
            "Vital signs: temperature {t}, heart rate {hr} bpm, blood pressure {bp}, "
            "respiratory rate {rr} breaths/min, SpO2 {s}% on room air.",
            "On arrival T {t}, HR {hr}, BP {bp}, RR {rr}, O2 saturation {s}%.",
            "Temp {t}; pulse {hr} beats/min; BP {bp}; RR {rr}/min; SpO2 {s}%.",
        ]
    )
    parts.append(vit.format(t=temp, hr=p.hr, bp=bp, rr=p.rr, s=p.spo2))
    lab_items = []
    for name, value in p.labs.items():
        full, abbr, (_, _, dec), units, normal = LABS[name]
        unit, factor = rng.choice(units)
        shown_dec = dec if factor == 1 else (0 if factor > 5 else 1)
        if unit == "/µL":
            shown_dec = 0
        label = rng.choice([full, abbr, full.capitalize()])
        text = f"{_fmt(value * factor, shown_dec)} {unit}"
        sep = rng.choice([" ", ": ", " of ", " was "])
        ref = f" (reference {normal[0]:g}-{normal[1]:g})" if rng.random() < 0.15 else ""
        lab_items.append(f"{label}{sep}{text}{ref}")
        facts[name] = (round(value * factor, shown_dec), unit, text)
    layout = rng.random()
    if layout < 0.4:
        parts.append("Laboratory studies show " + _join(lab_items, rng) + ".")
    elif layout < 0.7:
        parts.append("Labs: " + "; ".join(lab_items) + ".")
    else:
        parts.append("Labs:\n" + "\n".join(lab_items))
    return "\n".join(parts) if layout >= 0.7 else " ".join(parts), facts


CONVERT = {  # (from, to): factor, for restating a note value in another unit
    ("mg/dL", "µmol/L", "creatinine"): 88.4,
    ("µmol/L", "mg/dL", "creatinine"): 1 / 88.4,
    ("mg/dL", "mmol/L", "glucose"): 1 / 18.016,
    ("mmol/L", "mg/dL", "glucose"): 18.016,
    ("g/dL", "g/L", "hemoglobin"): 10,
    ("g/L", "g/dL", "hemoglobin"): 0.1,
    ("g/dL", "g/L", "albumin"): 10,
    ("g/L", "g/dL", "albumin"): 0.1,
}


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.thoughts: list[str] = []
        self.slots: dict[str, list[tuple[str, str, str]]] = {}

    def add(self, text: str) -> str:
        self.thoughts.append(text)
        return f"s{len(self.thoughts)}"

    def slot(self, kind: str, sid: str, old: str, new: str) -> None:
        text = self.thoughts[int(sid[1:]) - 1]
        if text.count(old) == 1 and old != new:
            self.slots.setdefault(kind, []).append((sid, old, new))


def _changed(rng: random.Random, value: float, dec: int) -> str:
    step = 10.0**-dec
    delta = max(abs(value) * rng.uniform(0.12, 0.45), 3 * step)
    new = value + rng.choice([-1, 1]) * delta
    if new <= 0:
        new = value + delta
    return _fmt(new, dec)


def _lab_sentence(b: _Builder, name: str, fact: tuple[Any, str, str]) -> None:
    rng = b.rng
    value, unit, _ = fact
    full, abbr, (_, _, dec), _, normal = LABS[name]
    dec = (
        0
        if unit in ("µmol/L", "/µL")
        else (
            1
            if unit in ("mmol/L", "g/dL") and name in ("glucose", "hemoglobin", "albumin")
            else dec
        )
    )
    if unit == "g/L":
        dec = 0
    shown_unit, shown_value, shown_dec = unit, float(value), dec
    key = (unit, next((u for (a, u, n) in CONVERT if a == unit and n == name), ""), name)
    if key in CONVERT and rng.random() < 0.3:
        shown_unit = key[1]
        shown_value = float(value) * CONVERT[key]
        shown_dec = 0 if shown_unit in ("µmol/L", "mg/dL", "g/L") else 1
    vtext = f"{_fmt(shown_value, shown_dec)} {shown_unit}"
    label = rng.choice([full, abbr, "the " + full, "Serum " + full])
    template = rng.choice(
        [
            "{L} is {v}.",
            "{L} of {v} is noted.",
            "The {l} was {v} on admission.",
            "{L} {v}, which matters here.",
            "Looking at the labs, {l} {v}.",
        ]
    )
    cap = label[0].upper() + label[1:]
    sid = b.add(template.format(L=cap, l=label, v=vtext))
    new_value = _changed(rng, shown_value, shown_dec)
    b.slot("lab_value", sid, vtext, f"{new_value} {shown_unit}")
    swap = SWAP.get(shown_unit)
    if swap and not (
        name in ("sodium", "potassium", "chloride", "bicarbonate")
        and swap == "mg/dL"
        and rng.random() < 0.5
    ):
        b.slot("unit_swap", sid, vtext, f"{_fmt(shown_value, shown_dec)} {swap}")
    lo, hi = normal
    v = float(value) if shown_unit == unit else None
    if v is not None and (v < lo or v > hi) and rng.random() < 0.8:
        word_true, word_false = ("above", "below") if v > hi else ("below", "above")
        thr = hi if v > hi else lo
        form = rng.choice(
            [
                "{cap} {v} is {w} {t}.",
                "At {v}, the {l} is {w} the upper limit of {t}."
                if v > hi
                else "At {v}, the {l} is {w} the lower limit of {t}.",
            ]
        )
        sid2 = b.add(form.format(cap=cap, v=vtext, w=word_true, t=f"{thr:g}", l=label))
        b.slot("comparison", sid2, f"{word_true} ", f"{word_false} ")


def _arithmetic(
    b: _Builder, p: Patient, facts: dict[str, tuple[Any, str, str]]
) -> tuple[str, str, str] | None:
    """Add one computation; returns (quantity name, result text, unit) for a numeric question."""
    rng = b.rng
    options = []
    units = {n: facts[n][1] for n in facts}
    if all(n in facts for n in ("sodium", "chloride", "bicarbonate")):
        options.append("ag")
    if units.get("weight") == "kg" and units.get("height") in ("cm", "m"):
        options.append("bmi")
    options.append("map")
    if "bun" in facts and units.get("creatinine") == "mg/dL":
        options.append("ratio")
    if "calcium" in facts and units.get("albumin") == "g/dL":
        options.append("ca")
    kind = rng.choice(options)
    if kind == "ag":
        na, cl, hc = (int(facts[n][0]) for n in ("sodium", "chloride", "bicarbonate"))
        res = na - (cl + hc)
        text = rng.choice(
            [
                f"Anion gap = Na - (Cl + HCO3) = {na} - ({cl} + {hc}) = {res} mEq/L.",
                f"The anion gap is {na} − ({cl} + {hc}) = {res}.",
                f"AG = {na} - {cl} - {hc} = {res} mmol/L.",
            ]
        )
        name, rtext, unit = "anion gap", str(res), "mEq/L"
    elif kind == "bmi":
        w = float(facts["weight"][0])
        h = p.height_cm / 100
        res = w / h**2
        rtext = f"{res:.1f}"
        text = rng.choice(
            [
                f"BMI = {w:g} / {h:.2f}^2 = {rtext} kg/m2.",
                f"Body mass index is {w:g} kg / ({h:.2f} m)² = {rtext} kg/m².",
            ]
        )
        name, unit = "body mass index", "kg/m2"
    elif kind == "map":
        res = (p.sbp + 2 * p.dbp) / 3
        rtext = f"{res:.{rng.choice([0, 1])}f}"
        text = rng.choice(
            [
                f"MAP = (SBP + 2 × DBP) / 3 = ({p.sbp} + 2 × {p.dbp}) / 3 = {rtext} mmHg.",
                f"Mean arterial pressure = ({p.sbp} + 2*{p.dbp})/3 = {rtext}.",
            ]
        )
        name, unit = "mean arterial pressure", "mmHg"
    elif kind == "ratio":
        bun, cr = float(facts["bun"][0]), float(facts["creatinine"][0])
        res = bun / cr
        rtext = f"{res:.1f}"
        text = f"BUN/Cr ratio = {bun:g}/{cr:g} = {rtext}."
        name, unit = "BUN to creatinine ratio", ""
    else:
        ca, alb = float(facts["calcium"][0]), float(facts["albumin"][0])
        res = ca + 0.8 * (4 - alb)
        rtext = f"{res:.1f}"
        text = f"Corrected calcium = {ca:g} + 0.8 × (4 - {alb:g}) = {rtext} mg/dL."
        name, unit = "corrected calcium", "mg/dL"
    sid = b.add(text)
    dec = len(rtext.split(".")[1]) if "." in rtext else 0
    wrong = _changed(rng, float(rtext), dec)
    b.slot("arithmetic", sid, f"= {rtext}", f"= {wrong}")
    return name, rtext, unit


def reasoning(p: Patient, facts: dict[str, tuple[Any, str, str]], rng: random.Random) -> Reasoning:
    """Correct reasoning about the patient, with the slots where errors can be planted."""
    b = _Builder(rng)
    he = "He" if p.sex == "man" else "She"
    if rng.random() < 0.6:
        b.add(
            rng.choice(
                [f"This is a {p.age}-year-old {p.sex}.", f"The patient is {p.age} years old."]
            )
        )
    pres = rng.choice(p.present)
    b.add(
        rng.choice(
            [
                f"{he} reports {pres}.",
                f"Notable for {pres}.",
                f"{he} presents with {pres}.",
                f"{pres.capitalize()} is noted in the history.",
            ]
        )
    )
    for denied in rng.sample(p.denied, min(len(p.denied), rng.randint(1, 2))):
        template = rng.choice(
            [
                f"{he} denies {denied}.",
                f"There is no {denied}.",
                f"No {denied} is reported.",
                f"Importantly, {he.lower()} has no {denied}.",
            ]
        )
        sid = b.add(template)
        new = rng.choice(
            [
                f"{he} reports {denied}.",
                f"{he} has {denied}.",
                f"{denied.capitalize()} is present.",
                f"{he} complains of {denied}.",
                f"There is {denied}.",
            ]
        )
        b.slots.setdefault("negation", []).append((sid, template, new))
    for name in rng.sample(sorted(k for k in p.labs), min(len(p.labs), rng.randint(2, 4))):
        _lab_sentence(b, name, facts[name])
    if rng.random() < 0.5:
        b.add(
            rng.choice(
                [
                    "Tachycardia is defined as a heart rate above 100 bpm.",
                    "Normal sodium is 135-145 mEq/L.",
                    "Sepsis should be considered if lactate exceeds 2 mmol/L.",
                    f"{rng.choice(DIAGNOSES)} is possible but less likely.",
                    f"{rng.choice(MEDS)[0].capitalize()} {rng.choice(MEDS)[1]} mg daily "
                    "can be continued.",
                ]
            )
        )
    if rng.random() < 0.5 and p.hr != 100:
        hr_word = "above" if p.hr > 100 else "below"
        sid = b.add(f"The heart rate of {p.hr} bpm is {hr_word} 100.")
        if p.hr != 100:
            b.slot(
                "comparison", sid, f"{hr_word} ", f"{'below' if hr_word == 'above' else 'above'} "
            )
    computed = _arithmetic(b, p, facts)
    if computed is not None and rng.random() < 0.5:
        name, rtext, unit = computed
        b.add(
            rng.choice(
                [
                    f"Therefore, the {name} is {rtext} {unit}.".replace(" .", "."),
                    f"So the {name} is {rtext}.",
                    f"Final answer: {rtext}",
                ]
            )
        )
        return Reasoning(f"What is the patient's {name}?", b.thoughts, rtext, {}, b.slots)
    labels = list("ABCDE")
    diags = rng.sample(DIAGNOSES, 5)
    options = dict(zip(labels, diags, strict=True))
    gold = rng.choice(labels)
    b.add(
        rng.choice(
            [
                f"Therefore, the answer is {gold}.",
                f"So the most likely diagnosis is {options[gold].lower()}.",
                f"Answer: {gold}",
                f"Thus option {gold} fits best.",
            ]
        )
    )
    return Reasoning("What is the most likely diagnosis?", b.thoughts, gold, options, b.slots)

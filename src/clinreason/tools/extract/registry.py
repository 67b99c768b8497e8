"""Which rule extracts which MedCalc-Bench entity, and derived values.

`extract_entity(key, note, question)` runs the rule registered for an entity name and returns a
`Found` (or None when the note does not state it). Values that several entities share are
extracted once per note (`NoteExtractor` caches them). When the note states a quantity several
times, the first mention is used (the admission value) unless the question asks for the latest
('most recent', 'latest', 'current', 'at discharge').

Derived values are explicit: a BMI computed from weight and height, an A-a gradient computed from
FiO2, PaO2 and PaCO2 and a GCS summed from its components say so in `Found.note`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from clinreason.tools.extract import dates, demographics, gcs, labs, medications, vitals
from clinreason.tools.extract._core import Found, span, tidy
from clinreason.tools.extract.choices import CHOICE_RULES
from clinreason.tools.extract.findings import judge
from clinreason.tools.extract.findings_terms import CHOICE_TERMS
from clinreason.tools.extract.measure import (
    Pick,
    Quantity,
    extract,
    implausible,
    read_value_at,
    respectively_values,
    slash_values,
)

_LAB_KEYS: dict[str, Quantity] = {
    "creatinine": labs.CREATININE,
    "Pre-operative creatinine": labs.CREATININE,
    "Blood Urea Nitrogen (BUN)": labs.BUN,
    "Sodium": labs.SODIUM,
    "Potassium": labs.POTASSIUM,
    "Chloride": labs.CHLORIDE,
    "Bicarbonate": labs.BICARBONATE,
    "Glucose": labs.GLUCOSE,
    "Albumin": labs.ALBUMIN,
    "Bilirubin": labs.BILIRUBIN,
    "international normalized ratio": labs.INR,
    "Platelet count": labs.PLATELETS,
    "White blood cell count": labs.WBC,
    "Hemoglobin": labs.HEMOGLOBIN,
    "Hematocrit": labs.HEMATOCRIT,
    "Calcium": labs.CALCIUM,
    "Alanine aminotransferase": labs.ALT,
    "Aspartate aminotransferase": labs.AST,
    "Total cholesterol": labs.TOTAL_CHOLESTEROL,
    "high-density lipoprotein cholesterol": labs.HDL,
    "low-density lipoprotein cholesterol": labs.LDL,
    "Triglycerides": labs.TRIGLYCERIDES,
    "Insulin": labs.INSULIN,
    "Urine sodium": labs.URINE_SODIUM,
    "Urine creatinine": labs.URINE_CREATININE,
    "Partial pressure of oxygen (PaO₂) for Apache II": labs.PAO2,
    "Partial pressure of oxygen (PaO₂)": labs.PAO2,
    "PaO₂": labs.PAO2,
    "PaCO₂": labs.PACO2,
    "FiO₂": labs.FIO2,
    "pH": labs.PH,
    "A-a gradient": labs.A_A_GRADIENT,
    "Urine Output": labs.URINE_OUTPUT,
    "Band form percentage": labs.BANDS,
    "Heart Rate or Pulse": vitals.HEART_RATE,
    "respiratory rate": vitals.RESPIRATORY_RATE,
    "Temperature": vitals.TEMPERATURE,
    "O₂ saturation percentage": vitals.SPO2,
    "QT interval": vitals.QT,
    "DOPamine": vitals.DOPAMINE,
    "DOBUTamine": vitals.DOBUTAMINE,
    "EPINEPHrine": vitals.EPINEPHRINE,
    "norEPINEPHrine": vitals.NOREPINEPHRINE,
}
"""Entity name -> measured quantity."""
_BODY: dict[str, Quantity] = {"weight": vitals.WEIGHT, "height": vitals.HEIGHT}
"""Body measurements (read by their own rules; the quantities name their units and ranges)."""

_LATEST = re.compile(r"\b(?:most\s+recent|latest|last|current|at\s+discharge|final)\b", re.I)


def pick_for(question: str) -> Pick:
    """'last' when the question asks for the latest value, else 'first' (admission value).

    >>> pick_for("What is the patient's most recent creatinine clearance?")
    'last'
    >>> pick_for("What is the MAP?")
    'first'
    """
    return "last" if _LATEST.search(question) and "menstrual" not in question.lower() else "first"


@dataclass
class NoteExtractor:
    """Rule extraction for one note/question pair, with per-note caching."""

    note: str
    question: str = ""
    _cache: dict[str, Found | None] = field(default_factory=dict)
    _respectively: dict[str, Found] | None = None
    _opioids: dict[str, Found] | None = None
    _gcs: dict[str, Found] | None = None

    @property
    def pick(self) -> Pick:
        """Selection rule implied by the question."""
        return pick_for(self.question)

    def _earliest(self, found: Found | None, q: Quantity) -> Found | None:
        """`found`, or a value from a 'respectively' list when that comes first in the note."""
        if self._respectively is None:
            listed_values = slash_values(vitals.QUANTITIES, self.note)
            listed_values.update(respectively_values(vitals.QUANTITIES, self.note))
            self._respectively = listed_values
        listed = self._respectively.get(q.name)
        if listed and (
            found is None or (self.pick == "first") == (listed.span.start < found.span.start)
        ):
            return listed
        return found

    def _lab(self, q: Quantity) -> Found | None:
        found = self._earliest(extract(q, self.note, self.pick, vitals.QUANTITIES), q)
        if q is labs.BUN and found is None:
            return extract(labs.UREA, self.note, self.pick, vitals.QUANTITIES)
        return found

    def _bmi(self) -> Found | None:
        stated = vitals.extract_bmi(self.note, self.pick) or vitals.extract_target_bmi(self.note)
        if stated:
            return stated
        w, h = self.get("weight"), self.get("height")
        if not (w and h):
            return None
        kg = w.value * {"kg": 1.0, "lbs": 0.453592, "g": 0.001}[w.unit or "kg"]
        m = h.value * {"cm": 0.01, "m": 1.0, "in": 0.0254}[h.unit or "cm"]
        if m <= 0:
            return None
        bmi = round(kg / (m * m), 1)
        first, last = sorted([w.span, h.span], key=lambda s: s.start)
        ev = span(self.note, first.start, last.end) if last.start - first.end < 200 else first
        why = f"computed from weight {w.value} {w.unit} and height {h.value} {h.unit}"
        return Found(bmi, "kg/m^2", ev, note=why)

    def _a_a_gradient(self) -> Found | None:
        stated = extract(labs.A_A_GRADIENT, self.note, self.pick, vitals.QUANTITIES)
        if stated:
            return Found(stated.value, None, stated.span, stated.note)
        fio2, pao2 = self.get("FiO₂"), self.get("Partial pressure of oxygen (PaO₂) for Apache II")
        paco2 = self.get("PaCO₂")
        if not (fio2 and pao2 and paco2):
            return None
        value = fio2.value / 100 * (760 - 47) - paco2.value / 0.8 - pao2.value
        why = (
            f"computed: FiO2 {fio2.value}% x (760 - 47) - PaCO2 {paco2.value} / 0.8 - "
            f"PaO2 {pao2.value} (sea level, RQ 0.8)"
        )
        return Found(tidy(round(value, 1)), None, pao2.span, note=why)

    def _gcs_total(self) -> Found | None:
        found = gcs.extract_gcs_total(self.note)
        if found:
            return found
        parts = self._gcs_parts()
        if len(parts) == 3 and all(p.value in gcs.GCS_POINTS for p in parts.values()):
            total = sum(gcs.GCS_POINTS[p.value] for p in parts.values())
            spans = sorted((p.span for p in parts.values()), key=lambda s: s.start)
            return Found(total, None, spans[0], note="sum of the eye, verbal and motor responses")
        return None

    def _gcs_parts(self) -> dict[str, Found]:
        if self._gcs is None:
            self._gcs = gcs.extract_gcs_components(self.note)
        return self._gcs

    def _opioid(self, key: str) -> Found | None:
        if self._opioids is None:
            self._opioids = medications.extract_opioids(self.note)
        return self._opioids.get(key)

    def _compute(self, key: str) -> Found | None:
        rule = _SPECIAL.get(key)
        if rule is not None:
            return rule(self)
        if key in _LAB_KEYS:
            return self._lab(_LAB_KEYS[key])
        if key.endswith(" Dose") or key.endswith(" Dose Per Day"):
            return self._opioid(key)
        if key in ("Best eye response", "Best verbal response", "Best motor response"):
            return self._gcs_parts().get(key)
        if key in CHOICE_RULES:
            return CHOICE_RULES[key](self.note)
        if key in CHOICE_TERMS:
            return None  # categorical, no rule: decided by the caller (model or default)
        return judge(self.note, key)

    def get(self, key: str) -> Found | None:
        """The rule-based value of entity `key`, or None when the note does not state it."""
        if key not in self._cache:
            self._cache[key] = self._compute(key)
        return self._cache[key]

    def implausible(self, key: str) -> Found | None:
        """A value the note writes for the measured entity `key` outside every plausible range
        ("creatinine 0 mg/dL"), to be reported, never used (None for other entities)."""
        q = _LAB_KEYS.get(key) or _BODY.get(key)
        return implausible(q, self.note) if q else None


_SPECIAL: dict[str, Callable[[NoteExtractor], Found | None]] = {
    "age": lambda x: demographics.extract_age(x.note),
    "sex": lambda x: demographics.extract_sex(x.note),
    "Race": lambda x: demographics.extract_race(x.note),
    "weight": lambda x: x._earliest(vitals.extract_weight(x.note, x.pick), vitals.WEIGHT),
    "height": lambda x: x._earliest(vitals.extract_height(x.note, x.pick), vitals.HEIGHT),
    "Systolic Blood Pressure": lambda x: x._earliest(
        vitals.extract_systolic_bp(x.note, x.pick), vitals.SBP
    ),
    "Diastolic Blood Pressure": lambda x: x._earliest(
        vitals.extract_diastolic_bp(x.note, x.pick), vitals.DBP
    ),
    "Body Mass Index (BMI)": lambda x: x._bmi(),
    "A-a gradient": lambda x: x._a_a_gradient(),
    "Glasgow Coma Score": lambda x: x._gcs_total(),
    "Last menstrual date": lambda x: dates.extract_lmp(x.note),
    "Current Date": lambda x: dates.extract_current_date(x.note),
    "cycle length": lambda x: dates.extract_cycle_length(x.note),
    "input steroid": lambda x: medications.extract_input_steroid(x.note),
    "target steroid": lambda x: medications.extract_target_steroid(x.question),
    "Number of Alcoholic Drinks Per Week": lambda x: medications.extract_drinks_per_week(x.note),
}

RULE_KEYS = frozenset(_LAB_KEYS) | frozenset(_SPECIAL)
"""Entity names with a dedicated (non-keyword) rule."""


def read_number_at(key: str, note: str, value: float) -> Found | None:
    """Where `value` is written in the note as entity `key` (a number located by a model).

    The number must appear verbatim, followed by one of the quantity's units or, when the
    quantity may be unitless, be plausible without one.

    >>> read_number_at("creatinine", "Her Cr rose to 2.3 mg/dL.", 2.3).entity()
    [2.3, 'mg/dL']
    >>> read_number_at("creatinine", "Her Cr rose to 2.3 mg/dL.", 4.0) is None
    True
    """
    q = _LAB_KEYS.get(key)
    if q is None:
        return None
    text = f"{value:g}"
    for m in re.finditer(r"(?<![\d.])" + re.escape(text) + r"(?![\d])", note):
        hit = read_value_at(q, note, m.start())
        if hit is not None:
            return hit
    return None


def extract_entity(key: str, note: str, question: str = "") -> Found | None:
    """One entity's rule-based value (convenience wrapper around `NoteExtractor`).

    >>> extract_entity("Heart Rate or Pulse", "Pulse 88 bpm.").entity()
    [88, 'beats per minute']
    """
    return NoteExtractor(note, question).get(key)

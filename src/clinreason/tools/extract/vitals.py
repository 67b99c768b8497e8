"""Vital signs and body measurements: heart rate, blood pressure, respiratory rate,
temperature, SpO2, weight, height, BMI, QT interval, vasopressor doses.

Selection rule as for labs: the first plausible value in the note (the presentation value).
Blood pressure "120/80 mmHg" gives systolic and diastolic from the same evidence span.
"""

from __future__ import annotations

import re

from clinreason.tools.extract._core import NUMBER, Found, span, tidy, to_number, words_pattern
from clinreason.tools.extract.labs import LABS, MM_HG, PERCENT
from clinreason.tools.extract.measure import Pick, Quantity, Unit, extract, find_all, select
from clinreason.tools.unit_spellings import MARKED_TEMPERATURE, SPELLINGS

_PER_MIN = SPELLINGS["/min"]
HEART_RATE = Quantity(
    "heart_rate",
    (
        "heart rate",
        "pulse",
        "pulse rate",
        "HR",
        "P",
        "heart rate of",
        "PR",
        "ventricular rate",
        "tachycardic",
        "tachycardia",
        "bradycardic",
        "bradycardia",
        "tachycardic to",
        "tachycardic at",
        "heart beat",
        "heartbeat",
    ),
    (
        # 'b/min' and '/m' are the extractor's own (per minute only after a rate)
        Unit(
            SPELLINGS["beats/min"] + r"|b\s*/\s*min|" + _PER_MIN + r"|/\s*m(?![a-z])",
            "beats per minute",
            15,
            300,
        ),
    ),
    exclude_before=r"fetal|maternal\s+and\s+fetal|baseline\s+fetal",
    exclude_after=r"\s*interval|\s*variability|\s*segment",
    case_sensitive=("HR", "P", "PR"),
    suffix_units=(Unit(SPELLINGS["beats/min"], "beats per minute", 15, 300),),
)
RESPIRATORY_RATE = Quantity(
    "respiratory_rate",
    (
        "respiratory rate",
        "respiration rate",
        "respirations",
        "respiration",
        "RR",
        "breathing rate",
        "tachypneic",
        "tachypnea",
        "tachypnoea",
        "tachypnoeic",
        "breathing at",
        "RR of",
        "R",
        "resp rate",
        "respiratory frequency",
    ),
    (
        Unit(
            SPELLINGS["breaths/min"] + r"|b\.?p\.?m\.?|" + _PER_MIN + r"|/\s*m(?![a-z])",
            "breaths per minute",
            3,
            90,
        ),
    ),
    exclude_after=r"\s*interval|\s*of\s+\d+(?:\.\d+)?\s*(?:\(|;|,)?\s*(?:95|CI)",
    case_sensitive=("RR", "R", "RR of"),
    suffix_units=(Unit(SPELLINGS["breaths/min"], "breaths per minute", 3, 90),),
)
_CELSIUS = SPELLINGS["degC"]
_FAHRENHEIT = SPELLINGS["degF"]
TEMPERATURE = Quantity(
    "temperature",
    (
        "temperature",
        "temp",
        "body temperature",
        "T",
        "Tmax",
        "febrile to",
        "fever of",
        "fever to",
        "fever up to",
        "febrile at",
        "fever",
        "febrile",
        "afebrile",
        "pyrexia",
        "axillary temperature",
        "core temperature",
        "rectal temperature",
        "oral temperature",
        "tympanic temperature",
    ),
    (
        Unit(_CELSIUS, "degrees celsius", 25, 45, guess=(25, 45)),
        Unit(_FAHRENHEIT, "degrees fahrenheit", 77, 113, guess=(77, 113)),
    ),
    case_sensitive=("T", "Tmax"),
    suffix_units=(
        Unit(MARKED_TEMPERATURE["degC"], "degrees celsius", 25, 45),
        Unit(MARKED_TEMPERATURE["degF"], "degrees fahrenheit", 77, 113),
    ),
)
SPO2 = Quantity(
    "spo2",
    (
        "oxygen saturation",
        "O2 saturation",
        "O2 sat",
        "O2 sats",
        "SpO2",
        "SpO₂",
        "SaO2",
        "SaO₂",
        "saturation",
        "saturations",
        "pulse oximetry",
        "sats",
        "saturating",
        "sat",
        "oxygen sat",
        "peripheral oxygen saturation",
        "arterial oxygen saturation",
        "oximetry",
        "desaturation to",
        "desaturated to",
        "O2 sat of",
        "Sp02",
        "SPO2",
        "SO2",
        "saturation of",
    ),
    (Unit(PERCENT, "%", 40, 100, guess=(50, 100)),),
    exclude_before=r"venous|central\s+venous|mixed\s+venous|transferrin|fetal|cerebral|scvo2",
    exclude_after=r"\s*gap",
    case_sensitive=("SpO2", "SpO₂", "SaO2", "SaO₂", "Sp02", "SPO2", "SO2"),
    suffix_units=(
        Unit(
            r"%\s*(?:on|in|at|while\s+breathing)\s+(?:room\s+air|ra\b|ambient\s+air)", "%", 40, 100
        ),
    ),
)
_KG = r"(?!kg\s*/)" + SPELLINGS["kg"]
_LB = SPELLINGS["lb"] + r"|lb\."
WEIGHT = Quantity(
    "weight",
    (
        "weight",
        "weighed",
        "weighing",
        "weighs",
        "body weight",
        "wt",
        "Wt",
        "weight of",
        "birth weight",
        "admission weight",
        "weight was",
        "BW",
        "current weight",
    ),
    (
        Unit(_KG, "kg", 0.3, 400, guess=(0, 0)),
        Unit(_LB, "lbs", 1, 900, guess=(0, 0)),
        Unit(r"(?!g/)(?:" + SPELLINGS["g"] + ")", "g", 300, 9000, guess=(0, 0)),
    ),
    exclude_before=r"lost|losing|loss\s+of|gained|gain\s+of|gaining|ideal|lean|dry|target|"
    r"predicted|adjusted|molecular|estimated\s+fetal|fetal",
    exclude_after=r"\s*(?:loss|gain|bearing|reduction|-bearing)",
    unitless=False,
    case_sensitive=("wt", "Wt", "BW"),
    suffix_units=(
        Unit(_KG + r"(?!\s*/)(?!\s*(?:weight\s+)?(?:loss|gain))", "kg", 0.5, 400),
        Unit(SPELLINGS["lb"] + r"(?!\s*/)(?!\s*(?:weight\s+)?(?:loss|gain))", "lbs", 4, 900),
    ),
)
BMI = Quantity(
    "bmi",
    ("BMI", "body mass index", "body-mass index", "BMI of"),
    (Unit(SPELLINGS["bmi"], "kg/m^2", 8, 120),),
    exclude_before=r"target|goal|ideal|desired",
    case_sensitive=("BMI",),
)
TARGET_BMI = Quantity(
    "target_bmi",
    ("target BMI", "target body mass index", "goal BMI", "desired BMI", "ideal BMI"),
    BMI.units,
)
QT = Quantity(
    "qt",
    ("QT interval", "QT", "QT-interval", "uncorrected QT", "QT duration"),
    (
        Unit(r"m?secs?|ms|milliseconds?", "msec", 150, 900, guess=(150, 900)),
        Unit(
            r"s(?:ec(?:onds?)?)?(?![a-z])", "msec", 150, 900, factor=1000, guess=(0, 0), written="s"
        ),
    ),
    exclude_after=r"\s*c|\s*corrected|\s*dispersion|\s*prolongation\s+(?:of|to)\s+\d",
    case_sensitive=("QT",),
)


def extract_heart_rate(note: str, pick: Pick = "first") -> Found | None:
    """Heart rate in beats per minute.

    >>> extract_heart_rate("BP 120/80 mmHg, HR 104 bpm, RR 18.").entity()
    [104, 'beats per minute']
    >>> extract_heart_rate("He was tachycardic to 130 beats/min.").value
    130
    """
    return extract(HEART_RATE, note, pick, QUANTITIES)


def extract_respiratory_rate(note: str, pick: Pick = "first") -> Found | None:
    """Respiratory rate in breaths per minute.

    >>> extract_respiratory_rate("respiratory rate of 22 breaths/min").entity()
    [22, 'breaths per minute']
    """
    return extract(RESPIRATORY_RATE, note, pick, QUANTITIES)


def extract_temperature(note: str, pick: Pick = "first") -> Found | None:
    """Body temperature in degrees Celsius or Fahrenheit (as written).

    >>> extract_temperature("Temperature 38.5 °C, pulse 100").entity()
    [38.5, 'degrees celsius']
    >>> extract_temperature("febrile to 101.3 F").entity()
    [101.3, 'degrees fahrenheit']
    """
    return extract(TEMPERATURE, note, pick, QUANTITIES)


def extract_spo2(note: str, pick: Pick = "first") -> Found | None:
    """Oxygen saturation in %.

    >>> extract_spo2("SpO2 of 91% on room air").entity()
    [91, '%']
    """
    return extract(SPO2, note, pick, QUANTITIES)


def extract_bmi(note: str, pick: Pick = "first") -> Found | None:
    """Body mass index in kg/m^2.

    >>> extract_bmi("BMI 31.2 kg/m2").entity()
    [31.2, 'kg/m^2']
    """
    return extract(BMI, note, pick, QUANTITIES)


def extract_target_bmi(note: str, pick: Pick = "first") -> Found | None:
    """A target/goal BMI in kg/m^2.

    >>> extract_target_bmi("their target BMI is 20.7 kg/m^2").entity()
    [20.7, 'kg/m^2']
    """
    return extract(TARGET_BMI, note, pick, QUANTITIES)


def extract_qt(note: str, pick: Pick = "first") -> Found | None:
    """Uncorrected QT interval in msec (QTc is not accepted).

    >>> extract_qt("QTc 480 ms, QT interval of 330 msec").entity()
    [330, 'msec']
    """
    return extract(QT, note, pick, QUANTITIES)


def extract_weight(note: str, pick: Pick = "first") -> Found | None:
    """Body weight in kg, lbs or g (as written).

    >>> extract_weight("He weighed 70 kg and is 175 cm tall.").entity()
    [70, 'kg']
    >>> extract_weight("She has lost 10 kg; her weight is 154 lbs.").entity()
    [154, 'lbs']
    """
    return extract(WEIGHT, note, pick, QUANTITIES)


_BP = re.compile(
    r"(?P<num>(?<![\d./])(\d{2,3})\s*/\s*(\d{2,3})(?![\d/]))(?P<unit>\s*(?:" + MM_HG + r"))?",
    re.I,
)
_BP_CUE = re.compile(
    r"(?i:blood\s+pressure|bp|b\.p\.|arterial\s+pressure|hypotensive|hypertensive|pressure|"
    r"hypotension|hypertension|nibp|abp)[^.;\d]{0,30}$"
)


def _bp_pairs(note: str) -> list[tuple[int, int, int, int]]:
    pairs = []
    for m in _BP.finditer(note):
        sbp, dbp = int(m.group(2)), int(m.group(3))
        if not (40 <= sbp <= 300 and 15 <= dbp <= 200 and sbp > dbp):
            continue
        cue = _BP_CUE.search(note[max(0, m.start() - 40) : m.start()])
        if not (m.group("unit") or cue):
            continue
        start = m.start() - (len(cue.group(0)) if cue else 0)
        pairs.append((sbp, dbp, start, m.end()))
    return pairs


SBP = Quantity(
    "systolic_bp",
    (
        "systolic blood pressure",
        "systolic pressure",
        "SBP",
        "systolic BP",
        "systolic",
        "systolic reading",
        "systolic measurement",
    ),
    (Unit(MM_HG, "mm Hg", 30, 300),),
    case_sensitive=("SBP",),
)
DBP = Quantity(
    "diastolic_bp",
    (
        "diastolic blood pressure",
        "diastolic pressure",
        "DBP",
        "diastolic BP",
        "diastolic",
        "diastolic reading",
        "diastolic measurement",
    ),
    (Unit(MM_HG, "mm Hg", 10, 200),),
    case_sensitive=("DBP",),
)


_BP_TRAILING = re.compile(
    r"(?<![\d./])(\d{2,3})\s*(?:" + MM_HG + r")\s+(systolic|diastolic)\b", re.I
)


def _blood_pressure(note: str, which: int, pick: Pick) -> Found | None:
    found = [Found(pair[which], "mm Hg", span(note, pair[2], pair[3])) for pair in _bp_pairs(note)]
    found += find_all(SBP if which == 0 else DBP, note, QUANTITIES)
    for m in _BP_TRAILING.finditer(note):
        if (m.group(2).lower() == "systolic") == (which == 0):
            found.append(Found(int(m.group(1)), "mm Hg", span(note, m.start(), m.end())))
    found.sort(key=lambda f: f.span.start)
    return select(found, pick)


def extract_systolic_bp(note: str, pick: Pick = "first") -> Found | None:
    """Systolic blood pressure in mm Hg.

    >>> f = extract_systolic_bp("Blood pressure was 145/92 mmHg.")
    >>> f.entity(), f.span.text
    ([145, 'mm Hg'], 'Blood pressure was 145/92 mmHg')
    """
    return _blood_pressure(note, 0, pick)


def extract_diastolic_bp(note: str, pick: Pick = "first") -> Found | None:
    """Diastolic blood pressure in mm Hg.

    >>> extract_diastolic_bp("BP 100/60").entity()
    [60, 'mm Hg']
    """
    return _blood_pressure(note, 1, pick)


_HEIGHT_CUE = words_pattern(
    [
        "height",
        "tall",
        "stature",
        "measured",
        "measuring",
        "length",
        "Ht",
        "height of",
        "body height",
    ]
)
_FT_IN = re.compile(
    r"(?<![\d.])([3-7])\s*(?:'|’|′|ft|feet|foot)\s*,?\s*(?:and\s+)?(\d{1,2}(?:\.\d+)?)?\s*"
    r"(?:\"|”|″|''|’’|in(?:ch(?:es)?)?(?![a-z]))?",
    re.I,
)
_HEIGHT_UNITS = (
    Unit(SPELLINGS["cm"], "cm", 30, 250, guess=(100, 230)),
    Unit(SPELLINGS["m"], "m", 0.3, 2.5, guess=(1.2, 2.3)),
    Unit(r"in(?![a-z])|" + SPELLINGS["in"], "in", 12, 100, guess=(0, 0)),  # a bare 'in': ours
)
HEIGHT = Quantity(
    "height",
    (
        "height",
        "body height",
        "stature",
        "Ht",
        "length",
        "measured",
        "measuring",
        "height of",
        "height was",
        "standing height",
    ),
    _HEIGHT_UNITS,
    exclude_before=r"fundal|lesion|tumou?r|mass|wound|cyst|crown[\s-]*rump",
    case_sensitive=("Ht",),
)
_TALL = re.compile(
    NUMBER + r"\s*(cm|centimet(?:er|re)s?|m(?![a-z])|met(?:er|re)s?|in(?:ch(?:es)?)?)"
    r"(?:\s+(?:in\s+height|of\s+(?:body\s+)?height|tall|high(?!\s*[-]))|\s*tall)",
    re.I,
)
# "58 kg, 156 cm" / "(180 cm, 127.9 lb)": a body length next to a body weight is the height,
# whatever the weight's unit and whether either number has a decimal point or comma
_BODY_CM = r"(1\d{2}(?:[.,]\d{1,2})?|2[0-2]\d(?:[.,]\d{1,2})?)"
_BODY_WEIGHT = r"\d{1,3}(?:[.,]\d{1,2})?\s*(?:kg|lbs?|pounds?)(?![a-z])"
_TO_CM = re.compile(r"\s*cm", re.I)
_CM_NEXT_TO_WEIGHT = re.compile(
    rf"(?<![\d.,]){_BODY_CM}\s*cm\s*(?:,|and|/|;)?\s*{_BODY_WEIGHT}"
    rf"|(?<![\d.,]){_BODY_WEIGHT}\s*(?:,|and|/|;)?\s*{_BODY_CM}\s*cm(?![a-z])",
    re.I,
)


def extract_height(note: str, pick: Pick = "first") -> Found | None:
    """Body height in cm, m, or inches (feet + inches are converted to inches).

    >>> extract_height("height 170 cm, weight 70 kg").entity()
    [170, 'cm']
    >>> extract_height("He is 5 feet 9 inches tall.").entity()
    [69, 'in']
    >>> extract_height("She is 1.62 m tall.").entity()
    [1.62, 'm']
    >>> extract_height("Birth length 55 cm. At 15 years, height 157.5 cm.").entity()
    [157.5, 'cm']
    """
    found = find_all(HEIGHT, note, QUANTITIES)
    for m in _TALL.finditer(note):
        unit_text = m.group(2).lower()
        label = "cm" if unit_text.startswith("c") else "in" if unit_text.startswith("i") else "m"
        value = to_number(m.group(1))
        unit = next(u for u in _HEIGHT_UNITS if u.label == label)
        if unit.low <= value <= unit.high:
            found.append(Found(tidy(value), label, span(note, m.start(), m.end())))
    for m in _CM_NEXT_TO_WEIGHT.finditer(note):
        group = 1 if m.group(1) else 2
        found.append(
            Found(
                tidy(float(m.group(group).replace(",", "."))),
                "cm",
                span(note, m.start(group), m.end(group) + len(_TO_CM.match(note, m.end(group))[0])),
                note="a length in cm next to the body weight",
            )
        )
    for m in _FT_IN.finditer(note):
        cue_before = re.search(
            _HEIGHT_CUE + r"[^.;]{0,25}$", note[max(0, m.start() - 40) : m.start()], re.I
        )
        cue_after = re.match(r"\s*(?:tall|in\s+height)", note[m.end() : m.end() + 15], re.I)
        if not (cue_before or cue_after) or not (m.group(2) or "f" in m.group(0).lower()):
            continue
        inches = int(m.group(1)) * 12 + (to_number(m.group(2)) if m.group(2) else 0)
        found.append(
            Found(tidy(inches), "in", span(note, m.start(), m.end()), note="feet and inches -> in")
        )
    unique: dict[int, Found] = {}
    for f in sorted(found, key=lambda f: f.span.start):
        if not any(abs(f.span.start - s) < 12 for s in unique):
            unique[f.span.start] = f
    strong = [f for f in unique.values() if not _WEAK_HEIGHT.match(f.span.text)]
    return select(strong or list(unique.values()), pick)


_WEAK_HEIGHT = re.compile(r"(?:length|measur)", re.I)
"""Words that may name a body height but often name another length (a birth length, a lesion):
used only when the note gives no height by a stronger word."""


_DOSE_UNIT = (
    r"(?:mcg|µg|μg|ug|micrograms?)\s*(?:/|per)\s*kg\s*(?:/|per)\s*min(?:ute)?|"
    r"(?:mcg|µg|μg|ug)\s*/\s*kg\s*/\s*min|γ"
)


def vasopressor(name: str, synonyms: tuple[str, ...]) -> Quantity:
    """A vasopressor/inotrope infusion rate in mcg/kg/min."""
    return Quantity(
        name,
        synonyms,
        (
            Unit(_DOSE_UNIT, "mcg/kg/min", 0.001, 100),
            Unit(
                r"mg\s*/\s*kg\s*/\s*min", "mcg/kg/min", 0.001, 100, factor=1000, written="mg/kg/min"
            ),
        ),
        unitless=False,
    )


DOPAMINE = vasopressor("dopamine", ("dopamine", "DOPamine", "Dopamine"))
DOBUTAMINE = vasopressor("dobutamine", ("dobutamine", "DOBUTamine"))
EPINEPHRINE = vasopressor("epinephrine", ("epinephrine", "adrenaline", "EPINEPHrine"))
NOREPINEPHRINE = vasopressor(
    "norepinephrine", ("norepinephrine", "noradrenaline", "norEPINEPHrine", "levophed")
)

QUANTITIES: tuple[Quantity, ...] = (
    *LABS,
    HEART_RATE,
    RESPIRATORY_RATE,
    TEMPERATURE,
    SPO2,
    WEIGHT,
    HEIGHT,
    BMI,
    QT,
    SBP,
    DBP,
    DOPAMINE,
    DOBUTAMINE,
    EPINEPHRINE,
    NOREPINEPHRINE,
)
"""Every measured quantity: names that end a long name-to-number gap, and 'respectively' slots."""


def blood_pressures(note: str) -> list[tuple[int, int, int, int]]:
    """Every "BP 120/80" reading as (systolic, diastolic, start, end), in note order.

    >>> blood_pressures("BP 120/80 mmHg, later 100/60 mm Hg")
    [(120, 80, 0, 14), (100, 60, 22, 34)]
    """
    return _bp_pairs(note)

"""Categorical items decided by explicit words in the note (severity grades, ECG, troponin,...).

Each rule returns one of the item's MedCalc-Bench option labels with the words that justify it,
or None when the note says nothing decisive (the caller then asks the model or records the
calculator's default as an assumption). Only explicit statements are used: these rules never
guess a grade from indirect evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from clinreason.tools.extract._core import Found, span
from clinreason.tools.extract.findings import mentions
from clinreason.tools.extract.negation import is_negated


def _first(note: str, rules: list[tuple[str, str]], negatable: bool = True) -> Found | None:
    """The label of the earliest matching pattern (skipping negated mentions)."""
    best: tuple[int, Found] | None = None
    for label, pattern in rules:
        for m in re.finditer(pattern, note, re.I):
            if negatable and is_negated(note, m.start(), m.end()):
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), Found(label, None, span(note, m.start(), m.end())))
            break
    return best[1] if best else None


def ascites(note: str) -> Found | None:
    """'Absent' / 'Slight' / 'Moderate' (Child-Pugh).

    >>> ascites("There was no ascites.").value
    'Absent'
    >>> ascites("CT showed moderate ascites.").value
    'Moderate'
    """
    graded = _first(
        note,
        [
            (
                "Moderate",
                r"(?:moderate|massive|large(?:[\s-]volume)?|tense|severe|gross|significant)\s+"
                r"(?:amount\s+of\s+)?ascites",
            ),
            ("Slight", r"(?:mild|slight|small|minimal|trace|minor)\s+(?:amount\s+of\s+)?ascites"),
        ],
    )
    if graded:
        return graded
    m2 = re.search(r"\bascites\b", note, re.I)
    if m2 and is_negated(note, m2.start(), m2.end()):
        return Found("Absent", None, span(note, m2.start(), m2.end()), note="stated as absent")
    return None


def encephalopathy(note: str) -> Found | None:
    """'No Encephalopathy' / 'Grade 1-2' / 'Grade 3-4' (Child-Pugh).

    >>> encephalopathy("grade 3 hepatic encephalopathy").value
    'Grade 3-4'
    """
    grade = _first(
        note,
        [
            (
                "Grade 3-4",
                r"grade\s*(?:3|4|III|IV)\b[^.]{0,30}encephalopathy|encephalopathy[^.]{0,20}"
                r"grade\s*(?:3|4|III|IV)\b|(?:hepatic|portosystemic)\s+coma",
            ),
            (
                "Grade 1-2",
                r"grade\s*(?:1|2|I|II)\b[^.]{0,30}encephalopathy|encephalopathy[^.]{0,20}"
                r"grade\s*(?:1|2|I|II)\b|(?:mild|minimal|covert)\s+(?:hepatic\s+)?encephalopathy",
            ),
        ],
    )
    if grade:
        return grade
    m = re.search(r"\bencephalopath(?:y|ic)\b", note, re.I)
    if m and is_negated(note, m.start(), m.end()):
        return Found(
            "No Encephalopathy", None, span(note, m.start(), m.end()), note="stated absent"
        )
    return None


def ecg(note: str) -> Found | None:
    """'Normal' / 'Non-specific repolarization disturbance' / 'Significant ST deviation' (HEART).

    >>> ecg("ECG showed 2 mm ST-segment depression in V4-V6.").value
    'Significant ST deviation'
    """
    return _first(
        note,
        [
            (
                "Significant ST deviation",
                r"ST[\s-]*(?:segment\s+)?(?:elevation|depression|deviation)s?"
                r"|(?:STEMI)\b",
            ),
            (
                "Non-specific repolarization disturbance",
                r"(?:non[\s-]?specific|nonspecific)\s+(?:ST|T[\s-]"
                r"wave|repolari[sz]ation)|T[\s-]wave\s+inversions?|left\s+bundle\s+branch\s+block|\bLBBB\b|"
                r"left\s+ventricular\s+hypertrophy|\bLVH\b|repolari[sz]ation\s+(?:abnormalit|disturbanc|change)",
            ),
            (
                "Normal",
                r"(?:normal|unremarkable)\s+(?:ECG|EKG|electrocardiogram)|(?:ECG|EKG|electrocardiogram)"
                r"\s+(?:was|were|is|showed)\s+(?:normal|unremarkable)|normal\s+sinus\s+rhythm\s+without",
            ),
        ],
    )


def troponin(note: str) -> Found | None:
    """HEART 'Initial troponin' from explicit words (normal / elevated, times the limit).

    >>> troponin("Initial troponin was negative.").value
    'less than or equal to normal limit'
    """
    labels = (
        "less than or equal to normal limit",
        "between the normal limit or up to three times the normal limit",
        "more than three times normal limit",
    )
    return _first(
        note,
        [
            (
                labels[2],
                r"troponin[^.;]{0,40}(?:more\s+than|>|over)\s*(?:three|3)\s*(?:times|x|×)|"
                r"markedly\s+(?:elevated|raised)\s+troponin|troponin[^.;]{0,30}markedly\s+(?:elevated|raised)",
            ),
            (
                labels[1],
                r"(?:mildly|slightly)\s+(?:elevated|raised)\s+troponin|troponin[^.;]{0,30}"
                r"(?:mildly|slightly)\s+(?:elevated|raised|positive)",
            ),
            (
                labels[0],
                r"troponins?[^.;]{0,40}(?:negative|normal|within\s+normal|undetectable|unremarkable)|"
                r"(?:negative|normal)\s+(?:serial\s+)?troponins?",
            ),
        ],
        negatable=False,
    )


def mobility(note: str) -> Found | None:
    """Caprini 'Mobility': 'Normal' / 'On bed rest' / 'Confined to bed >72 hours'.

    >>> mobility("He has been bedridden for a week.").value
    'Confined to bed >72 hours'
    """
    return _first(
        note,
        [
            (
                "Confined to bed >72 hours",
                r"bed[\s-]?(?:ridden|bound)|confined\s+to\s+(?:the\s+)?bed",
            ),
            ("On bed rest", r"bed\s*rest"),
            (
                "Normal",
                r"ambulat(?:ory|ing)\s+(?:normally|independently|without)|fully\s+mobile|"
                r"walks?\s+(?:normally|independently)",
            ),
        ],
    )


_COMPLICATED_BY = re.compile(
    r"[^.;]{0,30}?\b(?:complicated\s+by|with)\s+(?:diabetic\s+)?(?:nephropathy|retinopathy|neuropathy)",
    re.I,
)
"""Right after a diabetes mention: "... complicated by nephropathy", "... with retinopathy"."""


def diabetes_cci(note: str) -> Found | None:
    """Charlson diabetes: 'None or diet-controlled' / 'Uncomplicated' / 'End-organ damage'.

    >>> diabetes_cci("type 2 diabetes with diabetic retinopathy").value
    'End-organ damage'
    """
    dm = [m for m in mentions(note, "Diabetes history") if m.affirmed]
    if not dm:
        negated = [m for m in mentions(note, "Diabetes history") if m.negated]
        if negated:
            return Found("None or diet-controlled", None, negated[0].span, note="stated absent")
        return None
    organ = re.search(
        r"diabetic\s+(?:nephropathy|retinopathy|neuropathy|foot|kidney\s+disease|ulcer)|"
        r"(?:nephropathy|retinopathy|neuropathy)\s+(?:due\s+to|from|secondary\s+to)\s+diabet",
        note,
        re.I,
    ) or next(filter(None, (_COMPLICATED_BY.match(note, m.span.end) for m in dm)), None)
    if organ and not is_negated(note, organ.start(), organ.end()):
        return Found("End-organ damage", None, span(note, organ.start(), organ.end()))
    diet = re.search(r"diet[\s-]controlled", note, re.I)
    if diet:
        return Found("None or diet-controlled", None, span(note, diet.start(), diet.end()))
    return Found("Uncomplicated", None, dm[0].span, note="diabetes without stated end-organ damage")


def solid_tumor(note: str) -> Found | None:
    """Charlson solid tumour: 'none' / 'Localized' / 'Metastatic' (lymphoma/leukaemia excluded).

    >>> solid_tumor("metastatic colon cancer").value
    'Metastatic'
    """
    pattern = re.compile(
        r"cancer|carcinoma|adenocarcinoma|sarcoma|melanoma|(?<!lymph)(?<!my)(?<!neuro)oma\b|"
        r"malignan(?:cy|t)\s+(?:tumou?r|neoplasm)|solid\s+tumou?r",
        re.I,
    )
    for m in pattern.finditer(note):
        if is_negated(note, m.start(), m.end()):
            continue
        s = span(note, m.start(), m.end())
        lo = max(0, m.start() - 60)
        spread = (
            x
            for x in re.finditer(r"metasta\w*", note[lo : m.end() + 60], re.I)
            if not is_negated(note, lo + x.start(), lo + x.end())
        )
        if next(spread, None):
            return Found("Metastatic", None, s)
        return Found("Localized", None, s, note="no metastasis stated")
    return None


def liver_cci(note: str) -> Found | None:
    """Charlson liver disease: 'none' / 'Mild' / 'Moderate to Severe'.

    >>> liver_cci("cirrhosis with esophageal varices").value
    'Moderate to Severe'
    """
    severe = re.search(
        r"portal\s+hypertension|(?:esophageal|oesophageal|gastric)\s+varices|variceal|"
        r"decompensated\s+cirrhosis|hepatic\s+encephalopathy",
        note,
        re.I,
    )
    if severe and not is_negated(note, severe.start(), severe.end()):
        return Found("Moderate to Severe", None, span(note, severe.start(), severe.end()))
    mild = [m for m in mentions(note, "Hepatic disease history") if m.affirmed]
    if mild:
        return Found("Mild", None, mild[0].span, note="liver disease without portal hypertension")
    return None


def ckd_cci(note: str) -> Found | None:
    """Charlson kidney disease: 'none' / 'Moderate' / 'Severe' (dialysis, transplant, ESRD).

    >>> ckd_cci("end-stage renal disease on hemodialysis").value
    'Severe'
    """
    severe = re.search(
        r"end[\s-]stage\s+(?:renal|kidney)|\bESRD\b|\bESKD\b|(?:hemo|haemo|peritoneal\s+)dialysis|"
        r"renal\s+transplant|kidney\s+transplant|CKD\s*(?:stage\s*)?(?:5|V)\b",
        note,
        re.I,
    )
    if severe and not is_negated(note, severe.start(), severe.end()):
        return Found("Severe", None, span(note, severe.start(), severe.end()))
    moderate = re.search(
        r"chronic\s+kidney\s+disease|\bCKD\b|chronic\s+renal\s+(?:failure|insufficiency)",
        note,
        re.I,
    )
    if moderate and not is_negated(note, moderate.start(), moderate.end()):
        return Found("Moderate", None, span(note, moderate.start(), moderate.end()))
    return None


CHOICE_RULES: dict[str, Callable[[str], Found | None]] = {
    "Ascites": ascites,
    "Encephalopathy": encephalopathy,
    "Electrocardiogram Test": ecg,
    "Initial troponin": troponin,
    "Mobility": mobility,
    "Diabetes mellitus criteria for CCI rule": diabetes_cci,
    "Solid tumor": solid_tumor,
    "Liver disease severity": liver_cci,
    "Moderate to severe Chronic Kidney Disease": ckd_cci,
}
"""Categorical entity name -> rule."""

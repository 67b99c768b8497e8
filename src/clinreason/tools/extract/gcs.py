"""Glasgow Coma Scale: the total ("GCS 10", "GCS of 3/15") and its three components.

Components are read from a coded form ("E3V2M5", "E3 V4 M6") or from descriptions ("opened
eyes to pain", "localized pain", "incomprehensible sounds"). They are returned with
MedCalc-Bench's labels (e.g. 'eye opening to pain'); `GCS_POINTS` gives each label's points.
The first description in the note wins (the examination at presentation).
"""

from __future__ import annotations

import re

from clinreason.tools.extract._core import Found, sentence_at, span
from clinreason.tools.extract.negation import is_negated

EYE = {
    4: "eyes open spontaneously",
    3: "eye opening to verbal command",
    2: "eye opening to pain",
    1: "no eye opening",
}
VERBAL = {
    5: "oriented",
    4: "confused",
    3: "inappropriate words",
    2: "incomprehensible sounds",
    1: "no verbal response",
}
MOTOR = {
    6: "obeys commands",
    5: "localizes pain",
    4: "withdrawal from pain",
    3: "flexion to pain",
    2: "extension to pain",
    1: "no motor response",
}
GCS_POINTS = {label: pts for table in (EYE, VERBAL, MOTOR) for pts, label in table.items()}
"""Points of each component label."""

_TOTAL = re.compile(
    r"(?:glasgow\s+coma\s+(?:scale|score)|\bGCS\b)(?:\s*\(GCS\))?(?:\s+score)?[^0-9.;]{0,25}?"
    r"(?<![A-Za-z\d.])([3-9]|1[0-5])(?:\s*/\s*15|\s+out\s+of\s+15)?(?!\d|\.\d)",
    re.I,
)
_CODED = re.compile(
    r"\bE\s*([1-4])\s*,?\s*V\s*([1-5]|T)\s*,?\s*M\s*([1-6])\b|"
    r"eyes?\s*(?:opening)?\s*[:=]?\s*([1-4])\s*,?\s*(?:and\s+)?verbal\s*(?:response)?\s*[:=]?\s*([1-5])"
    r"\s*,?\s*(?:and\s+)?motor\s*(?:response)?\s*[:=]?\s*([1-6])",
    re.I,
)

_EYE_TERMS = [
    (
        4,
        r"eyes?\s+(?:were\s+|was\s+)?open(?:ed)?\s+spontaneously|spontaneous(?:ly)?\s+(?:eye\s+)?open"
        r"(?:ing|ed)?(?:\s+(?:his|her|the)\s+eyes)?|opens?\s+(?:his\s+|her\s+)?eyes\s+spontaneously",
    ),
    (
        3,
        r"(?:eyes?\s+)?open(?:ed|s|ing)?\s+(?:(?:his|her|the)\s+)?(?:eyes?\s+)?(?:only\s+)?"
        r"(?:to|in\s+response\s+to|on|upon)\s+(?:verbal|voice|speech|sound|command|being\s+called|"
        r"calling|loud)|eye\s+opening\s+to\s+(?:verbal|voice|speech|sound|command)",
    ),
    (
        2,
        r"(?:eyes?\s+)?open(?:ed|s|ing)?\s+(?:(?:his|her|the)\s+)?(?:eyes?\s+)?(?:only\s+)?"
        r"(?:to|in\s+response\s+to|on|upon|with)\s+(?:painful|pain|pressure|noxious|sternal|trapezius)|"
        r"eye\s+opening\s+to\s+(?:pain|pressure)",
    ),
    (
        1,
        r"no\s+eye\s+opening|(?:did\s+not|does\s+not|didn't|unable\s+to)\s+open\s+(?:his\s+|her\s+)?"
        r"eyes|eyes?\s+(?:remained\s+)?closed\s+(?:to|despite)|without\s+eye\s+opening",
    ),
]
_VERBAL_TERMS = [
    (5, r"\boriented\b(?:\s+(?:to|x|×)\s*(?:time|place|person|3|three))?|conversing\s+normally"),
    (4, r"\bconfused\b|disoriented|confused\s+conversation"),
    (3, r"inappropriate\s+words|inappropriate\s+(?:speech|responses?)|random\s+words"),
    (
        2,
        r"incomprehensible\s+(?:sounds|speech|words)|moan(?:ing|ed|s)|groan(?:ing|ed|s)|"
        r"unintelligible\s+(?:sounds|speech)|mumbl(?:ing|ed)",
    ),
    (
        1,
        r"no\s+verbal\s+(?:response|output)|non[\s-]?verbal|aphasic|mute\b|no\s+(?:speech|sounds)|"
        r"(?:did\s+not|does\s+not|unable\s+to)\s+(?:speak|vocali[sz]e|respond\s+verbally)",
    ),
]
_MOTOR_TERMS = [
    (
        6,
        r"obey(?:s|ed|ing)?\s+(?:simple\s+)?commands|follow(?:s|ed|ing)?\s+(?:simple\s+)?commands|"
        r"moves?\s+all\s+(?:four\s+)?(?:extremities|limbs)\s+(?:to|on)\s+command",
    ),
    (
        5,
        r"locali[sz](?:es|ed|ing|ation)\s+(?:to\s+)?(?:the\s+)?(?:pain|painful|noxious)|purposeful\s+"
        r"movements?\s+(?:to|in\s+response\s+to)\s+pain",
    ),
    (
        4,
        r"withdr(?:aws|ew|awal|awing|awn)\s+(?:\w+\s+){0,3}?(?:from|to|in\s+response\s+to)\s+"
        r"(?:the\s+)?(?:pain|painful|noxious)|withdrawal\s+(?:from|to)\s+pain|normal\s+flexion",
    ),
    (
        3,
        r"abnormal\s+flexion|decorticate|flexion\s+(?:to|in\s+response\s+to)\s+pain|"
        r"flexor\s+posturing",
    ),
    (
        2,
        r"extension\s+(?:to|in\s+response\s+to)\s+pain|decerebrate|extensor\s+posturing|"
        r"abnormal\s+extension",
    ),
    (
        1,
        r"no\s+motor\s+response|flaccid|no\s+(?:movement|response)\s+to\s+(?:pain|painful|noxious)",
    ),
]
_EYES_OPEN = re.compile(
    r"\bopen(?:s|ed|ing)?\s+(?:(?:his|her|their|the)\s+)?eyes|\beyes?\s+(?:were\s+|was\s+)?"
    r"open(?:ed|ing)?|\beye\s+opening",
    re.I,
)
_EYE_CUES = [
    (4, r"spontaneous"),
    (3, r"verbal|voice|speech|spoken|command|request|call(?:ed|ing)?|name|loud|sound|asked|talk"),
    (2, r"pain|painful|pressure|sternal|noxious|pinch|trapezius|rub"),
]
_EYE_NOT_TESTABLE = re.compile(
    r"(?:visual|eye|ocular)\s+(?:evaluation|assessment|examination|response)\s+(?:was|were|is)?\s*"
    r"(?:not\s+(?:possible|testable|assessable|evaluable)|impossible|could\s+not\s+be)|"
    r"eyes?\s+(?:were\s+|was\s+)?(?:swollen\s+shut|bandaged|patched|covered)|"
    r"(?:could|can)\s+not\s+(?:be\s+)?(?:assess|test|evaluat)\w*\s+(?:his|her|the)?\s*eye",
    re.I,
)
_MOTOR_EXTRA = [
    (
        5,
        r"locat(?:e|ed|es|ing)\s+(?:the\s+)?(?:sensation|stimul\w*|pain)|push(?:ed|es|ing)?\s+"
        r"(?:the\s+)?(?:examiner'?s?\s+)?hand\s+away|reach(?:ed|es)?\s+(?:for|toward)\s+(?:the\s+)?"
        r"(?:source|stimul)",
    ),
    (
        1,
        r"no\s+(?:purposeful\s+)?(?:motor\s+)?(?:movement|response)s?\s+(?:of\s+(?:his|her|the)\s+"
        r"(?:limbs|extremities)\s+)?(?:was|were)?\s*(?:elicited|observed|noted|seen)?\s*(?:by|to|with|"
        r"in\s+response\s+to|despite)[^.]{0,30}(?:pain|noxious|stimul)",
    ),
]


def _eye_from_sentences(note: str) -> tuple[int | str, int, int] | None:
    """Eye response from the sentence that says the eyes opened (and to what)."""
    m = _EYE_NOT_TESTABLE.search(note)
    if m:
        return "not testable", m.start(), m.end()
    for m in _EYES_OPEN.finditer(note):
        if is_negated(note, m.start(), m.end()):
            return 1, m.start(), m.end()
        s_start, s_end = sentence_at(note, m.start())
        sentence = note[s_start:s_end]
        for points, cue in _EYE_CUES:
            if re.search(cue, sentence, re.I):
                return points, s_start, s_end
    return None


_NOT_TESTABLE_VERBAL = re.compile(r"\bintubated\b|endotracheal\s+tube|\bV\s*T\b|tracheostomy", re.I)


def extract_gcs_total(note: str) -> Found | None:
    """The stated GCS total, or the sum of coded components (E3V2M5 -> 10).

    >>> extract_gcs_total("GCS of 11 on arrival.").value
    11
    >>> extract_gcs_total("Glasgow coma scale E2V3M5.").value
    10
    """
    m = _TOTAL.search(note)
    coded = _CODED.search(note)
    if m and (not coded or m.start() <= coded.start()):
        return Found(int(m.group(1)), None, span(note, m.start(), m.end()))
    if coded:
        parts = (
            [coded.group(i) for i in (1, 2, 3)]
            if coded.group(1)
            else [coded.group(i) for i in (4, 5, 6)]
        )
        if parts[1].upper() == "T":
            return None
        total = sum(int(p) for p in parts)
        return Found(total, None, span(note, coded.start(), coded.end()), note="sum of E+V+M")
    return None


def _first_term(note: str, terms: list[tuple[int, str]]) -> tuple[int, int, int] | None:
    best: tuple[int, int, int] | None = None
    for points, pattern in terms:
        for m in re.finditer(pattern, note, re.I):
            if points != 1 and is_negated(note, m.start(), m.end()):
                continue
            if best is None or m.start() < best[1]:
                best = (points, m.start(), m.end())
            break
    return best


def extract_gcs_components(note: str) -> dict[str, Found]:
    """'Best eye response', 'Best verbal response', 'Best motor response' with MedCalc labels.

    >>> out = extract_gcs_components("He opened his eyes to pain, moaned, and withdrew from pain.")
    >>> [out[k].value for k in ("Best eye response", "Best verbal response", "Best motor response")]
    ['eye opening to pain', 'incomprehensible sounds', 'withdrawal from pain']
    """
    out: dict[str, Found] = {}
    coded = _CODED.search(note)
    if coded:
        parts = (
            [coded.group(i) for i in (1, 2, 3)]
            if coded.group(1)
            else [coded.group(i) for i in (4, 5, 6)]
        )
        ev = span(note, coded.start(), coded.end())
        out["Best eye response"] = Found(EYE[int(parts[0])], None, ev, note=f"E{parts[0]}")
        if parts[1].upper() == "T":
            out["Best verbal response"] = Found("not testable", None, ev, note="VT (intubated)")
        else:
            out["Best verbal response"] = Found(
                VERBAL[int(parts[1])], None, ev, note=f"V{parts[1]}"
            )
        out["Best motor response"] = Found(MOTOR[int(parts[2])], None, ev, note=f"M{parts[2]}")
        return out
    for key, terms, table in (
        ("Best eye response", _EYE_TERMS, EYE),
        ("Best verbal response", _VERBAL_TERMS, VERBAL),
        ("Best motor response", _MOTOR_TERMS + _MOTOR_EXTRA, MOTOR),
    ):
        hit = _first_term(note, terms)
        if hit:
            points, a, b = hit
            out[key] = Found(table[points], None, span(note, a, b), note=f"{points} points")
    if "Best eye response" not in out:
        eye = _eye_from_sentences(note)
        if eye is not None:
            points, a, b = eye
            label = EYE[points] if isinstance(points, int) else points
            out["Best eye response"] = Found(label, None, span(note, a, b), note="eye-opening cue")
    if "Best verbal response" not in out:
        m = _NOT_TESTABLE_VERBAL.search(note)
        if m:
            ev = span(note, m.start(), m.end())
            out["Best verbal response"] = Found("not testable", None, ev, note="intubated")
    return out

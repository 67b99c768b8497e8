"""`demographics`: the patient's sex, or age within its band, written differently.

- **sex**: every gendered word in the story is swapped (he <-> she, his/him <-> her, man <->
  woman, Mr. <-> Ms., "45-year-old M" <-> "F", and relatives: mother <-> father, wife <->
  husband, ...), so the story stays coherent. "her" becomes "him" before punctuation or a
  preposition, else "his" (a heuristic: "gave her aspirin" becomes "gave his aspirin"). Applied
  only when the project's sex reader (`tools.extract.demographics.extract_sex`) reads the
  patient's sex before and the other sex after.
- **age**: the patient's age in years (18-89, read by `extract_age`) moved by 1-3 years
  without leaving its band (`AGE_BANDS`: edges at 30, 40, 50, 60, 65, 70, 75, 80), in every
  "N-year-old" / "N years old" / "aged N" phrase that states it.

Skipped, and listed: a story that mentions pregnancy, sex-specific organs, conditions or tests
(`SEX_SPECIFIC`) for sex; for a calculator (MedCalc-Bench's calculator label, read by the probe
at harness level, never shown to the strategy) whose inputs include the attribute (`sex`,
`age`, `Race`), that attribute, unless `relevant="include"`, which applies it and marks the
item "may change".
- **ethnicity** (opt in: `-X 'attributes=["sex","age","ethnicity"]'`): the patient's stated race
  or ethnicity (`ETHNICITIES`, read only where it describes the patient: before "man", "woman",
  "patient", ...) replaced everywhere by another, chosen with the seed, as in counterfactual
  patient-variation studies. Skipped where ancestry can matter clinically (`ANCESTRY_RELEVANT`:
  sickle cell, thalassaemia, G6PD deficiency, ...), where an option names an ethnicity, and for
  calculators whose inputs include race (race-based equations).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import ClassVar, Literal

from clinreason.bench.probes.base import (
    Edit,
    Expectation,
    Record,
    edits_record,
    text_field,
    with_edits,
)
from clinreason.errors import ConfigError
from clinreason.tools.calculators import CALCULATORS
from clinreason.tools.extract.demographics import extract_age, extract_sex
from clinreason.trace import Case

SEX_SPECIFIC = re.compile(
    r"\b(?:pregnan\w*|gravid\w*|g\d+\s*p\d+|postpartum|post-partum|gestation\w*|trimester|"
    r"obstetric\w*|placent\w*|pre-?eclampsia|eclampsia|hellp|lactation|lactating|breast-?feed\w*|"
    r"menstru\w*|menses|menarche|menopaus\w*|amenorrh\w*|dysmenorrh\w*|ovar\w*|ovulat\w*|"
    r"uter\w*|endometri\w*|cervix|cervical\s+(?:cancer|smear|dysplasia)|pap\s+smear|vagin\w*|"
    r"vulv\w*|hysterectom\w*|oophorectom\w*|salpin\w*|fallopian|breasts?|mammogra\w*|"
    r"prostat\w*|psa|testic\w*|testis|testes|scrot\w*|penis|penile|erectile|orchi\w*|"
    r"vasectom\w*|gyn(?:a)?ecolog\w*|contracepti\w*|estrogen|oestrogen|pcos|"
    r"klinefelter|turner\s+syndrome)\b",
    re.I,
)
"""Words that make the patient's sex matter (or the story incoherent when swapped)."""

_PAIRS = (
    ("man", "woman"),
    ("men", "women"),
    ("male", "female"),
    ("males", "females"),
    ("boy", "girl"),
    ("gentleman", "lady"),
    ("gentlemen", "ladies"),
    ("he", "she"),
    ("himself", "herself"),
    ("his", "hers"),
    ("father", "mother"),
    ("husband", "wife"),
    ("boyfriend", "girlfriend"),
    ("brother", "sister"),
    ("son", "daughter"),
    ("uncle", "aunt"),
    ("nephew", "niece"),
    ("grandfather", "grandmother"),
    ("Mr.", "Ms."),
    ("Mr", "Ms"),
)
_SWAP = {a: b for a, b in _PAIRS} | {b: a for a, b in _PAIRS} | {"Mrs.": "Mr.", "Mrs": "Mr"}
_SWAP["his"] = "her"  # "his book" -> "her book"; "hers" -> "his"
_WORD = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(w) for w in sorted({*_SWAP, "her"}, key=len, reverse=True))
    + r")(?![\w-])|(?<=\d-year-old )[MF]\b|(?<=\d yo )[MF]\b|(?<=\d y/o )[MF]\b",
    re.I,
)
_HER_OBJECT = re.compile(
    r"\s*(?:[.,;:!?)]|$|(?:to|with|in|on|at|for|from|and|or|a|an|the|that|this|as|up|down|out|"
    r"back|off|over|into|about|because|after|before|when|while|since|until|by|of|again|"
    r"home|some|any|no)\b)",
    re.I,
)

AGE_BANDS = (18, 30, 40, 50, 60, 65, 70, 75, 80, 90)
"""Band edges (years); an age moves only within [edge, next edge)."""

_AGE_PHRASE = r"(?<![\d.])({n})(?=[\s-]*(?:years?|yrs?)[\s-]*old\b|\s*(?:yo|y/o|y\.o\.)\b)"
_AGE_AFTER = r"(?:aged|age\s+of|age)\s+({n})(?![\d.])"

ETHNICITIES = (
    "African American",
    "Black",
    "White",
    "Caucasian",
    "Hispanic",
    "Latino",
    "Latina",
    "Asian",
    "Asian American",
    "Native American",
    "Pacific Islander",
)
"""Race and ethnicity descriptors a vignette uses for the patient (US English, as in USMLE-style
items); a swap picks among those of another group (not 'White' <-> 'Caucasian')."""
_SAME_GROUP = (
    {"White", "Caucasian"},
    {"African American", "Black"},
    {"Latino", "Latina", "Hispanic"},
    {"Asian", "Asian American"},
)
_ETHNICITY = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(e) for e in sorted(ETHNICITIES, key=len, reverse=True))
    + r")(?=\s+(?:man|woman|men|women|male|female|boy|girl|patient|person|child|infant|"
    r"gentleman|lady|adolescent|teen\w*|toddler|baby|newborn|individual)\b)"
)
ANCESTRY_RELEVANT = re.compile(
    r"\b(?:sickle|thalass\w*|g6pd|glucose-6-phosphate|tay-sachs|hemoglobin\s+[sce]\b|"
    r"hb\s?s\b|hbs\b|cystic\s+fibrosis|hla-b\*?5801|hla-b\*?1502|lactose\s+intoleran\w*|"
    r"race|racial|ethnic\w*|ancestry|descent)",
    re.I,
)
"""Words that make the patient's ancestry clinically relevant (or the topic of the item)."""

ATTRIBUTE_PARAMS = {"sex": "sex", "age": "age", "ethnicity": "Race"}
"""Calculator input names per attribute (MedCalc-Bench entity names)."""


def _case_like(word: str, new: str) -> str:
    if word.isupper() and len(word) > 1:
        return new.upper()
    return new[0].upper() + new[1:] if word[0].isupper() else new


def sex_edits(text: str, field: str) -> list[Edit]:
    """Every gendered word of `text` swapped (see the module docstring)."""
    edits = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if word in ("M", "F"):
            new = "F" if word == "M" else "M"
        elif word.lower() == "her":
            new = "him" if _HER_OBJECT.match(text, m.end()) else "his"
        else:
            key = word if word in _SWAP else word.lower()
            if key not in _SWAP:  # titles only as written ("Mr."), so not "MS" or "ms"
                continue
            new = _SWAP[key]
        edits.append(Edit(field, m.start(), m.end(), word, _case_like(word, new), "sex"))
    return edits


def age_edits(text: str, field: str, rng: random.Random) -> tuple[list[Edit], str]:
    """The patient's age moved within its band in each phrase stating it, or ([], why not)."""
    found = extract_age(text)
    if found is None or found.unit != "years":
        return [], "no age in years"
    age = found.value
    if not float(age).is_integer() or not AGE_BANDS[0] <= age < AGE_BANDS[-1]:
        return [], f"age {age} outside 18-89 or not whole"
    low = max(e for e in AGE_BANDS if e <= age)
    high = min(e for e in AGE_BANDS if e > age)
    shifts = [d for d in (-3, -2, -1, 1, 2, 3) if low <= age + d < high]
    new = int(age + rng.choice(shifts))
    n = re.escape(str(int(age)))
    edits = [
        Edit(field, m.start(1), m.end(1), m.group(1), str(new), f"age {int(age)} -> {new}")
        for pattern in (_AGE_PHRASE, _AGE_AFTER)
        for m in re.finditer(pattern.format(n=n), text, re.I)
    ]
    if not edits:
        return [], "age not written in digits"
    return sorted(edits, key=lambda e: e.start), ""


def ethnicity_edits(text: str, field: str, rng: random.Random) -> tuple[list[Edit], str]:
    """The patient's stated ethnicity replaced by another group's in every patient descriptor,
    or ([], why not)."""
    found = list(_ETHNICITY.finditer(text))
    if not found:
        return [], "ethnicity not stated"
    stated = {m.group(1) for m in found}
    group = set().union(*(g for g in _SAME_GROUP if stated & g), stated)
    new = rng.choice([e for e in ETHNICITIES if e not in group])
    edits = [
        Edit(field, m.start(1), m.end(1), m.group(1), new, f"ethnicity {m.group(1)} -> {new}")
        for m in found
    ]
    return edits, ""


@dataclass(frozen=True)
class Demographics:
    """Swap the patient's sex, move the age within its band, and/or (opt in) change the
    stated ethnicity."""

    name: ClassVar[str] = "demographics"
    expectation: ClassVar[Expectation] = "unchanged"
    attributes: tuple[str, ...] = ("sex", "age")
    relevant: Literal["skip", "include"] = "skip"
    """For a calculator that uses an attribute: skip it, or apply it and expect 'may change'."""

    def __post_init__(self) -> None:
        bad = sorted(set(self.attributes) - set(ATTRIBUTE_PARAMS))
        if bad or not self.attributes or self.relevant not in ("skip", "include"):
            raise ConfigError(
                "demographics: attributes must be among sex, age, ethnicity and relevant skip or "
                "include; "
                f"got attributes={list(self.attributes)}, relevant={self.relevant!r}"
            )

    def apply(self, case: Case, rng: random.Random) -> tuple[Case | None, Record]:
        """The case with the attributes swapped, or None with the reasons."""
        field = text_field(case)
        text = getattr(case, field)
        uses = _calculator_inputs(case)
        edits: list[Edit] = []
        swapped: list[str] = []
        skipped: dict[str, str] = {}
        may_change: list[str] = []
        for attribute in self.attributes:
            if attribute in uses and self.relevant == "skip":
                skipped[attribute] = f"the calculator uses {attribute}"
                continue
            new, why = self._edits(attribute, case, field, text, rng)
            if not new:
                skipped[attribute] = why
                continue
            edits += new
            swapped.append(attribute)
            if attribute in uses:
                may_change.append(attribute)
        extra: Record = {"attributes": swapped, "skipped_attributes": skipped}
        if not edits:
            reasons = "; ".join(f"{a}: {w}" for a, w in skipped.items()) or "no attribute"
            return None, {"reason": reasons, **extra}
        if may_change:
            extra["expectation"] = "may change"
            extra["calculator_uses"] = may_change
        return with_edits(case, edits), edits_record(edits, **extra)

    def _edits(
        self, attribute: str, case: Case, field: str, text: str, rng: random.Random
    ) -> tuple[list[Edit], str]:
        if attribute == "age":
            return age_edits(text, field, rng)
        story = " ".join([case.context, case.question, *case.options.values()])
        if attribute == "ethnicity":
            hit = ANCESTRY_RELEVANT.search(story)
            if hit:
                return [], f"ancestry may matter ({hit.group(0)!r})"
            if any(_ETHNICITY.search(f"{o} patient") for o in case.options.values()):
                return [], "an option names an ethnicity"
            return ethnicity_edits(text, field, rng)
        hit = SEX_SPECIFIC.search(story)
        if hit:
            return [], f"sex-specific wording ({hit.group(0)!r})"
        before = extract_sex(text)
        if before is None:
            return [], "sex not stated"
        edits = sex_edits(text, field)
        after = extract_sex(getattr(with_edits(case, edits), field)) if edits else None
        if after is None or after.value == before.value:
            return [], "swap not recognised by the sex reader"
        return edits, ""


def _calculator_inputs(case: Case) -> set[str]:
    """Attributes the case's calculator (MedCalc-Bench label) takes as inputs."""
    cid = case.metadata.get("calculator_id")
    calc = CALCULATORS.get(int(cid)) if isinstance(cid, (int, str)) and str(cid).isdigit() else None
    if calc is None:
        return set()
    names = {p.name for p in calc.params}
    return {a for a, param in ATTRIBUTE_PARAMS.items() if param in names}

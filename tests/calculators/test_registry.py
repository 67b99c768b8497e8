"""Registry, interface and deterministic calculator matching."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from clinreason.errors import InputError
from clinreason.tools.calculators import (
    CALCULATORS,
    Calculator,
    by_slug,
    find_calculator,
    parse_entities,
)

DEV = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "medcalc-bench" / "dev.csv"


@pytest.fixture(scope="module")
def dev_rows() -> list[dict[str, str]]:
    if not DEV.is_file():
        pytest.skip(f"MedCalc-Bench dev split not found: {DEV}")
    with DEV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_55_calculators_implement_the_protocol() -> None:
    assert len(CALCULATORS) == 55
    slugs = set()
    for cid, calc in CALCULATORS.items():
        assert isinstance(calc, Calculator)
        assert calc.id == cid
        assert calc.category in {
            "lab",
            "risk",
            "physical",
            "severity",
            "diagnosis",
            "date",
            "dosage",
        }
        assert calc.reference and calc.aliases and calc.params
        slugs.add(calc.slug)
        assert by_slug(calc.slug) is calc
    assert len(slugs) == 55
    with pytest.raises(InputError):
        by_slug("no_such_calculator")


def test_metadata_matches_the_dataset(dev_rows: list[dict[str, str]]) -> None:
    for row in dev_rows:
        calc = CALCULATORS[int(row["Calculator ID"])]
        assert calc.name == row["Calculator Name"]
        assert calc.category == row["Category"]


def test_params_cover_every_dataset_entity_key(dev_rows: list[dict[str, str]]) -> None:
    """Every `Relevant Entities` key is a parameter (or an alias), except keys the benchmark
    attaches to the wrong calculator (FeverPAIN rows carry two PECARN head-injury items)."""
    foreign = {
        "Altered mental status for PECARN head injury criteria",
        "Occipital, parietal or temporal scalp hematoma; history of level of conciousness (LOC) "
        "≥5 sec; not acting normally per parent or severe mechanism of injury?",
    }
    for row in dev_rows:
        calc = CALCULATORS[int(row["Calculator ID"])]
        names = {p.name for p in calc.params} | {a for p in calc.params for a in p.aliases}
        missing = set(parse_entities(row["Relevant Entities"])) - names - foreign
        assert not missing, (calc.name, missing)


def test_every_dev_row_computes_with_steps(dev_rows: list[dict[str, str]]) -> None:
    typos = {780, 824}  # albumin '3.2 mg/dl' copied from a typo in the note: rejected
    for row in dev_rows:
        calc = CALCULATORS[int(row["Calculator ID"])]
        entities = parse_entities(row["Relevant Entities"])
        if int(row["Row Number"]) in typos:
            with pytest.raises(InputError, match="implausible"):
                calc.compute(entities)
            continue
        comp = calc.compute(entities)
        assert comp.steps and comp.steps[-1].startswith("Result:")
        assert len(comp.steps) >= 2


def test_matching_all_dev_questions(dev_rows: list[dict[str, str]]) -> None:
    wrong = []
    for row in dev_rows:
        ranked = find_calculator(row["Question"])
        if not ranked or ranked[0][0].id != int(row["Calculator ID"]):
            wrong.append((row["Row Number"], row["Question"][:80]))
    assert not wrong


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the patient's CrCl?", 2),
        ("Estimate creatinine clearance with Cockcroft-Gault.", 2),
        ("Calculate the MELD Na score.", 23),
        ("What is the MELD-Na?", 23),
        ("Compute the HAS-BLED score", 25),
        ("What is the CHA2DS2-VASc score?", 4),
        ("What is the CHA₂DS₂-VASc score?", 4),
        ("What is the QTc using Bazett?", 11),
        ("Corrected QT interval by the Fridericia formula?", 56),
        ("QTc (Framingham formula)?", 57),
        ("QTc by Hodges?", 58),
        ("Rautaharju corrected QT interval", 59),
        ("What is the corrected QT interval?", 11),
        ("What is the Framingham Risk Score?", 46),
        ("What is the patient's LDL?", 44),
        ("What is the anion gap?", 39),
        ("What is the delta gap?", 63),
        ("What is the delta ratio?", 64),
        ("What is the albumin corrected anion gap?", 65),
        ("What is the albumin-corrected delta gap?", 66),
        ("What is the albumin corrected delta ratio?", 67),
        ("Wells' criteria for DVT?", 16),
        ("Wells criteria for pulmonary embolism", 8),
        ("What is the patient's GCS?", 21),
        ("What is the Glasgow-Blatchford score?", 27),
        ("Compute the APACHE II score", 28),
        ("What is the SOFA score?", 43),
        ("Estimated gestational age?", 69),
        ("What is the estimated due date?", 13),
        ("What is the estimated date of conception?", 68),
        ("Target weight for a BMI of 22?", 61),
        ("What is the BMI?", 6),
    ],
)
def test_matching_names_and_abbreviations(question: str, expected: int) -> None:
    ranked = find_calculator(question)
    assert ranked and ranked[0][0].id == expected, [(c.id, s) for c, s in ranked[:3]]
    assert sum(s for _, s in ranked) == pytest.approx(1.0)


def test_no_match_returns_empty() -> None:
    assert find_calculator("What is the capital of France?") == []

"""Every perturbation pinned byte for byte on hand-written notes (no dev data).

`data/probe_pins.json` holds, for each kind and seed, every perturbed case (as JSON, without its
metadata: the original's plus the record) and every record that `perturb_dataset` produced when
it was written. A change to a perturbation's output
(texts, offsets, records, skip reasons) fails here; a speed-up must leave it as it is. After an
intended change of behaviour, rewrite the file with
`PYTHONPATH=src python -m tests.bench.test_probe_pins` and review its diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clinreason.bench.base import Dataset
from clinreason.bench.probes import (
    PROBE_KEY,
    Demographics,
    Distractor,
    Negation,
    NumericFormat,
    OptionOrder,
    Perturbation,
    perturb_dataset,
)
from clinreason.trace import Case

PINS = Path(__file__).resolve().parent / "data" / "probe_pins.json"

_NOTES = (
    "A 67-year-old man weighing 70 kg, height 170 cm. Temperature 38.5 °C. "
    "Creatinine 1.4 mg/dL, platelets 150000/µL. BUN 12-14 mg/dL.",
    "A 58-year-old woman was admitted with dyspnea and leg swelling. She has diabetes. Her "
    "husband reports that she has been tired. Labs: sodium 138 mEq/L, potassium 4.2 mEq/L, "
    "chloride 101 mmol/L, bicarbonate 24 mEq/L, BUN 18 mg/dL, creatinine 132 µmol/L, glucose "
    "5,4 mmol/L, albumin 3.5 g/dL, WBC 12 500/mm3, platelets 250,000/µL, hemoglobin 13.2 g/dL. "
    "Weight 180 lbs, height 69 in, temperature 99.1 °F, heart rate 88 bpm, blood pressure "
    "130/85 mm Hg, respiratory rate 18. Sodium and potassium were 131 and 3.3 mmol/L, "
    "respectively, on day 2. Creatinine 1.2-1.5 mg/dL over the week; weight 82.5 kg/m2.",
    "Mr. Patel, a 44 yo M, presents with fever of 101.8 °F, cough and a rash. His father had "
    "a stroke at age 44. He weighs 95 kg and his creatinine is 0.9 mg/dL. Heart rate 112, "
    "temperature 38,8 °C on recheck. He denies chest pain.",
    "A 31-year-old pregnant woman at 30 weeks of gestation has headache and blood pressure of "
    "160/110 mm Hg. Her platelet count is 95,000/µL and creatinine 1.1 mg/dL.",
    "A 72-year-old Black man with a seizure. Weight 64.2 kg. Creatinine 2.35 mg/dL.",
    "Follow-up visit; the patient is well.",
)
_CALCULATORS = (2, 6, None, None, 9, None)  # Cockcroft-Gault, BMI, -, -, MDRD, -
_VIGNETTES = (
    Case(
        id="q1",
        question="A 23-year-old woman has fever and neck stiffness. Which test is most "
        "appropriate?",
        options={"A": "Lumbar puncture", "B": "Chest x-ray", "C": "Urinalysis", "D": "Biopsy"},
        gold="A",
    ),
    Case(
        id="q2",
        question="A 40-year-old Hispanic man has a cough for 3 weeks and night sweats. He "
        "weighs 60 kg. What is the next step?",
        options={"A": "Sputum smear", "B": "All of the above", "C": "CT", "D": "Reassure"},
        gold="A",
    ),
    Case(
        id="q3",
        question="Which vitamin prevents scurvy?",
        options={"A": "Vitamin C", "B": "Vitamin D", "C": "Vitamin C"},
        gold="A",
    ),
)
CASES = (
    *(
        Case(
            id=f"n{i}",
            question="What is the patient's score?",
            context=note,
            gold="1",
            metadata={} if calc is None else {"calculator_id": calc},
        )
        for i, (note, calc) in enumerate(zip(_NOTES, _CALCULATORS, strict=True))
    ),
    *_VIGNETTES,
)
PERTURBATIONS: dict[str, Perturbation] = {
    "numeric-format": NumericFormat(),
    "numeric-format-convert": NumericFormat(formats=("convert",)),
    "numeric-format-grouping": NumericFormat(formats=("grouping",), spaced_grouping=False),
    "demographics": Demographics(),
    "demographics-all-include": Demographics(
        attributes=("sex", "age", "ethnicity"), relevant="include"
    ),
    "distractor": Distractor(),
    "negation": Negation(),
    "option-order": OptionOrder(),
    "option-order-rotate": OptionOrder(mode="rotate"),
}
SEEDS = (0, 1, 2)


def perturbed(name: str, seed: int) -> dict[str, Any]:
    """The perturbed cases and records of one pinned setting, as JSON data."""
    dataset = Dataset("pins", "1", CASES, "test_probe_pins.py", "0" * 64)
    out = perturb_dataset(dataset, CASES, PERTURBATIONS[name], seed=seed)
    originals = {c.id: c for c in CASES}
    for case in out.dataset.cases:  # the metadata: the original's plus the record (pinned below)
        assert case.metadata == {**originals[case.id].metadata, PROBE_KEY: out.records[case.id]}
    pinned: dict[str, Any] = {
        "cases": [json.loads(c.model_dump_json(exclude={"metadata"})) for c in out.dataset.cases],
        "records": out.records,
        "skipped": out.skipped,
        "sha256": out.dataset.sha256,
    }
    return pinned


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


@pytest.mark.parametrize("name", sorted(PERTURBATIONS))
def test_perturbations_are_byte_identical_to_the_pins(name: str) -> None:
    pins = json.loads(PINS.read_text(encoding="utf-8"))
    for seed in SEEDS:
        fresh = _canonical(perturbed(name, seed))
        assert fresh == _canonical(pins[f"{name}/{seed}"]), f"{name}, seed {seed}"


def test_the_pins_exercise_edits_and_skips() -> None:
    pins = json.loads(PINS.read_text(encoding="utf-8"))
    for name in PERTURBATIONS:
        runs = [pins[f"{name}/{seed}"] for seed in SEEDS]
        assert all(run["cases"] for run in runs), name  # something was perturbed
        assert all(run["skipped"] for run in runs), name  # and something skipped, with reasons
    numeric = pins["numeric-format/0"]["records"]
    whats = {e["what"] for r in numeric.values() for e in r.get("edits", [])}
    assert len(whats) >= 4  # conversions, decimal comma, grouping
    assert any(r.get("passed_over") for r in numeric.values())


if __name__ == "__main__":  # rewrite the pins (after an intended change only)
    pins = {f"{n}/{seed}": perturbed(n, seed) for n in PERTURBATIONS for seed in SEEDS}
    text = json.dumps(pins, ensure_ascii=False, indent=1, sort_keys=True)
    PINS.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {PINS}")

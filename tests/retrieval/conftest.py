"""A tiny hand-made clinical corpus in three file types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DOCS = {
    "aki.md": (
        "# Acute kidney injury\n\n## Staging\n\n"
        "Stage 3 acute kidney injury: serum creatinine three times baseline, or urine output "
        "below 0.3 mL/kg/h for 24 hours, or starting renal replacement therapy.\n\n"
        "## Prevention\n\nAvoid nephrotoxic drugs such as NSAIDs and aminoglycosides.\n"
    ),
    "anticoag.txt": (
        "Warfarin dosing is guided by the INR; the usual target INR is 2.0 to 3.0.\n\n"
        "Amiodarone increases the effect of warfarin, so the INR must be checked more often."
    ),
    "sepsis.html": (
        "<html><head><title>Sepsis</title></head><body><h1>Sepsis</h1>"
        "<p>Give broad-spectrum antibiotics within one hour of recognising septic shock.</p>"
        "<h2>Fluids</h2><p>Give 30 mL/kg of crystalloid for hypotension or lactate above 4."
        "</p></body></html>"
    ),
}
RECORDS = [
    {"id": "pmid:111", "text": "Asthma exacerbations respond to inhaled salbutamol.", "pmid": 111},
    {"id": "pmid:222", "text": "Meningitis: lumbar puncture and CSF culture.", "pmid": "222"},
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder with markdown, text, HTML and jsonl documents."""
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in DOCS.items():
        (root / name).write_text(text, encoding="utf-8")
    lines = "".join(json.dumps(r) + "\n" for r in RECORDS)
    (root / "papers.jsonl").write_text(lines, encoding="utf-8")
    return root

"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinreason.trace import Case

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip with a clear message."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared development data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def mcq_case() -> Case:
    """A small multiple-choice case."""
    return Case(
        id="t1",
        context="A 30-year-old man has fever and neck stiffness. CSF shows neutrophils.",
        question="Most likely diagnosis?",
        options={"A": "Bacterial meningitis", "B": "Migraine", "C": "Tension headache"},
        gold="A",
    )

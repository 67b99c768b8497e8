"""Fixtures for the knowledge-graph tests: the real HPO graph (loaded once) and data paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinreason.tools.kg import HPOGraph, load_hpo

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def hpo() -> HPOGraph:
    """hpo3's HPO release with OMIM diseases (shared by every test in the process)."""
    return load_hpo()


@pytest.fixture
def kg_data() -> Path:
    """tests/kg/data."""
    return DATA

"""Calculator references: every DOI/PMID is the one open-medicine cites for the same paper."""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path

import pytest

from clinreason.tools.calculators import CALCULATORS, by_slug
from clinreason.tools.calculators.references import SOURCE_IDS, reference_of

DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def test_every_calculator_has_a_reference_and_identifiers_are_well_formed():
    for calc in CALCULATORS.values():
        ref = reference_of(calc)
        assert ref.citation == calc.reference
        assert ref.doi is None or DOI.match(ref.doi), calc.slug
        assert ref.pmid is None or ref.pmid.isdigit(), calc.slug
        assert (ref.url is None) == (ref.doi is None and ref.pmid is None)


@pytest.mark.parametrize("slug", sorted(SOURCE_IDS))
def test_identifier_matches_open_medicine(slug):
    spec = find_spec("open_medicine")
    if spec is None or spec.origin is None:
        pytest.skip("open-medicine (extra [corpus]) is not installed")
    ident, module = SOURCE_IDS[slug]
    source = Path(spec.origin).parent / "mcp" / "calculators" / f"{module}.py"
    text = source.read_text(encoding="utf-8")
    assert f'"{ident}"' in text, f"{ident} not cited by open_medicine {module}"
    by_slug(slug)  # the slug is one of ours

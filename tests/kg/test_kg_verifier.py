"""The `kg` verifier: relation claims in thoughts, table-driven, on the toy graph and real HPO."""

from __future__ import annotations

import pytest

from clinreason.tools.kg import Annotation, Disease, HPOGraph, InMemoryGraph, Term
from clinreason.trace import Case, ComponentSpec, Thought, ToolCall, Trace
from clinreason.verify import VERIFIERS, verify_trace
from clinreason.verify.kg import KGCheck, relation_claims

CASE = Case(id="c", question="Diagnosis?")


def _trace(*texts: str) -> Trace:
    steps = [Thought(id=f"s{i}", text=t) for i, t in enumerate(texts, 1)]
    return Trace(case=CASE, strategy=ComponentSpec(name="cot"), steps=steps)


def _statuses(check: KGCheck, text: str) -> list[tuple[str, str]]:
    return [(str(v.details.get("term")), v.status) for v in check.verify(_trace(text), CASE)]


@pytest.fixture(scope="module")
def toy() -> KGCheck:
    """Eye/seizure toy graph; 'Lens disease' is well annotated, 'Rare thing' is not."""
    labels = {
        "R": "Phenotypic abnormality",
        "EYE": "Abnormality of the eye",
        "EMOR": "Abnormal eye morphology",
        "LENS": "Abnormality of the lens",
        "EL": "Ectopia lentis",
        "CAT": "Cataract",
        "MY": "Myopia",
        "NS": "Abnormality of the nervous system",
        "SZ": "Seizure",
        "FSZ": "Focal seizure",
        "SK": "Abnormality of the skeleton",
        "AR": "Arachnodactyly",
        "TS": "Tall stature",
        "EAR": "Abnormality of the ear",
        "HL": "Hearing loss",
    }
    parents = {
        "EYE": ["R"], "EMOR": ["EYE"], "LENS": ["EMOR"], "EAR": ["R"], "HL": ["EAR"],
        "EL": ["LENS"], "CAT": ["LENS"], "MY": ["EYE"],
        "NS": ["R"], "SZ": ["NS"], "FSZ": ["SZ"], "SK": ["R"], "AR": ["SK"], "TS": ["SK"],
    }  # fmt: skip
    lens = ("EL", "MY", "AR", "TS", "SZ")
    diseases = [
        Disease("D:1", "Lens disease", tuple(Annotation(t) for t in lens)),
        Disease("D:2", "Rare thing", (Annotation("AR"),)),
        Disease("D:3", "Tall syndrome 1", (Annotation("TS"),)),
        Disease("D:4", "Tall syndrome 2", (Annotation("AR"),)),
    ]
    graph = InMemoryGraph([Term(k, v) for k, v in labels.items()], parents, diseases, root="R")
    return KGCheck(graph=graph, min_annotations=5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lens disease presents with ectopia lentis.", [("EL", "supported")]),
        ("Ectopia lentis suggests lens disease.", [("EL", "supported")]),
        ("Patients with lens disease often have myopia and arachnodactyly.",
         [("MY", "supported"), ("AR", "supported")]),
        # the claim is more general than the annotation: still true (true-path rule)
        ("Lens disease is characterised by an abnormality of the lens.", [("LENS", "supported")]),
        # the graph only has the more general 'Seizure': cannot confirm 'focal'
        ("Lens disease presents with focal seizures.", [("FSZ", "unverifiable")]),
        # cataract shares the specific ancestor 'Abnormality of the lens' with ectopia lentis
        ("Lens disease presents with cataract.", [("CAT", "unverifiable")]),
        # a well-annotated disease with nothing related below the organ-system level
        ("Lens disease presents with hearing loss.", [("HL", "contradicted")]),
        # ... but a sparsely annotated disease cannot be contradicted
        ("Rare thing presents with seizures.", [("SZ", "unverifiable")]),
        ("Tall syndrome 1 presents with arachnodactyly.", [("AR", "unverifiable")]),
        # a numbered family: supported when one member has it
        ("Tall syndrome presents with arachnodactyly.", [("AR", "supported")]),
        # unlinked disease: no verdict at all (never a false contradiction)
        ("Unknown disease presents with ectopia lentis.", []),
        ("Fever is common.", []),
        # no sentence form: read by co-mention of one disease, findings and a relating word
        ("Ectopia lentis is a recognised manifestation of lens disease.", [("EL", "supported")]),
        ("In lens disease, hearing loss is common.", [("HL", "contradicted")]),
        ("Lens disease is known to produce myopia.", [("MY", "supported")]),
        # a form whose disease part names nothing ("Classically, lens disease") reads on
        ("Classically, lens disease is associated with hearing loss.", [("HL", "contradicted")]),
        # ... but never when negated, contrasted, about the patient, or naming two diseases
        ("Hearing loss is not seen in lens disease.", []),
        ("In tall syndrome 1 rather than lens disease, hearing loss is common.", []),
        ("The patient has hearing loss, common in lens disease.", []),
        ("In lens disease and rare thing, hearing loss is common.", []),
    ],
)  # fmt: skip
def test_toy_claims(toy: KGCheck, text: str, expected: list[tuple[str, str]]) -> None:
    assert _statuses(toy, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Marfan syndrome presents with ectopia lentis and arachnodactyly.",
         [("HP:0001083", "supported"), ("HP:0001166", "supported")]),
        ("Arachnodactyly is a typical feature of Marfan syndrome.", [("HP:0001166", "supported")]),
        ("Marfan syndrome is characterized by aortic aneurysm.", [("HP:0004942", "supported")]),
        ("Marfan syndrome presents with seizures.", [("HP:0001250", "contradicted")]),
        ("Marfan syndrome presents with hearing loss.", [("HP:0000365", "contradicted")]),
        ("Loeys-Dietz syndrome presents with a bifid uvula.", [("HP:0000193", "supported")]),
        ("Patients with cystic fibrosis often have bronchiectasis.", [("HP:0002110", "supported")]),
        ("OMIM:154700 presents with ectopia lentis.", [("HP:0001083", "supported")]),
        ("Zebra fever presents with ectopia lentis.", []),
    ],
)  # fmt: skip
def test_hpo_claims(hpo: HPOGraph, text: str, expected: list[tuple[str, str]]) -> None:
    assert _statuses(KGCheck(), text) == expected


def test_unlinked_finding_is_unverifiable(hpo: HPOGraph) -> None:
    (v,) = KGCheck().verify(_trace("Marfan syndrome presents with a certain charm."), CASE)
    assert v.status == "unverifiable" and v.details["failure"] == "finding_not_linked"


def test_evidence_names_the_graph_and_path(hpo: HPOGraph) -> None:
    (v,) = KGCheck().verify(_trace("Marfan syndrome presents with aortic aneurysm."), CASE)
    assert hpo.source in v.evidence and "→" in v.evidence and v.step_id == "s1"
    assert v.details["diseases"] == ["OMIM:154700"]


def test_registered_and_silent_without_claims() -> None:
    assert VERIFIERS["kg"] is KGCheck
    assert verify_trace(_trace("Heart rate 80."), ["kg"]) == []


def test_diagnosis_explanations_are_rechecked(toy: KGCheck) -> None:
    def call(annotated: str, path: list[str]) -> ToolCall:
        item = {
            "rank": 1, "disease": "D:1", "label": "Lens disease",
            "explained": [{"term": path[0], "label": "x", "annotated": annotated,
                           "annotated_label": "y", "path": [[p, p] for p in path]}],
        }  # fmt: skip
        return ToolCall(
            id="t", tool="kg.diagnose", result={"graph": "memory", "differential": [item]}
        )

    good = Trace(case=CASE, strategy=ComponentSpec(name="d"), steps=[call("EL", ["LENS", "EL"])])
    bad = Trace(case=CASE, strategy=ComponentSpec(name="d"), steps=[call("CAT", ["LENS", "CAT"])])
    broken = Trace(case=CASE, strategy=ComponentSpec(name="d"), steps=[call("EL", ["SZ", "EL"])])
    assert [v.status for v in toy.verify(good, CASE)] == ["supported"]
    assert [v.status for v in toy.verify(bad, CASE)] == ["contradicted"]
    assert [v.status for v in toy.verify(broken, CASE)] == ["contradicted"]


def test_relation_claims_parsing() -> None:
    assert relation_claims("Seizures point to Dravet syndrome; MRI is normal.") == [
        ("Seizures point to Dravet syndrome;", "Dravet syndrome", "Seizures")
    ]

"""The likelihood-ratio ranker and its explanations on a hand-made graph with known answers."""

from __future__ import annotations

import math

import pytest

from clinreason.errors import ConfigError, InputError
from clinreason.tools.kg import Annotation, Disease, HPOGraph, InMemoryGraph, Term
from clinreason.tools.kg.explain import explain_disease, render_differential
from clinreason.tools.kg.rank import DifferentialRanker, ranker_for

LABELS = {
    "R": "Phenotypic abnormality",
    "EYE": "Abnormality of the eye",
    "EL": "Ectopia lentis",
    "MY": "Myopia",
    "HMY": "High myopia",
    "HRT": "Abnormality of the heart",
    "AD": "Aortic dilatation",
    "ARD": "Aortic root dilatation",
    "SZ": "Seizure",
    "FSZ": "Focal seizure",
    "GSZ": "Generalized seizure",
    "SK": "Skeletal abnormality",
    "AR": "Arachnodactyly",
    "TS": "Tall stature",
}
PARENTS = {
    "EYE": ["R"],
    "EL": ["EYE"],
    "MY": ["EYE"],
    "HMY": ["MY"],
    "HRT": ["R"],
    "AD": ["HRT"],
    "ARD": ["AD"],
    "SZ": ["R"],
    "FSZ": ["SZ"],
    "GSZ": ["SZ"],
    "SK": ["R"],
    "AR": ["SK"],
    "TS": ["SK"],
}


def _d(did: str, label: str, **freqs: float) -> Disease:
    return Disease(did, label, tuple(Annotation(t, f) for t, f in freqs.items()))


@pytest.fixture(scope="module")
def graph() -> InMemoryGraph:
    """Four diseases: Marfan-like, homocystinuria-like, an epilepsy, isolated ectopia lentis."""
    diseases = [
        _d("D:MFS", "Marfan-like", EL=0.6, ARD=0.8, AR=0.9, TS=0.7),
        _d("D:HCY", "Homocystinuria-like", EL=0.9, HMY=0.5, SZ=0.3, AR=0.5),
        _d("D:EPI", "Focal epilepsy", FSZ=0.9, GSZ=0.4),
        _d("D:LENS", "Ectopia lentis, isolated", EL=1.0),
    ]
    terms = [Term(k, v) for k, v in LABELS.items()]
    return InMemoryGraph(terms, PARENTS, diseases, root="R", source="toy")


@pytest.fixture(scope="module")
def ranker(graph: InMemoryGraph) -> DifferentialRanker:
    return DifferentialRanker(graph)


@pytest.mark.parametrize(
    ("observed", "excluded", "expected"),
    [
        (["EL", "ARD", "AR"], [], ["D:MFS", "D:HCY", "D:LENS", "D:EPI"]),
        # HCY explains the lens exactly and the focal seizure through its more general 'Seizure'
        (["EL", "FSZ"], [], ["D:HCY", "D:EPI", "D:LENS", "D:MFS"]),
        (["EL", "AR"], [], ["D:MFS", "D:HCY", "D:LENS", "D:EPI"]),
        # ... until aortic dilatation is excluded: MFS usually shows it (0.8), HCY never does
        (["EL", "AR"], ["AD"], ["D:HCY", "D:MFS", "D:LENS", "D:EPI"]),
        (["EL"], [], ["D:LENS", "D:HCY", "D:MFS", "D:EPI"]),
    ],
)
def test_known_rankings(
    ranker: DifferentialRanker, observed: list[str], excluded: list[str], expected: list[str]
) -> None:
    ranked = ranker.rank(observed, excluded, top_k=None)
    assert [r.disease for r in ranked] == expected
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    assert math.isclose(sum(r.posterior for r in ranked), 1.0)
    query = ranker.prepare(observed, excluded)
    assert ranker.rank_of(query, expected[-1]) == 4


def test_hand_computed_scores(ranker: DifferentialRanker) -> None:
    """LRs from the module docstring, worked out by hand (q = (n_with + 1) / (n + 1), n = 4)."""
    scores = {r.disease: r.score for r in ranker.rank(["EL", "FSZ"], top_k=None)}
    assert scores["D:HCY"] == pytest.approx(math.log(0.9 / (0.5 * 0.8)) + math.log(0.3 / 0.3))
    assert scores["D:EPI"] == pytest.approx(math.log(0.01) + math.log(0.9 / (0.5 * 0.4)))
    assert scores["D:LENS"] == pytest.approx(math.log(1.0 / 0.4) + math.log(0.01))


def test_unknown_ids_are_listed(ranker: DifferentialRanker) -> None:
    with pytest.raises(InputError) as err:
        ranker.rank(["EL", "HP:9999998", "HP:9999999"], ["NOPE"])
    message = str(err.value)
    for bad in ("HP:9999998", "HP:9999999", "NOPE"):
        assert bad in message
    assert "EL," not in message


def test_no_observed_term_is_an_error(ranker: DifferentialRanker) -> None:
    with pytest.raises(InputError, match="no observed"):
        ranker.rank([], ["EL"])


def test_query_cleaning(ranker: DifferentialRanker) -> None:
    q = ranker.prepare(["MY", "HMY", "R"], ["EYE", "EL", "TS"])
    assert q.observed == ("HMY",)  # Myopia implied by High myopia; the root is no finding
    assert q.excluded == ("TS",)  # the eye cannot be absent when high myopia is present
    reasons = dict(q.dropped)
    assert "implied" in reasons["MY"] and "not a phenotypic" in reasons["R"]


def test_bad_graph_is_rejected() -> None:
    with pytest.raises(ConfigError, match="unknown"):
        InMemoryGraph([Term("R", "root")], {"X": ["R"]}, [], root="R")


@pytest.mark.parametrize(
    ("observed", "excluded"),
    [
        (["EL", "ARD", "AR"], []),
        (["EL", "FSZ"], []),
        (["EL", "AR"], ["AD"]),
        (["MY", "GSZ"], ["TS"]),
    ],
)
def test_explanation_adds_up_to_the_score(
    ranker: DifferentialRanker, observed: list[str], excluded: list[str]
) -> None:
    query = ranker.prepare(observed, excluded)
    for r in ranker.rank_query(query, top_k=None):
        e = explain_disease(ranker, query, r)
        assert e.log_lr_total == pytest.approx(r.score)
        assert len(e.explained) + len(e.unexplained) == len(query.observed)
        assert len(e.contradicted) + len(e.excluded_ok) == len(query.excluded)


def test_explanation_paths(ranker: DifferentialRanker, graph: InMemoryGraph) -> None:
    query = ranker.prepare(["AD", "FSZ", "MY"], ["TS"])
    by = {r.disease: r for r in ranker.rank_query(query, top_k=None)}
    mfs = explain_disease(ranker, query, by["D:MFS"])
    ad = next(m for m in mfs.explained if m.patient_term == "AD")
    assert (ad.relation, ad.annotated_term, ad.path) == (
        "annotated_more_specific",
        "ARD",
        ("AD", "ARD"),
    )
    my = next(m for m in mfs.explained if m.patient_term == "MY")
    assert (my.relation, my.via, my.path) == ("related", "EYE", ("MY", "EYE", "EL"))
    assert [t for t, _ in mfs.unexplained] == ["FSZ"]
    assert [m.patient_term for m in mfs.contradicted] == ["TS"]
    assert [t for t, _ in mfs.missing] == ["AR", "EL"]  # most frequent first; AD, TS reported
    hcy = explain_disease(ranker, query, by["D:HCY"])
    fsz = next(m for m in hcy.explained if m.patient_term == "FSZ")
    assert (fsz.relation, fsz.path) == ("patient_more_specific", ("FSZ", "SZ"))
    my = next(m for m in hcy.explained if m.patient_term == "MY")
    assert (my.relation, my.path) == ("annotated_more_specific", ("MY", "HMY"))
    lines = render_differential(
        {"graph": "toy", "differential": [mfs.to_json(graph), hcy.to_json(graph)]}
    )
    text = "\n".join(lines)
    assert "Myopia → Abnormality of the eye ← Ectopia lentis" in text
    assert "does not explain Focal seizure" in text
    assert "contradicted: Tall stature is absent" in text
    assert "Focal seizure → Seizure" in text


def test_explanations_are_faithful_on_hpo(hpo: HPOGraph) -> None:
    """On the real graph too, each explanation's log LRs add up to the ranker's score."""
    ranker = ranker_for(hpo)
    query = ranker.prepare(
        ["HP:0001166", "HP:0001083", "HP:0002616", "HP:0001250", "HP:0000369"],
        ["HP:0000098", "HP:0001382"],
    )
    for r in ranker.rank_query(query, top_k=8):
        e = explain_disease(ranker, query, r)
        assert e.log_lr_total == pytest.approx(r.score)
        for m in e.explained:
            assert m.path[0] == m.patient_term and m.path[-1] == m.annotated_term
